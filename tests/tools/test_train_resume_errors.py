"""tools/train.py --resume: a work dir without checkpoints is said to be one, and
a checkpoint whose optimizer state does not fit the config is named."""
import pytest
import torch
from mmengine.optim import OptimWrapper, OptimWrapperDict
from mmengine.runner import Runner

from conftest import load_tool
from mmmix.engine.resume import optimizer_mismatch
from mmmix.utils import safe_load

train_tool = load_tool('train')


@pytest.fixture
def trained(synthetic_cls_root, cls_cfg_factory, tmp_path):
    """A config file and a 1-epoch checkpoint of it."""
    cfg = cls_cfg_factory(synthetic_cls_root, tmp_path / 'first', max_epochs=1)
    Runner.from_cfg(cfg).train()
    cfg_path = tmp_path / 'cfg.py'
    cfg.dump(str(cfg_path))
    return str(cfg_path), tmp_path / 'first' / 'epoch_1.pth'


def test_resume_without_checkpoint_says_so_and_trains_from_scratch(trained, tmp_path, capsys):
    cfg_path, _ = trained
    work = tmp_path / 'empty'
    args = train_tool.parse_args([cfg_path, '--work-dir', str(work), '--resume'])
    from mmengine.config import Config
    cfg = train_tool.merge_args(Config.fromfile(cfg_path), args)
    out = capsys.readouterr().out
    assert f'no checkpoint found in the work dir {work}' in out
    assert 'training starts from scratch' in out
    assert not cfg.resume and cfg.load_from is None
    # and training does start from scratch
    train_tool.main([cfg_path, '--work-dir', str(work), '--resume'])
    assert safe_load(str(work / 'epoch_1.pth'))['meta']['epoch'] == 1


def test_resume_picks_the_latest_checkpoint(trained):
    cfg_path, ckpt = trained
    args = train_tool.parse_args([cfg_path, '--work-dir', str(ckpt.parent), '--resume'])
    from mmengine.config import Config
    cfg = train_tool.merge_args(Config.fromfile(cfg_path), args)
    assert cfg.resume and cfg.load_from == str(ckpt)


def _resume_from_edited(trained, tmp_path, edit):
    cfg_path, ckpt = trained
    state = safe_load(str(ckpt))
    edit(state['optimizer'])
    other = tmp_path / 'other_model.pth'
    torch.save(state, str(other))
    with pytest.raises(ValueError) as info:
        train_tool.main([cfg_path, '--work-dir', str(tmp_path / 'resumed'), '--resume',
                         str(other)])
    msg = str(info.value)
    assert f'cannot resume from {other}' in msg
    assert "its optimizer state does not match the config's optimiser" in msg
    return msg


def test_resume_from_a_checkpoint_with_several_optimizers(trained, tmp_path):
    """e.g. an AutoMix checkpoint (backbone + mix_block optimizers); mmengine: KeyError."""
    def two_optimizers(opt):
        saved = dict(opt)
        opt.clear()
        opt.update(backbone=saved, mix_block=saved)

    msg = _resume_from_edited(trained, tmp_path, two_optimizers)
    assert "['backbone', 'mix_block']" in msg


def test_resume_from_a_checkpoint_of_another_size(trained, tmp_path):
    def fewer_params(opt):
        del opt['param_groups'][0]['params'][-3:]

    msg = _resume_from_edited(trained, tmp_path, fewer_params)
    assert 'parameter groups of' in msg


def test_optimizer_mismatch_of_a_wrapper_dict():
    def wrapper():
        return OptimWrapper(torch.optim.SGD(torch.nn.Linear(2, 2).parameters(), lr=0.1))

    both = OptimWrapperDict(backbone=wrapper(), mix_block=wrapper())
    assert optimizer_mismatch(both, both.state_dict()) is None
    plain = wrapper().state_dict()
    assert 'optim_wrapper has the optimizers' in optimizer_mismatch(both, plain)
    other = OptimWrapperDict(backbone=wrapper(), mix_block=OptimWrapper(
        torch.optim.SGD(torch.nn.Linear(2, 3).parameters(), lr=0.1))).state_dict()
    other['mix_block']['param_groups'][0]['params'].append(99)
    assert optimizer_mismatch(both, other).startswith('optim_wrapper.mix_block has parameter')
