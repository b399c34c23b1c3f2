"""Worker of tests/mixers/test_dist_global.py: one gloo rank mixing its local
batch with partners drawn from the batch gathered across ranks."""
import os
import sys

import torch
import torch.distributed as dist


def batch(rank, n=4):
    g = torch.Generator().manual_seed(100 + rank)
    return torch.rand(n, 3, 8, 10, generator=g), torch.arange(n) + 10 * rank


def main(rank, world, port, out_dir, mixer_name):
    os.environ.update(MASTER_ADDR='127.0.0.1', MASTER_PORT=str(port))
    dist.init_process_group('gloo', rank=rank, world_size=world)
    import mmmix  # noqa: F401
    from mmmix.registry import BATCH_AUGMENTS
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
