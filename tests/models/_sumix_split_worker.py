"""Worker of the SUMix batch-split test (tests/models/test_mixup_head.py).

Spawned processes import only torch and the pure loss module (loaded from its
file, so that a child does not pay for importing mmpretrain/mmdet).
"""
import importlib.util
import os
import os.path as osp

import torch

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
N = 8
C = 5
#: partners stay inside each half of the batch (local pairing on 2 ranks)
INDEX = [1, 3, 0, 2, 6, 4, 7, 5]


def load_functional():
    path = osp.join(ROOT, 'mmmix', 'models', 'losses', 'functional.py')
    spec = importlib.util.spec_from_file_location('_mmmix_losses_functional', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def inputs():
    """The full batch: mixed and clean logits / uncertainties, labels, lam."""
    g = torch.Generator().manual_seed(123)
    z_m = torch.randn(N, C, generator=g) * 2
    z_o = torch.randn(N, C, generator=g) * 2
    u_m = torch.rand(N, C, generator=g)
    u_o = torch.rand(N, C, generator=g)
    y_a = torch.randint(0, C, (N, ), generator=g)
    lam = torch.rand(N, generator=g)
    return z_m, u_m, z_o, u_o, y_a, lam


def terms(sumix_loss, z_m, u_m, z_o, u_o, y_a, lam, index, scale):
    return sumix_loss(z_m, u_m, z_o, u_o, y_a, y_a[index], lam, index, scale=scale, gamma=0.5,
                      reduction='none')


def worker(rank, world, port, out_dir, scale):
    import torch.distributed as dist
    torch.set_num_threads(1)
    dist.init_process_group('gloo', init_method=f'tcp://127.0.0.1:{port}', rank=rank,
                            world_size=world)
    try:
        functional = load_functional()
        n = N // world
        sl = slice(rank * n, (rank + 1) * n)
        local = [t[sl] for t in inputs()]
        index = torch.tensor(INDEX[sl]) - rank * n
        out = terms(functional.sumix_loss, *local, index, scale)
        gathered = [torch.zeros_like(out) for _ in range(world)]
        dist.all_gather(gathered, out)
        if rank == 0:
            torch.save(torch.cat(gathered), os.path.join(out_dir, 'terms.pt'))
    finally:
        dist.destroy_process_group()
