# CutMix (Yun et al., ICCV 2019, arXiv:1905.04899) with the full-width ResNet-18 (CIFAR stem) on
#   CIFAR-10 from the JPEG archive (50,000 training / 10,000 test images, batch 100), the short
#   schedule of `resnet18_vanilla_cifar10-jpeg.py` (SGD 0.1, one warm-up epoch, cosine to 0;
#   `max_epochs` set by `tools/benchmarks/cifar10_gpu.py`).
_base_ = './resnet18_vanilla_cifar10-jpeg.py'

# alpha 0.2: the CIFAR setting of the mixup benchmark
# (configs/mixups/cutmix/resnet18_cutmix_cifar100.py, OpenMixup's CIFAR README)
model = dict(mixers=[dict(type='CutMix', alpha=0.2)])
