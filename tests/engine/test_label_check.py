"""Bad labels and empty annotation files are refused before the first step,
naming the file, the sample and ``num_classes``."""
import os.path as osp

import numpy as np
import pytest
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmengine.runner import Runner
from mmpretrain.datasets import CustomDataset

import mmmix  # noqa: F401
from mmmix.engine.hooks.label_check import check_labels, leaf_datasets
from mmmix.engine.launch import check_dataset_files
from mmmix.utils.validation import ConfigError

from conftest import ROOT, load_tool


def _ann_with(tmp_path, root, split, change=None):
    """A copy of ``root/meta/{split}.txt`` with line ``i``'s label set to ``label``."""
    lines = open(osp.join(root, 'meta', f'{split}.txt')).read().splitlines()
    if change is not None:
        i, label = change
        path, _ = lines[i].rsplit(' ', 1)
        lines[i] = f'{path} {label}'
    out = tmp_path / f'{split}.txt'
    out.write_text('\n'.join(lines) + '\n')
    return str(out), lines


def test_runner_refuses_a_label_outside_num_classes_before_any_step(
        synthetic_cls_root, cls_cfg_factory, tmp_path):
    ann, lines = _ann_with(tmp_path, synthetic_cls_root, 'train', change=(5, 7))
    cfg = cls_cfg_factory(synthetic_cls_root, tmp_path / 'work', max_epochs=1)
    cfg.train_dataloader.dataset.ann_file = ann
    cfg.default_hooks.label_check = dict(type='LabelCheckHook')
    runner = Runner.from_cfg(cfg)
    with pytest.raises(ConfigError) as e:
        runner.train()
    msg = str(e.value)
    bad_image = lines[5].rsplit(' ', 1)[0]
    assert 'train_dataloader.dataset' in msg and ann in msg and bad_image in msg
    assert 'num_classes=4' in msg and 'label 7' in msg
    assert runner.iter == 0 and not list((tmp_path / 'work').glob('*.pth'))


def test_runner_checks_the_val_split_too(synthetic_cls_root, cls_cfg_factory, tmp_path):
    ann, _ = _ann_with(tmp_path, synthetic_cls_root, 'val', change=(0, -3))
    cfg = cls_cfg_factory(synthetic_cls_root, tmp_path / 'work', max_epochs=1)
    cfg.val_dataloader.dataset.ann_file = ann
    cfg.default_hooks.label_check = dict(type='LabelCheckHook')
    with pytest.raises(ConfigError, match=r'val_dataloader\.dataset: sample 0 .*label -3'):
        Runner.from_cfg(cfg).train()


def test_check_labels_walks_wrappers_and_skips_unlabeled(synthetic_cls_root, tmp_path):
    init_default_scope('mmmix')
    ann, _ = _ann_with(tmp_path, synthetic_cls_root, 'train', change=(2, 4))
    kw = dict(data_root=synthetic_cls_root, data_prefix='train', pipeline=[])
    good = CustomDataset(ann_file='meta/train.txt', **kw)
    bad = CustomDataset(ann_file=ann, **kw)
    unlabeled = CustomDataset(ann_file='meta/train.txt', with_label=False, **kw)
    from mmengine.dataset import ConcatDataset, RepeatDataset
    assert check_labels(ConcatDataset([good, unlabeled]), 4, 'x') == 8  # unlabeled skipped
    assert check_labels(RepeatDataset(good, times=3), 4, 'x') == 8  # each leaf once
    assert [p for p, _ in leaf_datasets(ConcatDataset([good, bad]))] == [
        'dataset.datasets[0]', 'dataset.datasets[1]']
    with pytest.raises(ConfigError, match=r'x\.dataset\.datasets\[1\]: sample 2 .*label 4'):
        check_labels(ConcatDataset([good, bad]), 4, 'x')
    with pytest.raises(ConfigError, match=r'x\.dataset\.dataset: sample 2'):
        check_labels(RepeatDataset(bad, times=2), 4, 'x')
    # the same labels fit a 5-class head
    assert check_labels(bad, 5, 'x') == len(np.asarray(bad.get_gt_labels()))


def test_shipped_runtime_has_the_label_check():
    cfg = Config.fromfile(osp.join(ROOT, 'configs', '_base_', 'default_runtime.py'))
    assert cfg.default_hooks.label_check.type.split('.')[-1] == 'LabelCheckHook'


def test_an_empty_annotation_file_is_named_before_the_runner_builds(
        synthetic_cls_root, cls_cfg_factory, tmp_path):
    empty = tmp_path / 'empty.txt'
    empty.write_text('\n  \n')
    cfg = cls_cfg_factory(synthetic_cls_root, tmp_path / 'work', max_epochs=1)
    check_dataset_files(cfg)  # the fixture's own files are fine
    cfg.val_dataloader.dataset.ann_file = str(empty)
    with pytest.raises(ConfigError, match=r'val_dataloader\.dataset\.ann_file=.*empty\.txt.*is empty'):
        check_dataset_files(cfg)
    cfg.val_dataloader.dataset.ann_file = 'meta/nope.txt'
    with pytest.raises(ConfigError, match=r'val_dataloader\.dataset\.ann_file=.*no such file'):
        check_dataset_files(cfg)
    # wrapped datasets are reached too, and tools/train.py runs the check
    cfg.val_dataloader.dataset = dict(type='RepeatDataset', times=2,
                                      dataset=dict(cfg.train_dataloader.dataset,
                                                   ann_file=str(empty)))
    with pytest.raises(ConfigError, match=r'val_dataloader\.dataset\.dataset\.ann_file'):
        check_dataset_files(cfg)
    cfg_path = tmp_path / 'cfg.py'
    cfg.dump(str(cfg_path))
    with pytest.raises(ConfigError, match='is empty'):
        load_tool('train').main([str(cfg_path)])


def test_the_check_can_be_switched_off(synthetic_cls_root, cls_cfg_factory, tmp_path):
    ann, _ = _ann_with(tmp_path, synthetic_cls_root, 'train', change=(0, 9))
    for enable in (True, False):
        cfg = cls_cfg_factory(synthetic_cls_root, tmp_path / f'work{enable}', max_epochs=1)
        cfg.train_dataloader.dataset.ann_file = ann
        cfg.default_hooks.label_check = dict(type='LabelCheckHook', enable=enable)
        runner = Runner.from_cfg(cfg)
        runner._train_loop = runner.build_train_loop(runner._train_loop)
        if enable:
            with pytest.raises(ConfigError, match='label 9'):
                runner.call_hook('before_run')
        else:
            runner.call_hook('before_run')  # returns without looking
    from mmmix.engine.hooks import LabelCheckHook
    with pytest.raises(ConfigError, match='enable=1'):
        LabelCheckHook(enable=1)
