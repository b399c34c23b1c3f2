"""AutoMix through mmengine's Runner: training with both optimizers and
per-optimizer schedules, the mask-visualisation hook, resume (student,
teacher, Mix Block, both optimizer states, momentum position), and a
2-process gloo DDP run through tools/dist_train.sh."""
import copy
import glob
import os
import os.path as osp
import subprocess
import sys

import torch
from mmengine.hooks import Hook
from mmengine.runner import Runner

from conftest import ROOT, make_cls_cfg
from mmmix.utils.compat import safe_load


def automix_cfg(root, work, max_epochs=2, batch_size=4, hooks=()):
    cfg = make_cls_cfg(root, work, max_epochs=max_epochs, batch_size=batch_size)
    cfg.model = dict(
        type='AutoMix',
        backbone=dict(type='ResNet_CIFAR', depth=18, stem_channels=8, base_channels=8,
                      out_indices=(3, )),
        neck=dict(type='GlobalAveragePooling'),
        head=dict(type='MixupClsHead', num_classes=4, in_channels=64),
        mix_block=dict(type='PixelMixBlock', in_channels=32,
                       upsample_modes=['nearest', 'bilinear']),
        data_preprocessor=dict(type='ClsDataPreprocessor', num_classes=4, mean=[127.5] * 3,
                               std=[127.5] * 3, to_rgb=True))
    cfg.optim_wrapper = dict(constructor='AutoMixOptimWrapperConstructor',
                             optimizer=dict(type='SGD', lr=0.05, momentum=0.9),
                             mix_block=dict(optimizer=dict(type='SGD', lr=0.1, momentum=0.9)))
    cfg.param_scheduler = dict(
        backbone=dict(type='CosineAnnealingLR', T_max=max_epochs, by_epoch=True),
        mix_block=dict(type='CosineAnnealingLR', T_max=max_epochs, by_epoch=True,
                       eta_min=1e-3))
    cfg.custom_hooks = list(hooks)
    return cfg


class Capture(Hook):
    """Records the model and optimizer state when training starts (after resume)."""

    def before_train(self, runner):
        model = runner.model.module if hasattr(runner.model, 'module') else runner.model
        runner.captured = dict(
            state={k: v.detach().clone() for k, v in model.state_dict().items()},
            optim=copy.deepcopy(runner.optim_wrapper.state_dict()), iter=runner.iter,
            sched_steps={k: s[0]._global_step for k, s in runner.param_schedulers.items()})


def test_train_visualise_and_resume(synthetic_cls_root, tmp_path):
    work = tmp_path / 'run'
    cfg = automix_cfg(synthetic_cls_root, work, max_epochs=1,
                      hooks=[dict(type='AutoMixMaskVisHook', interval=1, num_samples=3)])
    runner = Runner.from_cfg(cfg)
    runner.train()
    # 8 images / batch 4 = 2 iterations: one grid per iteration, written by the hook
    pngs = sorted(glob.glob(str(work / 'automix_masks' / '*.png')))
    assert [osp.basename(p) for p in pngs] == ['iter_1.png', 'iter_2.png']
    ckpt = safe_load(str(work / 'epoch_1.pth'))
    state = ckpt['state_dict']
    assert int(state['teacher.steps']) == 2
    assert set(ckpt['optimizer']) == {'backbone', 'mix_block'}
    assert ckpt['optimizer']['mix_block']['state'], 'the Mix Block optimizer has momentum state'
    assert any(k.startswith('backbone.') for k in state)
    # the mask statistics reach the training log (logged, not summed into the loss)
    runner.message_hub.get_scalar('train/mask_spatial_std')
    gap = runner.message_hub.get_scalar('train/mask_lam_gap').current()
    assert 0 <= gap <= 1

    # resume to 2 epochs: everything comes back as saved
    cfg = automix_cfg(synthetic_cls_root, work, max_epochs=2)
    cfg.resume, cfg.load_from = True, str(work / 'epoch_1.pth')
    runner = Runner.from_cfg(cfg)
    runner.register_hook(Capture(), priority='LOWEST')
    runner.train()
    cap = runner.captured
    assert cap['iter'] == 2
    for key in ('teacher.steps', 'teacher.module.backbone.conv1.weight',
                'mix_block.query.weight', 'backbone.conv1.weight'):
        assert torch.equal(cap['state'][key], state[key]), key
    for name in ('backbone', 'mix_block'):
        saved = ckpt['optimizer'][name]['state']
        for pid, buf in saved.items():
            assert torch.equal(cap['optim'][name]['state'][pid]['momentum_buffer'],
                               buf['momentum_buffer'])
    # the momentum schedule continues: 2 + 2 teacher updates in all
    final = safe_load(str(work / 'epoch_2.pth'))['state_dict']
    assert int(final['teacher.steps']) == 4
    # both lr schedules resume after their first epoch
    assert cap['sched_steps'] == dict(backbone=1, mix_block=1)


def test_two_process_gloo_ddp(synthetic_cls_root, tmp_path):
    import socket
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        port = s.getsockname()[1]
    work = tmp_path / 'dist'
    cfg = automix_cfg(synthetic_cls_root, work, max_epochs=2, batch_size=2)
    cfg_path = tmp_path / 'cfg.py'
    cfg.dump(str(cfg_path))
    env = dict(os.environ, OMP_NUM_THREADS='1', PYTHON=sys.executable, PORT=str(port))
    cmd = ['bash', osp.join(ROOT, 'tools', 'dist_train.sh'), str(cfg_path), '2',
           '--work-dir', str(work)]
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    ckpt = safe_load(str(work / 'epoch_2.pth'))
    # 8 images / (2 ranks x batch 2) = 2 iterations per epoch
    assert int(ckpt['state_dict']['teacher.steps']) == 4
    assert set(ckpt['optimizer']) == {'backbone', 'mix_block'}
