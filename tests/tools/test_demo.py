"""tools/demo.py end to end for one epoch: data, training, test, PNGs, summary."""
import importlib.util
import json
import math
import os.path as osp

import pytest

from conftest import ROOT, load_tool


def test_demo_one_epoch(tmp_path):
    spec = importlib.util.spec_from_file_location('mmmix_demo', osp.join(ROOT, 'tools', 'demo.py'))
    demo = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(demo)
    work = tmp_path / 'demo'
    rows = demo.main(['--work-dir', str(work), '--data-root', str(tmp_path / 'data'),
                      '--epochs', '1', '--cfg-options', 'train_dataloader.num_workers=0',
                      'val_dataloader.num_workers=0', 'test_dataloader.num_workers=0',
                      'train_dataloader.persistent_workers=False',
                      'val_dataloader.persistent_workers=False',
                      'test_dataloader.persistent_workers=False'])
    assert (work / 'epoch_1.pth').exists()
    for png in ('training_curves.png', 'mixed_samples_mixup.png', 'mixed_samples_cutmix.png'):
        assert (work / png).stat().st_size > 10_000, png
    summary = json.load(open(work / 'summary.json'))
    assert summary == rows and summary['test top-1'].endswith('%')
    assert 'Mixup, CutMix' in summary['mixers (mix_prob)']
    # the thread choice is reported: the cores left after the (zero) workers, or OMP_NUM_THREADS
    assert summary['torch threads / workers'].split(' / ')[1].startswith('0 ')

    # the reliability tool on the same checkpoint and split reproduces the Runner's ECE
    # (it must apply the config's top-level data_preprocessor, as the Runner does)
    spec = importlib.util.spec_from_file_location(
        'mmmix_reliability', osp.join(ROOT, 'tools', 'analysis', 'reliability_diagram.py'))
    rel = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(rel)
    data = str(tmp_path / 'data')
    ece = rel.main(['--config', demo.DEFAULT_CONFIG, '--checkpoint', str(work / 'epoch_1.pth'),
                    '--out', str(work / 'reliability.png'), '--split', 'test', '--cfg-options',
                    f'test_dataloader.dataset.data_root={data}', 'test_dataloader.num_workers=0',
                    'test_dataloader.persistent_workers=False'])
    assert f'{ece:.2f} %' == summary['test ECE']
    assert (work / 'reliability.png').stat().st_size > 10_000


def _lr_per_iteration(cfg, epoch_length):
    """The learning rate of every training iteration under ``cfg.param_scheduler``, stepped
    as mmengine's ParamSchedulerHook does (iteration schedulers every iteration, epoch
    schedulers at the end of each epoch)."""
    import copy

    import torch
    from mmengine.registry import PARAM_SCHEDULERS
    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))],
                          lr=cfg.optim_wrapper.optimizer.lr)
    scheds = []
    for s in copy.deepcopy(cfg.param_scheduler):
        s = dict(s)
        cls = PARAM_SCHEDULERS.get(s.pop('type'))
        if s.pop('convert_to_iter_based', False):
            scheds.append(cls.build_iter_from_epoch(opt, **s, epoch_length=epoch_length))
        else:
            scheds.append(cls(opt, **s))
    lrs = []
    for it in range(cfg.train_cfg.max_epochs * epoch_length):
        lrs.append(opt.param_groups[0]['lr'])
        opt.step()
        end_of_epoch = (it + 1) % epoch_length == 0
        for sched in scheds:
            if not sched.by_epoch or end_of_epoch:
                sched.step()
    return lrs


def test_demo_epochs_rescales_the_schedule():
    demo = load_tool('demo')
    base_lr = 0.1
    args = demo.parse_args(['--epochs', '2'])
    cfg = demo.build_config(args)
    assert cfg.optim_wrapper.optimizer.lr == base_lr
    assert cfg.train_cfg.max_epochs == 2
    assert max(s['end'] for s in cfg.param_scheduler) == 2
    # the demo's data: 10 classes x 200 training images
    length = math.ceil(10 * 200 / cfg.train_dataloader.batch_size)
    lrs = _lr_per_iteration(cfg, length)
    last_epoch = lrs[length:]
    assert max(last_epoch) < base_lr and last_epoch[-1] < 0.05 * base_lr, last_epoch
    assert max(lrs) == pytest.approx(base_lr, rel=0.1)  # the warm-up still reaches the peak

    # the full-length recipe's schedule cut at 2 epochs (the old behaviour) stays at the peak
    full = demo.build_config(demo.parse_args([]))
    assert full.train_cfg.max_epochs == 30
    full.train_cfg.max_epochs = 2
    assert min(_lr_per_iteration(full, length)[length:]) > 0.99 * base_lr

    one = demo.build_config(demo.parse_args(['--epochs', '1']))
    assert _lr_per_iteration(one, length)[-1] < 0.05 * base_lr
    with pytest.raises(SystemExit):
        demo.parse_args(['--epochs', '0'])
