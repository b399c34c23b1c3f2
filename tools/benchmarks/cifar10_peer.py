"""An independent plain-PyTorch peer of the CIFAR-10 (JPEG) benchmark runs.

    python tools/benchmarks/cifar10_peer.py --method {vanilla,mixup,cutmix} --seed S \
        --work-dir DIR [--epochs 100] [--data-root data/cifar10-jpeg]

No mmengine, mmcv, mmpretrain or mmmix: its own JPEG reading (PIL), its own
augmentation, its own ResNet-18 and training loop, and timm's ``Mixup`` for the
Mixup and CutMix rows. It follows the recipe of
``configs/_base_/cifar10-jpeg-2k_benchmark.py`` (docs/cifar10_benchmark.md):

* data: the images listed in ``meta/train_200pc_seed0.txt`` (2,000), tested on
  ``meta/test.txt`` (10,000); random 32x32 crop of the zero-padded (4 px)
  image and a horizontal flip with probability 0.5; CIFAR-10 mean/std;
* model: ResNet-18 with the CIFAR stem (3x3 stride-1 conv, no max-pool) at base
  width 16 (16/32/64/128 channels), global average pooling, a linear layer;
  initialised as mmpretrain does (Kaiming normal fan-out convs, BN weight 1,
  the last BN of every residual block 0, the classifier N(0, 0.01));
* optimisation: SGD lr 0.1, momentum 0.9, weight decay 1e-4 on every
  parameter, batch 100, one epoch of linear warm-up from 0.01 then cosine to 0
  per iteration;
* Mixup alpha 1.0, CutMix alpha 0.2 (timm, ``mode='batch'``, ``prob=1``);
* evaluation at the same epochs as the configs: every ``--val-interval``
  epochs and at each of the last 10.

It checkpoints after every epoch (``DIR/last.pth``, written atomically and read
back with ``weights_only=True``), so a killed run resumes where it stopped,
and writes ``DIR/result.json`` (test top-1 per evaluated epoch, wall time).
The point of this script: if mmmix's vanilla/Mixup/CutMix rows agree with it
within seed noise, a method that does not help at this budget is the budget's
doing, not mmmix's pipeline's.
"""
import argparse
import json
import math
import os
import os.path as osp
import random
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from PIL import Image

MEAN = (125.307, 122.961, 113.8575)
STD = (51.5865, 50.847, 51.255)
METHODS = {'vanilla': None, 'mixup': dict(mixup_alpha=1.0, cutmix_alpha=0.0),
           'cutmix': dict(mixup_alpha=0.0, cutmix_alpha=0.2)}


# --------------------------------------------------------------------------- data
def read_split(data_root, ann_file, prefix):
    """``(uint8 [N,3,32,32], int64 [N])`` of a ``"<relpath> <label>"`` list."""
    paths, labels = [], []
    with open(osp.join(data_root, ann_file), encoding='utf-8') as f:
        for line in f:
            rel, _, lab = line.strip().rpartition(' ')
            if rel:
                paths.append(osp.join(data_root, prefix, rel))
                labels.append(int(lab))
    imgs = np.stack([np.asarray(Image.open(p).convert('RGB')) for p in paths])
    return torch.from_numpy(imgs).permute(0, 3, 1, 2).contiguous(), torch.tensor(labels)


def normalise(x_uint8):
    mean = torch.tensor(MEAN).view(1, 3, 1, 1)
    std = torch.tensor(STD).view(1, 3, 1, 1)
    return (x_uint8.float() - mean) / std


def augment(x_uint8, gen, pad=4):
    """Random crop of the zero-padded images and a random horizontal flip."""
    n, _, h, w = x_uint8.shape
    padded = F.pad(x_uint8, (pad, pad, pad, pad))
    oy = torch.randint(0, 2 * pad + 1, (n, ), generator=gen)
    ox = torch.randint(0, 2 * pad + 1, (n, ), generator=gen)
    flip = torch.rand(n, generator=gen) < 0.5
    rows = oy.view(n, 1, 1) + torch.arange(h).view(1, h, 1)
    cols = ox.view(n, 1, 1) + torch.arange(w).view(1, 1, w)
    cols = torch.where(flip.view(n, 1, 1), ox.view(n, 1, 1) + (w - 1 - torch.arange(w)).view(
        1, 1, w), cols)
    idx_n = torch.arange(n).view(n, 1, 1)
    out = padded.permute(0, 2, 3, 1)[idx_n, rows, cols]  # [n,h,w,3]
    return out.permute(0, 3, 1, 2).contiguous()


# --------------------------------------------------------------------------- model
class BasicBlock(nn.Module):

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.down = None
        if stride != 1 or cin != cout:
            self.down = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False),
                                      nn.BatchNorm2d(cout))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return F.relu(out + (x if self.down is None else self.down(x)))


class ResNet18CIFAR(nn.Module):

    def __init__(self, width=16, num_classes=10):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, width, 3, 1, 1, bias=False),
                                  nn.BatchNorm2d(width), nn.ReLU(inplace=True))
        blocks, cin = [], width
        for i, stride in enumerate((1, 2, 2, 2)):
            cout = width * 2**i
            blocks += [BasicBlock(cin, cout, stride), BasicBlock(cout, cout, 1)]
            cin = cout
        self.blocks = nn.Sequential(*blocks)
        self.fc = nn.Linear(cin, num_classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode='fan_out', nonlinearity='relu')
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)
        for b in self.blocks:
            nn.init.zeros_(b.bn2.weight)  # zero-init of the residual branch (mmpretrain default)
        nn.init.normal_(self.fc.weight, std=0.01)
        nn.init.zeros_(self.fc.bias)

    def forward(self, x):
        return self.fc(self.blocks(self.stem(x)).mean((2, 3)))


# --------------------------------------------------------------------------- schedule
def lr_at(it, iters_per_epoch, epochs, base_lr=0.1, warmup_epochs=1, start_factor=0.1):
    """Linear warm-up (per iteration) from ``start_factor * base_lr`` over the first
    epoch, then cosine annealing to 0 per iteration: mmengine's LinearLR +
    CosineAnnealingLR with ``convert_to_iter_based=True`` (LinearLR reaches the
    full lr at the warm-up's last iteration, so its ramp has ``warm - 1`` steps)."""
    warm = warmup_epochs * iters_per_epoch
    if it < warm:
        return base_lr * (start_factor + (1 - start_factor) * it / max(warm - 1, 1))
    t, total = it - warm, (epochs - warmup_epochs) * iters_per_epoch
    return 0.5 * base_lr * (1 + math.cos(math.pi * t / total))


def eval_epochs(epochs, val_interval):
    return sorted(set(range(val_interval, epochs + 1, val_interval))
                  | set(range(max(1, epochs - 9), epochs + 1)))


@torch.no_grad()
def evaluate(model, x_test, y_test, batch=500):
    model.eval()
    correct = 0
    for i in range(0, len(y_test), batch):
        logits = model(normalise(x_test[i:i + batch]))
        correct += (logits.argmax(1) == y_test[i:i + batch]).sum().item()
    model.train()
    return 100.0 * correct / len(y_test)


# --------------------------------------------------------------------------- checkpoint
def _rng_state():
    np_state = np.random.get_state()
    # timm's Mixup draws from numpy's global generator; the rest uses torch's
    return dict(torch=torch.get_rng_state(),
                np_key=torch.from_numpy(np_state[1].astype(np.int64)),
                np_pos=int(np_state[2]), np_gauss=int(np_state[3]),
                np_cached=float(np_state[4]))


def _set_rng_state(s):
    torch.set_rng_state(s['torch'])
    np.random.set_state(('MT19937', s['np_key'].numpy().astype(np.uint32), s['np_pos'],
                         s['np_gauss'], s['np_cached']))


def write_json_atomic(path, obj):
    tmp = f'{path}.tmp-{os.getpid()}'
    with open(tmp, 'w', encoding='utf-8') as f:
        json.dump(obj, f, indent=1)
    os.replace(tmp, path)


def save_atomic(obj, path):
    tmp = f'{path}.tmp-{os.getpid()}'
    torch.save(obj, tmp)
    os.replace(tmp, path)


# --------------------------------------------------------------------------- training
def train(method, seed, work_dir, epochs=100, data_root='data/cifar10-jpeg',
          train_ann='meta/train_200pc_seed0.txt', batch_size=100, val_interval=10,
          width=16, base_lr=0.1, weight_decay=1e-4, test_ann='meta/test.txt', log=print):
    if method not in METHODS:
        raise ValueError(f'method={method!r}; valid choices are {sorted(METHODS)}')
    os.makedirs(work_dir, exist_ok=True)
    result_file = osp.join(work_dir, 'result.json')
    ckpt_file = osp.join(work_dir, 'last.pth')
    torch.manual_seed(seed)
    np.random.seed(seed)
    random.seed(seed)
    x_train, y_train = read_split(data_root, train_ann, 'train')
    x_test, y_test = read_split(data_root, test_ann, 'test')
    model = ResNet18CIFAR(width=width, num_classes=10)
    opt = torch.optim.SGD(model.parameters(), lr=base_lr, momentum=0.9,
                          weight_decay=weight_decay)
    mixup = None
    if METHODS[method] is not None:
        from timm.data import Mixup
        mixup = Mixup(**METHODS[method], prob=1.0, switch_prob=0.0, mode='batch',
                      correct_lam=True, label_smoothing=0.0, num_classes=10)
    gen = torch.Generator().manual_seed(seed)
    state = dict(epoch=0, history={}, wall_s=0.0, config=dict(
        method=method, seed=seed, epochs=epochs, batch_size=batch_size, train_ann=train_ann,
        width=width, base_lr=base_lr, weight_decay=weight_decay, val_interval=val_interval,
        test_ann=test_ann))
    if osp.isfile(ckpt_file):
        ck = torch.load(ckpt_file, map_location='cpu', weights_only=True)
        if ck['state']['config'] != state['config']:
            raise ValueError(f'{ckpt_file} was written with {ck["state"]["config"]}, not '
                             f'{state["config"]}; use another --work-dir')
        model.load_state_dict(ck['model'])
        opt.load_state_dict(ck['opt'])
        gen.set_state(ck['gen'])
        _set_rng_state(ck['rng'])
        state = ck['state']
        log(f'resumed from {ckpt_file} at epoch {state["epoch"]}')
    n = len(y_train)
    iters = math.ceil(n / batch_size)
    todo = set(eval_epochs(epochs, val_interval))
    model.train()
    while state['epoch'] < epochs:
        t0 = time.time()
        epoch = state['epoch']
        order = torch.randperm(n, generator=gen)
        loss_sum = 0.0
        for i in range(iters):
            for g in opt.param_groups:
                g['lr'] = lr_at(epoch * iters + i, iters, epochs, base_lr)
            idx = order[i * batch_size:(i + 1) * batch_size]
            x = normalise(augment(x_train[idx], gen))
            y = y_train[idx]
            if mixup is not None:
                x, target = mixup(x, y)
                loss = torch.sum(-target * F.log_softmax(model(x), dim=-1), dim=-1).mean()
            else:
                loss = F.cross_entropy(model(x), y)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            loss_sum += loss.item()
        state['epoch'] = epoch = epoch + 1
        msg = f'[peer {method} seed {seed}] epoch {epoch}/{epochs} loss {loss_sum / iters:.4f}'
        if epoch in todo:
            acc = evaluate(model, x_test, y_test)
            state['history'][str(epoch)] = acc
            msg += f' test top-1 {acc:.2f}'
        state['wall_s'] += time.time() - t0
        save_atomic(dict(model=model.state_dict(), opt=opt.state_dict(), gen=gen.get_state(),
                         rng=_rng_state(), state=state), ckpt_file)
        write_json_atomic(osp.join(work_dir, 'progress.json'),
                          dict(state['config'], history=state['history'], epoch=epoch))
        log(msg + f' ({state["wall_s"]:.0f} s)')
    result = dict(state['config'], history=state['history'], wall_s=state['wall_s'])
    write_json_atomic(result_file, result)
    return result


def main(argv=None):
    p = argparse.ArgumentParser(description='plain-PyTorch peer of the CIFAR-10 benchmark')
    p.add_argument('--method', choices=sorted(METHODS), required=True)
    p.add_argument('--seed', type=int, default=0)
    p.add_argument('--work-dir', required=True)
    p.add_argument('--epochs', type=int, default=100)
    p.add_argument('--val-interval', type=int, default=10)
    p.add_argument('--data-root', default='data/cifar10-jpeg')
    p.add_argument('--train-ann', default='meta/train_200pc_seed0.txt')
    p.add_argument('--test-ann', default='meta/test.txt')
    p.add_argument('--width', type=int, default=16, help='ResNet-18 base width')
    p.add_argument('--threads', type=int, default=None,
                   help='torch threads (default: $OMP_NUM_THREADS or torch\'s choice)')
    args = p.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    print(f'peer: torch {torch.__version__}, {torch.get_num_threads()} thread(s)', flush=True)
    train(args.method, args.seed, args.work_dir, args.epochs, args.data_root, args.train_ann,
          val_interval=args.val_interval, width=args.width, test_ann=args.test_ann,
          log=lambda m: print(m, flush=True))
    return 0


if __name__ == '__main__':
    sys.exit(main())
