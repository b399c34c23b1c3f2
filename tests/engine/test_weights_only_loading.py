"""Every checkpoint load mmmix triggers is weights-only, even with
``TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD=1`` (which torch honours only where the call
site passes no ``weights_only``): a pickle payload in a checkpoint never runs."""
import os
import shutil
import subprocess
import sys

import pytest
import torch
from mmengine.runner import Runner, load_checkpoint

import mmmix  # noqa: F401  registers the weights-only loaders
from conftest import ROOT


class WriteMarker:
    """Unpickling this opens (creates) the marker file: proof that code ran."""

    def __init__(self, path):
        self.path = str(path)

    def __reduce__(self):
        return (open, (self.path, 'w'))


@pytest.fixture
def evil(tmp_path, monkeypatch):
    """A checkpoint whose ``meta`` runs code when unpickled, the env variable set."""
    monkeypatch.setenv('TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD', '1')
    marker = tmp_path / 'payload_ran'
    path = tmp_path / 'evil.pth'
    torch.save({'meta': {'epoch': 1, 'iter': 1, 'x': WriteMarker(marker)}, 'state_dict': {}},
               str(path))
    return path, marker


def assert_refused(call, marker):
    try:
        call()
    except Exception as e:  # noqa: BLE001  checked below, after the marker
        error = e
    else:
        error = None
    assert not marker.exists(), 'the pickle payload ran'
    assert isinstance(error, RuntimeError) and 'refusing to load' in str(error), error


def test_load_checkpoint_refuses_payload(evil):
    path, marker = evil
    assert_refused(lambda: load_checkpoint(torch.nn.Linear(2, 2), str(path)), marker)


def test_pretrained_init_cfg_refuses_payload(evil):
    """The detection configs' ``init_cfg=dict(type='Pretrained', ...)`` path."""
    from mmengine.model import BaseModule

    class Net(BaseModule):
        def __init__(self):
            super().__init__(init_cfg=dict(type='Pretrained', checkpoint=str(evil[0])))
            self.fc = torch.nn.Linear(2, 2)

    assert_refused(Net().init_weights, evil[1])


@pytest.mark.parametrize('url', ['https://example.invalid/ckpt/evil.pth', 'mmcls://vgg11'])
def test_url_schemes_refuse_payload(evil, url, tmp_path, monkeypatch):
    """http(s) and the schemes that resolve to a URL (torchvision://, mmcls://,
    open-mmlab://); mmengine's download loads with ``weights_only=False``."""
    path, marker = evil
    monkeypatch.setenv('TORCH_HOME', str(tmp_path / 'torch_home'))
    monkeypatch.setattr(torch.hub, 'download_url_to_file',
                        lambda url, dst, *a, **k: shutil.copy(str(path), dst))
    from mmengine.runner.checkpoint import CheckpointLoader
    assert_refused(lambda: CheckpointLoader.load_checkpoint(url, map_location='cpu'), marker)


def test_url_download_loads_a_clean_checkpoint(tmp_path, monkeypatch):
    good = tmp_path / 'good.pth'
    torch.save({'state_dict': {'w': torch.ones(2)}}, str(good))
    monkeypatch.setenv('TORCH_HOME', str(tmp_path / 'torch_home'))
    fetched = []
    monkeypatch.setattr(torch.hub, 'download_url_to_file',
                        lambda url, dst, *a, **k: fetched.append(url) or shutil.copy(good, dst))
    from mmengine.runner.checkpoint import CheckpointLoader
    for _ in range(2):  # the second load reads the cached file
        ckpt = CheckpointLoader.load_checkpoint('https://example.invalid/good.pth')
        assert torch.equal(ckpt['state_dict']['w'], torch.ones(2))
    assert fetched == ['https://example.invalid/good.pth']


@pytest.mark.parametrize('resume', [True, False])
def test_runner_resume_and_load_from_refuse_payload(evil, resume, synthetic_cls_root,
                                                    cls_cfg_factory, tmp_path):
    path, marker = evil
    cfg = cls_cfg_factory(synthetic_cls_root, tmp_path / 'work', max_epochs=1)
    cfg.load_from, cfg.resume = str(path), resume
    runner = Runner.from_cfg(cfg)
    assert_refused(runner.train if resume else runner.test, marker)


def test_tools_test_refuses_payload(evil, synthetic_cls_root, cls_cfg_factory, tmp_path):
    """The reported reproduction: ``tools/test.py CFG evil.pth`` with the variable set."""
    path, marker = evil
    cfg_path = tmp_path / 'cfg.py'
    cls_cfg_factory(synthetic_cls_root, tmp_path / 'work').dump(str(cfg_path))
    env = dict(os.environ, OMP_NUM_THREADS='1', TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD='1')
    out = subprocess.run([sys.executable, os.path.join(ROOT, 'tools', 'test.py'), str(cfg_path),
                          str(path)], env=env, capture_output=True, text=True, timeout=300)
    assert not marker.exists(), 'the pickle payload ran'
    assert out.returncode != 0 and 'refusing to load' in out.stderr, out.stderr[-2000:]
