"""`mim train mmmix CONFIG` (config found inside the installed package) and
`mim train mmpretrain CONFIG` (a stock config + custom_imports) both run."""
import os
import os.path as osp
import subprocess
import sys
import textwrap

import pytest

MIM = osp.join(osp.dirname(sys.executable), 'mim')
pytestmark = pytest.mark.skipif(not osp.exists(MIM), reason='mim is not installed')


def _run(args, cwd):
    env = dict(os.environ, OMP_NUM_THREADS='1')
    out = subprocess.run([MIM, 'train'] + args, cwd=cwd, capture_output=True, text=True,
                         env=env, timeout=600)
    assert out.returncode == 0 and 'Training finished successfully' in out.stdout, \
        out.stdout[-3000:] + out.stderr[-3000:]


def _tiny_data_options(root):
    opts = ['train_cfg.max_epochs=1', 'model.head.num_classes=4', 'data_preprocessor.num_classes=4']
    for part in ('train_dataloader', 'val_dataloader'):
        opts += [f'{part}.dataset.data_root={root}', f'{part}.num_workers=0',
                 f'{part}.batch_size=4']
    return opts


def test_mim_train_mmmix_finds_config_in_package(synthetic_cls_root, tmp_path):
    # only the config's file name: mim finds it under mmmix/.mim/configs
    _run(['mmmix', 'resnet18_cutmix_synthetic.py', '--gpus', '0', '--work-dir', str(tmp_path / 'w'),
          '--cfg-options'] + _tiny_data_options(synthetic_cls_root), cwd=str(tmp_path))
    assert (tmp_path / 'w' / 'epoch_1.pth').exists()


def test_mim_train_mmpretrain_stock_config_with_mmmix(synthetic_cls_root, tmp_path):
    cfg = tmp_path / 'stock_fmix.py'
    cfg.write_text(textwrap.dedent(f'''
        _base_ = 'mmpretrain::resnet/resnet18_8xb16_cifar10.py'
        custom_imports = dict(imports=['mmmix'], allow_failed_imports=False)
        model = dict(backbone=dict(stem_channels=16, base_channels=16),
                     head=dict(num_classes=4, in_channels=128),
                     train_cfg=dict(augments=[dict(type='mmmix.FMix', alpha=0.2)]))
        _pipe = [dict(type='LoadImageFromFile'), dict(type='PackInputs')]
        train_dataloader = dict(dataset=dict(_delete_=True, type='CustomDataset',
            data_root='{synthetic_cls_root}', ann_file='meta/train.txt', data_prefix='train',
            pipeline=_pipe))
        val_dataloader = dict(dataset=dict(_delete_=True, type='CustomDataset',
            data_root='{synthetic_cls_root}', ann_file='meta/val.txt', data_prefix='val',
            pipeline=_pipe))
        test_dataloader = val_dataloader
        train_cfg = dict(max_epochs=1)
        '''))
    _run(['mmpretrain', str(cfg), '--gpus', '0', '--work-dir', str(tmp_path / 'w'),
          '--cfg-options', 'data_preprocessor.num_classes=4', 'train_dataloader.num_workers=0',
          'val_dataloader.num_workers=0', 'train_dataloader.batch_size=4',
          'train_dataloader.persistent_workers=False', 'val_dataloader.persistent_workers=False'],
         cwd=str(tmp_path))
    assert (tmp_path / 'w' / 'epoch_1.pth').exists()
