"""Helpers shared by the config tests."""
import os.path as osp

from mmengine.config import Config

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
CONFIG_DIR = osp.join(REPO, 'configs')

_LOADED = {}


def rel(path):
    return osp.relpath(path, CONFIG_DIR)


def load(path):
    """``Config.fromfile`` once per path."""
    if path not in _LOADED:
        _LOADED[path] = Config.fromfile(path)
    return _LOADED[path]


def plain(obj):
    """ConfigDict/tuple -> dict/list, for comparisons."""
    if hasattr(obj, 'to_dict'):
        obj = obj.to_dict()
    if isinstance(obj, dict):
        return {k: plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [plain(v) for v in obj]
    return obj
