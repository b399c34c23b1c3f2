"""Fixtures and helpers of the semi-supervised tests (imported by the test
files): a tiny 32-px synthetic set with a 4-labels-per-class split, and
configs of configs/semisup pointed at it."""
import copy
import glob
import os.path as osp

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))

SEMISUP_CONFIGS = sorted(glob.glob(osp.join(ROOT, 'configs', 'semisup', '*.py')))
SYNTHETIC_FIXMATCH = osp.join(ROOT, 'configs', 'semisup',
                              'resnet18-w16_fixmatch-dm-40l_synthetic.py')


@pytest.fixture(scope='session')
def semisup_root(tmp_path_factory):
    """10 classes x 6 train images at 32 px, split 4 labeled / 2 unlabeled per class."""
    from mmmix.datasets import generate_classification, make_semisup_split
    root = str(tmp_path_factory.mktemp('semisup_cls'))
    generate_classification(root, num_classes=10, img_size=32, num_train=6, num_val=1,
                            num_test=1, seed=0)
    make_semisup_split(osp.join(root, 'meta', 'train.txt'), num_per_class=4, seed=0)
    return root


@pytest.fixture(autouse=True)
def mmmix_scope():
    init_default_scope('mmmix')


@pytest.fixture(scope='module', autouse=True)
def one_thread():
    n = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(n)


def point_cfg_at(cfg, root, batch_size=8, mu=3, workers=0):
    """A copy of ``cfg`` reading ``root`` with small CPU batches."""
    cfg = copy.deepcopy(cfg)
    ds = cfg.train_dataloader.dataset
    ds.labeled.data_root = root
    ds.unlabeled.data_root = root
    cfg.train_dataloader.batch_size = batch_size
    cfg.train_dataloader.sampler.batch_size = batch_size
    cfg.train_dataloader.sampler.mu = mu
    for name in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        cfg[name].num_workers = workers
        cfg[name].persistent_workers = False
        if name != 'train_dataloader':
            cfg[name].dataset.data_root = root
            cfg[name].batch_size = 4
    return cfg


def load_cfg(path):
    return Config.fromfile(path)
