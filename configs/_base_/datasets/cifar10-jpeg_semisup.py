# Semi-supervised CIFAR-10 on the JPEG copy (`cifar10_semisup.py`: weak view for labeled
# images; weak + strong = RandAugment + Cutout for unlabeled ones) with the 4,000-label split
# that tools/dataset_converters/prepare_cifar10_jpeg.py writes (400 per class, seed 0; the
# other 46,000 training images are the unlabeled set).
# CPU budget (docs/cifar10_benchmark.md): 32 labeled + 3 x 32 unlabeled images per batch
# (FixMatch: 64 + 7 x 64), no worker processes (the runs go one thread each).
_base_ = './cifar10_semisup.py'
data_root = 'data/cifar10-jpeg'
train_dataloader = dict(
    batch_size=128,
    num_workers=0,
    persistent_workers=False,
    dataset=dict(
        labeled=dict(data_root=data_root, ann_file='meta/train_labeled_400pc_seed0.txt'),
        unlabeled=dict(data_root=data_root, ann_file='meta/train_unlabeled_400pc_seed0.txt')),
    # 128 = 32 labeled + 32 * 3 unlabeled
    sampler=dict(batch_size=128, mu=3),
)
val_dataloader = dict(batch_size=200, num_workers=0, dataset=dict(data_root=data_root))
test_dataloader = dict(batch_size=200, num_workers=0, dataset=dict(data_root=data_root))
