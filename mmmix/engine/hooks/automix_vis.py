"""Watch AutoMix's learned masks develop: PNG grids every N iterations."""
import os
import os.path as osp
from typing import Dict, Optional

import torch
from mmengine.dist import is_main_process
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from mmmix.registry import HOOKS
from mmmix.utils.validation import check_range

#: the attribute the hook sets on the model to ask for one iteration's record
RECORD_FLAG = 'record_mix_samples'


def _to_image(x: torch.Tensor) -> torch.Tensor:
    """Min-max normalise one normalised image ``[C,H,W]`` to ``[0,1]`` for display."""
    x = x.float()
    lo, hi = x.min(), x.max()
    return (x - lo) / (hi - lo).clamp_min(1e-6)


def save_mask_grid(record: Dict[str, torch.Tensor], path: str, title: str = '') -> str:
    """One row per sample: ``x``, its partner for the Mix Block draw, the
    learned mask of ``x`` (white = ``x``), the mixed image, then the same for
    the backbone draw. ``record`` is what :class:`~mmmix.models.AutoMix`
    keeps for one iteration (CPU tensors)."""
    import matplotlib
    matplotlib.use('Agg', force=False)
    import matplotlib.pyplot as plt

    n = record['x'].shape[0]
    pairs = {'mb': 'Mix Block pair', 'bb': 'backbone pair'}
    cols = [('x', 'x')]
    for tag, pair in pairs.items():
        cols += [(f'partner_{tag}', f'partner\n({pair})'),
                 (f'mask_{tag}', f'mask of x\n({pair})'), (f'mixed_{tag}', f'mixed\n({pair})')]
    cols = [c for c in cols if record.get(c[0]) is not None]
    # one panel is 2.2 x 2.2 inches; fonts are sized for that panel
    fig, axes = plt.subplots(n, len(cols), figsize=(2.2 * len(cols), 2.2 * n + 1.4),
                             squeeze=False)
    for i in range(n):
        for j, (key, label) in enumerate(cols):
            ax = axes[i, j]
            img = record[key][i]
            if key.startswith('mask'):
                ax.imshow(img[0].float().clamp(0, 1).numpy(), cmap='gray', vmin=0, vmax=1)
                share = float(img.float().mean())
                lam = float(record['lam_' + key[-2:]][i])
                ax.set_xlabel(f'mean {share:.2f}, lam {lam:.2f}', fontsize=10)
            else:
                ax.imshow(_to_image(img).permute(1, 2, 0).numpy())
            if i == 0:
                ax.set_title(label, fontsize=11)
            if j == 0:
                ax.set_ylabel(f'sample {i}', fontsize=10)
            ax.set_xticks([])
            ax.set_yticks([])
    import textwrap
    legend = textwrap.fill(
        'Mix Block pair: the (lam, partner) draw whose mask trains the Mix Block; '
        'backbone pair: the draw whose mixed image trains the backbone. Masks: white = x.',
        width=int(2.2 * len(cols) * 72 / 6.5))  # characters of a 10 pt font per line
    fig.suptitle(f'{title}\n{legend}' if title else legend, fontsize=12 if title else 10)
    fig.tight_layout()
    os.makedirs(osp.dirname(osp.abspath(path)), exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


@HOOKS.register_module()
class AutoMixMaskVisHook(Hook):
    """Every ``interval`` training iterations, save a PNG grid of the pairs,
    the learned masks and the mixed images of that iteration to
    ``<work_dir>/<out_dir>/iter_<n>.png`` (main process only).

    Not in any config by default; switch it on with::

        custom_hooks = [dict(type='AutoMixMaskVisHook', interval=500)]

    The model only keeps detached CPU copies of ``num_samples`` samples for
    the iterations the hook asks for; the hook writes the files.
    """
    priority = 'LOW'

    def __init__(self, interval: int = 500, num_samples: int = 6,
                 out_dir: str = 'automix_masks'):
        check_range('interval', interval, low=1, owner=type(self).__name__)
        check_range('num_samples', num_samples, low=1, owner=type(self).__name__)
        self.interval = int(interval)
        self.num_samples = int(num_samples)
        self.out_dir = out_dir
        self.saved = []

    @staticmethod
    def _model(runner):
        return runner.model.module if is_model_wrapper(runner.model) else runner.model

    def before_train_iter(self, runner, batch_idx: int, data_batch=None) -> None:
        want = self.every_n_train_iters(runner, self.interval)
        setattr(self._model(runner), RECORD_FLAG, self.num_samples if want else 0)

    def after_train_iter(self, runner, batch_idx: int, data_batch=None,
                         outputs: Optional[dict] = None) -> None:
        model = self._model(runner)
        setattr(model, RECORD_FLAG, 0)
        record = getattr(model, 'pop_mix_record', lambda: None)()
        if record is None or not is_main_process():
            return
        path = osp.join(runner.work_dir, self.out_dir, f'iter_{runner.iter + 1}.png')
        title = f'AutoMix, iteration {runner.iter + 1}'
        self.saved.append(save_mask_grid(record, path, title=title))
