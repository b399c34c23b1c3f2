"""FixMatch with two processes (gloo on CPU) through tools/dist_train.sh."""
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

from semisup_utils import ROOT, SYNTHETIC_FIXMATCH, load_cfg, point_cfg_at, semisup_root  # noqa


def _free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def test_two_process_gloo_fixmatch(semisup_root, tmp_path):
    work = tmp_path / 'dist'
    cfg = point_cfg_at(load_cfg(SYNTHETIC_FIXMATCH), semisup_root, batch_size=8, mu=3)
    cfg.train_cfg.max_iters = 2
    cfg.train_cfg.val_interval = 2
    cfg.param_scheduler[-1].end = 2
    cfg.default_hooks.checkpoint.interval = 2
    cfg.default_hooks.logger.interval = 1
    cfg.log_level = 'WARNING'
    cfg_path = tmp_path / 'cfg.py'
    cfg.dump(str(cfg_path))
    env = dict(os.environ, OMP_NUM_THREADS='1', PYTHON=sys.executable, PORT=str(_free_port()))
    cmd = ['bash', os.path.join(ROOT, 'tools', 'dist_train.sh'), str(cfg_path), '2',
           '--work-dir', str(work)]
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    assert (work / 'iter_2.pth').exists()
    logs = list(Path(work).glob('*/vis_data/scalars.json'))
    assert logs, 'rank 0 must have written its scalar log'
    lines = [json.loads(x) for x in logs[0].read_text().splitlines()]
    train = [x for x in lines if 'loss_u' in x]
    assert train and train[-1]['iter'] == 2 and 'loss_mix' in train[-1]
    assert any('accuracy/top1' in x for x in lines)
