"""tools/train.py (with --amp and --resume) and tools/test.py, in process."""
import json
import os.path as osp

import torch

from conftest import ROOT, load_tool


train_tool, test_tool = load_tool('train'), load_tool('test')


def _options(root):
    opts = ['train_cfg.max_epochs=1', 'model.head.num_classes=4', 'data_preprocessor.num_classes=4',
            'default_hooks.logger.interval=1']
    for part in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        opts += [f'{part}.dataset.data_root={root}', f'{part}.num_workers=0',
                 f'{part}.persistent_workers=False', f'{part}.batch_size=4']
    return opts


CFG = osp.join(ROOT, 'configs', 'mixups', 'cutmix', 'resnet18_cutmix_synthetic.py')


def test_train_amp_resume_then_test(synthetic_cls_root, tmp_path, monkeypatch):
    monkeypatch.setattr(torch.cuda, 'is_available', lambda: False)
    work = str(tmp_path / 'w')
    args = train_tool.parse_args([CFG, '--work-dir', work, '--amp', '--cfg-options']
                                 + _options(synthetic_cls_root))
    from mmengine.config import Config
    cfg = train_tool.merge_args(Config.fromfile(CFG), args)
    assert cfg.optim_wrapper.type == 'mmmix.CPUAmpOptimWrapper'
    assert cfg.env_cfg.dist_cfg.backend == 'gloo'
    train_tool.main([CFG, '--work-dir', work, '--amp', '--cfg-options']
                    + _options(synthetic_cls_root))
    assert osp.exists(osp.join(work, 'epoch_1.pth'))
    # --resume without a path continues from the latest checkpoint in the work dir
    opts = _options(synthetic_cls_root)
    opts[0] = 'train_cfg.max_epochs=2'
    train_tool.main([CFG, '--work-dir', work, '--resume', '--cfg-options'] + opts)
    assert osp.exists(osp.join(work, 'epoch_2.pth'))
    out = str(tmp_path / 'metrics.json')
    ckpt = osp.join(work, 'epoch_2.pth')
    metrics = test_tool.main([CFG, ckpt, '--work-dir', work, '--out', out, '--out-item',
                              'metrics', '--cfg-options'] + _options(synthetic_cls_root))
    assert 'accuracy/top1' in metrics
    assert json.load(open(out))['accuracy/top1'] == float(metrics['accuracy/top1'])

    # mmpretrain's flags: --out dumps the predictions, --show-dir draws, --tta flips
    import pickle
    pred = str(tmp_path / 'pred.pkl')
    shows = tmp_path / 'shows'
    test_tool.main([CFG, ckpt, '--work-dir', work, '--out', pred, '--show-dir', str(shows),
                    '--no-pin-memory', '--cfg-options'] + _options(synthetic_cls_root))
    with open(pred, 'rb') as f:
        preds = pickle.load(f)
    n_test = len(open(osp.join(synthetic_cls_root, 'meta', 'test.txt')).read().split())  // 2
    assert len(preds) == n_test and all(p['pred_score'].shape == (4, ) for p in preds)
    assert len(list(shows.rglob('*.png'))) == n_test
    tta = test_tool.main([CFG, ckpt, '--work-dir', work, '--tta', '--out', pred,
                          '--cfg-options'] + _options(synthetic_cls_root))
    with open(pred, 'rb') as f:
        tta_preds = pickle.load(f)
    # the flip average differs from the plain scores but keeps one prediction per image
    assert len(tta_preds) == n_test and 'accuracy/top1' in tta
    assert not all(torch.allclose(a['pred_score'], b['pred_score'])
                   for a, b in zip(preds, tta_preds))
    import pytest
    with pytest.raises(SystemExit):  # a .json --out without --out-item metrics is refused
        test_tool.parse_args([CFG, ckpt, '--out', out])


def test_add_hook_from_the_command_line_runs_the_hook(synthetic_cls_root, tmp_path, capsys):
    """The documented way to watch AutoMix masks: --add-hook with a dict literal."""
    import importlib.util
    spec = importlib.util.spec_from_file_location(
        'automix_runner_cfg', osp.join(ROOT, 'tests', 'engine', 'test_automix_runner.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    work = tmp_path / 'run'
    cfg = module.automix_cfg(synthetic_cls_root, work, max_epochs=1)
    cfg.val_cfg = cfg.val_dataloader = cfg.val_evaluator = None
    cfg_path = tmp_path / 'automix.py'
    cfg.dump(str(cfg_path))
    train_tool.main([str(cfg_path), '--add-hook',
                     "dict(type='AutoMixMaskVisHook', interval=1, num_samples=2)",
                     '--threads', '1', '--workers', '0', '--no-pin-memory'])
    assert sorted(p.name for p in (work / 'automix_masks').glob('*.png')) == [
        'iter_1.png', 'iter_2.png']
    out = capsys.readouterr().out
    assert 'torch threads 1 (--threads), dataloader workers 0' in out


def test_train_flags_reach_the_config(tmp_path):
    from mmengine.config import Config
    args = train_tool.parse_args([CFG, '--work-dir', str(tmp_path), '--no-pin-memory',
                                  '--no-persistent-workers', '--workers', '1', '--add-hook',
                                  "{'type': 'EmptyCacheHook'}", '--add-hook',
                                  "dict(type='mmmix.LabelCheckHook')"])
    cfg = train_tool.merge_args(Config.fromfile(CFG), args)
    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        assert cfg[key].pin_memory is False and cfg[key].persistent_workers is False
        assert cfg[key].num_workers == 1
    assert [h['type'] for h in cfg.custom_hooks][-2:] == ['EmptyCacheHook', 'mmmix.LabelCheckHook']


def test_add_hook_evaluates_nothing(tmp_path):
    import pytest

    from mmmix.engine.launch import parse_hook
    from mmmix.utils.validation import ConfigError
    assert parse_hook("dict(type='X', interval=-2, sizes=[1, 2.5], pair=(1, 'a'), on=True)") == \
        dict(type='X', interval=-2, sizes=[1, 2.5], pair=(1, 'a'), on=True)
    for bad, match in (("__import__('os').system('true')", 'only dict'),
                       ("dict(type=open('x'))", 'only dict'),
                       ("dict(interval=1)", "with a 'type'"),
                       ('dict(type=', 'not a dict expression')):
        with pytest.raises(ConfigError, match=match):
            parse_hook(bad)
