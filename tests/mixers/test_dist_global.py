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


def run_workers(tmp_path, mode, timeout=240):
    """Two worker ranks; a hang fails (after ``timeout`` s) instead of blocking."""
    port = _port()
    env = dict(os.environ, OMP_NUM_THREADS='1')
    procs = [subprocess.Popen([sys.executable, WORKER, str(r), '2', str(port), str(tmp_path),
                               mode], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
             for r in range(2)]
    try:
        for p in procs:
            try:
                out, _ = p.communicate(timeout=timeout)
            except subprocess.TimeoutExpired:
                pytest.fail(f'the ranks hung for {timeout} s (collectives out of step)')
            assert p.returncode == 0, out.decode()[-3000:]
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
    return [torch.load(str(tmp_path / f'rank{r}.pth'), weights_only=True) for r in range(2)]


@pytest.mark.parametrize('mixer', ['Mixup', 'CutMix'])
def test_cross_rank_pairing(tmp_path, mixer):
    res = run_workers(tmp_path, mixer)
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


def test_mixer_choice_is_shared_with_a_global_mixer(tmp_path):
    """A global mixer beside 'vanilla' with per-rank seeds (diff_rank_seed):
    both ranks pick the same mixer at every step, so both enter the
    collectives (they hung before) and both mixers are used."""
    res = run_workers(tmp_path, 'choice')
    assert res[0]['picks'] == res[1]['picks']
    assert set(res[0]['picks']) == {'Mixup', 'NoneType'}


@pytest.mark.parametrize('mixers,sync_bn,shared', [
    ([dict(type='CutMix'), 'vanilla'], False, False),
    ([dict(type='Mixup', dist_mode='global')], False, False),  # nothing to choose
    ([dict(type='Mixup', dist_mode='global'), 'vanilla'], False, True),
    ([dict(type='CutMix'), dict(type='CutMix', dist_mode='global')], False, True),
    ([dict(type='PuzzleMix'), 'vanilla'], True, True),  # SyncBN: saliency pass is a collective
], ids=['local', 'single', 'global+vanilla', 'local+global', 'syncbn'])
def test_choice_is_broadcast_only_when_needed(monkeypatch, mixers, sync_bn, shared):
    """The choice costs a collective only with several candidates, several
    ranks, and a collective that may follow (global pairing or SyncBN)."""
    import mmengine.dist as mdist

    from mmmix.registry import MODELS
    model = MODELS.build(dict(
        type='mmmix.MixupClassifier',
        backbone=dict(type='ResNet_CIFAR', depth=18, stem_channels=8, base_channels=4,
                      out_indices=(3, )),
        neck=dict(type='GlobalAveragePooling'),
        head=dict(type='mmmix.MixupClsHead', num_classes=4, in_channels=32), mixers=mixers))
    if sync_bn:
        model = torch.nn.SyncBatchNorm.convert_sync_batchnorm(model)
    calls = []

    def broadcast(t, src=0):  # rank 0 drew the last mixer
        calls.append(src)
        t.fill_(len(mixers) - 1)

    monkeypatch.setattr(mdist, 'broadcast', broadcast)
    monkeypatch.setattr(mdist, 'get_world_size', lambda group=None: 1)
    [model.pick_mixer() for _ in range(4)]
    assert not calls  # one process: never a collective
    monkeypatch.setattr(mdist, 'get_world_size', lambda group=None: 2)
    picks = [model.pick_mixer() for _ in range(6)]
    assert calls == ([0] * 6 if shared else [])
    if shared:
        assert all(p is model.mixers[-1] for p in picks)
