"""tools/dataset_converters/prepare_cifar10_jpeg.py: checksum, unpack, lists, errors.

The unpack tests use the real archive (beside the checkout, or
``$MMMIX_CIFAR10_JPEG``) and skip with the reason when it is absent.
"""
import hashlib
import io
import os
import os.path as osp
import shutil
import tarfile

import numpy as np
import pytest

from conftest import ROOT, cifar10_jpeg_archive, load_tool

prep = load_tool('dataset_converters/prepare_cifar10_jpeg')


def _read(path):
    with open(path, encoding='utf-8') as f:
        return [line.split() for line in f.read().splitlines()]


# --------------------------------------------------------------------------- committed lists
def test_committed_lists_match_their_seeds():
    assert prep.check_lists() == []
    assert prep.main(['--check-lists']) == 0


def test_subset_draw_is_the_semisup_split_draw():
    """The tool's numpy-only draw equals mmmix's split tool (the same labeled set)."""
    from mmmix.datasets.splits import split_indices
    labels = np.array([lab for _, lab in prep.full_list('train')])
    for per_class, seed in prep.SUBSETS + prep.SEMISUP:
        labeled, _ = split_indices(labels, num_per_class=per_class, seed=seed)
        np.testing.assert_array_equal(prep.draw_subset(per_class, seed), labeled)


def test_drifted_list_is_reported(tmp_path):
    lists = tmp_path / 'lists'
    shutil.copytree(prep.LISTS_DIR, lists)
    name = 'train_200pc_seed0.txt'
    rows = (lists / name).read_text().splitlines()
    (lists / name).write_text('\n'.join(rows[1:] + rows[:1]) + '\n')  # same set, other order
    (lists / 'train_500pc_seed0.txt').unlink()
    problems = prep.check_lists(str(lists))
    assert any(name in p and 'differs' in p for p in problems)
    assert any('train_500pc_seed0.txt' in p and 'missing' in p for p in problems)


@pytest.mark.parametrize('per_class,seed', prep.SUBSETS + prep.SEMISUP)
def test_lists_are_class_balanced_without_repeats(per_class, seed):
    name = (f'train_{per_class}pc_seed{seed}.txt' if (per_class, seed) in prep.SUBSETS else
            f'train_labeled_{per_class}pc_seed{seed}.txt')
    rows = _read(osp.join(prep.LISTS_DIR, name))
    paths = [p for p, _ in rows]
    assert len(set(paths)) == len(paths) == per_class * len(prep.CLASSES)
    for p, lab in rows:  # the label is the class folder's index
        assert prep.CLASSES.index(p.split('/')[0]) == int(lab)
    counts = np.bincount([int(lab) for _, lab in rows], minlength=10)
    assert (counts == per_class).all()


# --------------------------------------------------------------------------- errors
def test_missing_archive_names_the_path_and_the_way_out(tmp_path, capsys):
    missing = tmp_path / 'nope.tar.gz'
    out = tmp_path / 'out'
    with pytest.raises(prep.PrepareError, match='not found.*nope.tar.gz.*MMMIX_CIFAR10_JPEG'):
        prep.prepare(str(missing), str(out))
    assert not out.exists()
    assert prep.main(['--archive', str(missing), '--out', str(out)]) == 2
    assert 'nope.tar.gz' in capsys.readouterr().err


def test_wrong_checksum_writes_nothing(tmp_path):
    fake = tmp_path / 'cifar10-jpeg.tar.gz'
    fake.write_bytes(b'not the archive')
    out = tmp_path / 'out'
    with pytest.raises(prep.PrepareError, match='sha256 .* does not match.*Nothing was written'):
        prep.prepare(str(fake), str(out))
    assert not out.exists()


def test_archive_member_outside_the_layout_is_refused(tmp_path):
    archive = tmp_path / 'evil.tar.gz'
    with tarfile.open(archive, 'w:gz') as tar:
        data = b'x'
        info = tarfile.TarInfo('../escape.txt')
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    digest = hashlib.sha256(archive.read_bytes()).hexdigest()
    with pytest.raises(prep.PrepareError, match='escape.txt'):
        prep.unpack(str(archive), str(tmp_path / 'out'), digest, log=lambda *_: None)
    assert not (tmp_path / 'escape.txt').exists()
    assert not [n for n in os.listdir(tmp_path) if 'unpacking' in n]  # temp folder removed


# --------------------------------------------------------------------------- the real archive
def test_prepared_layout_and_meta(cifar10_jpeg_root):
    root = cifar10_jpeg_root
    assert prep.is_complete(root)
    meta = osp.join(root, 'meta')
    assert len(_read(osp.join(meta, 'train.txt'))) == 50000
    assert len(_read(osp.join(meta, 'test.txt'))) == 10000
    assert _read(osp.join(meta, 'classes.txt')) == [[c] for c in prep.CLASSES]
    for name in os.listdir(prep.LISTS_DIR):  # the committed lists are copied verbatim
        with open(osp.join(prep.LISTS_DIR, name), encoding='utf-8') as a, \
                open(osp.join(meta, name), encoding='utf-8') as b:
            assert a.read() == b.read()
    # labeled + unlabeled = the training set, disjoint
    for per_class, seed in prep.SEMISUP:
        tag = f'{per_class}pc_seed{seed}'
        lab = {p for p, _ in _read(osp.join(meta, f'train_labeled_{tag}.txt'))}
        unl = {row[0] for row in _read(osp.join(meta, f'train_unlabeled_{tag}.txt'))}
        assert not lab & unl
        assert len(lab | unl) == 50000


def test_second_run_is_a_no_op(cifar10_jpeg_root):
    lines = []
    marker = osp.join(cifar10_jpeg_root, prep.MARKER)
    before = os.stat(marker).st_mtime_ns
    prep.prepare(cifar10_jpeg_archive(), cifar10_jpeg_root, log=lines.append)
    assert any('already unpacked' in line for line in lines)
    assert os.stat(marker).st_mtime_ns == before


def test_bad_archive_leaves_a_complete_folder_alone(cifar10_jpeg_root, tmp_path):
    fake = tmp_path / 'other.tar.gz'
    fake.write_bytes(b'damaged')
    with pytest.raises(prep.PrepareError, match='sha256'):
        prep.prepare(str(fake), cifar10_jpeg_root)
    assert prep.is_complete(cifar10_jpeg_root)


def test_half_unpacked_folder_is_detected_and_redone(cifar10_jpeg_root):
    """A kill in the middle of an unpack leaves no marker and part of a class missing; the
    next run redoes the images and keeps what the user put beside them. (It damages and
    repairs the session's prepared copy, which is complete again afterwards.)"""
    out = cifar10_jpeg_root
    os.remove(osp.join(out, prep.MARKER))
    for i in range(100, 200):
        os.remove(osp.join(out, 'train', 'cat', f'{i:04d}.jpg'))
    with open(osp.join(out, 'notes.txt'), 'w') as f:
        f.write('mine')
    assert not prep.is_complete(out)
    assert prep.layout_problems(out) == ['train/cat: 4900 images, expected 5000']
    lines = []
    prep.prepare(cifar10_jpeg_archive(), out, log=lines.append)
    assert any('half-unpack' in line for line in lines)
    assert prep.is_complete(out) and prep.layout_problems(out) == []
    assert open(osp.join(out, 'notes.txt')).read() == 'mine'
    assert osp.isfile(osp.join(out, 'meta', 'tiny_train.txt'))  # meta/ is left alone


def test_benchmark_dataset_config_reads_the_subset(cifar10_jpeg_root):
    """The benchmark's dataset base builds mmpretrain's CustomDataset on the prepared data."""
    from mmengine.config import Config
    from mmengine.registry import init_default_scope

    import mmmix  # noqa: F401
    from mmmix.registry import DATASETS
    init_default_scope('mmmix')
    cfg = Config.fromfile(osp.join(ROOT, 'configs/_base_/datasets/cifar10-jpeg-2k_bs100.py'))
    for loader, n in ((cfg.train_dataloader, 2000), (cfg.test_dataloader, 10000)):
        ds_cfg = dict(loader.dataset, data_root=cifar10_jpeg_root)
        ds = DATASETS.build(ds_cfg)
        assert len(ds) == n
        item = ds[0]
        assert tuple(item['inputs'].shape) == (3, 32, 32)
        assert ds.metainfo['classes'] == prep.CLASSES
    assert cfg.data_preprocessor.to_rgb is True  # JPEGs decode as BGR
