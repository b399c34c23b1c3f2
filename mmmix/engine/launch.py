"""Settings shared by tools/train.py and tools/test.py."""
import os.path as osp

import torch


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
