# Tiny-ImageNet mixup benchmark schedule (OpenMixup
# `tiny_imagenet/mixups/basic/r18_mixups_CE_none.py`): SGD lr 0.2, momentum 0.9,
# weight decay 1e-4, cosine annealing to 0, 400 epochs, batch 100 on one GPU.
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.2, momentum=0.9, weight_decay=1e-4))

param_scheduler = dict(
    type='CosineAnnealingLR', by_epoch=True, begin=0, end=400, eta_min=0.)

train_cfg = dict(by_epoch=True, max_epochs=400, val_interval=1)
val_cfg = dict()
test_cfg = dict()

auto_scale_lr = dict(base_batch_size=100)
