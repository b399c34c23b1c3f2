# A short schedule for CPU smoke runs on the synthetic data: SGD lr 0.1,
# momentum 0.9, weight decay 1e-4 (as the CIFAR benchmark), one warm-up epoch
# then cosine annealing to 0, 5 epochs, batch 32.
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=1e-4))

param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=True, begin=0, end=1,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', by_epoch=True, begin=1, end=5, eta_min=0.,
         convert_to_iter_based=True),
]

train_cfg = dict(by_epoch=True, max_epochs=5, val_interval=1)
val_cfg = dict()
test_cfg = dict()

auto_scale_lr = dict(base_batch_size=32)
