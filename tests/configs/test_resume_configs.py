"""Every mmmix training config checkpoints its generators (RNGStateHook), and the
iteration-based ones resume without loading the trained batches (mmmix's loop
and a sampler with ``seek``). The detection configs (mmdet's recipes) are not
covered."""
import glob
import os.path as osp

import pytest
from mmengine.registry import DefaultScope

import mmmix  # noqa: F401  (registers mmmix types)
from cfg_utils import CONFIG_DIR, load, rel
from mmmix.engine import IterBasedTrainLoop
from mmmix.engine.hooks.rng_state import RNGStateHook
from mmmix.registry import DATA_SAMPLERS, HOOKS, LOOPS
from mmmix.utils import is_available

TRAIN_CONFIGS = sorted(p for p in glob.glob(osp.join(CONFIG_DIR, '**', '*.py'), recursive=True)
                       if f'{osp.sep}_base_{osp.sep}' not in p
                       and f'{osp.sep}detection{osp.sep}' not in p)


@pytest.mark.parametrize('path', TRAIN_CONFIGS, ids=[rel(p) for p in TRAIN_CONFIGS])
def test_resume_is_exact_and_skips_without_loading(path):
    cfg = load(path)
    if 'train_cfg' not in cfg:
        pytest.skip('not a training config')
    with DefaultScope.overwrite_default_scope('mmmix'):
        assert HOOKS.get(cfg.default_hooks.rng_state.type) is RNGStateHook
        if cfg.train_cfg.get('by_epoch', True) and 'max_iters' not in cfg.train_cfg:
            return  # epoch-based: mmengine resumes at an epoch boundary, nothing to skip
        assert LOOPS.get(cfg.train_cfg.get('type', '')) is IterBasedTrainLoop, cfg.train_cfg
        sampler = DATA_SAMPLERS.get(cfg.train_dataloader.sampler.type)
        if sampler.__name__ == 'SemiSupSampler' and not is_available('semisup'):
            pytest.skip('SemiSupSampler needs mmdet (a placeholder here)')
        assert callable(getattr(sampler, 'seek', None)), cfg.train_dataloader.sampler
        assert cfg.train_dataloader.get('batch_sampler') is None
