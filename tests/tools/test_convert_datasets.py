"""tools/dataset_converters/convert_datasets.py on tiny fakes of the official layouts: the
written annotation files load in mmpretrain's CustomDataset with the right labels."""
import json
import os
import os.path as osp
import pickle

import numpy as np
import pytest
from mmpretrain.datasets import CustomDataset

from conftest import load_tool


@pytest.fixture(scope='module')
def conv():
    return load_tool('dataset_converters/convert_datasets')


def _touch(path, data=b'x'):
    os.makedirs(osp.dirname(path), exist_ok=True)
    with open(path, 'wb') as f:
        f.write(data)


def test_tiny_imagenet(conv, tmp_path):
    root = tmp_path / 'tiny'
    wnids = ['n02', 'n01']  # labels follow the sorted ids
    (root / 'val').mkdir(parents=True)
    (root / 'wnids.txt').write_text('\n'.join(wnids) + '\n')
    for w in wnids:
        for k in range(2):
            _touch(str(root / 'train' / w / 'images' / f'{w}_{k}.JPEG'))
    rows = [('val_0.JPEG', 'n02'), ('val_1.JPEG', 'n01'), ('val_2.JPEG', 'n02')]
    (root / 'val' / 'val_annotations.txt').write_text(
        ''.join(f'{n}\t{w}\t0\t0\t8\t8\n' for n, w in rows))
    for n, _ in rows:
        _touch(str(root / 'val' / 'images' / n))
    assert conv.main(['tiny-imagenet', str(root)]) == dict(train=4, val=3)
    assert (root / 'meta' / 'classes.txt').read_text().split() == ['n01', 'n02']
    train = CustomDataset(data_root=str(root), ann_file='meta/train.txt', data_prefix='train')
    val = CustomDataset(data_root=str(root), ann_file='meta/val.txt', data_prefix='val')
    got = {osp.basename(train.get_data_info(i)['img_path']): int(train.get_data_info(i)['gt_label'])
           for i in range(len(train))}
    assert got == {'n01_0.JPEG': 0, 'n01_1.JPEG': 0, 'n02_0.JPEG': 1, 'n02_1.JPEG': 1}
    assert [int(val.get_data_info(i)['gt_label']) for i in range(3)] == [1, 0, 1]
    assert all(osp.isfile(val.get_data_info(i)['img_path']) for i in range(3))
    (root / 'val' / 'val_annotations.txt').write_text('val_9.JPEG\tn99\t0\t0\t1\t1\n')
    with pytest.raises(ValueError, match="class 'n99' is not in wnids.txt"):
        conv.tiny_imagenet(str(root))


def test_cub_to_custom_layout(conv, tmp_path):
    src, out = tmp_path / 'CUB_200_2011', tmp_path / 'cub200'
    # image id, path, class id (1-based), is_training_image
    items = [(1, '001.A/a1.jpg', 1, 1), (2, '001.A/a2.jpg', 1, 0), (3, '002.B/b1.jpg', 2, 1)]
    src.mkdir()
    (src / 'images.txt').write_text(''.join(f'{i} {p}\n' for i, p, _, _ in items))
    (src / 'image_class_labels.txt').write_text(''.join(f'{i} {c}\n' for i, _, c, _ in items))
    (src / 'train_test_split.txt').write_text(''.join(f'{i} {t}\n' for i, _, _, t in items))
    for i, p, _, _ in items:
        _touch(str(src / 'images' / p), data=p.encode())
    assert conv.main(['mmpretrain', 'CUB', str(src), str(out)]) == dict(train=2, test=1)
    train = CustomDataset(data_root=str(out), ann_file='meta/train.txt', data_prefix='train')
    infos = [train.get_data_info(i) for i in range(len(train))]
    assert [int(x['gt_label']) for x in infos] == [0, 1]
    assert [open(x['img_path'], 'rb').read() for x in infos] == [b'001.A/a1.jpg', b'002.B/b1.jpg']
    from mmpretrain.datasets.categories import CUB_CATEGORIES
    assert (out / 'meta' / 'classes.txt').read_text().splitlines() == list(CUB_CATEGORIES)
    assert (out / 'meta' / 'test.txt').read_text() == '000/a2.jpg 0\n'
    with pytest.raises(ValueError, match="dataset type 'Places' is not supported"):
        conv.from_mmpretrain('Places', str(src), str(out))


def test_cifar10_arrays_become_pngs(conv, tmp_path, monkeypatch):
    from mmpretrain.datasets import CIFAR10
    from PIL import Image
    monkeypatch.setattr(CIFAR10, '_check_integrity', lambda self: True)  # no md5 of fakes
    base = tmp_path / 'cifar10' / 'cifar-10-batches-py'
    base.mkdir(parents=True)
    rng = np.random.default_rng(0)
    batches = {}
    for name, _ in CIFAR10.train_list + CIFAR10.test_list:
        data = rng.integers(0, 256, (2, 3072), dtype=np.uint8)
        batches[name] = dict(data=data, labels=[3, 7])
        (base / name).write_bytes(pickle.dumps(batches[name]))
    root = str(tmp_path / 'cifar10')
    counts = conv.main(['mmpretrain', 'CIFAR10', root, root])
    assert counts == dict(train=10, test=2)
    test = CustomDataset(data_root=root, ann_file='meta/test.txt', data_prefix='test')
    first = test.get_data_info(0)
    assert int(first['gt_label']) == 3
    img = np.asarray(Image.open(first['img_path']))
    expected = batches['test_batch']['data'][0].reshape(3, 32, 32).transpose(1, 2, 0)
    assert np.array_equal(img, expected)
    assert (tmp_path / 'cifar10' / 'meta' / 'classes.txt').read_text().split()[3] == 'cat'


def test_coco_semi_default_folder(conv, tmp_path):
    ann = tmp_path / 'coco' / 'annotations' / 'instances_train2017.json'
    ann.parent.mkdir(parents=True)
    images = [dict(id=i, file_name=f'{i}.jpg', width=8, height=8) for i in range(20)]
    ann.write_text(json.dumps(dict(images=images, annotations=[], categories=[])))
    paths = conv.main(['coco-semi', str(ann), '--percents', '10'])
    assert paths == [str(tmp_path / 'coco' / 'semi_anns' / 'instances_train2017.1@10.json')]
    assert len(json.load(open(paths[0]))['images']) == 2
