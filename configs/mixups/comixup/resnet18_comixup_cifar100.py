# Co-Mixup (Kim et al., ICLR 2021, arXiv:2102.03065), with ResNet-18 (CIFAR stem) on CIFAR-100,
#   800 epochs, batch 100.
# Reference top-1 reported by OpenMixup (R-18 800 ep, median of the last 10 epochs): 81.17
#   (Westlake-AI/openmixup configs/classification/cifar100/README.md; a published number, not an
#   mmmix measurement).
_base_ = [
    '../../_base_/models/resnet18_cifar.py',
    '../../_base_/datasets/cifar100_bs100.py',
    '../../_base_/schedules/cifar_sgd_cosine_800e.py',
    '../../_base_/default_runtime.py',
]

# alpha=2.0: Dirichlet prior concentration of the Co-Mixup reference (snu-mllab/Co-Mixup
#   main.py, mixup_alpha)
# Co-Mixup options: the class defaults are the reference settings (m_block_num 4, m_part 20,
#   beta 0.32, gamma 1.0, thres 0.83, eta 0.05, omega 0.001, 4 passes, set_resolve)
model = dict(mixers=[dict(type='CoMixup', alpha=2.0)])
