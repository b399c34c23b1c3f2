"""safe_load tells an empty file, a file that is no torch checkpoint and one that
needs a class outside the allowlist apart, naming the path; mmengine's loads
(routed through it by ``import mmmix``) report the same."""
import os

import pytest
import torch
from mmengine.runner import load_checkpoint

from mmmix.utils import safe_load


class NotAllowed:
    def __reduce__(self):
        return (os.getcwd, ())


def good_bytes(tmp_path):
    path = tmp_path / 'good.pth'
    torch.save({'state_dict': {'weight': torch.ones(2, 2), 'bias': torch.zeros(2)}}, str(path))
    return path.read_bytes()


def garbage(tmp_path):
    return os.urandom(4096)


def truncated(tmp_path):
    data = good_bytes(tmp_path)
    return data[:len(data) // 2]


def truncated_legacy(tmp_path):
    path = tmp_path / 'legacy.pth'
    torch.save({'w': torch.ones(3)}, str(path), _use_new_zipfile_serialization=False)
    data = path.read_bytes()
    return data[:20]


def text(tmp_path):
    return b'not a checkpoint at all\n'


@pytest.mark.parametrize('content', [garbage, truncated, truncated_legacy, text])
def test_not_a_checkpoint_is_not_called_unsafe(content, tmp_path):
    path = tmp_path / 'broken.pth'
    path.write_bytes(content(tmp_path))
    with pytest.raises(RuntimeError) as info:
        safe_load(str(path))
    msg = str(info.value)
    assert str(path) in msg and 'not a torch checkpoint, or it is truncated or corrupt' in msg
    assert 'allowlist' not in msg and 'arbitrary code' not in msg


def test_empty_file_names_the_path(tmp_path):
    path = tmp_path / 'empty.pth'
    path.write_bytes(b'')
    with pytest.raises(RuntimeError, match='the file is empty') as info:
        safe_load(str(path))
    assert str(path) in str(info.value)
    # the Runner's loader (load_from, resume, tools/test.py) says the same
    with pytest.raises(RuntimeError, match='the file is empty'):
        load_checkpoint(torch.nn.Linear(2, 2), str(path))


def test_unsupported_global_is_still_refused_as_such(tmp_path):
    path = tmp_path / 'evil.pth'
    torch.save({'meta': NotAllowed()}, str(path))
    with pytest.raises(RuntimeError, match='refusing to load') as info:
        safe_load(str(path))
    assert 'getcwd' in str(info.value) and 'not a torch checkpoint' not in str(info.value)


def test_good_checkpoint_and_missing_file(tmp_path):
    path = tmp_path / 'good.pth'
    path.write_bytes(good_bytes(tmp_path))
    assert torch.equal(safe_load(str(path))['state_dict']['weight'], torch.ones(2, 2))
    model = torch.nn.Linear(2, 2)
    load_checkpoint(model, str(path), strict=True)
    assert torch.equal(model.weight.detach(), torch.ones(2, 2))
    with pytest.raises(FileNotFoundError, match='missing.pth'):
        load_checkpoint(model, str(tmp_path / 'missing.pth'))
