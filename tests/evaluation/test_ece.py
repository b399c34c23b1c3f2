"""ExpectedCalibrationError against a hand computation, and the reliability
diagram tool's plotting core."""
import importlib.util
import os.path as osp

import pytest
import torch
from mmpretrain.structures import DataSample

import mmmix  # noqa: F401
from mmmix.evaluation import (ExpectedCalibrationError, calibration_bins,
                              expected_calibration_error)
from mmmix.registry import METRICS
from mmmix.utils.validation import ConfigError

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))

# 3 classes, 6 predictions; confidences 0.9, 0.75, 0.45, 0.55, 0.35, 0.95 (none on a
# bin edge, float32 scores)
SCORES = torch.tensor([[0.90, 0.05, 0.05],   # pred 0, label 0: correct
                       [0.10, 0.75, 0.15],   # pred 1, label 2: wrong
                       [0.45, 0.30, 0.25],   # pred 0, label 0: correct
                       [0.25, 0.20, 0.55],   # pred 2, label 2: correct
                       [0.35, 0.33, 0.32],   # pred 0, label 1: wrong
                       [0.02, 0.95, 0.03]])  # pred 1, label 1: correct
LABELS = torch.tensor([0, 2, 0, 2, 1, 1])


def hand_ece_5_bins():
    # bins of width 0.2: (0,.2] (.2,.4] (.4,.6] (.6,.8] (.8,1]
    # (.2,.4]: {0.35 wrong}           acc 0,   conf .35  -> |0 - .35|   = .35
    # (.4,.6]: {0.45 ok, 0.55 ok}     acc 1,   conf .5   -> |1 - .5|    = .5
    # (.6,.8]: {0.75 wrong}           acc 0,   conf .75  -> .75
    # (.8,1]:  {0.9 ok, 0.95 ok}      acc 1,   conf .925 -> .075
    return 100 * (1 / 6 * 0.35 + 2 / 6 * 0.5 + 1 / 6 * 0.75 + 2 / 6 * 0.075)


def test_ece_matches_hand_computation():
    assert abs(expected_calibration_error(SCORES, LABELS, n_bins=5) - hand_ece_5_bins()) < 1e-5
    # one bin: |accuracy - mean confidence|
    conf = SCORES.max(1).values.double()
    one_bin = 100 * abs(4 / 6 - float(conf.mean()))
    assert abs(expected_calibration_error(SCORES, LABELS, n_bins=1) - one_bin) < 1e-9


def test_calibration_bins_statistics():
    conf = SCORES.max(1).values
    correct = (SCORES.argmax(1) == LABELS).double()
    stats = calibration_bins(conf, correct, n_bins=5)
    assert stats['count'].tolist() == [0, 1, 2, 1, 2]
    assert torch.allclose(stats['accuracy'], torch.tensor([0, 0, 1, 0, 1], dtype=torch.float64))
    assert torch.allclose(stats['confidence'][1:],
                          torch.tensor([0.35, 0.5, 0.75, 0.925], dtype=torch.float64))


def test_metric_process_and_compute():
    metric = METRICS.build(dict(type='ExpectedCalibrationError', n_bins=5))
    assert isinstance(metric, ExpectedCalibrationError)
    # mmengine's evaluator hands dicts; DataSample objects work too
    as_dicts = [dict(pred_score=s, gt_label=l.view(1)) for s, l in zip(SCORES[:3], LABELS[:3])]
    as_samples = [DataSample().set_pred_score(s).set_gt_label(int(l))
                  for s, l in zip(SCORES[3:], LABELS[3:])]
    metric.process(None, as_dicts)
    metric.process(None, as_samples)
    result = metric.evaluate(size=6)
    assert set(result) == {'calibration/ece'}
    assert abs(result['calibration/ece'] - hand_ece_5_bins()) < 1e-5


@pytest.mark.parametrize('scope,name', [('mmpretrain', 'mmmix.ExpectedCalibrationError'),
                                        ('mmmix', 'ExpectedCalibrationError')])
def test_metric_through_mmengine_evaluator(scope, name):
    # as a val_evaluator of a stock mmpretrain config or of an mmmix config
    from mmengine.evaluator import Evaluator
    from mmengine.registry import DefaultScope
    with DefaultScope.overwrite_default_scope(scope):
        evaluator = Evaluator([dict(type='Accuracy'), dict(type=name, n_bins=5)])
    samples = [DataSample().set_pred_score(s).set_gt_label(int(l)) for s, l in zip(SCORES, LABELS)]
    evaluator.process(samples)
    result = evaluator.evaluate(6)
    assert abs(result['calibration/ece'] - hand_ece_5_bins()) < 1e-5
    assert abs(result['accuracy/top1'] - 100 * 4 / 6) < 1e-4


@pytest.mark.parametrize('kwargs,match', [
    (dict(n_bins=0), 'n_bins=0 must be a positive integer'),
    (dict(n_bins=2.5), 'n_bins=2.5 must be a positive integer'),
    (dict(bins=10), r"unknown config key\(s\) \['bins'\]"),
])
def test_metric_config_errors(kwargs, match):
    with pytest.raises(ConfigError, match=match):
        ExpectedCalibrationError(**kwargs)


def test_metric_needs_scores():
    metric = ExpectedCalibrationError()
    with pytest.raises(ValueError, match='pred_score and gt_label'):
        metric.process(None, [dict(pred_label=torch.tensor([1]), gt_label=torch.tensor([1]))])


def _load_tool():
    path = osp.join(ROOT, 'tools', 'analysis', 'reliability_diagram.py')
    spec = importlib.util.spec_from_file_location('reliability_diagram', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_reliability_diagram_on_random_predictions(tmp_path):
    tool = _load_tool()
    g = torch.Generator().manual_seed(0)
    scores = torch.softmax(torch.randn(200, 10, generator=g) * 3, 1)
    labels = torch.randint(0, 10, (200, ), generator=g)
    conf, correct = scores.max(1).values, (scores.argmax(1) == labels).double()
    out = tmp_path / 'rel.png'
    stats = tool.plot_reliability_diagram(conf, correct, str(out), n_bins=10)
    assert out.read_bytes()[:8] == b'\x89PNG\r\n\x1a\n'
    assert abs(float(stats['ece']) - expected_calibration_error(scores, labels, 10)) < 1e-9


def test_reliability_collect_predictions_uses_val_step():
    tool = _load_tool()

    class FakeModel:
        def eval(self):
            return self

        def val_step(self, data):
            return [DataSample().set_pred_score(s).set_gt_label(int(l))
                    for s, l in zip(data['scores'], data['labels'])]

    loader = [dict(scores=SCORES[:4], labels=LABELS[:4]), dict(scores=SCORES[4:],
                                                               labels=LABELS[4:])]
    conf, correct = tool.collect_predictions(FakeModel(), loader)
    assert conf.shape == (6, ) and correct.tolist() == [1, 0, 1, 1, 0, 1]
    assert abs(float(calibration_bins(conf, correct, 5)['ece']) - hand_ece_5_bins()) < 1e-5


def _dominant_colour(img, box):
    """The most frequent RGB colour of ``img`` (``[H, W, 4]`` uint8, origin top-left) inside
    the display-space ``box`` (x0, y0, x1, y1; origin bottom-left), shrunk by 2 pixels."""
    import numpy as np
    h = img.shape[0]
    x0, y0, x1, y1 = (int(round(v)) for v in box)
    patch = img[h - y1 + 2:h - y0 - 2, x0 + 2:x1 - 2, :3].reshape(-1, 3)
    colours, counts = np.unique(patch, axis=0, return_counts=True)
    return tuple(int(c) for c in colours[counts.argmax()])


def test_reliability_gap_overlay_looks_like_its_legend_entry():
    """The gap drawn over an accuracy bar (accuracy > confidence) has the colour of the
    legend's gap entry, as rendered (a translucent overlay would blend with the bar)."""
    import matplotlib.pyplot as plt
    import numpy as np
    tool = _load_tool()
    # bin [0.5, 0.6): confidence 0.55, all correct -> the gap spans 0.55..1 over the bar;
    # bin [0.9, 1.0): confidence 0.95, all wrong -> the gap spans 0..0.95 over white
    conf = torch.tensor([0.55] * 50 + [0.95] * 50, dtype=torch.float64)
    correct = torch.tensor([1.] * 50 + [0.] * 50, dtype=torch.float64)
    fig, stats = tool.reliability_figure(conf, correct, n_bins=10)
    ax = fig.axes[0]
    handles = {t.get_text(): h for t, h in zip(ax.get_legend().get_texts(),
                                               ax.get_legend().legend_handles)}
    gap_entry = handles['gap to confidence']
    gap_bars, = [c.patches for c in ax.containers if c.get_label() == 'gap to confidence']
    assert len(gap_bars) == 2
    assert all(np.allclose(p.get_facecolor(), gap_entry.get_facecolor()) for p in gap_bars)
    fig.canvas.draw()
    img = np.asarray(fig.canvas.buffer_rgba())
    over_bar = ax.transData.transform([(0.51, 0.6), (0.59, 0.95)]).ravel()
    over_white = ax.transData.transform([(0.91, 0.1), (0.99, 0.9)]).ravel()
    entry = gap_entry.get_window_extent(fig.canvas.get_renderer()).extents
    legend_colour = _dominant_colour(img, entry)
    assert _dominant_colour(img, over_bar) == legend_colour
    assert _dominant_colour(img, over_white) == legend_colour
    assert float(stats['ece']) == pytest.approx(100 * (0.5 * 0.45 + 0.5 * 0.95))
    plt.close(fig)
