"""AtomicCheckpointHook: a crash while a checkpoint is written leaves the previous
checkpoint and ``last_checkpoint`` to resume from; rotation and best checkpoints
work as with mmengine's CheckpointHook, across a resume too."""
import pytest
from mmengine.fileio.backends.local_backend import LocalBackend
from mmengine.hooks import Hook
from mmengine.runner import Runner

from mmmix.utils import safe_load


class RecordStart(Hook):
    def before_train(self, runner):
        self.epoch = runner.epoch


def run(cfg, resume=False):
    cfg.resume = resume
    runner = Runner.from_cfg(cfg)
    start = RecordStart()
    runner.register_hook(start)
    runner.train()
    return start.epoch


def config(factory, root, work, max_epochs, hook='AtomicCheckpointHook', **kwargs):
    cfg = factory(root, work, max_epochs=max_epochs)
    cfg.param_scheduler.T_max = 10  # the same schedule whatever max_epochs is
    cfg.default_hooks.checkpoint = dict(type=hook, interval=1, **kwargs)
    return cfg


def checkpoints(work):
    return sorted(p.name for p in work.iterdir() if '.pth' in p.name)


@pytest.mark.parametrize('hook', [
    'AtomicCheckpointHook',
    pytest.param('CheckpointHook', marks=pytest.mark.xfail(
        strict=True, reason="mmengine's hook deletes the old checkpoint before writing"))])
def test_crash_while_saving_keeps_the_resume_point(hook, synthetic_cls_root, cls_cfg_factory,
                                                   tmp_path, monkeypatch):
    work = tmp_path / 'work'
    real_put = LocalBackend.put
    saves = []

    def put(self, obj, filepath):
        if '.pth' in str(filepath):
            saves.append(filepath)
            if len(saves) == 2:  # the second checkpoint: half written, then the crash
                with open(filepath, 'wb') as f:
                    f.write(obj[:len(obj) // 2])
                raise OSError('No space left on device (simulated)')
        real_put(self, obj, filepath)

    monkeypatch.setattr(LocalBackend, 'put', put)
    cfg = config(cls_cfg_factory, synthetic_cls_root, work, 3, hook, max_keep_ckpts=1)
    with pytest.raises(OSError, match='simulated'):
        run(cfg)
    monkeypatch.setattr(LocalBackend, 'put', real_put)

    first = work / 'epoch_1.pth'
    assert checkpoints(work) == ['epoch_1.pth']  # nothing half written left behind
    assert (work / 'last_checkpoint').read_text() == str(first)
    assert safe_load(str(first))['meta']['epoch'] == 1
    # resume continues after epoch 1 and then rotates as usual
    cfg = config(cls_cfg_factory, synthetic_cls_root, work, 3, hook, max_keep_ckpts=1)
    assert run(cfg, resume=True) == 1
    assert checkpoints(work) == ['epoch_3.pth']
    assert (work / 'last_checkpoint').read_text() == str(work / 'epoch_3.pth')


def test_rotation_and_best_checkpoint_across_resume(synthetic_cls_root, cls_cfg_factory,
                                                    tmp_path):
    work = tmp_path / 'work'
    cfg = config(cls_cfg_factory, synthetic_cls_root, work, 4, max_keep_ckpts=2,
                 save_best='auto')
    run(cfg)
    kept = [n for n in checkpoints(work) if n.startswith('epoch_')]
    assert kept == ['epoch_3.pth', 'epoch_4.pth']
    assert len([n for n in checkpoints(work) if n.startswith('best_')]) == 1
    info = safe_load(str(work / 'epoch_4.pth'))['message_hub']['runtime_info']
    assert info['keep_ckpt_ids'] == [3, 4]
    assert info['best_ckpt'] in [str(work / n) for n in checkpoints(work)]
    # after a resume the ids saved in the checkpoint drive the rotation
    cfg = config(cls_cfg_factory, synthetic_cls_root, work, 5, max_keep_ckpts=2,
                 save_best='auto')
    assert run(cfg, resume=True) == 4
    names = checkpoints(work)
    assert [n for n in names if n.startswith('epoch_')] == ['epoch_4.pth', 'epoch_5.pth']
    assert len([n for n in names if n.startswith('best_')]) == 1
    assert not [n for n in names if n.endswith('.tmp')]
    info = safe_load(str(work / 'epoch_5.pth'))['message_hub']['runtime_info']
    assert info['keep_ckpt_ids'] == [4, 5]
    assert (work / 'last_checkpoint').read_text() == str(work / 'epoch_5.pth')
