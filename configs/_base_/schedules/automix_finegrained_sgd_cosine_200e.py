# AutoMix fine-grained fine-tuning schedule (OpenMixup
# `cub200/automix/r18_l2_a2_near_lam_cat_mb_mlr5e_4_1xb16_ep200.py`): the ImageNet-pretrained
# student with SGD lr 0.001, momentum 0.9, weight decay 5e-4, cosine annealing to 0, 200
# epochs, batch 16 on one GPU; the Mix Block with an optimizer of its own, SGD lr 0.01,
# momentum 0.9, cosine to 5e-4.
optim_wrapper = dict(
    constructor='AutoMixOptimWrapperConstructor',
    optimizer=dict(type='SGD', lr=0.001, momentum=0.9, weight_decay=5e-4),
    mix_block=dict(optimizer=dict(type='SGD', lr=0.01, momentum=0.9)))

# one schedule per optimizer (keys of the AutoMixOptimWrapperDict)
param_scheduler = dict(
    backbone=dict(type='CosineAnnealingLR', by_epoch=True, begin=0, end=200, eta_min=0.),
    mix_block=dict(type='CosineAnnealingLR', by_epoch=True, begin=0, end=200, eta_min=5e-4))

train_cfg = dict(by_epoch=True, max_epochs=200, val_interval=1)
val_cfg = dict()
test_cfg = dict()

auto_scale_lr = dict(base_batch_size=16)
