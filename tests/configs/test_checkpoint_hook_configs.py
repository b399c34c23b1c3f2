"""Every shipped config saves checkpoints with mmmix's AtomicCheckpointHook, built
the way the Runner builds it (the config's own scope: mmmix or mmdet)."""
import glob
import os.path as osp

import pytest
from mmengine.registry import HOOKS, DefaultScope

import mmmix  # noqa: F401  (registers mmmix types)
from cfg_utils import CONFIG_DIR, load, rel
from mmmix.engine.hooks.checkpoint import AtomicCheckpointHook

LEAF_CONFIGS = sorted(p for p in glob.glob(osp.join(CONFIG_DIR, '**', '*.py'), recursive=True)
                      if f'{osp.sep}_base_{osp.sep}' not in p)


@pytest.mark.parametrize('path', LEAF_CONFIGS, ids=[rel(p) for p in LEAF_CONFIGS])
def test_checkpoint_hook_is_atomic(path):
    cfg = load(path)
    with DefaultScope.overwrite_default_scope(cfg.get('default_scope')):
        hook = HOOKS.build(cfg.default_hooks.checkpoint.to_dict())
    assert type(hook) is AtomicCheckpointHook, cfg.default_hooks.checkpoint
