# CIFAR mixup benchmark schedule (OpenMixup `cifar100/mixups/basic/r18_mixups_CE_none.py`,
# the runs behind the R-18 / RX-50 800-epoch numbers): SGD lr 0.1, momentum 0.9,
# weight decay 1e-4, cosine annealing to 0, 800 epochs, batch 100 on one GPU.
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=1e-4))

param_scheduler = dict(
    type='CosineAnnealingLR', by_epoch=True, begin=0, end=800, eta_min=0.)

train_cfg = dict(by_epoch=True, max_epochs=800, val_interval=1)
val_cfg = dict()
test_cfg = dict()

# NOTE: `auto_scale_lr` is for automatically scaling LR
# based on the actual training batch size.
auto_scale_lr = dict(base_batch_size=100)
