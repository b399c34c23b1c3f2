# Mixup (Zhang et al., ICLR 2018, arXiv:1710.09412) with the full-width ResNet-18 (CIFAR stem) on
#   CIFAR-10 from the JPEG archive (50,000 training / 10,000 test images, batch 100), the short
#   schedule of `resnet18_vanilla_cifar10-jpeg.py` (SGD 0.1, one warm-up epoch, cosine to 0;
#   `max_epochs` set by `tools/benchmarks/cifar10_gpu.py`).
_base_ = './resnet18_vanilla_cifar10-jpeg.py'

# alpha 1.0: the CIFAR setting of the mixup benchmark
# (configs/mixups/mixup/resnet18_mixup_cifar100.py, OpenMixup's CIFAR README)
model = dict(mixers=[dict(type='Mixup', alpha=1.0)])
