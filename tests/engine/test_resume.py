"""Trap 3: torch>=2.6 loads with weights_only=True; mmengine 0.10.7 checkpoints
carry HistoryBuffer/numpy objects. mmmix allowlists exactly those, so a run can
stop and resume with its epoch and optimizer state intact."""
import pickle
import subprocess
import sys

import pytest
import torch
from mmengine.hooks import Hook
from mmengine.runner import Runner

from mmmix.utils import CHECKPOINT_SAFE_GLOBALS, safe_load


class RecordStart(Hook):
    """Records where training (re)starts and the optimizer state at that point."""

    def before_train(self, runner):
        self.epoch, self.iter = runner.epoch, runner.iter
        state = runner.optim_wrapper.optimizer.state_dict()['state']
        self.optim_state = {k: {kk: (vv.clone() if torch.is_tensor(vv) else vv)
                                for kk, vv in v.items()}
                            for k, v in state.items()}
        self.params = {k: v.detach().clone() for k, v in runner.model.state_dict().items()}


def test_train_stop_resume(synthetic_cls_root, cls_cfg_factory, tmp_path):
    work = tmp_path / 'run'
    cfg = cls_cfg_factory(synthetic_cls_root, work, max_epochs=2)
    Runner.from_cfg(cfg).train()
    ckpt = work / 'epoch_2.pth'
    assert ckpt.exists()
    saved = safe_load(str(ckpt))  # weights_only=True with the allowlist
    assert saved['meta']['epoch'] == 2

    # "restart the process": a new runner from the same work dir, 1 more epoch
    cfg = cls_cfg_factory(synthetic_cls_root, work, max_epochs=3)
    cfg.resume = True
    rec = RecordStart()
    runner = Runner.from_cfg(cfg)
    runner.register_hook(rec)
    runner.train()

    assert rec.epoch == 2, 'training must continue from the saved epoch'
    assert rec.iter == saved['meta']['iter']
    assert runner.epoch == 3
    # optimizer state (momentum buffers) restored exactly
    st = saved['optimizer']['state']
    assert st and set(st) == set(rec.optim_state)
    for k in st:
        torch.testing.assert_close(rec.optim_state[k]['momentum_buffer'], st[k]['momentum_buffer'])
    # weights restored exactly (the model was rebuilt from scratch before resuming)
    for k, v in saved['state_dict'].items():
        torch.testing.assert_close(rec.params[k], v)


def test_allowlist_is_needed_and_exact(synthetic_cls_root, cls_cfg_factory, tmp_path):
    work = tmp_path / 'run'
    cfg = cls_cfg_factory(synthetic_cls_root, work, max_epochs=1)
    Runner.from_cfg(cfg).train()
    ckpt = str(work / 'epoch_1.pth')
    # without mmmix's allowlist, a plain weights_only load of the same file fails
    code = ('import torch,sys\n'
            'try:\n torch.load(sys.argv[1], weights_only=True)\n'
            'except Exception as e:\n print("FAIL", type(e).__name__, e); sys.exit(3)\n')
    out = subprocess.run([sys.executable, '-c', code, ckpt], capture_output=True, text=True)
    assert out.returncode == 3 and 'HistoryBuffer' in out.stdout
    # the allowlist names classes, not a blanket fallback
    assert all(isinstance(g, type) or callable(g) for g in CHECKPOINT_SAFE_GLOBALS)
    names = {getattr(g, '__name__', '') for g in CHECKPOINT_SAFE_GLOBALS}
    assert 'HistoryBuffer' in names


class Evil:
    def __reduce__(self):
        return (print, ('pwned', ))


def test_safe_load_refuses_arbitrary_pickles(tmp_path):
    path = tmp_path / 'evil.pth'
    torch.save({'state_dict': {}, 'meta': {'x': Evil()}}, str(path))
    with pytest.raises(RuntimeError, match='refusing to load'):
        safe_load(str(path))
    with pytest.raises(pickle.UnpicklingError):
        torch.load(str(path), weights_only=True)


def test_resume_after_sigkill(synthetic_cls_root, cls_cfg_factory, tmp_path):
    """Kill a training process (SIGKILL, no clean-up) once it has written a
    checkpoint, then resume with tools/train.py --resume."""
    import os
    import signal
    import time

    from conftest import ROOT
    work = tmp_path / 'run'
    cfg = cls_cfg_factory(synthetic_cls_root, work, max_epochs=200)
    cfg_path = tmp_path / 'cfg.py'
    cfg.dump(str(cfg_path))
    env = dict(os.environ, OMP_NUM_THREADS='1')
    train = [sys.executable, os.path.join(ROOT, 'tools', 'train.py'), str(cfg_path),
             '--work-dir', str(work)]
    proc = subprocess.Popen(train, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    last = work / 'last_checkpoint'
    deadline = time.time() + 240
    try:
        while not last.exists() and time.time() < deadline and proc.poll() is None:
            time.sleep(0.2)
        assert last.exists(), 'no checkpoint was written before the deadline'
        time.sleep(1.0)  # let it get into the middle of later epochs
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    saved_path = last.read_text().strip()
    saved = safe_load(saved_path)
    start = saved['meta']['epoch']
    assert 1 <= start < 200

    out = subprocess.run(train + ['--resume', '--cfg-options', f'train_cfg.max_epochs={start + 1}',
                                  f'param_scheduler.T_max={start + 1}'],
                         env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-2000:]
    resumed = safe_load(str(work / f'epoch_{start + 1}.pth'))
    assert resumed['meta']['epoch'] == start + 1
    # the second run logged only the iterations after the checkpoint: it resumed
    # rather than starting again from iteration 1
    import json
    logs = sorted(work.glob('*/vis_data/scalars.json'), key=lambda p: p.parent.parent.name)
    iters = [json.loads(line)['iter'] for line in logs[-1].read_text().splitlines()
             if '"loss"' in line]
    assert iters and min(iters) == saved['meta']['iter'] + 1
    assert max(iters) == resumed['meta']['iter']
