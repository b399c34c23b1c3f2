# AutoMix (Liu et al., ECCV 2022, arXiv:2103.13027) with ResNeXt-101 (32x4d) on ImageNet-1k,
#   100 epochs, 8 GPUs x 32 images: alpha 2, stage-3 features (14x14), the lambda embedding on,
#   the mask loss gamma cosine-annealed to 0, teacher momentum to 0.99999, the Mix Block with its
#   own SGD optimizer and schedule (lr 0.1, cosine to 1e-3).
_base_ = [
    '../_base_/models/automix_resnet18.py',
    '../_base_/datasets/imagenet_bs32.py',
    '../_base_/schedules/automix_imagenet_sgd_cosine_100e.py',
    '../_base_/default_runtime.py',
]

model = dict(
    backbone=dict(_delete_=True, type='ResNeXt', depth=101, num_stages=4, groups=32,
                  width_per_group=4, out_indices=(3, ), style='pytorch'),
    head=dict(in_channels=2048),
    mix_block=dict(in_channels=1024))
