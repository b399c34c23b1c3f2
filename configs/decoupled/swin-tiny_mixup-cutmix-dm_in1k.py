# Swin-T (Liu et al., ICCV 2021, arXiv:2103.14030) with the DeiT mixing recipe (Mixup alpha 0.8 or
#   CutMix alpha 1.0, one of them per batch) + Decoupled Mixup DM(CE) (Liu et al., NeurIPS 2023,
#   arXiv:2203.10761), on ImageNet-1k, 300 epochs, 8 GPUs x 32 images.
# The DeiT recipe as the DeiT-S config (deit-small_mixup-cutmix-dm_in1k.py): AdamW lr 5e-4 x
#   batch / 512, weight decay 0.05 (none on norms, biases, position tables), gradient clipping 5,
#   5 warm-up epochs (mmpretrain's Swin config uses 20) then cosine to 1e-5, drop path 0.2. Kept
#   from the mmmix bases: the imagenet_bs32 pipeline and the plain CE for clean batches (no label
#   smoothing: every training batch is mixed, so the DM loss is the only training loss).
# Head: SwinTransformer returns the last stage, [N, 768, 7, 7]; the base's GlobalAveragePooling
#   neck makes it [N, 768], so MixupClsHead takes in_channels=768.
# Reference top-1 reported by the DM paper (ALGORITHMS.md seed slides, Swin-T): MCE 81.28 ->
#   DM(CE) 81.49 (a published number, not an mmmix measurement).
_base_ = [
    '../_base_/models/resnet50.py',
    '../_base_/datasets/imagenet_bs32.py',
    '../_base_/schedules/imagenet_adamw_300e.py',
    '../_base_/default_runtime.py',
]

# alpha=0.8 (Mixup), 1.0 (CutMix): the DeiT recipe (mmpretrain swin-tiny_16xb64_in1k.py); the
#   classifier's mix_prob is left at its default, uniform (0.5 / 0.5, as DeiT's switch prob 0.5)
# eta=0.1, mode='both', idx=1: ALGORITHMS.md, DM ImageNet setting
model = dict(
    mixers=[dict(type='Mixup', alpha=0.8), dict(type='CutMix', alpha=1.0)],
    backbone=dict(
        _delete_=True,
        type='SwinTransformer',
        arch='tiny',
        img_size=224,
        drop_path_rate=0.2,
        # mmpretrain's Swin initialisation (given at the classifier level there)
        init_cfg=[
            dict(type='TruncNormal', layer='Linear', std=.02, bias=0.),
            dict(type='Constant', layer='LayerNorm', val=1., bias=0.),
        ]),
    head=dict(
        in_channels=768,
        mix_loss=dict(type='DecoupledMixupLoss', eta=0.1, mode='both', idx=1.0)),
)

# the DeiT schedule comes from the base; the tokens this model keeps out of weight decay
optim_wrapper = dict(
    paramwise_cfg=dict(custom_keys={
        '.absolute_pos_embed': dict(decay_mult=0.0),
        '.relative_position_bias_table': dict(decay_mult=0.0),
    }))
