"""Worker of tests/mixers/test_dist_global.py: one gloo rank mixing its local
batch with partners drawn from the batch gathered across ranks (or, with
``choice``, training steps that pick one of several mixers)."""
import os
import sys

import torch
import torch.distributed as dist


def batch(rank, n=4):
    g = torch.Generator().manual_seed(100 + rank)
    return torch.rand(n, 3, 8, 10, generator=g), torch.arange(n) + 10 * rank


def choose_per_step(rank, out_dir, steps=8):
    """MixupClassifier with a global mixer beside 'vanilla' and per-rank seeds
    (``randomness.diff_rank_seed=True``): every rank must pick the same mixer."""
    from mmengine.runner import set_random_seed
    from mmpretrain.structures import DataSample

    from mmmix.registry import MODELS
    set_random_seed(0, diff_rank_seed=True)
    model = MODELS.build(dict(
        type='mmmix.MixupClassifier',
        backbone=dict(type='ResNet_CIFAR', depth=18, stem_channels=8, base_channels=4,
                      out_indices=(3, )),
        neck=dict(type='GlobalAveragePooling'),
        head=dict(type='mmmix.MixupClsHead', num_classes=4, in_channels=32),
        mixers=[dict(type='Mixup', dist_mode='global'), 'vanilla']))
    model.train()
    picks, pick = [], model.pick_mixer
    model.pick_mixer = lambda: picks.append(pick()) or picks[-1]
    for _ in range(steps):
        x, y = batch(rank)
        model.loss(x, [DataSample().set_gt_label(int(v) % 4) for v in y])
    dist.barrier()
    torch.save(dict(picks=[type(m).__name__ for m in picks]),
               os.path.join(out_dir, f'rank{rank}.pth'))


def main(rank, world, port, out_dir, mixer_name):
    os.environ.update(MASTER_ADDR='127.0.0.1', MASTER_PORT=str(port))
    dist.init_process_group('gloo', rank=rank, world_size=world)
    import mmmix  # noqa: F401
    from mmmix.registry import BATCH_AUGMENTS
    if mixer_name == 'choice':
        choose_per_step(rank, out_dir)
        dist.destroy_process_group()
        return
    # different seeds per rank: rank 0's permutation seed must win everywhere
    mixer = BATCH_AUGMENTS.build(dict(type=mixer_name, alpha=1.0, dist_mode='global',
                                      lam_mode='elem', seed=rank))
    x, y = batch(rank)
    result = mixer.sample(x.clone(), with_mask=True)
    y_a, y_b = result.pair_labels(y)
    torch.save(dict(x=x, y=y, inputs=result.inputs, index=result.index, lam=result.lam,
                    mask=result.mask, y_a=y_a, y_b=y_b, gathered=result.gathered),
               os.path.join(out_dir, f'rank{rank}.pth'))
    dist.destroy_process_group()


if __name__ == '__main__':
    main(int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5])
