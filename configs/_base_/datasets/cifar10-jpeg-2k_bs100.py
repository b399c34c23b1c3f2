# The fixed class-balanced 2,000-image subset of CIFAR-10 (JPEG), 200 images per class
# (meta/train_200pc_seed0.txt, drawn with seed 0 and committed under
# tools/dataset_converters/cifar10_jpeg_lists/), tested on the full 10,000-image test split.
# Otherwise as `cifar10-jpeg_bs100.py`. Why 2,000 images: docs/cifar10_benchmark.md.
_base_ = './cifar10-jpeg_bs100.py'

train_dataloader = dict(dataset=dict(ann_file='meta/train_200pc_seed0.txt'))
