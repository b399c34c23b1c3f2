# Co-Mixup (Kim et al., ICLR 2021, arXiv:2102.03065), with a narrow ResNet-18 (CIFAR stem, width
#   16) on the synthetic 10-class 32x32 data, 30 epochs, batch 32 (a CPU run of a few minutes).
_base_ = [
    '../../_base_/models/resnet18-w16_cifar.py',
    '../../_base_/datasets/synthetic_cls.py',
    '../../_base_/schedules/synthetic_sgd_short.py',
    '../../_base_/default_runtime.py',
]

# alpha=2.0: Dirichlet prior concentration of the Co-Mixup reference (snu-mllab/Co-Mixup
#   main.py, mixup_alpha)
# Co-Mixup options: the class defaults are the reference settings (m_block_num 4, m_part 20,
#   beta 0.32, gamma 1.0, thres 0.83, eta 0.05, omega 0.001, 4 passes, set_resolve)
model = dict(mixers=[dict(type='CoMixup', alpha=2.0)])
