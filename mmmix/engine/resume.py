"""What tools/train.py adds to mmengine's resume: it says plainly when there is
nothing to resume from, and names the checkpoint whose optimizer state does not
fit the config (mmengine fails with e.g. ``KeyError: 'param_groups'``)."""
from typing import Optional

from mmengine.hooks import Hook
from mmengine.runner import find_latest_checkpoint


def resolve_auto_resume(cfg) -> None:
    """``resume=True`` without ``load_from`` (``--resume`` alone): set
    ``load_from`` to the work dir's latest checkpoint, as mmengine would; with
    none, print so and train from scratch (mmengine would log "Auto resumed from
    the latest checkpoint None")."""
    if not cfg.get('resume') or cfg.get('load_from'):
        return
    latest = find_latest_checkpoint(cfg.work_dir)
    if latest is None:
        print(f'--resume: no checkpoint found in the work dir {cfg.work_dir} (no '
              'last_checkpoint file); training starts from scratch', flush=True)
        cfg.resume = False
    else:
        cfg.load_from = latest


def optimizer_mismatch(optim_wrapper, state, key: str = 'optim_wrapper') -> Optional[str]:
    """Why ``state`` (a saved ``optim_wrapper.state_dict()``) cannot be loaded
    into ``optim_wrapper`` (an ``OptimWrapper`` or ``OptimWrapperDict``); None if
    its optimizers and parameter group sizes match."""
    wrappers = getattr(optim_wrapper, 'optim_wrappers', None)  # OptimWrapperDict
    saved_keys = sorted(state) if isinstance(state, dict) else type(state).__name__
    if wrappers is not None:
        if not isinstance(state, dict) or set(state) != set(wrappers):
            return f'{key} has the optimizers {sorted(wrappers)}, the checkpoint {saved_keys}'
        for name, wrapper in wrappers.items():
            why = optimizer_mismatch(wrapper, state[name], f'{key}.{name}')
            if why:
                return why
        return None
    saved = state.get('param_groups') if isinstance(state, dict) else None
    if not isinstance(saved, list):
        return f'{key} is one optimizer; the checkpoint has no param_groups but {saved_keys}'
    sizes = [len(g['params']) for g in optim_wrapper.optimizer.param_groups]
    saved_sizes = [len(g.get('params', ())) for g in saved]
    if sizes != saved_sizes:
        return (f'{key} has parameter groups of {sizes} parameters, the checkpoint '
                f'{saved_sizes}')
    return None


class ResumeCheckHook(Hook):
    """Refuses to resume from ``checkpoint`` when its optimizer state does not
    fit the runner's optim wrapper, before the Runner loads it."""

    priority = 'VERY_HIGH'

    def __init__(self, checkpoint: str):
        self.checkpoint = checkpoint

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        if 'optimizer' not in checkpoint:
            return
        why = optimizer_mismatch(runner.optim_wrapper, checkpoint['optimizer'])
        if why:
            raise ValueError(
                f'cannot resume from {self.checkpoint}: its optimizer state does not match '
                f"the config's optimiser ({why}). Was it saved by another model or config? "
                'To start from its weights only, set load_from without --resume.')
