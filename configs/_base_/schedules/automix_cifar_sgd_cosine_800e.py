# AutoMix CIFAR schedule (OpenMixup `cifar100/automix/`, the runs behind the R-18 / RX-50
# 800-epoch numbers): SGD lr 0.1, momentum 0.9, weight decay 1e-4, cosine annealing to a
# minimum lr of 0.05, 800 epochs, batch 100 on one GPU. The Mix Block is a parameter group
# of the same optimizer with the same lr (the reference's `paramwise_options` for
# 'mix_block': lr 0.1), so it follows the same schedule.
optim_wrapper = dict(
    constructor='AutoMixOptimWrapperConstructor',
    optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=1e-4),
    mix_block=dict(lr_mult=1.0))

param_scheduler = dict(
    type='CosineAnnealingLR', by_epoch=True, begin=0, end=800, eta_min=0.05)

train_cfg = dict(by_epoch=True, max_epochs=800, val_interval=1)
val_cfg = dict()
test_cfg = dict()

auto_scale_lr = dict(base_batch_size=100)
