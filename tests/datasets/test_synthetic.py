"""The synthetic data sets: determinism, layout, masks, and loading through the
stock mmpretrain / mmdet data sets and pipelines."""
import filecmp
import importlib.util
import json
import os
import os.path as osp
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from mmmix.datasets import (classification_classes, detection_classes,
                            ensure_classification,
                            generate_classification, generate_detection,
                            load_foreground_masks, read_params, render_classification_sample,
                            render_detection_sample, sample_rng)
from mmmix.datasets.synthetic import classification_params

ROOT = Path(__file__).resolve().parents[2]
CLS_KW = dict(num_classes=4, img_size=32, num_train=3, num_val=2, num_test=1)
DET_KW = dict(num_train=6, num_val=3, num_test=2, img_size=64, num_classes=5)


@pytest.fixture(scope='module')
def cls_root(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('cls'))
    generate_classification(root, seed=0, **CLS_KW)
    return root


@pytest.fixture(scope='module')
def det_root(tmp_path_factory):
    root = str(tmp_path_factory.mktemp('det'))
    generate_detection(root, seed=0, **DET_KW)
    return root


def _files(root):
    return sorted(str(p.relative_to(root)) for p in Path(root).rglob('*') if p.is_file())


def _pixels(path):
    return np.asarray(Image.open(path))


def _read_ann(root, split):
    with open(osp.join(root, 'meta', f'{split}.txt')) as f:
        return [(name, int(label)) for name, label in (line.split() for line in f)]


def _coco(det_root, split):
    with open(osp.join(det_root, 'coco', 'annotations', f'instances_{split}.json')) as f:
        return json.load(f)


# ---------------------------------------------------------------------------
# determinism
# ---------------------------------------------------------------------------
def test_classification_same_seed_is_identical(cls_root, tmp_path):
    again = str(tmp_path / 'again')
    generate_classification(again, seed=0, **CLS_KW)
    assert _files(again) == _files(cls_root)
    for rel in _files(cls_root):
        a, b = osp.join(cls_root, rel), osp.join(again, rel)
        if rel.endswith('.png'):
            np.testing.assert_array_equal(_pixels(a), _pixels(b), err_msg=rel)
        else:  # annotation files: byte-identical
            assert filecmp.cmp(a, b, shallow=False), rel


def test_classification_other_seed_differs(cls_root, tmp_path):
    other = str(tmp_path / 'other')
    generate_classification(other, seed=1, **CLS_KW)
    # same names and labels, different pixels
    assert _read_ann(other, 'train') == _read_ann(cls_root, 'train')
    names = [n for n, _ in _read_ann(cls_root, 'train')]
    assert all(not np.array_equal(_pixels(osp.join(cls_root, 'train', n)),
                                  _pixels(osp.join(other, 'train', n))) for n in names)
    assert read_params(other)['seed'] == 1


def test_detection_same_seed_is_identical_other_seed_differs(det_root, tmp_path):
    again, other = str(tmp_path / 'again'), str(tmp_path / 'other')
    generate_detection(again, seed=0, **DET_KW)
    generate_detection(other, seed=1, **DET_KW)
    assert _files(again) == _files(det_root)
    for rel in _files(det_root):
        a, b = osp.join(det_root, rel), osp.join(again, rel)
        if rel.endswith('.jpg'):
            np.testing.assert_array_equal(_pixels(a), _pixels(b), err_msg=rel)
        else:  # xml, json, ImageSets, meta: byte-identical
            assert filecmp.cmp(a, b, shallow=False), rel
    assert _coco(other, 'train')['annotations'] != _coco(det_root, 'train')['annotations']
    img = 'coco/train/train_00000.jpg'
    assert not np.array_equal(_pixels(osp.join(det_root, img)), _pixels(osp.join(other, img)))


def test_an_image_does_not_depend_on_the_split_sizes(cls_root, tmp_path):
    bigger = str(tmp_path / 'bigger')
    generate_classification(bigger, seed=0, **dict(CLS_KW, num_train=5, num_val=0))
    for name, _ in _read_ann(cls_root, 'train'):
        np.testing.assert_array_equal(_pixels(osp.join(cls_root, 'train', name)),
                                      _pixels(osp.join(bigger, 'train', name)))
    assert _read_ann(bigger, 'val') == []


# ---------------------------------------------------------------------------
# classification layout and masks
# ---------------------------------------------------------------------------
def test_classification_counts_and_classes(cls_root):
    k = CLS_KW['num_classes']
    with open(osp.join(cls_root, 'meta', 'classes.txt')) as f:
        assert tuple(f.read().split()) == classification_classes(k) == (
            'disc', 'square', 'triangle', 'ring')
    for split in ('train', 'val', 'test'):
        per_class = CLS_KW[f'num_{split}']
        ann = _read_ann(cls_root, split)
        assert len(ann) == per_class * k
        assert np.bincount([label for _, label in ann], minlength=k).tolist() == [per_class] * k
        assert sorted(n for n, _ in ann) == sorted(os.listdir(osp.join(cls_root, split)))
        assert sorted(os.listdir(osp.join(cls_root, 'masks', split))) == sorted(
            os.listdir(osp.join(cls_root, split)))
    assert read_params(cls_root) == dict(kind='cls', format_version=1, seed=0, **CLS_KW)


def test_masks_align_with_images(cls_root):
    masks, labels = load_foreground_masks(cls_root, 'train')
    ann = _read_ann(cls_root, 'train')
    assert masks.dtype == bool and masks.shape == (len(ann), 32, 32)
    assert labels.tolist() == [label for _, label in ann]
    for (name, label), mask in zip(ann, masks):
        img = _pixels(osp.join(cls_root, 'train', name))
        assert img.shape == (32, 32, 3) and img.dtype == np.uint8
        assert 0.05 < mask.mean() < 0.9, name
        # the object is a different colour from the pixels just outside it
        ring = np.zeros_like(mask)
        for dy, dx in ((-2, 0), (2, 0), (0, -2), (0, 2)):
            ring |= np.roll(mask, (dy, dx), axis=(0, 1))
        ring &= ~mask
        inside, outside = img[mask].mean(0), img[ring].mean(0)
        assert np.linalg.norm(inside - outside) > 60, name
        # the stored mask is the one the generator drew for this image
        _, drawn = render_classification_sample(
            sample_rng(0, 'cls', 'train', int(name[:-4])), label, 32, CLS_KW['num_classes'])
        np.testing.assert_array_equal(mask, drawn)


def test_object_scale_sets_the_object_size_and_is_recorded_only_when_not_default(tmp_path):
    small, large = [], []
    for i in range(40):
        _, m = render_classification_sample(sample_rng(0, 'cls', 'train', i), i % 10, 32, 10,
                                            (0.12, 0.16))
        _, m_big = render_classification_sample(sample_rng(0, 'cls', 'train', i), i % 10, 32, 10)
        small.append(m.mean())
        large.append(m_big.mean())
    # area grows with the radius squared: (0.14 / 0.375) ** 2 ~ 0.14 of the default on average
    assert np.mean(small) < 0.3 * np.mean(large)
    assert 'object_scale' not in classification_params()
    assert classification_params(object_scale=(0.12, 0.16))['object_scale'] == [0.12, 0.16]
    with pytest.raises(ValueError, match='object_scale'):
        classification_params(object_scale=(0.3, 0.2))
    with pytest.raises(ValueError, match='object_scale'):
        classification_params(object_scale=(0.2, ))
    # a non-default scale regenerates a folder written with the default one
    kw = dict(num_classes=2, num_train=1, num_val=1, num_test=1)
    assert ensure_classification(str(tmp_path), **kw) == 'generated'
    assert ensure_classification(str(tmp_path), **kw) == 'reused'
    assert ensure_classification(str(tmp_path), object_scale=(0.12, 0.16), **kw) == 'generated'
    assert read_params(str(tmp_path))['object_scale'] == [0.12, 0.16]


def test_render_validates():
    with pytest.raises(ValueError, match='num_classes'):
        classification_classes(21)
    with pytest.raises(ValueError, match='label'):
        render_classification_sample(np.random.default_rng(0), 4, 32, 4)
    with pytest.raises(ValueError, match='split'):
        sample_rng(0, 'cls', 'training', 0)
    assert classification_classes(12)[10:] == ('striped_disc', 'striped_square')


# ---------------------------------------------------------------------------
# stock loaders
# ---------------------------------------------------------------------------
def test_mmpretrain_custom_dataset(cls_root):
    from mmengine.registry import init_default_scope
    from mmpretrain.registry import DATASETS
    init_default_scope('mmpretrain')
    ds = DATASETS.build(dict(
        type='CustomDataset', data_root=cls_root, ann_file='meta/train.txt',
        data_prefix='train', classes=osp.join(cls_root, 'meta', 'classes.txt'),
        pipeline=[dict(type='LoadImageFromFile'), dict(type='PackInputs')]))
    ann = _read_ann(cls_root, 'train')
    assert len(ds) == len(ann)
    assert ds.CLASSES == classification_classes(CLS_KW['num_classes'])
    assert ds.get_gt_labels().tolist() == [label for _, label in ann]
    sample = ds[5]
    assert tuple(sample['inputs'].shape) == (3, 32, 32)
    assert sample['data_samples'].gt_label.tolist() == [ann[5][1]]
    bgr = sample['inputs'].permute(1, 2, 0).numpy()  # LoadImageFromFile gives BGR
    np.testing.assert_array_equal(bgr[..., ::-1], _pixels(osp.join(cls_root, 'train', ann[5][0])))


def _expected_instances(split, index):
    _, instances = render_detection_sample(sample_rng(0, 'det', split, index),
                                           DET_KW['img_size'], DET_KW['num_classes'])
    return instances


@pytest.mark.parametrize('full_voc_classes', [True, False])
def test_mmdet_voc_dataset(det_root, full_voc_classes):
    from mmengine.registry import init_default_scope
    from mmdet.registry import DATASETS
    init_default_scope('mmdet')
    cfg = dict(
        type='VOCDataset', data_root=osp.join(det_root, 'VOCdevkit'),
        ann_file='VOC2007/ImageSets/Main/train.txt',
        data_prefix=dict(sub_data_root='VOC2007/'),
        filter_cfg=dict(filter_empty_gt=True, min_size=32),
        pipeline=[dict(type='LoadImageFromFile'), dict(type='LoadAnnotations', with_bbox=True),
                  dict(type='PackDetInputs')])
    if not full_voc_classes:
        cfg['metainfo'] = dict(classes=detection_classes(DET_KW['num_classes']))
    ds = DATASETS.build(cfg)
    assert len(ds) == DET_KW['num_train']
    assert ds.metainfo['dataset_type'] == 'VOC2007'
    assert ds.metainfo['classes'][:5] == ('aeroplane', 'bicycle', 'bird', 'boat', 'bottle')
    for i in range(len(ds)):
        sample = ds[i]
        expected = _expected_instances('train', i)
        inst = sample['data_samples'].gt_instances
        # VOC xml boxes are 1-based inclusive; mmdet subtracts 1 from all four, so
        # x2/y2 are the last object column/row (exclusive boxes minus 1)
        want = np.array([[x1, y1, x2 - 1, y2 - 1] for x1, y1, x2, y2 in
                         (e['bbox'] for e in expected)], dtype=np.float32)
        np.testing.assert_array_equal(inst.bboxes.tensor.numpy(), want)
        assert inst.labels.tolist() == [e['label'] for e in expected]
        assert tuple(sample['inputs'].shape) == (3, 64, 64)


def test_mmdet_coco_dataset(det_root):
    from mmengine.registry import init_default_scope
    from mmdet.registry import DATASETS
    init_default_scope('mmdet')
    classes = detection_classes(DET_KW['num_classes'])
    ds = DATASETS.build(dict(
        type='CocoDataset', data_root=osp.join(det_root, 'coco'),
        ann_file='annotations/instances_val.json', data_prefix=dict(img='val/'),
        metainfo=dict(classes=classes),
        pipeline=[dict(type='LoadImageFromFile'),
                  dict(type='LoadAnnotations', with_bbox=True, with_mask=True),
                  dict(type='PackDetInputs')]))
    assert len(ds) == DET_KW['num_val']
    assert ds.metainfo['classes'] == classes
    ious = []
    for i in range(len(ds)):
        sample = ds[i]
        expected = _expected_instances('val', i)
        inst = sample['data_samples'].gt_instances
        np.testing.assert_array_equal(inst.bboxes.tensor.numpy(),
                                      np.array([e['bbox'] for e in expected], dtype=np.float32))
        assert inst.labels.tolist() == [e['label'] for e in expected]
        masks = inst.masks.to_ndarray().astype(bool)
        assert masks.shape == (len(expected), 64, 64)
        # the polygon rasterised by pycocotools vs our supersampled mask: they
        # differ by about one boundary pixel (small objects have lower IoU)
        ious += [(got & e['mask']).sum() / (got | e['mask']).sum()
                 for got, e in zip(masks, expected)]
    assert min(ious) > 0.7 and np.mean(ious) > 0.9, ious
    # the COCO json agrees with the VOC xml for the same image
    import xml.etree.ElementTree as ET
    coco = _coco(det_root, 'val')
    xml = ET.parse(osp.join(det_root, 'VOCdevkit/VOC2007/Annotations/val_00000.xml'))
    voc = [[int(o.find(f'bndbox/{k}').text) for k in ('xmin', 'ymin', 'xmax', 'ymax')]
           for o in xml.findall('object')]
    coco_boxes = [a['bbox'] for a in coco['annotations'] if a['image_id'] == 1]
    assert voc == [[x + 1, y + 1, x + w, y + h] for x, y, w, h in coco_boxes]


@pytest.mark.parametrize('kind', ['voc', 'coco'])
def test_ground_truth_evaluates_to_perfect_map(det_root, kind):
    """The stock metrics run on the data, and the generator's own boxes, in each
    layout's convention, score mAP 1 (VOCMetric: mmdet's VOC boxes, x2/y2 the
    last object pixel; CocoMetric: exclusive boxes against the json)."""
    import torch
    from mmengine.registry import init_default_scope
    from mmdet.registry import DATASETS, METRICS
    init_default_scope('mmdet')
    pipeline = [dict(type='LoadImageFromFile'), dict(type='LoadAnnotations', with_bbox=True),
                dict(type='PackDetInputs', meta_keys=('img_id', 'img_path', 'ori_shape',
                                                      'img_shape', 'scale_factor'))]
    if kind == 'voc':
        ds = DATASETS.build(dict(
            type='VOCDataset', data_root=osp.join(det_root, 'VOCdevkit'),
            ann_file='VOC2007/ImageSets/Main/val.txt',
            data_prefix=dict(sub_data_root='VOC2007/'), test_mode=True, pipeline=pipeline))
        metric = METRICS.build(dict(type='VOCMetric', metric='mAP', eval_mode='11points'))
        key = 'pascal_voc/mAP'
    else:
        ann = osp.join(det_root, 'coco', 'annotations', 'instances_val.json')
        ds = DATASETS.build(dict(
            type='CocoDataset', data_root=osp.join(det_root, 'coco'), ann_file=ann,
            data_prefix=dict(img='val/'), test_mode=True, pipeline=pipeline,
            metainfo=dict(classes=detection_classes(DET_KW['num_classes']))))
        metric = METRICS.build(dict(type='CocoMetric', ann_file=ann, metric='bbox'))
        key = 'coco/bbox_mAP'
    metric.dataset_meta = ds.metainfo
    offset = 1 if kind == 'voc' else 0
    for i in range(len(ds)):
        sample = ds[i]['data_samples']
        gt = sample.gt_instances
        expected = _expected_instances('val', i)
        boxes = torch.tensor([[x1, y1, x2 - offset, y2 - offset]
                              for x1, y1, x2, y2 in (e['bbox'] for e in expected)],
                             dtype=torch.float32)
        out = sample.to_dict()
        out['pred_instances'] = dict(bboxes=boxes,
                                     labels=torch.tensor([e['label'] for e in expected]),
                                     scores=torch.ones(len(expected)))
        out['gt_instances'] = dict(bboxes=gt.bboxes.tensor, labels=gt.labels)
        out['ignored_instances'] = dict(bboxes=torch.zeros(0, 4),
                                        labels=torch.zeros(0, dtype=torch.long))
        metric.process({}, [out])
    assert metric.evaluate(len(ds))[key] == pytest.approx(1.0)


def test_detection_layout(det_root):
    main = osp.join(det_root, 'VOCdevkit', 'VOC2007', 'ImageSets', 'Main')
    sets = {}
    for name in ('train', 'val', 'trainval', 'test'):
        with open(osp.join(main, f'{name}.txt')) as f:
            sets[name] = f.read().split()
    assert [len(sets[s]) for s in ('train', 'val', 'test')] == [6, 3, 2]
    assert sets['trainval'] == sets['train'] + sets['val']
    jpgs = os.listdir(osp.join(det_root, 'VOCdevkit', 'VOC2007', 'JPEGImages'))
    assert sorted(jpgs) == sorted(f'{i}.jpg' for s in ('train', 'val', 'test') for i in sets[s])
    coco = _coco(det_root, 'train')
    assert [c['name'] for c in coco['categories']] == list(detection_classes(5))
    assert [c['id'] for c in coco['categories']] == [1, 2, 3, 4, 5]
    counts = np.bincount([a['image_id'] for a in coco['annotations']], minlength=7)[1:]
    assert all(1 <= c <= 4 for c in counts)


# ---------------------------------------------------------------------------
# CLI
# ---------------------------------------------------------------------------
def _cli():
    path = ROOT / 'tools' / 'dataset_converters' / 'make_synthetic.py'
    spec = importlib.util.spec_from_file_location('make_synthetic', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _mtimes(root):
    return {rel: os.stat(osp.join(root, rel)).st_mtime_ns for rel in _files(root)}


def test_cli_is_idempotent(tmp_path, capsys):
    cli = _cli()
    out = str(tmp_path / 'cls')
    args = ['--kind', 'cls', '--out', out, '--num-classes', '3', '--train', '2', '--val', '1',
            '--test', '1', '--seed', '5']
    assert cli.main(args) == 0
    assert 'train: 6 images' in capsys.readouterr().out
    assert read_params(out) == dict(kind='cls', format_version=1, num_classes=3, img_size=32,
                                    num_train=2, num_val=1, num_test=1, seed=5)
    before = _mtimes(out)

    assert cli.main(args) == 0  # same parameters: nothing is written
    assert 'nothing to do' in capsys.readouterr().out
    assert _mtimes(out) == before

    assert cli.main(args[:-1] + ['6']) == 1  # other parameters: refused without --force
    assert 'seed: 5 -> 6' in capsys.readouterr().err
    assert _mtimes(out) == before

    assert cli.main(args[:-1] + ['6', '--force']) == 0
    assert read_params(out)['seed'] == 6

    small = args[:-1] + ['6', '--object-scale', '0.15', '0.25']
    assert cli.main(small) == 1  # another object scale is other parameters
    assert 'object_scale: None -> [0.15, 0.25]' in capsys.readouterr().err
    assert cli.main(small + ['--force']) == 0
    assert read_params(out)['object_scale'] == [0.15, 0.25]
    assert cli.main(args[:-1] + ['6', '--object-scale', '0.3', '0.1']) == 2
    assert 'object_scale' in capsys.readouterr().err

    foreign = tmp_path / 'foreign'
    foreign.mkdir()
    (foreign / 'notes.txt').write_text('mine')
    assert cli.main(['--kind', 'cls', '--out', str(foreign), '--train', '1']) == 1
    assert 'not a synthetic data set' in capsys.readouterr().err
    assert os.listdir(foreign) == ['notes.txt']

    # invalid arguments are reported before anything is written
    assert cli.main(['--kind', 'all', '--out', str(tmp_path / 'bad'), '--img-size', '16']) == 2
    assert 'img_size must be an integer >= 32' in capsys.readouterr().err
    assert not (tmp_path / 'bad').exists()


def test_cli_all_writes_both_kinds(tmp_path, capsys):
    cli = _cli()
    args = ['--kind', 'all', '--out', str(tmp_path), '--num-classes', '2', '--det-classes', '3',
            '--img-size', '32', '--train', '1', '--val', '1', '--test', '0']
    assert cli.main(args) == 0
    assert read_params(str(tmp_path / 'synthetic_cls'))['num_classes'] == 2
    det = read_params(str(tmp_path / 'synthetic_det'))
    assert (det['num_classes'], det['img_size'], det['num_train']) == (3, 32, 1)
    assert not (tmp_path / 'synthetic_det' / 'coco' / 'annotations' /
                'instances_test.json').exists()
    capsys.readouterr()
    assert cli.main(args) == 0
    assert capsys.readouterr().out.count('nothing to do') == 2


def test_ensure_classification_reuses_matching_data(tmp_path):
    from mmmix.datasets import ensure_classification
    params = dict(num_classes=2, img_size=16, num_train=1, num_val=1, num_test=1, seed=3)
    root = str(tmp_path / 'cls')
    assert ensure_classification(root, **params) == 'generated'
    stamp = os.path.getmtime(os.path.join(root, 'meta', 'params.json'))
    assert ensure_classification(root, **params) == 'reused'
    assert os.path.getmtime(os.path.join(root, 'meta', 'params.json')) == stamp
    assert ensure_classification(root, **dict(params, seed=4)) == 'generated'
