"""A ``CheckpointHook`` whose saves cannot lose the resume point."""
import os
import os.path as osp

from mmengine.dist import is_main_process
from mmengine.fileio import LocalBackend
from mmengine.hooks import CheckpointHook

from mmmix.registry import HOOKS


def _commit(tmp: str, path: str) -> None:
    """Flush ``tmp`` to disk, then rename it to ``path`` in one step."""
    with open(tmp, 'rb+') as f:
        os.fsync(f.fileno())
    os.replace(tmp, path)


@HOOKS.register_module()
class AtomicCheckpointHook(CheckpointHook):
    """mmengine's ``CheckpointHook`` (same arguments), crash-safe on local disks.

    mmengine 0.10.7 removes the checkpoint beyond ``max_keep_ckpts`` *before*
    writing the new one, and writes the checkpoint and ``last_checkpoint`` in
    place: with ``max_keep_ckpts=1`` a crash while saving leaves nothing to
    resume from. Here the checkpoint and then ``last_checkpoint`` are written to
    a temporary file in the same directory and renamed into place
    (:func:`os.replace`); only then are older checkpoints removed. The ids kept
    in the message hub (``keep_ckpt_ids``, saved in each checkpoint) are as
    mmengine's. Best checkpoints and non-local backends are handled as mmengine
    does.
    """

    def _save_checkpoint_with_step(self, runner, step, meta):
        if not isinstance(self.file_backend, LocalBackend):
            return super()._save_checkpoint_with_step(runner, step, meta)
        stale = []
        if self.max_keep_ckpts > 0 and not (self.keep_ckpt_ids
                                            and self.keep_ckpt_ids[-1] == step):
            if len(self.keep_ckpt_ids) == self.max_keep_ckpts:
                stale.append(self.keep_ckpt_ids.popleft())
            self.keep_ckpt_ids.append(step)
            runner.message_hub.update_info('keep_ckpt_ids', list(self.keep_ckpt_ids))

        filename = self.filename_tmpl.format(step)
        self.last_ckpt = osp.join(self.out_dir, filename)
        runner.message_hub.update_info('last_ckpt', self.last_ckpt)
        tmp = self.last_ckpt + '.tmp'
        try:  # Runner.save_checkpoint writes on the main process only
            runner.save_checkpoint(
                self.out_dir, filename + '.tmp', self.file_client_args,
                save_optimizer=self.save_optimizer, save_param_scheduler=self.save_param_scheduler,
                meta=meta, by_epoch=self.by_epoch, backend_args=self.backend_args, **self.args)
        except BaseException:
            if osp.isfile(tmp) and is_main_process():
                os.remove(tmp)
            raise
        if not is_main_process():
            return
        _commit(tmp, self.last_ckpt)
        last = osp.join(runner.work_dir, 'last_checkpoint')
        with open(last + '.tmp', 'w') as f:
            f.write(self.last_ckpt)
        _commit(last + '.tmp', last)
        for old in stale:
            path = osp.join(self.out_dir, self.filename_tmpl.format(old))
            if osp.isfile(path):
                os.remove(path)
