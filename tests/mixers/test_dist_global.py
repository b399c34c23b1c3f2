"""dist_mode='global' under 2 real gloo processes: one global permutation shared
by all ranks, partners taken from the gathered batch, labels paired the same way."""
import os
import os.path as osp
import socket
import subprocess
import sys

import pytest
import torch

WORKER = osp.join(osp.dirname(osp.abspath(__file__)), '_global_worker.py')


def _port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


@pytest.mark.parametrize('mixer', ['Mixup', 'CutMix'])
def test_cross_rank_pairing(tmp_path, mixer):
    port = _port()
    env = dict(os.environ, OMP_NUM_THREADS='1')
    procs = [subprocess.Popen([sys.executable, WORKER, str(r), '2', str(port), str(tmp_path),
                               mixer], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
             for r in range(2)]
    for p in procs:
        out, _ = p.communicate(timeout=240)
        assert p.returncode == 0, out.decode()[-3000:]
    res = [torch.load(str(tmp_path / f'rank{r}.pth'), weights_only=True) for r in range(2)]
    x_all = torch.cat([r['x'] for r in res])
    y_all = torch.cat([r['y'] for r in res])
    index = torch.cat([r['index'] for r in res])
    # the two ranks' indices together form one permutation of the global batch
    assert sorted(index.tolist()) == list(range(8))
    for r in res:
        assert r['gathered']
        assert torch.equal(r['y_a'], r['y']) and torch.equal(r['y_b'], y_all[r['index']])
        w = r['mask'] if r['mask'] is not None else r['lam'].view(-1, 1, 1, 1)
        expected = w * r['x'] + (1 - w) * x_all[r['index']]
        torch.testing.assert_close(r['inputs'], expected, atol=1e-6, rtol=1e-5)
        if r['mask'] is not None:
            torch.testing.assert_close(r['mask'].mean((1, 2, 3)), r['lam'])
