# Semi-supervised CIFAR100 (FixMatch protocol): as `cifar10_semisup.py` on
# data/cifar100 (same layout; split with make_semisup_split.py on
# data/cifar100/meta/train.txt), with CIFAR100's class count and statistics.
_base_ = './cifar10_semisup.py'

data_root = 'data/cifar100'

data_preprocessor = dict(
    num_classes=100,
    # RGB statistics (mmpretrain's CIFAR100 configs); PNGs load as BGR
    mean=[129.304, 124.07, 112.434],
    std=[68.17, 65.392, 70.418],
)

train_dataloader = dict(
    dataset=dict(labeled=dict(data_root=data_root), unlabeled=dict(data_root=data_root)))
val_dataloader = dict(dataset=dict(data_root=data_root))
test_dataloader = val_dataloader
