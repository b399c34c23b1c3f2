# The CIFAR-10 (JPEG) CPU benchmark protocol shared by every method of
# configs/cifar10_jpeg/ (docs/cifar10_benchmark.md): the narrow ResNet-18 (CIFAR stem, width
# 16), the fixed 2,000-image class-balanced training subset, the full 10,000-image test split,
# 100 epochs of SGD + cosine at batch 100. A method config replaces `model.mixers` (and the
# head's `mix_loss`); everything else is the same for every method.
_base_ = [
    './models/resnet18-w16_cifar.py',
    './datasets/cifar10-jpeg-2k_bs100.py',
    './schedules/cifar10-jpeg-2k_sgd_cosine_100e.py',
    './default_runtime.py',
]

# one thread per run: the benchmark runner starts several runs side by side, each with
# OMP_NUM_THREADS=1; decoding 32x32 JPEGs in the main process costs about 1 % of a step, and
# worker processes would compete with the runs for the cores
train_dataloader = dict(num_workers=0)
val_dataloader = dict(num_workers=0)
test_dataloader = dict(num_workers=0)

default_hooks = dict(
    logger=dict(interval=20),  # one line per epoch (20 iterations)
    # resume needs the last epoch only; no "best" checkpoint (it would select on the test split)
    checkpoint=dict(interval=1, max_keep_ckpts=1, save_best=None))
