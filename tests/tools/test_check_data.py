"""tools/misc/check_data.py: every data path of a config is reported, a missing one makes
the exit status 1; tools started from the command line do not print setuptools'
pkg_resources notice (raised by mmengine for mmdet:: bases), other warnings still show."""
import os.path as osp
import warnings

import pytest

from conftest import ROOT, load_tool, make_cls_cfg


@pytest.fixture(scope='module')
def check():
    return load_tool('misc/check_data')


def test_a_config_whose_data_exists(check, tmp_path, synthetic_cls_root, capsys):
    path = str(tmp_path / 'cfg.py')
    make_cls_cfg(synthetic_cls_root, tmp_path / 'work').dump(path)
    assert check.main([path]) == 0
    out = capsys.readouterr().out
    assert 'MISSING' not in out and out.rstrip().endswith('all data paths exist')
    for split in ('train', 'val', 'test'):
        assert f'{split}_dataloader.dataset (CustomDataset)' in out
        assert f'ok       ann_file = {synthetic_cls_root}/meta/{split}.txt' in out
        assert f'ok       data_prefix = {synthetic_cls_root}/{split}' in out


def test_a_config_whose_data_is_absent(check, tmp_path, synthetic_cls_root, capsys):
    cfg = osp.join(ROOT, 'configs/mixups/cutmix/resnet18_cutmix_synthetic.py')
    root = str(tmp_path / 'nowhere')
    # the stock config pointed at a folder that does not exist, the test split at real data
    opts = [f'{s}_dataloader.dataset.data_root={root}' for s in ('train', 'val')]
    opts.append(f'test_dataloader.dataset.data_root={synthetic_cls_root}')
    assert check.main([cfg, '--cfg-options'] + opts) == 1
    out = capsys.readouterr().out
    assert f'MISSING  data_root = {root}\n' in out
    assert f'MISSING  ann_file = {root}/meta/train.txt' in out
    assert f'ok       ann_file = {synthetic_cls_root}/meta/test.txt' in out
    assert '6 missing path(s)' in out and 'docs/data_preparation.md' in out
    # --splits limits the check
    assert check.main([cfg, '--splits', 'test', '--cfg-options'] + opts) == 0


def test_wrapped_datasets_fixed_files_and_evaluators(check, capsys, tmp_path):
    cfgs = ['configs/finetune/resnet50_self-tuning-dm-15p_cub200.py',
            'configs/mixups/cutmix/resnet18_cutmix_cifar100.py',
            'configs/detection/soft-teacher_faster-rcnn_r50_fpn_180k_semi-0.1-coco.py']
    opts = ['train_dataloader.dataset.labeled.data_root=' + str(tmp_path / 'cub')]
    assert check.main([osp.join(ROOT, c) for c in cfgs] + ['--cfg-options'] + opts) == 1
    out = capsys.readouterr().out
    assert 'train_dataloader.dataset.labeled (CustomDataset)' in out
    assert f'MISSING  ann_file = {tmp_path}/cub/meta/train_labeled_15pct_seed0.txt' in out
    assert 'train_dataloader.dataset.unlabeled (CustomDataset)' in out
    assert 'MISSING  CIFAR100 reads = data/cifar100/cifar-100-python' in out
    assert 'download=True' in out
    assert 'train_dataloader.dataset.datasets[1] (CocoDataset)' in out
    assert 'semi_anns/instances_train2017.1@10-unlabeled.json' in out
    assert 'val_evaluator (CocoMetric)' in out


def _notices(fn):
    """The messages of the warnings ``fn()`` raises, with every filter reset to 'always'
    (pytest's own filters, setup.cfg's included, do not apply here)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.resetwarnings()
        warnings.simplefilter('always')
        fn()
    return [str(w.message) for w in caught]


def test_tools_silence_only_the_pkg_resources_notice(check, capsys):
    from mmengine.config import Config
    det = osp.join(ROOT, 'configs/detection/faster-rcnn_r50_fpn_1x_voc0712.py')
    notice = 'pkg_resources is deprecated as an API'
    # without the filter, loading this config raises the notice (once per mmdet:: base)
    assert any(notice in m for m in _notices(lambda: Config.fromfile(det)))
    # the tool's main() installs the filter before it loads the config
    assert not any(notice in m for m in _notices(lambda: check.main([det])))
    capsys.readouterr()

    def both():
        from mmmix.cli import silence_pkg_resources_deprecation
        silence_pkg_resources_deprecation()
        warnings.warn(notice + ' (a copy)')
        warnings.warn('another notice')
    # the filter is narrow: another UserWarning still shows
    assert _notices(both) == ['another notice']
