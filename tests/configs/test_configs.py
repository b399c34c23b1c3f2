"""The config tree under ``configs/``.

* every file loads with ``Config.fromfile`` and can be dumped;
* leaf configs follow mmpretrain's ``{model}_{method}_{dataset}.py`` naming,
  use ``default_scope='mmmix'`` and name only registered types;
* a leaf config states only what differs from its ``_base_`` (no key its bases
  lack, no value equal to the base's), except the keys listed in
  ``ALWAYS_STATED`` / ``INTENDED_NEW_KEYS``;
* each mixup config names the registered mixer of its folder, with the
  ``alpha`` and a comment giving the value's source;
* the model of EVERY leaf config is built through ``mmmix.registry.MODELS`` and
  runs one mixed training loss (with backward) and one prediction on a small
  batch; the synthetic recipe also trains for real through mmengine's Runner
  on a tiny generated copy of the synthetic dataset.
"""
import ast
import copy
import glob
import os.path as osp
import re

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope

import mmmix  # noqa: F401  (registers mmmix types)
from mmmix import registry as R

from cfg_utils import CONFIG_DIR, REPO, load, plain, rel
from mmmix.mixers import BaseMixer

ALL_CONFIGS = sorted(glob.glob(osp.join(CONFIG_DIR, '**', '*.py'), recursive=True))
BASE_CONFIGS = [p for p in ALL_CONFIGS if f'{osp.sep}_base_{osp.sep}' in p]
LEAF_CONFIGS = [p for p in ALL_CONFIGS if p not in BASE_CONFIGS]
MIXUP_CONFIGS = [p for p in LEAF_CONFIGS if f'{osp.sep}mixups{osp.sep}' in p]
# classification recipes (mmmix scope); detection configs (configs/detection/, mmdet
# scope) only have to load here
CLS_CONFIGS = [p for p in LEAF_CONFIGS if f'{osp.sep}detection{osp.sep}' not in p]
SYNTHETIC_CONFIGS = [p for p in CLS_CONFIGS if p.endswith('_synthetic.py')]


def ids(paths):
    return [rel(p) for p in paths]


# method folder under configs/mixups -> mixer type it must use
MIXUP_METHODS = {
    'vanilla': 'vanilla', 'mixup': 'Mixup', 'cutmix': 'CutMix', 'resizemix': 'ResizeMix',
    'fmix': 'FMix', 'gridmix': 'GridMix', 'smoothmix': 'SmoothMix', 'saliencymix': 'SaliencyMix',
    'manifoldmix': 'ManifoldMix', 'puzzlemix': 'PuzzleMix', 'attentivemix': 'AttentiveMix',
    'comixup': 'CoMixup',
}
# the model x dataset grid every mixup method provides
MIXUP_GRID = [
    'resnet18_{m}_synthetic.py', 'resnet18_{m}_cifar100.py', 'resnext50_{m}_cifar100.py',
    'wrn28-8_{m}_cifar100.py', 'resnet18_{m}_tiny-imagenet.py', 'resnet18_{m}_in1k.py',
    'resnet50_{m}_in1k.py',
]
# mmpretrain style: {model}_{method}_{dataset}.py, lower case, '-' inside a part
PART = r'[a-z0-9]+(?:[-.][a-z0-9]+)*'
LEAF_NAME = re.compile(rf'^(?P<model>{PART})_(?P<method>{PART})_(?P<dataset>{PART})\.py$')
BASE_NAME = re.compile(r'^[a-z0-9][a-z0-9_.-]*\.py$')
DATASET_NAMES = {'synthetic', 'synthetic-64px', 'cifar10', 'cifar10-jpeg', 'cifar10-jpeg-2k',
                 'cifar100', 'tiny-imagenet', 'in1k',
                 'cub200', 'fgvc-aircraft', 'stanford-cars'}
MODEL_NAMES = {'resnet18', 'resnet18-w16', 'resnet18-w16-imagenet-stem', 'resnet34', 'resnet50',
               'resnet101', 'resnext50', 'resnext101', 'wrn28-2', 'wrn28-8', 'deit-tiny',
               'deit-small', 'swin-tiny'}

# model types whose configs the generic one-step check below does not cover
# (their forward takes something else than one labelled batch, or they are not
# single-optimizer MixupClassifiers): model type -> the test file (relative to
# tests/) that builds every config of that type and runs a training step
OWN_STEP_TESTS = {'FixMatch': 'semisup/test_models.py', 'MixMatch': 'semisup/test_models.py',
                  'AutoMix': 'models/test_automix_configs.py',
                  'FineTuning': 'semisup/test_finetune.py', 'CoTuning': 'semisup/test_finetune.py',
                  'SelfTuning': 'semisup/test_finetune.py'}

# key paths a leaf config may restate with the base's value: the mixer list is
# the identity of a method config (the model bases hold a placeholder)
ALWAYS_STATED = {'model.mixers'}
# key paths a leaf config may add although its bases lack them: head options whose
# default lives in the class (MixupClsHead's mix_loss: mixed CE unless given)
INTENDED_NEW_KEYS = {'model.head.mix_loss', 'model.head.clean_grad',
                     'model.head.uncertainty_norm',
                     # semi-supervised method options (FixMatch / MixMatch class defaults)
                     'model.source_classes', 'model.lambda_co', 'custom_hooks',  # Co-Tuning
                     'model.mixers', 'model.mix_with', 'model.mix_loss', 'model.mix_ramp_iters',
                     'model.lambda_u', 'model.ramp_iters', 'model.dm_eta',
                     # fine-tuning from pretrained weights (AutoMix fine-grained configs)
                     'model.backbone.init_cfg'}
# open mappings a base declares empty and leaf configs fill with their own entries
OPEN_DICTS = {'optim_wrapper.paramwise_cfg.custom_keys'}

# input size of the one-step model check: it checks the wiring (channels, classes,
# mixers), not the resolution, so only the CPU-sized synthetic recipes run at their
# real size; the others run small (CIFAR stems at 16 px, ImageNet stems at 32 px)
INPUT_SIZE = {'synthetic': 32, 'synthetic-64px': 64, 'cifar10': 16, 'cifar10-jpeg': 16,
              'cifar10-jpeg-2k': 16, 'cifar100': 16,
              'tiny-imagenet': 16, 'in1k': 32, 'cub200': 32, 'fgvc-aircraft': 32,
              'stanford-cars': 32}
# Swin-T's last stage must be at least its 7x7 window (mmpretrain asserts it)
MODEL_INPUT_SIZE = {'swin-tiny': 224}


@pytest.fixture(scope='module', autouse=True)
def mmmix_scope():
    init_default_scope('mmmix')


@pytest.fixture(scope='module', autouse=True)
def one_thread():
    # the model checks are small: one thread avoids OpenMP oversubscription on a
    # shared CPU (spinning threads cost more than they gain here)
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)


def own_keys(path):
    """The top-level names a config file itself assigns (its ``_base_`` aside)."""
    with open(path, encoding='utf-8') as f:
        src = f.read()
    ns = {}
    exec(compile(src, path, 'exec'), ns)  # our configs are plain literals
    return {k: v for k, v in ns.items() if not k.startswith('__') and k != '_base_'}, ns


def declared_bases(path):
    """The ``_base_`` list of a config, read without running the file (the
    detection configs use mmengine's ``_base_.name`` references)."""
    with open(path, encoding='utf-8') as f:
        tree = ast.parse(f.read(), path)
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == '_base_' for t in node.targets):
            bases = ast.literal_eval(node.value)
            return [bases] if isinstance(bases, str) else list(bases)
    return []


def base_of(path, tmp_dir):
    """The merged config of ``path``'s bases alone."""
    _, ns = own_keys(path)
    bases = ns.get('_base_', [])
    bases = [bases] if isinstance(bases, str) else list(bases)
    bases = [osp.normpath(osp.join(osp.dirname(path), b)) for b in bases]
    f = osp.join(tmp_dir, 'bases_of_' + osp.basename(path))
    with open(f, 'w') as fh:
        fh.write(f'_base_ = {bases!r}\n')
    return plain(Config.fromfile(f)._cfg_dict)


def scheduler_lists(cfg):
    """``param_scheduler`` as one list per optimizer (a dict of lists keyed by
    optimizer name serves an OptimWrapperDict, e.g. AutoMix's Mix Block)."""
    scheds = cfg.param_scheduler
    groups = (list(scheds.values()) if isinstance(scheds, dict) and 'type' not in scheds
              else [scheds])
    return [list(g) if isinstance(g, (list, tuple)) else [g] for g in groups]


def model_name(path):
    m = LEAF_NAME.match(osp.basename(path))
    return m.group('model'), m.group('method'), m.group('dataset')


# --------------------------------------------------------------------- loading
def test_config_tree_is_complete():
    assert BASE_CONFIGS and LEAF_CONFIGS
    missing = []
    for method in MIXUP_METHODS:
        for pattern in MIXUP_GRID:
            p = osp.join(CONFIG_DIR, 'mixups', method, pattern.format(m=method))
            if not osp.isfile(p):
                missing.append(rel(p))
    assert not missing, f'missing mixup configs: {missing}'
    for base in ['default_runtime.py', 'datasets/synthetic_cls.py', 'datasets/cifar10_bs100.py',
                 'datasets/cifar100_bs100.py', 'datasets/tiny_imagenet_bs100.py',
                 'datasets/imagenet_bs32.py', 'datasets/cub200_bs16.py',
                 'models/resnet18_cifar.py', 'models/resnet18-w16_cifar.py',
                 'models/resnext50_cifar.py', 'models/wrn28_8.py', 'models/resnet18.py',
                 'models/resnet50.py', 'schedules/cifar_sgd_cosine_800e.py',
                 'schedules/tiny_sgd_cosine_400e.py',
                 'schedules/imagenet_sgd_cosine_100e.py', 'schedules/imagenet_sgd_cosine_300e.py',
                 'schedules/synthetic_sgd_short.py']:
        assert osp.isfile(osp.join(CONFIG_DIR, '_base_', base)), base


@pytest.mark.parametrize('path', ALL_CONFIGS, ids=ids(ALL_CONFIGS))
def test_every_config_loads_and_dumps(path):
    cfg = load(path)
    assert cfg.pretty_text  # the runner dumps the config into the work dir
    if path in BASE_CONFIGS:
        assert BASE_NAME.match(osp.basename(path)), f'{rel(path)}: not a lower-case file name'
        return
    if path not in CLS_CONFIGS:
        return
    assert cfg.get('default_scope') == 'mmmix', f'{rel(path)}: default_scope must be mmmix'
    for key in ('model', 'train_dataloader', 'val_dataloader', 'test_dataloader',
                'optim_wrapper', 'param_scheduler', 'train_cfg', 'default_hooks'):
        assert key in cfg, f'{rel(path)}: no {key!r}'


# ----------------------------------------------------------------- conventions
@pytest.mark.parametrize('path', ALL_CONFIGS, ids=ids(ALL_CONFIGS))
def test_bases_are_local_files(path):
    """mmmix configs inherit mmmix's own bases, not `mmpretrain::...` (robust to
    how mmpretrain was installed). The detection configs are the exception:
    they extend mmdet's stock recipes (`mmdet::...`, shipped in mmdet's wheel),
    which tests/detection/test_detection_configs.py checks."""
    bases = declared_bases(path)
    for b in bases:
        if b.startswith('mmdet::') and f'{osp.sep}detection{osp.sep}' in path:
            continue
        assert '::' not in b, f'{rel(path)}: package-scoped base {b!r}'
        full = osp.normpath(osp.join(osp.dirname(path), b))
        assert full.startswith(CONFIG_DIR + osp.sep) and osp.isfile(full), \
            f'{rel(path)}: base {b!r} is not a file under configs/'


@pytest.mark.parametrize('path', CLS_CONFIGS, ids=ids(CLS_CONFIGS))
def test_leaf_naming(path):
    name = osp.basename(path)
    m = LEAF_NAME.match(name)
    assert m, f'{rel(path)}: expected {{model}}_{{method}}_{{dataset}}.py'
    assert m.group('dataset') in DATASET_NAMES, f'{rel(path)}: unknown dataset {m["dataset"]!r}'
    assert m.group('model') in MODEL_NAMES, f'{rel(path)}: unknown model {m["model"]!r}'
    if path not in MIXUP_CONFIGS:
        return
    folder = osp.basename(osp.dirname(path))
    method = m.group('method')
    assert method == folder or method.startswith(folder + '-'), \
        f'{rel(path)}: method {method!r} does not match its folder {folder!r}'


@pytest.mark.parametrize('path', CLS_CONFIGS, ids=ids(CLS_CONFIGS))
def test_leaf_states_only_differences(path, tmp_path):
    own, _ = own_keys(path)
    base = base_of(path, str(tmp_path))
    problems = []

    def walk(mine, theirs, prefix):
        for key, value in mine.items():
            where = f'{prefix}{key}'
            if key == '_delete_':
                continue
            if key not in theirs:
                if where not in INTENDED_NEW_KEYS and prefix.rstrip('.') not in OPEN_DICTS:
                    problems.append(f'sets {where!r}, which its bases do not define')
                continue
            if (isinstance(value, dict) and not value.get('_delete_')
                    and isinstance(theirs[key], dict)):
                walk(value, theirs[key], where + '.')
            elif plain(value) == theirs[key] and where not in ALWAYS_STATED:
                problems.append(f'restates {where}={value!r}, the value of its bases')

    walk(plain(own), base, '')
    assert not problems, f'{rel(path)}: ' + '; '.join(problems)


@pytest.mark.parametrize('path', CLS_CONFIGS, ids=ids(CLS_CONFIGS))
def test_leaf_consistency(path):
    cfg = load(path)
    model = cfg.model
    assert cfg.data_preprocessor.num_classes == model.head.num_classes, \
        f'{rel(path)}: data_preprocessor has {cfg.data_preprocessor.num_classes} classes, ' \
        f'the head {model.head.num_classes}'
    # the cosine schedule ends where training ends (epochs, or iterations for
    # iteration-based loops)
    length = cfg.train_cfg.get('max_epochs', cfg.train_cfg.get('max_iters'))
    for scheds in scheduler_lists(cfg):
        assert scheds[-1]['end'] == length, rel(path)
    # auto_scale_lr's batch is a whole number of per-GPU batches
    bs = cfg.train_dataloader.batch_size
    assert cfg.auto_scale_lr.base_batch_size % bs == 0, rel(path)


def _types(cfg):
    """(registry, type name, where) for every typed part of a config."""
    out = []

    def model_types(node, where):
        if isinstance(node, dict):
            if 'type' in node:
                out.append((R.MODELS, node['type'], where))
            for k, v in node.items():
                if k == 'mixers':  # checked against BATCH_AUGMENTS below
                    continue
                if k == 'init_cfg':
                    for i, c in enumerate(v if isinstance(v, (list, tuple)) else [v]):
                        if isinstance(c, dict) and 'type' in c:
                            out.append((R.WEIGHT_INITIALIZERS, c['type'], f'{where}.init_cfg'))
                    continue
                model_types(v, f'{where}.{k}')
        elif isinstance(node, (list, tuple)):
            for i, v in enumerate(node):
                model_types(v, f'{where}[{i}]')

    model_types(cfg.model, 'model')
    if cfg.get('data_preprocessor'):
        out.append((R.MODELS, cfg.data_preprocessor.get('type', 'ClsDataPreprocessor'),
                    'data_preprocessor'))
    for i, m in enumerate(cfg.model.get('mixers', [])):
        if m != 'vanilla':
            out.append((R.BATCH_AUGMENTS, m['type'], f'model.mixers[{i}]'))
    for name in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        dl = cfg.get(name)
        if not dl:
            continue
        out.append((R.DATASETS, dl.dataset.type, f'{name}.dataset'))
        out.append((R.DATA_SAMPLERS, dl.sampler.type, f'{name}.sampler'))
        for i, t in enumerate(dl.dataset.get('pipeline', [])):
            out.append((R.TRANSFORMS, t.type, f'{name}.dataset.pipeline[{i}]'))
    for name in ('val_evaluator', 'test_evaluator'):
        ev = cfg.get(name)
        for i, m in enumerate(ev if isinstance(ev, (list, tuple)) else [ev]):
            out.append((R.METRICS, m.type, f'{name}[{i}]'))
    for k, h in cfg.default_hooks.items():
        out.append((R.HOOKS, h.type, f'default_hooks.{k}'))
    if 'type' in cfg.train_cfg:
        out.append((R.LOOPS, cfg.train_cfg.type, 'train_cfg'))
    for i, h in enumerate(cfg.get('custom_hooks', [])):
        out.append((R.HOOKS, h.type, f'custom_hooks[{i}]'))
    for scheds in scheduler_lists(cfg):
        for i, s in enumerate(scheds):
            out.append((R.PARAM_SCHEDULERS, s.type, f'param_scheduler[{i}]'))
    out.append((R.OPTIMIZERS, cfg.optim_wrapper.optimizer.type, 'optim_wrapper.optimizer'))
    out.append((R.OPTIM_WRAPPERS, cfg.optim_wrapper.get('type', 'OptimWrapper'),
                'optim_wrapper'))
    out.append((R.VISUALIZERS, cfg.visualizer.type, 'visualizer'))
    for i, b in enumerate(cfg.visualizer.vis_backends):
        out.append((R.VISBACKENDS, b.type, f'visualizer.vis_backends[{i}]'))
    return out


@pytest.mark.parametrize('path', CLS_CONFIGS, ids=ids(CLS_CONFIGS))
def test_leaf_names_registered_types(path):
    cfg = load(path)
    unknown = [f'{where}: {name!r} ({reg.name})' for reg, name, where in _types(cfg)
               if reg.get(name) is None]
    assert not unknown, f'{rel(path)}: unregistered types under scope mmmix: {unknown}'


@pytest.mark.parametrize('path', MIXUP_CONFIGS, ids=ids(MIXUP_CONFIGS))
def test_mixup_config_names_its_registered_mixer(path):
    cfg = load(path)
    folder = osp.basename(osp.dirname(path))
    assert folder in MIXUP_METHODS, f'{rel(path)}: unknown method folder {folder!r}'
    model = cfg.model
    assert model.type == 'MixupClassifier'
    assert model.head.type == 'MixupClsHead'
    mixers = list(model.mixers)
    assert len(mixers) == 1, f'{rel(path)}: one mixer per method config, got {mixers}'
    mixer = mixers[0]
    if MIXUP_METHODS[folder] == 'vanilla':
        assert mixer == 'vanilla', rel(path)
        return
    assert isinstance(mixer, dict), rel(path)
    assert mixer['type'] == MIXUP_METHODS[folder], rel(path)
    cls = R.BATCH_AUGMENTS.get(mixer['type'])
    assert cls is not None and issubclass(cls, BaseMixer), \
        f'{rel(path)}: {mixer["type"]!r} is not a registered mixer'
    # alpha is stated explicitly, next to a comment giving its source
    assert 'alpha' in mixer, f'{rel(path)}: state alpha explicitly'
    with open(path, encoding='utf-8') as f:
        src = f.read()
    assert re.search(rf'^# alpha={mixer["alpha"]}: \S', src, re.M), \
        f'{rel(path)}: no "# alpha={mixer["alpha"]}: <source>" comment'
    # the mixer accepts its keys (mixers reject unknown or out-of-range ones)
    built = R.BATCH_AUGMENTS.build(copy.deepcopy(plain(mixer)))
    assert isinstance(built, BaseMixer) and built.alpha == mixer['alpha']


# ---------------------------------------------------------------------- models
def build_model(cfg):
    model_cfg = copy.deepcopy(plain(cfg.model))
    # as mmengine's Runner does with the top-level data_preprocessor
    model_cfg.setdefault('data_preprocessor', copy.deepcopy(plain(cfg.data_preprocessor)))
    return R.MODELS.build(model_cfg)


def fake_batch(model, num_classes, size, n=4, seed=0):
    from mmpretrain.structures import DataSample
    g = torch.Generator().manual_seed(seed)
    imgs = [torch.randint(0, 256, (3, size, size), generator=g, dtype=torch.uint8)
            for _ in range(n)]
    labels = torch.randint(0, num_classes, (n, ), generator=g)
    samples = [DataSample().set_gt_label(int(y)) for y in labels]
    return dict(inputs=imgs, data_samples=samples)


def test_own_step_tests_exist():
    for model_type, test_file in OWN_STEP_TESTS.items():
        assert osp.isfile(osp.join(REPO, 'tests', test_file)), (model_type, test_file)


@pytest.mark.parametrize('path', CLS_CONFIGS, ids=ids(CLS_CONFIGS))
def test_build_every_model_and_run_a_step(path):
    from mmmix.models import MixupClassifier
    cfg = load(path)
    if cfg.model.type in OWN_STEP_TESTS:
        pytest.skip(f'{cfg.model.type} configs are stepped by {OWN_STEP_TESTS[cfg.model.type]}')
    torch.manual_seed(0)
    model = build_model(cfg)
    assert isinstance(model, MixupClassifier)
    num_classes = cfg.model.head.num_classes
    model_part, _, dataset = model_name(path)
    size = MODEL_INPUT_SIZE.get(model_part, INPUT_SIZE[dataset])

    model.train()
    data = model.data_preprocessor(fake_batch(model, num_classes, size), training=True)
    assert data['inputs'].shape == (4, 3, size, size)
    losses = model(**data, mode='loss')
    loss = sum(v for k, v in losses.items() if k.startswith('loss'))
    assert torch.isfinite(loss), f'{rel(path)}: loss {loss}'
    loss.backward()
    assert model.head.fc.weight.grad is not None
    assert torch.isfinite(model.head.fc.weight.grad).all()

    model.eval()
    with torch.no_grad():
        data = model.data_preprocessor(fake_batch(model, num_classes, size, n=2), training=False)
        preds = model(**data, mode='predict')
    assert len(preds) == 2 and preds[0].pred_score.shape == (num_classes, )


# -------------------------------------------------------------- synthetic data
SYNTHETIC_ROOT = osp.join(REPO, 'data', 'synthetic_cls')


def point_at(cfg, root):
    for name in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        ds = cfg[name].dataset
        ds.data_root = root
        cfg[name].batch_size = 4
        cfg[name].num_workers = 0


RUNNER_CONFIGS = [p for p in SYNTHETIC_CONFIGS
                  if p.endswith(osp.join('mixups', 'mixup', 'resnet18_mixup_synthetic.py'))
                  or f'{osp.sep}demo{osp.sep}' in p]


@pytest.mark.parametrize('path', RUNNER_CONFIGS, ids=ids(RUNNER_CONFIGS))
def test_synthetic_recipe_trains_through_the_runner(path, tmp_path):
    """The whole synthetic recipe (dataset, pipeline, warm-up + cosine schedule,
    hooks, evaluator) runs one epoch with mmengine's Runner."""
    from mmengine.runner import Runner
    from mmmix.datasets import generate_classification
    root = str(tmp_path / 'synthetic_cls')
    # the recipe's 10 classes at its size; 2 train / 1 val / 1 test image per class
    generate_classification(root, num_classes=10, img_size=64 if '64px' in path else 32,
                            num_train=2, num_val=1, num_test=1, seed=0)
    cfg = copy.deepcopy(load(path))
    point_at(cfg, root)
    cfg.work_dir = str(tmp_path / 'work')
    cfg.train_cfg.max_epochs = 1
    cfg.param_scheduler[-1].end = 1
    cfg.param_scheduler[-1].begin = 0
    cfg.param_scheduler = cfg.param_scheduler[-1:]
    cfg.env_cfg.dist_cfg.backend = 'gloo'
    cfg.default_hooks.logger.interval = 1
    runner = Runner.from_cfg(cfg)
    runner.train()
    metrics = runner.test()
    assert 'accuracy/top1' in metrics
    assert glob.glob(osp.join(cfg.work_dir, 'epoch_1.pth'))


def test_synthetic_class_names_match_the_generator():
    from mmmix.datasets.synthetic import classification_classes
    cfg = load(osp.join(CONFIG_DIR, '_base_', 'datasets', 'synthetic_cls.py'))
    n = cfg.data_preprocessor.num_classes
    assert tuple(cfg.metainfo.classes) == tuple(classification_classes(n))
    for name in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        assert tuple(cfg[name].dataset.metainfo.classes) == tuple(classification_classes(n))


def test_generated_synthetic_data_matches_the_config():
    """When data/synthetic_cls has been generated, it fits `synthetic_cls.py`."""
    from mmmix.datasets.synthetic import read_params
    if read_params(SYNTHETIC_ROOT) is None:  # params.json is written last
        pytest.skip('data/synthetic_cls not (fully) generated (the layout is checked by '
                    'test_synthetic_recipe_trains_through_the_runner on a generated copy)')
    cfg = load(osp.join(CONFIG_DIR, '_base_', 'datasets', 'synthetic_cls.py'))
    with open(osp.join(SYNTHETIC_ROOT, 'meta', 'classes.txt')) as f:
        classes = tuple(line.strip() for line in f if line.strip())
    assert classes == tuple(cfg.metainfo.classes)
    for name in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        ds = copy.deepcopy(plain(cfg[name].dataset))
        ds['data_root'] = SYNTHETIC_ROOT
        dataset = R.DATASETS.build(ds)
        assert len(dataset) > 0, name
        item = dataset[0]
        assert tuple(item['inputs'].shape) == (3, 32, 32), name
        assert 0 <= int(item['data_samples'].gt_label) < len(classes)
