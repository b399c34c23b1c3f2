# MixMatch batches on CIFAR100: `cifar10_semisup_mixmatch.py` (K = 2 weak views,
# mu = 1) on the data and statistics of `cifar100_semisup.py`.
_base_ = './cifar10_semisup_mixmatch.py'

data_root = 'data/cifar100'

data_preprocessor = dict(
    num_classes=100,
    mean=[129.304, 124.07, 112.434],
    std=[68.17, 65.392, 70.418],
)

train_dataloader = dict(
    dataset=dict(labeled=dict(data_root=data_root), unlabeled=dict(data_root=data_root)))
val_dataloader = dict(dataset=dict(data_root=data_root))
test_dataloader = val_dataloader
