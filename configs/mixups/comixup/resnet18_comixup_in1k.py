# Co-Mixup (Kim et al., ICLR 2021, arXiv:2102.03065), with ResNet-18 on ImageNet-1k, 100 epochs,
#   8 GPUs x 32 images.
_base_ = [
    '../../_base_/models/resnet18.py',
    '../../_base_/datasets/imagenet_bs32.py',
    '../../_base_/schedules/imagenet_sgd_cosine_100e.py',
    '../../_base_/default_runtime.py',
]

# alpha=2.0: Dirichlet prior concentration of the Co-Mixup reference (snu-mllab/Co-Mixup
#   main.py, mixup_alpha)
# Co-Mixup options: the class defaults are the reference settings (m_block_num 4, m_part 20,
#   beta 0.32, gamma 1.0, thres 0.83, eta 0.05, omega 0.001, 4 passes, set_resolve)
model = dict(mixers=[dict(type='CoMixup', alpha=2.0)])
