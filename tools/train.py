"""Train a model with mmengine's Runner.

    python tools/train.py CONFIG [--work-dir DIR] [--resume [CKPT]] [--amp]
                          [--cfg-options k=v ...] [--add-hook "dict(type=...)"]
                          [--threads N] [--workers N] [--launcher {none,pytorch,slurm}]

Works as ``mim train mmmix CONFIG`` too. On a machine without CUDA the
distributed backend is switched to gloo and ``--amp`` uses bf16 autocast.
Torch threads and dataloader workers follow the cores available to the
process (:mod:`mmmix.utils.threads`); the choice is printed.
"""
import argparse
import os
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))  # run from a checkout

from mmengine.config import Config, DictAction  # noqa: E402


def parse_args(argv=None):
    p = argparse.ArgumentParser(description='Train a classifier (mmmix)')
    p.add_argument('config', help='train config file path')
    p.add_argument('--work-dir', help='the dir to save logs and models')
    p.add_argument('--resume', nargs='?', type=str, const='auto',
                   help='resume from the given checkpoint, or from the latest one in '
                        'the work dir when no path is given')
    p.add_argument('--amp', action='store_true', help='mixed precision training')
    p.add_argument('--no-validate', action='store_true', help='skip validation during training')
    p.add_argument('--auto-scale-lr', action='store_true', help='scale lr by the total batch size')
    p.add_argument('--cfg-options', nargs='+', action=DictAction,
                   help='override config settings, e.g. train_cfg.max_epochs=2')
    p.add_argument('--add-hook', action='append', default=[], metavar='DICT',
                   help="append a hook to custom_hooks, e.g. "
                        "\"dict(type='AutoMixMaskVisHook', interval=200)\" (repeatable)")
    p.add_argument('--no-pin-memory', action='store_true',
                   help='pin_memory=False for every dataloader')
    p.add_argument('--no-persistent-workers', action='store_true',
                   help='persistent_workers=False for every dataloader')
    p.add_argument('--launcher', choices=['none', 'pytorch', 'slurm', 'mpi'], default='none')
    p.add_argument('--local_rank', '--local-rank', type=int, default=0)
    from mmmix.utils.threads import add_thread_args
    add_thread_args(p)
    args = p.parse_args(argv)
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    return args


def merge_args(cfg, args):
    import torch

    from mmmix.engine.launch import apply_launcher
    apply_launcher(cfg, args.launcher, args.config, args.work_dir)
    if args.amp:
        ow = cfg.optim_wrapper
        if ow.get('type', 'OptimWrapper') not in ('OptimWrapper', 'AmpOptimWrapper',
                                                  'CPUAmpOptimWrapper',
                                                  'mmmix.CPUAmpOptimWrapper'):
            raise ValueError(f'--amp cannot wrap optim_wrapper.type={ow.type!r}')
        if torch.cuda.is_available():
            ow.type = 'AmpOptimWrapper'
            ow.setdefault('loss_scale', 'dynamic')
        else:
            ow.type = 'mmmix.CPUAmpOptimWrapper'
    if args.no_validate:
        cfg.val_cfg = cfg.val_dataloader = cfg.val_evaluator = None
    if args.resume == 'auto':
        cfg.resume, cfg.load_from = True, None
    elif args.resume is not None:
        cfg.resume, cfg.load_from = True, args.resume
    if args.auto_scale_lr:
        cfg.setdefault('auto_scale_lr', {})['enable'] = True
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    if args.add_hook:
        from mmmix.engine.launch import parse_hook
        cfg.custom_hooks = list(cfg.get('custom_hooks') or []) + [parse_hook(h) for h in
                                                                  args.add_hook]
    for key in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        loader = cfg.get(key)
        if loader and args.no_pin_memory:
            loader['pin_memory'] = False
        if loader and args.no_persistent_workers:
            loader['persistent_workers'] = False
    from mmmix.utils.threads import configure_threads
    configure_threads(cfg, args, log=lambda msg: print(msg, flush=True))
    from mmmix.engine.resume import resolve_auto_resume
    resolve_auto_resume(cfg)  # the work dir's latest checkpoint, or say there is none
    return cfg


def main(argv=None):
    args = parse_args(argv)
    from mmmix.cli import silence_pkg_resources_deprecation
    silence_pkg_resources_deprecation()  # mmengine's and mim's pkg_resources notice
    import mmmix  # noqa: F401  registers mmmix types and the checkpoint allowlist
    from mmengine.runner import Runner
    cfg = Config.fromfile(args.config)
    cfg = merge_args(cfg, args)
    from mmmix.engine.launch import check_dataset_files
    check_dataset_files(cfg, splits=('train', 'val'))  # the splits Runner.train builds
    runner = Runner.from_cfg(cfg)
    if cfg.get('resume'):
        from mmmix.engine.resume import ResumeCheckHook
        runner.register_hook(ResumeCheckHook(cfg.load_from))
    runner.train()
    from mmmix.engine.launch import finish_distributed
    finish_distributed()


if __name__ == '__main__':
    main()
