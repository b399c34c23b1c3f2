# AutoMix ImageNet schedule (OpenMixup `imagenet/automix/`, PyTorch-style 100 epochs): the
# student with SGD lr 0.1 for a total batch of 256, momentum 0.9, weight decay 1e-4, cosine
# annealing to 0; the Mix Block with an optimizer of its own, SGD lr 0.1, momentum 0.9, cosine
# to 1e-3 (the reference's `addtional_scheduler` for 'mix_block').
optim_wrapper = dict(
    constructor='AutoMixOptimWrapperConstructor',
    optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=1e-4),
    mix_block=dict(optimizer=dict(type='SGD', lr=0.1, momentum=0.9)))

# one schedule per optimizer (keys of the AutoMixOptimWrapperDict)
param_scheduler = dict(
    backbone=dict(type='CosineAnnealingLR', by_epoch=True, begin=0, end=100, eta_min=0.),
    mix_block=dict(type='CosineAnnealingLR', by_epoch=True, begin=0, end=100, eta_min=1e-3))

train_cfg = dict(by_epoch=True, max_epochs=100, val_interval=1)
val_cfg = dict()
test_cfg = dict()

auto_scale_lr = dict(base_batch_size=256)
