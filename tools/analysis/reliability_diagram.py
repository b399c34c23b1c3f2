"""Reliability diagram and ECE of a classifier on its validation set.

    python tools/analysis/reliability_diagram.py --config CFG --checkpoint CKPT \
        --out reliability.png [--n-bins 15] [--split val|test] [--device cpu|cuda]
        [--cfg-options k=v ...]

Runs ``model.val_step`` over the config's ``val_dataloader`` (or
``test_dataloader``), writes the diagram PNG and prints the ECE (percent).

The pieces are importable: :func:`collect_predictions` (model + dataloader ->
confidences and correctness), :func:`reliability_figure` (-> an open figure) and
:func:`plot_reliability_diagram` (confidences and correctness -> PNG + statistics);
the binning itself is :func:`mmmix.evaluation.calibration_bins`, the same code as the
``ExpectedCalibrationError`` metric.
"""
import argparse
import os.path as osp
import sys

sys.path.insert(0, osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))))


def collect_predictions(model, dataloader, max_batches=None):
    """``(confidence, correct)`` float64 tensors ``[N]`` from ``model.val_step``
    on every batch of ``dataloader`` (DataSamples with ``pred_score`` and
    ``gt_label``)."""
    import torch

    from mmmix.evaluation.metrics.ece import confidence_and_correct
    confs, corrects = [], []
    model.eval()
    with torch.no_grad():
        for i, data in enumerate(dataloader):
            if max_batches is not None and i >= max_batches:
                break
            for sample in model.val_step(data):
                conf, correct = confidence_and_correct(sample.pred_score.view(1, -1),
                                                       sample.gt_label.reshape(-1)[:1])
                confs.append(conf)
                corrects.append(correct)
    if not confs:
        raise RuntimeError('the dataloader yielded no samples')
    return torch.cat(confs), torch.cat(corrects)


#: the gap overlay: an opaque face (its legend entry must look the same as the bars,
#: which a translucent face would not: over the blue accuracy bars it turned purple)
GAP_STYLE = dict(facecolor='#f4a3a3', edgecolor='tab:red', hatch='//', alpha=1.0)


def reliability_figure(confidence, correct, n_bins=15, title=None):
    """The reliability diagram as an open matplotlib figure: accuracy per confidence bin
    against the diagonal, the gap to the bin's mean confidence overlaid and a histogram
    of confidences. Returns ``(figure, stats)``, with ``stats`` from
    :func:`~mmmix.evaluation.calibration_bins` (``ece`` in percent)."""
    import matplotlib
    matplotlib.use('Agg', force=False)
    import matplotlib.pyplot as plt

    from mmmix.evaluation.metrics.ece import calibration_bins
    stats = calibration_bins(confidence, correct, n_bins)
    edges = stats['edges'].numpy()
    width = edges[1] - edges[0]
    centers = edges[:-1] + width / 2
    count = stats['count'].numpy()
    acc = stats['accuracy'].numpy()
    conf = stats['confidence'].numpy()
    filled = count > 0

    fig, (ax, hist) = plt.subplots(2, 1, figsize=(4.5, 6), sharex=True,
                                   gridspec_kw=dict(height_ratios=[3, 1]))
    ax.bar(centers[filled], acc[filled], width=width, edgecolor='black', color='tab:blue',
           label='accuracy')
    gap_low = [min(a, c) for a, c in zip(acc[filled], conf[filled])]
    gap = [abs(a - c) for a, c in zip(acc[filled], conf[filled])]
    ax.bar(centers[filled], gap, bottom=gap_low, width=width, label='gap to confidence',
           **GAP_STYLE)
    ax.plot([0, 1], [0, 1], 'k--', lw=1, label='perfect calibration')
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_ylabel('accuracy')
    ece_text = f'ECE = {float(stats["ece"]):.2f}%'
    ax.set_title(f'{title}\n{ece_text}' if title else ece_text, fontsize=10)
    ax.legend(loc='upper left', fontsize=8)
    hist.bar(centers, count / max(count.sum(), 1), width=width, edgecolor='black',
             color='tab:gray')
    hist.set_xlabel('confidence')
    hist.set_ylabel('share')
    fig.tight_layout()
    return fig, stats


def plot_reliability_diagram(confidence, correct, out_file, n_bins=15, title=None):
    """Write :func:`reliability_figure` to ``out_file`` and return its statistics."""
    import matplotlib.pyplot as plt
    fig, stats = reliability_figure(confidence, correct, n_bins, title)
    fig.savefig(out_file, dpi=120)
    plt.close(fig)
    return stats


def build_model_and_loader(cfg, checkpoint, split='val', device='cpu'):
    """Build the model (weights from ``checkpoint``) and the ``{split}_dataloader``
    of an mmengine config."""
    from mmengine.registry import MODELS, init_default_scope
    from mmengine.runner import Runner, load_checkpoint
    from mmengine.utils import import_modules_from_strings

    import mmmix  # noqa: F401
    if cfg.get('custom_imports'):
        import_modules_from_strings(**cfg.custom_imports)
    init_default_scope(cfg.get('default_scope', 'mmpretrain'))
    model_cfg = cfg.model.copy()
    # as mmengine's Runner does: a top-level data_preprocessor (mean/std,
    # to_rgb) belongs to the model
    if cfg.get('data_preprocessor') is not None:
        model_cfg.setdefault('data_preprocessor', cfg.data_preprocessor)
    model = MODELS.build(model_cfg)
    load_checkpoint(model, checkpoint, map_location='cpu')
    model.to(device)
    loader_cfg = cfg.get(f'{split}_dataloader')
    if loader_cfg is None:
        raise KeyError(f'the config has no {split}_dataloader')
    loader = Runner.build_dataloader(loader_cfg)
    return model, loader


def parse_args(argv=None):
    from mmengine.config import DictAction
    p = argparse.ArgumentParser(description='Reliability diagram + ECE of a classifier')
    p.add_argument('--config', required=True)
    p.add_argument('--checkpoint', required=True)
    p.add_argument('--out', required=True, help='output PNG')
    p.add_argument('--n-bins', type=int, default=15)
    p.add_argument('--split', choices=['val', 'test'], default='val')
    p.add_argument('--device', default=None, help='default: cuda if available, else cpu')
    p.add_argument('--max-batches', type=int, default=None)
    p.add_argument('--cfg-options', nargs='+', action=DictAction)
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    from mmmix.cli import silence_pkg_resources_deprecation
    silence_pkg_resources_deprecation()  # mmengine's and mim's pkg_resources notice
    import torch
    from mmengine.config import Config
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    device = args.device or ('cuda' if torch.cuda.is_available() else 'cpu')
    model, loader = build_model_and_loader(cfg, args.checkpoint, args.split, device)
    conf, correct = collect_predictions(model, loader, args.max_batches)
    stats = plot_reliability_diagram(conf, correct, args.out, args.n_bins,
                                     title=osp.splitext(osp.basename(args.config))[0])
    ece = float(stats['ece'])
    print(f'samples: {conf.numel()}  accuracy: {100 * float(correct.mean()):.2f}%  '
          f'ECE ({args.n_bins} bins): {ece:.2f}%  diagram: {args.out}')
    return ece


if __name__ == '__main__':
    main()
