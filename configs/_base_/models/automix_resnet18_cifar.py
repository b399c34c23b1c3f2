# AutoMix (Liu et al., ECCV 2022, arXiv:2103.13027) with ResNet-18 (CIFAR stem: 3x3 stride-1
# conv1, no max-pool), the reference CIFAR settings (OpenMixup
# `configs/classification/cifar100/automix/`): alpha 2, the Mix Block on stage 3 (0-based
# index 2: 8x8 at 32 px, 256 channels), no lambda embedding, nearest upsampling, mask loss
# gamma 0.1 / eps 0.1, lam margin 0.08, teacher momentum 0.999 for the first 10% of the
# iterations, then cosine to 0.999999 (paper convention: teacher = m * teacher + (1-m) * student).
model = dict(
    type='AutoMix',
    backbone=dict(
        type='ResNet_CIFAR',
        depth=18,
        num_stages=4,
        out_indices=(3, ),
        style='pytorch'),
    neck=dict(type='GlobalAveragePooling'),
    head=dict(
        type='MixupClsHead',
        num_classes=100,
        in_channels=512,
        loss=dict(type='CrossEntropyLoss', loss_weight=1.0),
        topk=(1, 5),
    ),
    mix_block=dict(
        type='PixelMixBlock',
        in_channels=256,
        reduction=2,
        lam_embed=False,
        separate_key=False,
        upsample_modes=['nearest'],
        init_std=0.01,
        lam_anchor=False,  # the paper's free mask (mmmix option, see docs/automix.md)
    ),
    mix_stage=2,
    alpha=2.0,
    lam_margin=0.08,
    mask_gamma=0.1,
    mask_eps=0.1,
    mask_gamma_anneal=False,
    momentum=0.999,
    end_momentum=0.999999,
    momentum_warmup=0.1,
    clean_loss_weight=1.0,
    eval_model='student',
)
