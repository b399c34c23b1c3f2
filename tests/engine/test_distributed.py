"""Two processes, gloo backend on CPU, launched with tools/dist_train.sh (torchrun)."""
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

from conftest import ROOT


def _free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def test_two_process_gloo_training(synthetic_cls_root, cls_cfg_factory, tmp_path):
    work = tmp_path / 'dist'
    cfg = cls_cfg_factory(synthetic_cls_root, work, max_epochs=1, batch_size=4)
    cfg.env_cfg.dist_cfg = dict(backend='nccl')  # tools/train.py must switch to gloo on CPU
    cfg.default_hooks.logger.interval = 1
    cfg_path = tmp_path / 'cfg.py'
    cfg.dump(str(cfg_path))
    # through the documented launcher: tools/dist_train.sh (torchrun)
    env = dict(os.environ, OMP_NUM_THREADS='1', PYTHON=sys.executable, PORT=str(_free_port()))
    cmd = ['bash', os.path.join(ROOT, 'tools', 'dist_train.sh'), str(cfg_path), '2',
           '--work-dir', str(work)]
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    assert (work / 'epoch_1.pth').exists()
    logs = list(Path(work).glob('*/vis_data/scalars.json'))
    assert logs, 'rank 0 must have written its scalar log'
    lines = [json.loads(x) for x in logs[0].read_text().splitlines()]
    # 8 train images / (2 ranks x batch 4) = 1 iteration per epoch; one process
    # alone would need 2: the ranks really split the data
    train = [x for x in lines if 'loss' in x]
    assert train and train[-1]['iter'] == 1

    # and evaluate that checkpoint with 2 processes through tools/test.py
    out_json = tmp_path / 'metrics.json'
    cmd = [sys.executable, '-m', 'torch.distributed.run', '--nproc_per_node=2',
           f'--master_port={_free_port()}', os.path.join(ROOT, 'tools', 'test.py'), str(cfg_path),
           str(work / 'epoch_1.pth'), '--launcher', 'pytorch', '--work-dir', str(work),
           '--out', str(out_json), '--out-item', 'metrics']
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    assert 'accuracy/top1' in json.loads(out_json.read_text())
