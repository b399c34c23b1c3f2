"""The light install: mmengine + mmcv-lite + mmpretrain, no mmdet, no compiled mmcv ops.

A throw-away virtualenv (``venv --without-pip`` from this interpreter's base
Python) sees every top-level entry of this environment's site-packages except
mmdet and mmmix, and a symlinked copy of the mmcv package without its compiled
``_ext`` extension (what mmcv-lite is); this checkout is on its path through a
``.pth`` file. In it, ``import mmmix``, a MixupClassifier and an AutoMix run of
``tools/train.py`` must work without importing mmdet or ``mmcv.ops``, and the
mmdet-backed types must fail with an error that names mmdet.
"""
import fnmatch
import os
import os.path as osp
import re
import subprocess
import sys
import sysconfig

import pytest

from conftest import ROOT

NOT_LIGHT = ('mmdet', 'mmcv.ops', 'mmcv._ext')  # modules a light run must not import


def _top_name(entry):
    """'mmdet-3.3.0.dist-info' -> 'mmdet', 'mmcv' -> 'mmcv'."""
    return re.split(r'[-.]', entry, maxsplit=1)[0].lower()


def _mirror_lite_mmcv(src, dst):
    """A tree of symlinks to the mmcv package at ``src`` without ``_ext*``
    (the compiled ops): what mmcv-lite installs."""
    for dirpath, _, filenames in os.walk(src):
        rel = osp.relpath(dirpath, src)
        os.makedirs(osp.join(dst, rel), exist_ok=True)
        for name in filenames:
            if not (rel == '.' and fnmatch.fnmatch(name, '_ext*')):
                os.symlink(osp.join(dirpath, name), osp.join(dst, rel, name))


def make_venv(env_dir, hidden):
    """A ``venv --without-pip`` of this interpreter's base Python that sees
    this environment's site-packages except the distributions in ``hidden``
    and mmmix (this checkout comes through a ``.pth``), with mmcv's compiled
    ops left out; returns its python."""
    base = getattr(sys, '_base_executable', sys.executable)
    subprocess.run([base, '-m', 'venv', '--without-pip', str(env_dir)], check=True,
                   timeout=120)
    python = str(env_dir / 'bin' / 'python')
    site = subprocess.run([python, '-c', 'import sysconfig; print(sysconfig.get_paths()'
                           '["purelib"])'], check=True, capture_output=True, text=True,
                          timeout=60).stdout.strip()
    seen = set()
    for src in sorted({sysconfig.get_paths()['purelib'], sysconfig.get_paths()['platlib']}):
        for entry in sorted(os.listdir(src)):
            if entry in seen or entry == '__pycache__' or 'mmmix' in entry:
                continue
            seen.add(entry)
            if _top_name(entry) in hidden:
                continue
            if entry == 'mmcv':
                _mirror_lite_mmcv(osp.join(src, entry), osp.join(site, entry))
            else:
                os.symlink(osp.join(src, entry), osp.join(site, entry))
    assert {'mmengine', 'mmcv', 'mmpretrain'} <= seen, sorted(seen)
    with open(osp.join(site, 'mmmix_checkout.pth'), 'w') as f:
        f.write(ROOT + '\n')
    return python


@pytest.fixture(scope='module')
def light_python(tmp_path_factory):
    """The python of a light install: no mmdet, mmcv without its compiled ops."""
    return make_venv(tmp_path_factory.mktemp('light') / 'venv', hidden=('mmdet', ))


def run_light(python, script, *args, cwd, timeout=300):
    env = {k: v for k, v in os.environ.items() if not k.startswith('PYTHON')}
    env['OMP_NUM_THREADS'] = '1'
    out = subprocess.run([python, '-I', '-c', script, ROOT, *map(str, args)],
                         capture_output=True, text=True, env=env, cwd=str(cwd), timeout=timeout)
    assert out.returncode == 0, out.stdout[-4000:] + out.stderr[-6000:]
    return out.stdout


# shared by both scripts: the non-light modules imported so far, and a check that one is absent
_CHECK = f'''
import importlib, os.path as osp, sys
NOT_LIGHT = {NOT_LIGHT!r}


def not_light():
    return sorted(m for m in sys.modules if any(m == p or m.startswith(p + '.')
                                                 for p in NOT_LIGHT))


def assert_missing(name):
    try:
        importlib.import_module(name)
    except ImportError:
        return
    raise AssertionError(name + ' imports in the light venv: the test would prove nothing')
'''

IMPORT_SCRIPT = _CHECK + '''
root = sys.argv[1]
import mmmix
assert osp.dirname(osp.dirname(mmmix.__file__)) == root, mmmix.__file__
assert not not_light(), not_light()

from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmengine.runner import Runner

from mmmix.registry import DATA_SAMPLERS, MODELS, TRANSFORMS
from mmmix.utils import is_available
assert not is_available('semisup') and not is_available('detection')
init_default_scope('mmmix')

# the semi-supervised *model* is light; its data pipeline needs mmdet
cfg = Config.fromfile(osp.join(root, 'configs/semisup/resnet18-w16_fixmatch-40l_synthetic.py'))
model = MODELS.build(cfg.model)
assert type(model).__name__ == 'FixMatch', type(model)
builds = dict(
    dataloader=lambda: Runner.build_dataloader(cfg.train_dataloader),
    sampler=lambda: DATA_SAMPLERS.build(dict(type='SemiSupSampler', batch_size=8, mu=3),
                                        default_args=dict(dataset=None)),
    transform=lambda: TRANSFORMS.build(dict(type='MultiBranch', branch_field=['weak'],
                                            weak=[dict(type='PackInputs')])),
    res_layer=lambda: MODELS.build(dict(type='mmmix.ResLayerC4', depth=18)))
for what, build in builds.items():
    try:
        build()
    except ImportError as e:
        print(f'mmdet-error {what}: {e}')
    else:
        raise AssertionError(f'{what} built without mmdet')

assert not not_light(), not_light()
for name in ('mmdet', 'mmcv._ext', 'mmcv.ops'):
    assert_missing(name)
print('light import ok')
'''


def test_import_and_mmdet_parts(light_python, tmp_path):
    out = run_light(light_python, IMPORT_SCRIPT, cwd=tmp_path)
    assert 'light import ok' in out
    errors = dict(line[len('mmdet-error '):].split(': ', 1) for line in out.splitlines()
                  if line.startswith('mmdet-error '))
    assert set(errors) == {'dataloader', 'sampler', 'transform', 'res_layer'}, out
    for what, msg in errors.items():
        # names the missing package and how to install it
        assert "No module named 'mmdet'" in msg and 'pip install "mmdet' in msg, (what, msg)
    assert 'SemiSupDataset' in errors['dataloader'] and 'ResLayerC4' in errors['res_layer']


TRAIN_SCRIPT = _CHECK + '''
import importlib.util
root, data, work = sys.argv[1:4]


def tool(name):
    spec = importlib.util.spec_from_file_location('light_' + osp.basename(name),
                                                  osp.join(root, 'tools', name + '.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


assert tool('dataset_converters/make_synthetic').main(
    ['--kind', 'cls', '--out', data, '--train', '1', '--val', '1', '--test', '1']) == 0
train = tool('train')
options = ['train_cfg.max_epochs=1', 'train_dataloader.batch_size=5',
           'default_hooks.logger.interval=1']
for split in ('train', 'val', 'test'):
    options += [f'{split}_dataloader.dataset.data_root={data}',
                f'{split}_dataloader.num_workers=0']
from mmmix.utils.compat import safe_load
for name, config, model_type in (
        ('mixup', 'configs/mixups/mixup/resnet18_mixup_synthetic.py', "type='MixupClassifier'"),
        ('automix', 'configs/automix/resnet18-w16_automix_synthetic.py', "type='AutoMix'")):
    train.main([osp.join(root, config), '--work-dir', osp.join(work, name),
                '--cfg-options', *options])
    meta = safe_load(osp.join(work, name, 'epoch_1.pth'))['meta']
    # 10 training images, batch 5: two optimizer steps in the one epoch
    assert (meta['epoch'], meta['iter']) == (1, 2), meta
    assert model_type in meta['cfg'], meta['cfg']
assert not not_light(), not_light()
assert_missing('mmdet')
print('light training ok')
'''


def test_train_mixup_and_automix(light_python, tmp_path):
    work = tmp_path / 'work'
    out = run_light(light_python, TRAIN_SCRIPT, tmp_path / 'data', work, cwd=tmp_path)
    assert 'light training ok' in out
    for name in ('mixup', 'automix'):
        assert (work / name / 'epoch_1.pth').is_file()


def test_without_mmcv_names_it(tmp_path):
    """mmcv is no install requirement of mmmix: without it, importing mmmix
    says which mmcv to install."""
    python = make_venv(tmp_path / 'venv', hidden=('mmdet', 'mmcv', 'mmcv_lite'))
    env = {k: v for k, v in os.environ.items() if not k.startswith('PYTHON')}
    out = subprocess.run([python, '-I', '-c', 'import mmmix'], capture_output=True, text=True,
                         env=env, cwd=str(tmp_path), timeout=300)
    assert out.returncode != 0
    assert "ImportError: mmmix needs mmcv" in out.stderr and 'mmcv-lite' in out.stderr, \
        out.stderr[-3000:]
