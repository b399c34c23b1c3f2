# DeiT-S (Touvron et al., ICML 2021, arXiv:2012.12877) with the DeiT mixing recipe (Mixup alpha 0.8
#   or CutMix alpha 1.0, one of them per batch) + Decoupled Mixup DM(CE) (Liu et al., NeurIPS 2023,
#   arXiv:2203.10761), on ImageNet-1k, 300 epochs, 8 GPUs x 32 images.
# The DeiT recipe (mmpretrain deit/deit-small_4xb256_in1k.py): AdamW lr 5e-4 x batch / 512,
#   weight decay 0.05 (none on norms, biases, cls_token, pos_embed), gradient clipping 5, 5 warm-up
#   epochs then cosine to 1e-5, drop path 0.1. Kept from the mmmix bases: the imagenet_bs32 data
#   pipeline (RandomResizedCrop + flip: no RandAugment / random erasing / repeated augmentation)
#   and the plain CE for clean batches (DeiT's label smoothing 0.1 is not applied: every training
#   batch is mixed, so the DM loss is the only training loss).
# Head: mmpretrain's VisionTransformer (out_type='cls_token', final_norm=True) returns a tuple
#   with one [N, 384] tensor, which MixupClsHead.pre_logits (LinearClsHead's: the last feature)
#   takes as is, so no neck (the base's GlobalAveragePooling is removed) and in_channels=384.
# Reference top-1 reported by the DM paper (ALGORITHMS.md seed slides, DeiT-S): MCE 79.80 ->
#   DM(CE) 80.37 (a published number, not an mmmix measurement).
_base_ = [
    '../_base_/models/resnet50.py',
    '../_base_/datasets/imagenet_bs32.py',
    '../_base_/schedules/imagenet_adamw_300e.py',
    '../_base_/default_runtime.py',
]

# alpha=0.8 (Mixup), 1.0 (CutMix): the DeiT recipe (mmpretrain deit-small_4xb256_in1k.py); the
#   classifier's mix_prob is left at its default, uniform (0.5 / 0.5, as DeiT's switch prob 0.5)
# eta=0.1, mode='both', idx=1: ALGORITHMS.md, DM ImageNet setting
model = dict(
    mixers=[dict(type='Mixup', alpha=0.8), dict(type='CutMix', alpha=1.0)],
    backbone=dict(
        _delete_=True,
        type='VisionTransformer',
        arch='deit-small',
        img_size=224,
        patch_size=16,
        drop_path_rate=0.1,
        # mmpretrain's DeiT initialisation (given at the classifier level there)
        init_cfg=[
            dict(type='TruncNormal', layer='Linear', std=.02),
            dict(type='Constant', layer='LayerNorm', val=1., bias=0.),
        ]),
    neck=None,
    head=dict(
        in_channels=384,
        mix_loss=dict(type='DecoupledMixupLoss', eta=0.1, mode='both', idx=1.0)),
)

# the DeiT schedule comes from the base; the tokens this model keeps out of weight decay
optim_wrapper = dict(
    paramwise_cfg=dict(custom_keys={
        '.cls_token': dict(decay_mult=0.0),
        '.pos_embed': dict(decay_mult=0.0),
    }))
