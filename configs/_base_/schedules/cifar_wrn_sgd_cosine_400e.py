# CIFAR schedule of OpenMixup's WRN-28-8 mixup benchmark
# (`cifar100/mixups/basic/wrn28_8_mixups_CE_none.py`, 400 epochs in its table):
# SGD lr 0.03, momentum 0.9, weight decay 1e-3 (OpenMixup notes 5e-4 as the
# alternative for some mixup methods), cosine annealing to 0, batch 100.
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.03, momentum=0.9, weight_decay=1e-3))

param_scheduler = dict(
    type='CosineAnnealingLR', by_epoch=True, begin=0, end=400, eta_min=0.)

train_cfg = dict(by_epoch=True, max_epochs=400, val_interval=1)
val_cfg = dict()
test_cfg = dict()

auto_scale_lr = dict(base_batch_size=100)
