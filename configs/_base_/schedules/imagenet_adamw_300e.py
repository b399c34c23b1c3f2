# The DeiT training schedule (Touvron et al., arXiv:2012.12877; mmpretrain
# deit/deit-small_4xb256_in1k.py), shared by the ViT configs: AdamW lr 5e-4 per
# 512 images (2.5e-4 for the total batch of 256 of imagenet_bs32), weight decay
# 0.05 with none on norms, biases and other 1-D parameters, gradient clipping 5,
# 5 warm-up epochs (linear from lr x 1e-3, per iteration), then cosine to 1e-5
# at epoch 300. Each model adds its own no-decay tokens in
# `optim_wrapper.paramwise_cfg.custom_keys`.
optim_wrapper = dict(
    optimizer=dict(
        type='AdamW', lr=5e-4 * 256 / 512, weight_decay=0.05, eps=1e-8, betas=(0.9, 0.999)),
    paramwise_cfg=dict(
        norm_decay_mult=0.0, bias_decay_mult=0.0, flat_decay_mult=0.0, custom_keys={}),
    clip_grad=dict(max_norm=5.0),
)

param_scheduler = [
    dict(type='LinearLR', start_factor=1e-3, by_epoch=True, begin=0, end=5,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', eta_min=1e-5, by_epoch=True, begin=5, end=300,
         convert_to_iter_based=True),
]

train_cfg = dict(by_epoch=True, max_epochs=300, val_interval=1)
val_cfg = dict()
test_cfg = dict()

auto_scale_lr = dict(base_batch_size=256)
