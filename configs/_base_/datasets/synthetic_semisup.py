# Semi-supervised batches on the synthetic data (data/synthetic_cls, 10 classes,
# 32x32): `cifar10_semisup.py` (weak view for labeled samples; weak + strong =
# RandAugment + Cutout for unlabeled ones) with the synthetic data's classes and
# statistics. The labeled / unlabeled annotation files come from
#   python tools/dataset_converters/make_semisup_split.py \
#       data/synthetic_cls/meta/train.txt --num-per-class 4 --seed 0
# Every batch holds 8 labeled and 8 * mu = 56 unlabeled samples.
_base_ = './cifar10_semisup.py'

data_root = 'data/synthetic_cls'
metainfo = dict(classes=('disc', 'square', 'triangle', 'ring', 'cross', 'star', 'hexagon',
                         'bars', 'ellipse', 'diamond'))

# the synthetic images have no measured statistics: map [0, 255] to [-1, 1]
data_preprocessor = dict(num_classes=10, mean=[127.5] * 3, std=[127.5] * 3)

train_dataloader = dict(
    batch_size=64,
    num_workers=2,
    dataset=dict(
        labeled=dict(data_root=data_root, metainfo=metainfo,
                     ann_file='meta/train_labeled_4pc_seed0.txt'),
        unlabeled=dict(data_root=data_root, metainfo=metainfo,
                       ann_file='meta/train_unlabeled_4pc_seed0.txt')),
    # 64 = 8 labeled + 8 * 7 unlabeled
    sampler=dict(batch_size=64, mu=7),
)
val_dataloader = dict(
    batch_size=64,
    num_workers=2,
    dataset=dict(data_root=data_root, metainfo=metainfo, ann_file='meta/val.txt',
                 data_prefix='val'))
test_dataloader = dict(
    batch_size=64, num_workers=2, dataset=dict(data_root=data_root, metainfo=metainfo))
