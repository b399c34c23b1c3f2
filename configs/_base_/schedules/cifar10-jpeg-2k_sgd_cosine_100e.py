# The CPU benchmark schedule on the 2,000-image CIFAR-10 subset (docs/cifar10_benchmark.md):
# SGD lr 0.1, momentum 0.9, weight decay 1e-4 (the CIFAR mixup benchmark's optimizer), one
# epoch of linear warm-up from 0.01, then cosine annealing to 0, both per iteration; 100
# epochs of 20 iterations at batch 100 (2,000 iterations).
# Test top-1 is measured every 10 epochs and at each of the last 10 epochs, whose median is
# the reported number (the convention of the CIFAR mixup benchmark tables).
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=1e-4))

param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=True, begin=0, end=1,
         convert_to_iter_based=True),
    dict(type='CosineAnnealingLR', by_epoch=True, begin=1, end=100, eta_min=0.,
         convert_to_iter_based=True),
]

train_cfg = dict(by_epoch=True, max_epochs=100, val_interval=10, dynamic_intervals=[(91, 1)])
val_cfg = dict()
test_cfg = dict()

auto_scale_lr = dict(base_batch_size=100)
