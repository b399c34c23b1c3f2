"""The DM and SUMix config trees, ``configs/decoupled/`` and ``configs/sumix/``.

* the grid is complete: every (model, dataset, mixer) the two READMEs promise
  exists, and nothing else; each README names every config of its folder;
* every DM config sets ``DecoupledMixupLoss`` (DM(CE)) with the eta / mode / idx
  and the mixer alpha of the table for its mixer and dataset (the method is
  parsed from the file name, ``{model}_{mixers}-dm_{dataset}.py``);
* every SUMix config sets ``SUMixLoss`` with gamma 0.5 (1.0 on Tiny-ImageNet),
  scale 100, per-sample lam', on a cutting mixer whose alpha is that of the
  matching MCE config; the ``-cheap`` variant differs only by ``clean_grad=False``;
* a synthetic DM and a synthetic SUMix config each run one ``train_step``
  (optimizer from the config) on a tiny random batch.

``tests/configs/test_configs.py`` loads, checks the conventions of, and builds
every config (these included); this file does not repeat that.
"""
import copy
import glob
import os.path as osp
import re

import pytest
import torch
from mmengine.registry import init_default_scope

import mmmix  # noqa: F401  (registers mmmix types)
from mmmix import registry as R

from cfg_utils import CONFIG_DIR, load, plain, rel

DM_DIR = osp.join(CONFIG_DIR, 'decoupled')
SUMIX_DIR = osp.join(CONFIG_DIR, 'sumix')
DM_CONFIGS = sorted(glob.glob(osp.join(DM_DIR, '*.py')))
SUMIX_CONFIGS = sorted(glob.glob(osp.join(SUMIX_DIR, '*.py')))

PART = r'[a-z0-9]+(?:[-.][a-z0-9]+)*'
LEAF_NAME = re.compile(rf'^(?P<model>{PART})_(?P<method>{PART})_(?P<dataset>{PART})\.py$')

MIXER_TYPES = {'mixup': 'Mixup', 'cutmix': 'CutMix', 'fmix': 'FMix', 'saliencymix': 'SaliencyMix',
               'resizemix': 'ResizeMix', 'gridmix': 'GridMix', 'smoothmix': 'SmoothMix',
               'manifoldmix': 'ManifoldMix'}

# DM(CE), ALGORITHMS.md: the CIFAR-100 R-18 800-epoch table (alpha, eta, mode, idx), used for
# every CIFAR-100 / Tiny-ImageNet / synthetic model
DM_SMALL = {
    'mixup': (0.2, 0.01, 'more', 0.5),
    'cutmix': (0.2, 0.1, 'less', 0.5),
    'fmix': (0.2, 0.01, 'less', 0.0),
    'saliencymix': (0.2, 0.01, 'less', 0.0),
    'resizemix': (0.2, 0.1, 'less', 0.5),
    'manifoldmix': (0.5, 0.01, 'more', 0.0),
}
# ImageNet (R-18 setting, used for every ImageNet model): eta, mode, idx
DM_IMAGENET = (0.1, 'both', 1.0)
# ImageNet alpha: Mixup a=1 (ALGORITHMS.md); CutMix as the MCE baseline (0.2 on R-18, else 1);
# the DeiT recipe for the ViTs
DM_IMAGENET_ALPHA = {
    ('resnet18', 'mixup'): [1.0], ('resnet34', 'mixup'): [1.0], ('resnet50', 'mixup'): [1.0],
    ('resnet18', 'cutmix'): [0.2], ('resnet34', 'cutmix'): [1.0], ('resnet50', 'cutmix'): [1.0],
    ('deit-small', 'mixup-cutmix'): [0.8, 1.0], ('swin-tiny', 'mixup-cutmix'): [0.8, 1.0],
}
# ViT heads: in_channels of the [N, C] feature the head gets
VIT_CHANNELS = {'deit-small': 384, 'swin-tiny': 768}

SUMIX_GAMMA = {'cifar100': 0.5, 'tiny-imagenet': 1.0, 'in1k': 0.5, 'synthetic': 0.5}
SUMIX_MIXERS = ('cutmix', 'saliencymix', 'fmix', 'resizemix', 'gridmix', 'smoothmix')
SMALL_GRID = [('resnet18', 'cifar100'), ('resnext50', 'cifar100'), ('wrn28-8', 'cifar100'),
              ('resnet18', 'synthetic')]


def _registered(mixer):
    return R.BATCH_AUGMENTS.get(MIXER_TYPES[mixer]) is not None


def expected_dm_names():
    # ManifoldMix joins the grid once mmmix registers it (its DM row is in the table)
    mixers = [m for m in ('mixup', 'cutmix', 'fmix', 'saliencymix', 'resizemix', 'manifoldmix')
              if _registered(m)]
    names = set()
    for m in mixers:
        for model, dataset in SMALL_GRID + [('resnet18', 'tiny-imagenet'),
                                            ('resnext50', 'tiny-imagenet')]:
            names.add(f'{model}_{m}-dm_{dataset}.py')
    for m in ('mixup', 'cutmix'):
        for model in ('resnet18', 'resnet34', 'resnet50'):
            names.add(f'{model}_{m}-dm_in1k.py')
    names |= {'deit-small_mixup-cutmix-dm_in1k.py', 'swin-tiny_mixup-cutmix-dm_in1k.py'}
    return names


def expected_sumix_names():
    names = set()
    for m in SUMIX_MIXERS:
        for model, dataset in SMALL_GRID + [('resnet18', 'tiny-imagenet')]:
            names.add(f'{model}_{m}-sumix_{dataset}.py')
    for m in ('cutmix', 'resizemix'):
        for model in ('resnet18', 'resnet34', 'resnet50'):
            names.add(f'{model}_{m}-sumix_in1k.py')
    names.add('resnet18_cutmix-sumix-cheap_cifar100.py')
    return names


def parse(path):
    """``(model, mixers, loss, variant, dataset)`` from a file name, e.g.
    ``resnet18_cutmix-sumix-cheap_cifar100.py`` -> ``('resnet18', ['cutmix'],
    'sumix', 'cheap', 'cifar100')``."""
    m = LEAF_NAME.match(osp.basename(path))
    assert m, f'{osp.basename(path)}: expected {{model}}_{{method}}-{{loss}}_{{dataset}}.py'
    parts = m.group('method').split('-')
    losses = [i for i, p in enumerate(parts) if p in ('dm', 'sumix')]
    assert len(losses) == 1, f'{osp.basename(path)}: one loss tag (-dm or -sumix) in the method'
    i = losses[0]
    return m.group('model'), parts[:i], parts[i], '-'.join(parts[i + 1:]), m.group('dataset')


def mixers_of(cfg):
    return [(m['type'], m['alpha']) for m in cfg.model.mixers]


@pytest.fixture(scope='module', autouse=True)
def mmmix_scope():
    init_default_scope('mmmix')


@pytest.fixture(scope='module', autouse=True)
def one_thread():
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)


# ------------------------------------------------------------------ the grid
@pytest.mark.parametrize('folder,expected', [(DM_DIR, expected_dm_names),
                                             (SUMIX_DIR, expected_sumix_names)],
                         ids=['decoupled', 'sumix'])
def test_grid_is_complete(folder, expected):
    have = {osp.basename(p) for p in glob.glob(osp.join(folder, '*.py'))}
    want = expected()
    assert not want - have, f'missing configs in {rel(folder)}: {sorted(want - have)}'
    assert not have - want, f'configs outside the grid in {rel(folder)}: {sorted(have - want)}'


@pytest.mark.parametrize('folder', [DM_DIR, SUMIX_DIR], ids=['decoupled', 'sumix'])
def test_readme_names_every_config(folder):
    readme = osp.join(folder, 'README.md')
    assert osp.isfile(readme), f'{rel(folder)}: no README.md'
    with open(readme, encoding='utf-8') as f:
        text = f.read()
    missing = [osp.basename(p) for p in glob.glob(osp.join(folder, '*.py'))
               if osp.basename(p) not in text]
    assert not missing, f'{rel(readme)} does not mention {missing}'


# -------------------------------------------------------------------- DM(CE)
@pytest.mark.parametrize('path', DM_CONFIGS, ids=[rel(p) for p in DM_CONFIGS])
def test_dm_config_matches_the_table(path):
    model, mixers, loss, variant, dataset = parse(path)
    assert loss == 'dm' and not variant, rel(path)
    cfg = load(path)
    assert cfg.model.type == 'MixupClassifier' and cfg.model.head.type == 'MixupClsHead'
    mix_loss = plain(cfg.model.head.mix_loss)
    assert mix_loss['type'] in ('DecoupledMixupLoss', 'mmmix.DecoupledMixupLoss'), rel(path)
    assert mix_loss.get('variant', 'ce') == 'ce' and 'thr' not in mix_loss, \
        f'{rel(path)}: DM(CE) configs use the CE variant'
    # no SUMix-only head options on a DM head
    assert 'clean_grad' not in cfg.model.head and 'uncertainty_norm' not in cfg.model.head

    if dataset == 'in1k':
        eta, mode, idx = DM_IMAGENET
        alphas = DM_IMAGENET_ALPHA[(model, '-'.join(mixers))]
    else:
        assert len(mixers) == 1, rel(path)
        alpha, eta, mode, idx = DM_SMALL[mixers[0]]
        alphas = [alpha]
    got = (mix_loss.get('eta'), mix_loss.get('mode'), mix_loss.get('idx'))
    assert got == (eta, mode, idx), \
        f'{rel(path)}: eta/mode/idx {got}, the table gives {(eta, mode, idx)}'
    want = [(MIXER_TYPES[m], a) for m, a in zip(mixers, alphas)]
    assert mixers_of(cfg) == want, f'{rel(path)}: mixers {mixers_of(cfg)}, expected {want}'
    # one mixer per batch, drawn uniformly (DeiT's switch probability 0.5)
    assert cfg.model.get('mix_prob') is None, rel(path)
    # the loss builds with these options
    built = R.MODELS.build(copy.deepcopy(mix_loss))
    assert (built.eta, built.mode, built.idx) == (eta, mode, idx)


@pytest.mark.parametrize('model', sorted(VIT_CHANNELS))
def test_vit_dm_configs_follow_the_deit_recipe(model):
    cfg = load(osp.join(DM_DIR, f'{model}_mixup-cutmix-dm_in1k.py'))
    arch = {'deit-small': ('VisionTransformer', 'deit-small', 0.1),
            'swin-tiny': ('SwinTransformer', 'tiny', 0.2)}[model]
    bb = cfg.model.backbone
    assert (bb.type, bb.arch, bb.drop_path_rate) == arch and bb.img_size == 224
    assert cfg.model.head.in_channels == VIT_CHANNELS[model]
    # DeiT-S: the cls token [N, 384] goes straight to the head; Swin-T: pooled [N, 768, 7, 7]
    if model == 'deit-small':
        assert cfg.model.neck is None and bb.patch_size == 16
        assert bb.get('out_type', 'cls_token') == 'cls_token'
    else:
        assert cfg.model.neck.type == 'GlobalAveragePooling'
    opt = cfg.optim_wrapper.optimizer
    batch = cfg.train_dataloader.batch_size * 8  # imagenet_bs32: 8 GPUs
    assert opt.type == 'AdamW' and opt.weight_decay == 0.05
    assert opt.lr == pytest.approx(5e-4 * batch / 512)
    assert cfg.auto_scale_lr.base_batch_size == batch
    assert cfg.train_cfg.max_epochs == 300
    warmup, cosine = cfg.param_scheduler
    assert warmup.type == 'LinearLR' and (warmup.begin, warmup.end) == (0, 5)
    assert cosine.type == 'CosineAnnealingLR' and (cosine.begin, cosine.end) == (5, 300)


# --------------------------------------------------------------------- SUMix
def _mce_alpha(model, mixer, dataset):
    """alpha of the matching configs/mixups config (ResNet-34, which has none, takes the
    OpenMixup R-34 value 1.0)."""
    if model == 'resnet34':
        return 1.0
    path = osp.join(CONFIG_DIR, 'mixups', mixer, f'{model}_{mixer}_{dataset}.py')
    (mtype, alpha), = mixers_of(load(path))
    assert mtype == MIXER_TYPES[mixer]
    return alpha


@pytest.mark.parametrize('path', SUMIX_CONFIGS, ids=[rel(p) for p in SUMIX_CONFIGS])
def test_sumix_config_gamma_and_mixer(path):
    model, mixers, loss, variant, dataset = parse(path)
    assert loss == 'sumix' and variant in ('', 'cheap'), rel(path)
    cfg = load(path)
    head = cfg.model.head
    assert cfg.model.type == 'MixupClassifier' and head.type == 'MixupClsHead'
    mix_loss = plain(head.mix_loss)
    assert mix_loss['type'] in ('SUMixLoss', 'mmmix.SUMixLoss'), rel(path)
    assert mix_loss.get('gamma') == SUMIX_GAMMA[dataset], \
        f'{rel(path)}: gamma {mix_loss.get("gamma")}, expected {SUMIX_GAMMA[dataset]} ' \
        f'for {dataset}'
    assert mix_loss.get('scale', 100.) == 100. and \
        mix_loss.get('lam_reduction', 'sample') == 'sample', rel(path)
    (mixer, ) = mixers
    assert mixer in SUMIX_MIXERS, f'{rel(path)}: SUMix is for cutting mixers, not {mixer}'
    assert mixers_of(cfg) == [(MIXER_TYPES[mixer], _mce_alpha(model, mixer, dataset))], rel(path)
    if variant == 'cheap':
        assert head.clean_grad is False, rel(path)
        full = load(path.replace('-sumix-cheap_', '-sumix_'))
        mine, theirs = plain(cfg._cfg_dict), plain(full._cfg_dict)
        mine['model']['head'].pop('clean_grad')
        assert mine == theirs, f'{rel(path)}: differs from its full config beyond clean_grad'
    else:
        # the paper's clean pass (MixupClsHead's default for SUMix: clean_grad=True)
        assert 'clean_grad' not in head and 'uncertainty_norm' not in head, rel(path)


# ------------------------------------------------------------ one train_step
def fake_batch(num_classes, size=32, n=4, seed=0):
    from mmpretrain.structures import DataSample
    g = torch.Generator().manual_seed(seed)
    imgs = [torch.randint(0, 256, (3, size, size), generator=g, dtype=torch.uint8)
            for _ in range(n)]
    labels = torch.randperm(num_classes, generator=g)[:n]  # distinct: y_a != y_b for every pair
    return dict(inputs=imgs, data_samples=[DataSample().set_gt_label(int(y)) for y in labels])


TRAIN_STEP = ['decoupled/resnet18_cutmix-dm_synthetic.py',
              'sumix/resnet18_cutmix-sumix_synthetic.py']


@pytest.mark.parametrize('name', TRAIN_STEP)
def test_synthetic_config_runs_a_train_step(name):
    from mmengine.optim import build_optim_wrapper
    from mmmix.models import MixupClassifier
    cfg = load(osp.join(CONFIG_DIR, name))
    torch.manual_seed(0)
    model_cfg = copy.deepcopy(plain(cfg.model))
    model_cfg.setdefault('data_preprocessor', copy.deepcopy(plain(cfg.data_preprocessor)))
    model_cfg['mix_seed'] = 0
    model = R.MODELS.build(model_cfg)
    assert isinstance(model, MixupClassifier)
    model.init_weights()
    model.train()
    optim_wrapper = build_optim_wrapper(model, copy.deepcopy(cfg.optim_wrapper))
    before = {k: v.detach().clone() for k, v in model.named_parameters()}
    log_vars = model.train_step(fake_batch(cfg.model.head.num_classes), optim_wrapper)
    assert torch.isfinite(log_vars['loss']), f'{name}: loss {log_vars["loss"]}'
    assert 'mix_acc_top2' in log_vars, f'{name}: the mixed-batch loss did not run'
    changed = {k for k, v in model.named_parameters() if not torch.equal(v, before[k])}
    assert 'head.fc.weight' in changed and any(k.startswith('backbone.') for k in changed)
    if 'sumix' in name:
        assert 'head.fc_u.weight' in changed  # the uncertainty layer learns
