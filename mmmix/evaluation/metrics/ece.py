"""Expected calibration error (Guo et al., ICML 2017, arXiv:1706.04599)."""
from typing import Dict, List, Optional, Sequence

import torch
from mmengine.evaluator import BaseMetric
from torch import Tensor

from mmmix.registry import METRICS
from mmmix.utils.validation import ConfigError, StrictKwargs


def confidence_and_correct(scores: Tensor, labels: Tensor):
    """``(confidence, correct)`` ``[N]`` from class scores ``[N, C]`` (probabilities)
    and hard labels ``[N]``: the top score and whether its class is the label."""
    scores = torch.as_tensor(scores).detach().double()
    conf, pred = scores.max(dim=1)
    labels = torch.as_tensor(labels).reshape(-1).to(pred.device)
    return conf, (pred == labels).double()


def calibration_bins(confidence: Tensor, correct: Tensor, n_bins: int = 15) -> Dict[str, Tensor]:
    """Bin predictions by confidence into ``n_bins`` equal-width bins.

    Bin ``k`` holds confidences in ``(k / n_bins, (k + 1) / n_bins]`` (bin 0 also
    holds 0). Returns float64 tensors ``edges`` ``[n_bins + 1]`` and, per bin,
    ``count``, ``accuracy`` and ``confidence`` (mean; 0 for empty bins), plus
    ``ece`` (a 0-d tensor, in percent):
    ``ECE = sum_k |B_k| / N * |acc(B_k) - conf(B_k)|``.
    """
    if int(n_bins) < 1:
        raise ValueError(f'n_bins={n_bins!r} must be a positive integer')
    confidence = torch.as_tensor(confidence).detach().double().reshape(-1).cpu()
    correct = torch.as_tensor(correct).detach().double().reshape(-1).cpu()
    if confidence.shape != correct.shape:
        raise ValueError(f'confidence {tuple(confidence.shape)} and correct '
                         f'{tuple(correct.shape)} must have the same length')
    edges = torch.linspace(0, 1, n_bins + 1, dtype=torch.float64)
    which = torch.bucketize(confidence.clamp(0, 1), edges[1:-1], right=False)

    def per_bin(values):
        return torch.zeros(n_bins, dtype=torch.float64).index_add_(0, which, values)

    count = per_bin(torch.ones_like(confidence))
    acc_sum = per_bin(correct)
    conf_sum = per_bin(confidence)
    safe = count.clamp(min=1)
    accuracy = acc_sum / safe
    mean_conf = conf_sum / safe
    total = max(confidence.numel(), 1)
    ece = ((count / total) * (accuracy - mean_conf).abs()).sum() * 100.
    return dict(edges=edges, count=count, accuracy=accuracy, confidence=mean_conf, ece=ece)


def expected_calibration_error(scores: Tensor, labels: Tensor, n_bins: int = 15) -> float:
    """ECE in percent from class probabilities ``[N, C]`` and labels ``[N]``."""
    conf, correct = confidence_and_correct(scores, labels)
    return float(calibration_bins(conf, correct, n_bins)['ece'])


def _field(sample, key):
    if isinstance(sample, dict):
        return sample.get(key)
    return getattr(sample, key, None)


@METRICS.register_module()
class ExpectedCalibrationError(StrictKwargs, BaseMetric):
    """Expected calibration error of single-label predictions, in percent.

    :meth:`process` keeps only the confidence (top ``pred_score``) and
    whether the top class equals ``gt_label``; :meth:`compute_metrics` bins
    the confidences into ``n_bins`` equal-width bins (see
    :func:`calibration_bins`) and returns ``{'ece': value}``.

    Example::

        val_evaluator = [dict(type='Accuracy', topk=(1, 5)),
                         dict(type='mmmix.ExpectedCalibrationError', n_bins=15)]

    Args:
        n_bins (int): number of confidence bins. Default 15 (Guo et al.).
        collect_device (str): ``'cpu'`` or ``'gpu'``, as :class:`BaseMetric`.
        prefix (str, optional): metric name prefix. Default ``'calibration'``.
    """
    default_prefix: Optional[str] = 'calibration'

    def __init__(self, n_bins: int = 15, collect_device: str = 'cpu',
                 prefix: Optional[str] = None, collect_dir: Optional[str] = None):
        if isinstance(n_bins, bool) or not isinstance(n_bins, int) or n_bins < 1:
            raise ConfigError(f'ExpectedCalibrationError: n_bins={n_bins!r} must be a '
                              'positive integer')
        super().__init__(collect_device=collect_device, prefix=prefix, collect_dir=collect_dir)
        self.n_bins = n_bins

    def process(self, data_batch, data_samples: Sequence) -> None:
        for sample in data_samples:
            score = _field(sample, 'pred_score')
            label = _field(sample, 'gt_label')
            if score is None or label is None:
                raise ValueError('ExpectedCalibrationError needs pred_score and gt_label in '
                                 'every data sample (a classifier head with softmax scores)')
            conf, correct = confidence_and_correct(
                torch.as_tensor(score).detach().cpu().view(1, -1),
                torch.as_tensor(label).cpu().reshape(-1)[:1])
            self.results.append((float(conf), float(correct)))

    def compute_metrics(self, results: List) -> Dict[str, float]:
        if not results:
            return dict(ece=0.)
        conf = torch.tensor([r[0] for r in results], dtype=torch.float64)
        correct = torch.tensor([r[1] for r in results], dtype=torch.float64)
        return dict(ece=float(calibration_bins(conf, correct, self.n_bins)['ece']))
