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
    metrics = test_tool.main([CFG, osp.join(work, 'epoch_2.pth'), '--work-dir', work, '--out', out,
                              '--cfg-options'] + _options(synthetic_cls_root))
    assert 'accuracy/top1' in metrics
    assert json.load(open(out))['accuracy/top1'] == float(metrics['accuracy/top1'])
