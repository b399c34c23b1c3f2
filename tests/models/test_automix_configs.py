"""Every AutoMix config under configs/ builds, its optimizer(s) build through
the config's constructor, one training step runs and prediction works (the
generic one-step config test skips AutoMix: see OWN_STEP_TESTS)."""
import copy
import glob
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.optim import build_optim_wrapper
from mmengine.registry import init_default_scope
from mmpretrain.structures import DataSample

import mmmix  # noqa: F401
from mmmix import registry as R

CONFIG_DIR = osp.join(osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))), 'configs')
PATHS = sorted(p for p in glob.glob(osp.join(CONFIG_DIR, '**', '*.py'), recursive=True)
               if '_base_' not in p and Config.fromfile(p).model.type == 'AutoMix')
# CIFAR stems at 16 px, ImageNet stems at 32 px (the wiring, not the resolution)
SIZE = {'synthetic': 32, 'cifar10-jpeg': 16, 'cifar10-jpeg-2k': 16, 'cifar100': 16,
        'tiny-imagenet': 16, 'in1k': 32, 'cub200': 32,
        'fgvc-aircraft': 32}


def plain(obj):
    return obj.to_dict() if hasattr(obj, 'to_dict') else obj


def test_the_issue_grid_is_there():
    names = {osp.basename(p) for p in PATHS}
    for name in ['resnet18_automix_cifar100.py', 'resnext50_automix_cifar100.py',
                 'wrn28-8_automix_cifar100.py', 'resnet18_automix_tiny-imagenet.py',
                 'resnext50_automix_tiny-imagenet.py', 'resnet18_automix_in1k.py',
                 'resnet34_automix_in1k.py', 'resnet50_automix_in1k.py',
                 'resnet101_automix_in1k.py', 'resnext101_automix_in1k.py',
                 'resnet18_automix_cub200.py', 'resnext50_automix_cub200.py',
                 'resnet18_automix_fgvc-aircraft.py', 'resnext50_automix_fgvc-aircraft.py',
                 'resnet18-w16_automix_synthetic.py']:
        assert name in names, name


@pytest.mark.parametrize('path', PATHS, ids=[osp.relpath(p, CONFIG_DIR) for p in PATHS])
def test_build_and_step(path):
    init_default_scope('mmmix')
    torch.set_num_threads(1)
    cfg = Config.fromfile(path)
    dataset = osp.basename(path)[:-3].split('_')[-1]
    size = SIZE[dataset]
    model_cfg = copy.deepcopy(plain(cfg.model))
    model_cfg['backbone'].pop('init_cfg', None)  # no download in tests
    model_cfg.setdefault('data_preprocessor', plain(cfg.data_preprocessor))
    torch.manual_seed(0)
    model = R.MODELS.build(model_cfg)
    optim = build_optim_wrapper(model, copy.deepcopy(plain(cfg.optim_wrapper)))
    mode = 'separate' if 'optimizer' in cfg.optim_wrapper.mix_block else 'param_group'
    assert optim.automix_mode == mode
    n, num_classes = 4, cfg.model.head.num_classes
    g = torch.Generator().manual_seed(0)
    data = dict(inputs=[torch.randint(0, 256, (3, size, size), generator=g, dtype=torch.uint8)
                        for _ in range(n)],
                data_samples=[DataSample().set_gt_label(i % num_classes) for i in range(n)])
    before = model.mix_block.value.weight.detach().clone() if not cfg.model.mix_block.get(
        'value_neck') else None
    model.train()
    log_vars = model.train_step(data, optim)
    assert torch.isfinite(log_vars['loss'])
    for key in ('loss_mix_block', 'loss_mask', 'loss_mix', 'loss_clean'):
        assert key in log_vars, key
    if before is not None:
        assert not torch.equal(before, model.mix_block.value.weight), 'the Mix Block must learn'
    model.eval()
    with torch.no_grad():
        preds = model.val_step(dict(inputs=data['inputs'][:2],
                                    data_samples=[DataSample() for _ in range(2)]))
    assert preds[0].pred_score.shape == (num_classes, )
    assert preds[0].eval_model == 'student'
