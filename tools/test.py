"""Evaluate a checkpoint with mmengine's Runner.

    python tools/test.py CONFIG CHECKPOINT [--work-dir DIR] [--out FILE.pkl]
                         [--out-item {pred,metrics}] [--show-dir DIR] [--tta]
                         [--cfg-options k=v ...] [--launcher {none,pytorch,slurm}]

The flags mean what they mean in mmpretrain's ``tools/test.py``: ``--out``
dumps the predictions (mmengine's ``DumpResults``, a pickle) unless
``--out-item metrics`` asks for the metrics (JSON for a ``.json`` file);
``--show-dir`` switches the visualisation hook on and writes its images there;
``--tta`` evaluates the config's ``tta_model``/``tta_pipeline`` (default:
averaged scores of the image and its horizontal flip).
"""
import argparse
import os
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.abspath(__file__))))

from mmengine.config import Config, DictAction  # noqa: E402


def parse_args(argv=None):
    p = argparse.ArgumentParser(description='Test a classifier (mmmix)')
    p.add_argument('config')
    p.add_argument('checkpoint')
    p.add_argument('--work-dir')
    p.add_argument('--out', help='dump the predictions (a .pkl file), or the metrics with '
                                 '--out-item metrics')
    p.add_argument('--out-item', choices=['pred', 'metrics'],
                   help="what --out holds (default 'pred')")
    p.add_argument('--show-dir', help='save the visualised test samples in this directory')
    p.add_argument('--interval', type=int, default=1,
                   help='visualise every this many samples (with --show-dir)')
    p.add_argument('--tta', action='store_true', help='test-time augmentation')
    p.add_argument('--no-pin-memory', action='store_true', help='pin_memory=False for testing')
    p.add_argument('--cfg-options', nargs='+', action=DictAction)
    p.add_argument('--launcher', choices=['none', 'pytorch', 'slurm', 'mpi'], default='none')
    p.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = p.parse_args(argv)
    if args.out and args.out_item in (None, 'pred') and \
            not args.out.endswith(('.pkl', '.pickle')):
        p.error(f'--out {args.out}: predictions are dumped as a pickle (.pkl); '
                'add --out-item metrics to write the metrics instead')
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    return args


def show_samples(cfg, show_dir, interval):
    """Switch the config's visualisation hook on, writing into ``show_dir``."""
    hook = cfg.get('default_hooks', {}).get('visualization')
    if not hook:
        raise ValueError('--show-dir needs default_hooks.visualization in the config')
    hook.update(enable=True, interval=interval)
    if 'Det' in str(hook.get('type', '')):  # mmdet's DetVisualizationHook
        hook.update(draw=True, test_out_dir=show_dir)
    else:
        hook.update(out_dir=show_dir)


def use_tta(cfg):
    """Wrap the model in ``cfg.tta_model`` and test on ``cfg.tta_pipeline``; without
    them, average the class scores of the image and its horizontal flip."""
    from copy import deepcopy

    from mmengine.config import ConfigDict
    tta_model = cfg.get('tta_model') or dict(type='AverageClsScoreTTA')
    pipeline = cfg.get('tta_pipeline')
    if pipeline is None:
        pipeline = deepcopy(cfg.test_dataloader.dataset.pipeline)
        pack = pipeline[-1]
        pipeline[-1] = dict(type='TestTimeAug', transforms=[
            [dict(type='RandomFlip', prob=0.), dict(type='RandomFlip', prob=1.)], [pack]])
    if cfg.get('data_preprocessor') and 'data_preprocessor' not in cfg.model:
        # the Runner would give the top-level preprocessor to the wrapper, not the model
        cfg.model['data_preprocessor'] = cfg.data_preprocessor
    cfg.model = ConfigDict(**tta_model, module=cfg.model)
    cfg.test_dataloader.dataset.pipeline = pipeline


def main(argv=None):
    args = parse_args(argv)
    from mmmix.cli import silence_pkg_resources_deprecation
    silence_pkg_resources_deprecation()  # mmengine's and mim's pkg_resources notice
    import mmmix  # noqa: F401
    from mmengine.runner import Runner

    from mmmix.engine.launch import apply_launcher, check_dataset_files
    cfg = Config.fromfile(args.config)
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    apply_launcher(cfg, args.launcher, args.config, args.work_dir)
    cfg.load_from = args.checkpoint
    if args.no_pin_memory:
        cfg.test_dataloader['pin_memory'] = False
    if args.show_dir:
        show_samples(cfg, args.show_dir, args.interval)
    if args.tta:
        use_tta(cfg)
    check_dataset_files(cfg, splits=('test', ))  # the only split Runner.test builds
    runner = Runner.from_cfg(cfg)
    if args.out and args.out_item != 'metrics':
        from mmengine.evaluator import DumpResults
        runner.test_evaluator.metrics.append(DumpResults(out_file_path=args.out))
    metrics = runner.test()
    from mmengine.dist import is_main_process
    if args.out and args.out_item == 'metrics' and is_main_process():
        import mmengine
        mmengine.dump({k: float(v) for k, v in metrics.items()}, args.out, indent=2)
    from mmmix.engine.launch import finish_distributed
    finish_distributed()
    return metrics


if __name__ == '__main__':
    main()
