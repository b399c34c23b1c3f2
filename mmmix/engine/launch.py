"""Settings and checks shared by tools/train.py and tools/test.py."""
import ast
import os.path as osp

import torch

from mmmix.utils.validation import ConfigError

#: the dataset keys whose values are datasets (wrappers and mmmix's SemiSupDataset)
_CHILD_DATASET_KEYS = ('dataset', 'labeled', 'unlabeled')


def apply_launcher(cfg, launcher: str, config_path: str, work_dir=None):
    """Set ``cfg.launcher`` and ``cfg.work_dir`` (default ``./work_dirs/<config
    name>``); on a host without CUDA, use gloo and CPU DDP (NCCL needs GPUs,
    and DDP must not be given a device id for a CPU module)."""
    cfg.launcher = launcher
    if work_dir is not None:
        cfg.work_dir = work_dir
    elif cfg.get('work_dir') is None:
        cfg.work_dir = osp.join('./work_dirs', osp.splitext(osp.basename(config_path))[0])
    if torch.cuda.is_available():
        return cfg
    cfg.setdefault('env_cfg', {}).setdefault('dist_cfg', {})['backend'] = 'gloo'
    if launcher != 'none':
        wrapper = cfg.get('model_wrapper_cfg') or dict(
            type='MMDistributedDataParallel', broadcast_buffers=False,
            find_unused_parameters=cfg.get('find_unused_parameters', False))
        wrapper['device_ids'] = None
        cfg.model_wrapper_cfg = wrapper
    return cfg


def finish_distributed() -> None:
    """Tear the process group down once a run is over (every rank calls it).

    Left to interpreter exit, gloo's worker threads can be destroyed while
    still joinable, and a rank then aborts ("terminate called without an
    active exception", SIGABRT) after a run that succeeded."""
    import torch.distributed as dist
    if dist.is_available() and dist.is_initialized():
        dist.barrier()
        dist.destroy_process_group()


def _dataset_cfgs(cfg, key):
    if not isinstance(cfg, dict):
        return
    yield key, cfg
    for child in _CHILD_DATASET_KEYS:
        yield from _dataset_cfgs(cfg.get(child), f'{key}.{child}')
    for i, child in enumerate(cfg.get('datasets') or ()):
        yield from _dataset_cfgs(child, f'{key}.datasets[{i}]')


def check_dataset_files(cfg, splits=('train', 'val', 'test')) -> None:
    """Raise :class:`ConfigError` naming the key when an ``ann_file`` of the
    ``splits``' dataloaders is missing or lists no sample.

    Called on the final config, before the Runner builds anything: mmengine
    would otherwise fail on an empty list with numpy's ``need at least one array
    to concatenate``, naming neither the key nor the file."""
    for split in splits:
        split = f'{split}_dataloader'
        loader = cfg.get(split)
        if not isinstance(loader, dict):
            continue
        for key, ds in _dataset_cfgs(loader.get('dataset'), f'{split}.dataset'):
            ann = ds.get('ann_file')
            if not ann or not isinstance(ann, str) or '://' in ann:
                continue
            root = ds.get('data_root') or ''
            path = ann if osp.isabs(ann) or not root else osp.join(root, ann)
            if not osp.isfile(path):
                raise ConfigError(f'{key}.ann_file={ann!r}: no such file ({path})')
            with open(path, encoding='utf-8', errors='replace') as f:
                if not any(line.strip() for line in f):
                    raise ConfigError(f'{key}.ann_file={ann!r}: the annotation file {path} '
                                      'is empty; it must list at least one sample')


def _literal(node, text):
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and \
            isinstance(node.operand, ast.Constant) and isinstance(node.operand.value, (int, float)):
        return -node.operand.value
    if isinstance(node, (ast.List, ast.Tuple)):
        items = [_literal(e, text) for e in node.elts]
        return items if isinstance(node, ast.List) else tuple(items)
    if isinstance(node, ast.Dict):
        return {_literal(k, text): _literal(v, text) for k, v in zip(node.keys, node.values)}
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and \
            node.func.id == 'dict' and not node.args:
        return {kw.arg: _literal(kw.value, text) for kw in node.keywords}
    raise ConfigError(f'--add-hook {text!r}: only dict(...), {{...}}, lists and literals '
                      f'are allowed, not {ast.unparse(node)!r}')


def parse_hook(text: str) -> dict:
    """A hook config from the command line: ``dict(type='X', interval=200)`` or
    ``{'type': 'X'}`` (literals only; nothing is evaluated)."""
    try:
        tree = ast.parse(text.strip(), mode='eval')
    except SyntaxError as e:
        raise ConfigError(f'--add-hook {text!r} is not a dict expression: {e.msg}') from None
    hook = _literal(tree.body, text)
    if not isinstance(hook, dict) or 'type' not in hook:
        raise ConfigError(f"--add-hook {text!r} must be a dict with a 'type'")
    return hook
