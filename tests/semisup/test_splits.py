"""The labeled / unlabeled split tool."""
import importlib.util
import os.path as osp
from collections import Counter

import numpy as np
import pytest

from mmmix.datasets.splits import make_semisup_split, read_annotations, split_indices
from mmmix.utils.validation import ConfigError
from semisup_utils import ROOT, mmmix_scope, semisup_root  # noqa: F401 (fixtures)


def _tool():
    spec = importlib.util.spec_from_file_location(
        'make_semisup_split',
        osp.join(ROOT, 'tools', 'dataset_converters', 'make_semisup_split.py'))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _labels(counts):
    return np.concatenate([np.full(n, c) for c, n in enumerate(counts)])


def test_num_per_class_exact_counts_and_disjoint():
    labels = _labels([10, 7, 25, 5])
    lab, unl = split_indices(labels, num_per_class=5, seed=1)
    assert Counter(labels[lab].tolist()) == {0: 5, 1: 5, 2: 5, 3: 5}
    assert not set(lab) & set(unl)
    assert sorted(set(lab) | set(unl)) == list(range(len(labels)))


def test_percent_exact_counts():
    labels = _labels([20, 40, 7, 100])
    lab, unl = split_indices(labels, percent=15, seed=0)
    # round(15% of n_c), at least one
    assert Counter(labels[lab].tolist()) == {0: 3, 1: 6, 2: 1, 3: 15}
    assert len(lab) + len(unl) == len(labels) and not set(lab) & set(unl)


def test_split_is_deterministic_from_the_seed():
    labels = _labels([30] * 5)
    a = split_indices(labels, num_per_class=4, seed=3)
    b = split_indices(labels, num_per_class=4, seed=3)
    c = split_indices(labels, num_per_class=4, seed=4)
    assert all((x == y).all() for x, y in zip(a, b))
    assert not (a[0] == c[0]).all()


def test_split_errors_name_the_key():
    labels = _labels([3, 3])
    with pytest.raises(ConfigError, match='exactly one'):
        split_indices(labels, num_per_class=1, percent=10)
    with pytest.raises(ConfigError, match='exactly one'):
        split_indices(labels)
    with pytest.raises(ConfigError, match='num_per_class=4'):
        split_indices(labels, num_per_class=4)
    with pytest.raises(ConfigError, match='percent=0'):
        split_indices(labels, percent=0)


def test_files_round_trip_and_tool(semisup_root, tmp_path):
    main = _tool().main
    ann = osp.join(semisup_root, 'meta', 'train.txt')
    paths, labels = read_annotations(ann)
    out1, out2 = tmp_path / 'a', tmp_path / 'b'
    main([ann, '--num-per-class', '2', '--seed', '7', '--out-dir', str(out1)])
    lab, unl = make_semisup_split(ann, str(out2), num_per_class=2, seed=7)
    assert osp.basename(lab) == 'train_labeled_2pc_seed7.txt'
    for name in (osp.basename(lab), osp.basename(unl)):
        assert (out1 / name).read_text() == (out2 / name).read_text()  # same seed, same files
    lab_paths, lab_labels = read_annotations(lab)
    unl_paths = [x.strip() for x in open(unl) if x.strip()]
    assert all(' ' not in p for p in unl_paths)  # the unlabeled file has no labels
    assert Counter(lab_labels.tolist()) == {c: 2 for c in range(10)}
    assert not set(lab_paths) & set(unl_paths)
    assert sorted(lab_paths + unl_paths) == sorted(paths)
    truth = dict(zip(paths, labels.tolist()))
    assert all(truth[p] == y for p, y in zip(lab_paths, lab_labels.tolist()))
