"""configs/detection: the real recipes extend mmdet's stock ones and require a
converted backbone; every one has a CPU twin on the synthetic layouts that
differs only in what a CPU needs."""
import glob
import json
import os.path as osp

import pytest
from mmengine.config import Config

import mmmix  # noqa: F401
from conftest import ROOT
from mmmix.datasets import split_coco_semi
from mmmix.datasets.coco_semi import split_name

DET = osp.join(ROOT, 'configs', 'detection')
# real config -> its synthetic twin
TWINS = {
    'faster-rcnn_r50_fpn_1x_voc0712.py': 'faster-rcnn_r18-w16_fpn_synthetic-voc.py',
    'faster-rcnn_r50-c4_ms-24k_voc0712.py': 'faster-rcnn_r18-w16-c4_synthetic-voc.py',
    'mask-rcnn_r50_fpn_1x_coco.py': 'mask-rcnn_r18-w16_fpn_synthetic-coco.py',
    'soft-teacher_faster-rcnn_r50_fpn_180k_semi-0.1-coco.py':
        'soft-teacher_faster-rcnn_r18-w16_fpn_semi-0.1_synthetic-coco.py',
    'soft-teacher_faster-rcnn_r50_fpn_180k_semi-0.05-coco.py':
        'soft-teacher_faster-rcnn_r18-w16_fpn_semi-0.05_synthetic-coco.py',
    'soft-teacher_faster-rcnn_r50_fpn_180k_semi-0.01-coco.py':
        'soft-teacher_faster-rcnn_r18-w16_fpn_semi-0.01_synthetic-coco.py',
}
PERCENT = {'0.1': 10, '0.05': 5, '0.01': 1}


def load(name):
    return Config.fromfile(osp.join(DET, name))


def detector(cfg):
    return cfg.model.detector if cfg.model.type == 'SoftTeacher' else cfg.model


def walk(obj, path=''):
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from walk(v, f'{path}.{k}' if path else k)
    elif isinstance(obj, (list, tuple)):
        for i, v in enumerate(obj):
            yield from walk(v, f'{path}.{i}')
    else:
        yield path, obj


def test_every_leaf_is_a_real_config_or_a_twin():
    leaves = {osp.basename(p) for p in glob.glob(osp.join(DET, '*.py'))}
    assert leaves == set(TWINS) | set(TWINS.values())


@pytest.mark.parametrize('real', sorted(TWINS))
def test_real_config_requires_the_converted_backbone(real):
    cfg = load(real)
    assert cfg.default_scope == 'mmdet'
    assert 'mmmix' in cfg.custom_imports['imports']
    assert any(h['type'] == 'mmmix.TransferCheckHook' for h in cfg.custom_hooks)
    bb = detector(cfg).backbone
    assert bb.type == 'ResNet' and bb.depth == 50 and bb.style == 'pytorch'
    assert bb.init_cfg == dict(type='Pretrained', checkpoint=None)
    if cfg.model.type == 'SoftTeacher':
        # frozen BN, as the stock recipe (MeanTeacherHook averages parameters only)
        assert bb.norm_cfg == dict(type='BN', requires_grad=False) and bb.norm_eval
    else:
        assert bb.norm_cfg.type == 'SyncBN' and not bb.norm_eval and bb.frozen_stages == -1
    # pytorch-style weights: RGB with ImageNet statistics
    pre = detector(cfg).data_preprocessor
    assert pre.bgr_to_rgb and pre.mean == [123.675, 116.28, 103.53]


def test_voc_and_coco_real_data_are_the_stock_ones():
    voc = load('faster-rcnn_r50_fpn_1x_voc0712.py')
    inner = voc.train_dataloader.dataset.dataset.datasets  # RepeatDataset(ConcatDataset)
    assert [d.ann_file for d in inner] == [
        'VOC2007/ImageSets/Main/trainval.txt', 'VOC2012/ImageSets/Main/trainval.txt']
    assert voc.train_cfg.max_epochs == 4 and voc.train_dataloader.dataset.times == 3
    c4 = load('faster-rcnn_r50-c4_ms-24k_voc0712.py')
    assert c4.train_cfg.max_iters == 24000
    assert c4.model.roi_head.shared_head.init_cfg == dict(type='Pretrained', checkpoint=None)
    mask = load('mask-rcnn_r50_fpn_1x_coco.py')
    assert mask.train_cfg.max_epochs == 12
    assert mask.val_evaluator.metric == ['bbox', 'segm']


@pytest.mark.parametrize('pct', sorted(PERCENT))
def test_soft_teacher_splits_use_mmdet_names(pct):
    real = load(f'soft-teacher_faster-rcnn_r50_fpn_180k_semi-{pct}-coco.py')
    lab, unl = real.train_dataloader.dataset.datasets
    n = PERCENT[pct]
    assert lab.ann_file == f'semi_anns/instances_train2017.1@{n}.json'
    assert unl.ann_file == f'semi_anns/instances_train2017.1@{n}-unlabeled.json'
    twin = load(TWINS[f'soft-teacher_faster-rcnn_r50_fpn_180k_semi-{pct}-coco.py'])
    lab, unl = twin.train_dataloader.dataset.datasets
    assert lab.ann_file == 'semi_anns/' + split_name('instances_train', n, 1)
    assert unl.ann_file == 'semi_anns/' + split_name('instances_train', n, 1, unlabeled=True)
    assert lab.data_root == unl.data_root == 'data/synthetic_det/coco/'


@pytest.mark.parametrize('real', sorted(TWINS))
def test_twin_differs_only_in_cpu_settings(real):
    cfg, twin = load(real), load(TWINS[real])
    assert not [p for p, v in walk(twin._cfg_dict.to_dict()) if v == 'SyncBN'], \
        'twins use plain BN on CPU'
    # same detector, same recipe parts
    assert twin.model.type == cfg.model.type
    for part in ('rpn_head', 'roi_head'):
        assert detector(twin)[part].type == detector(cfg)[part].type
    assert detector(twin).backbone.init_cfg == detector(cfg).backbone.init_cfg
    assert [h['type'] for h in twin.custom_hooks] == [h['type'] for h in cfg.custom_hooks]
    assert twin.train_cfg.type == cfg.train_cfg.type
    assert type(twin.val_evaluator) is type(cfg.val_evaluator)
    # the synthetic data, nothing else
    roots = [v for p, v in walk(twin._cfg_dict.to_dict())
             if p.endswith(('data_root', 'ann_file')) and 'dataloader' in p or
             p.endswith('evaluator.ann_file')]
    assert roots and all('synthetic' in str(v) or not str(v).startswith(('data/', '/'))
                         for v in roots), roots
    for part in ('train_dataloader', 'val_dataloader'):
        ds = twin[part].dataset
        for d in (ds.datasets if 'datasets' in ds else [ds]):
            assert d.data_root.startswith('data/synthetic_det/')
            assert d.metainfo['classes'] == ('aeroplane', 'bicycle', 'bird', 'boat', 'bottle')


def test_generator_writes_the_files_the_twins_read(tmp_path):
    from mmmix.datasets import generate_detection
    root = str(tmp_path)
    generate_detection(root, num_train=20, num_val=4, num_test=4, seed=0)
    for real, name in TWINS.items():
        twin = load(name)
        ds = twin.train_dataloader.dataset
        for d in (ds.datasets if 'datasets' in ds else [ds]):
            rel = d.data_root[len('data/synthetic_det/'):]
            assert osp.isfile(osp.join(root, rel, d.ann_file)), (name, d.ann_file)


# ------------------------------------------------------------ partial labels
def _coco(tmp_path, n=50):
    images = [dict(id=i + 1, file_name=f'{i}.jpg', width=8, height=8) for i in range(n)]
    anns = [dict(id=j + 1, image_id=(j % n) + 1, category_id=1, bbox=[0, 0, 2, 2], area=4,
                 iscrowd=0) for j in range(2 * n)]
    path = tmp_path / 'instances_train.json'
    path.write_text(json.dumps(dict(images=images, annotations=anns,
                                    categories=[dict(id=1, name='a')])))
    return str(path)


def test_split_is_an_exact_disjoint_partition(tmp_path):
    ann = _coco(tmp_path)
    lab, unl = split_coco_semi(ann, str(tmp_path / 'semi'), 10, fold=1)
    assert osp.basename(lab) == 'instances_train.1@10.json'
    assert osp.basename(unl) == 'instances_train.1@10-unlabeled.json'
    a, b = json.load(open(lab)), json.load(open(unl))
    ids_a = {im['id'] for im in a['images']}
    ids_b = {im['id'] for im in b['images']}
    assert len(ids_a) == 5 and not ids_a & ids_b and len(ids_a | ids_b) == 50
    assert all(x['image_id'] in ids_a for x in a['annotations'])
    assert len(a['annotations']) + len(b['annotations']) == 100
    assert a['categories'] == b['categories'] == [dict(id=1, name='a')]


def test_split_is_seeded_by_fold(tmp_path):
    ann = _coco(tmp_path)

    def ids(fold, sub):
        lab, _ = split_coco_semi(ann, str(tmp_path / sub), 10, fold=fold)
        return {im['id'] for im in json.load(open(lab))['images']}

    assert ids(1, 'a') == ids(1, 'b')
    assert ids(1, 'a') != ids(2, 'c')


def test_split_labels_at_least_one_image_and_validates(tmp_path):
    ann = _coco(tmp_path, n=20)
    lab, _ = split_coco_semi(ann, str(tmp_path / 's'), 1)
    assert len(json.load(open(lab))['images']) == 1
    for bad in (0, 100, -5):
        with pytest.raises(ValueError, match='percent'):
            split_coco_semi(ann, str(tmp_path / 's'), bad)
    with pytest.raises(ValueError, match='fold'):
        split_coco_semi(ann, str(tmp_path / 's'), 10, fold=0)


# ------------------------------------------------------------------ pieces
def test_reslayer_c4_is_mmdets_head_at_any_width():
    import torch
    from mmdet.models.roi_heads.shared_heads import ResLayer

    from mmmix.models import ResLayerC4
    from mmmix.utils import ConfigError
    shapes = (lambda m: {k: tuple(v.shape) for k, v in m.state_dict().items()})
    assert shapes(ResLayerC4(depth=50)) == shapes(ResLayer(depth=50))
    narrow = ResLayerC4(depth=18, base_channels=16)
    conv = narrow.layer4[0].conv1
    assert (conv.in_channels, conv.out_channels) == (64, 128)
    assert narrow(torch.randn(2, 64, 14, 14)).shape == (2, 128, 7, 7)
    with pytest.raises(ConfigError, match='depth=20'):
        ResLayerC4(depth=20)
    with pytest.raises(ConfigError, match='base_channels'):
        ResLayerC4(depth=18, base_channels=0)


def test_transfer_check_lets_remote_checkpoints_through():
    from torch import nn

    from mmmix.engine.hooks.transfer_check import check_pretrained, config_key
    line = check_pretrained(nn.Conv2d(3, 4, 3), dict(type='Pretrained',
                                                     checkpoint='torchvision://resnet50'),
                            'model.backbone')
    assert 'remote, not checked' in line
    assert config_key('student.backbone') == config_key('teacher.backbone') == \
        'model.detector.backbone'
    assert config_key('roi_head.shared_head') == 'model.roi_head.shared_head'
