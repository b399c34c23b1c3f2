# CIFAR-10 (JPEG) CPU benchmark (docs/cifar10_benchmark.md): Mixup + Decoupled Mixup DM(CE)
# (Liu et al., NeurIPS 2023); mixer and DM settings of the CIFAR-100 DM configs (configs/decoupled/).
_base_ = '../_base_/cifar10-jpeg-2k_benchmark.py'

model = dict(
    mixers=[dict(type='Mixup', alpha=0.2)],
    head=dict(mix_loss=dict(type='DecoupledMixupLoss', eta=0.01, mode='more', idx=0.5)))
