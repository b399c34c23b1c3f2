# A CPU budget for semi-supervised CIFAR-10 (JPEG): FixMatch's optimiser (SGD lr 0.03,
# Nesterov momentum 0.9, weight decay 5e-4) for 2,000 iterations, a linear warm-up over the
# first 100, then cosine to 0.2 x lr; test top-1 every 250 iterations. FixMatch itself
# trains 2^20 iterations (docs/cifar10_benchmark.md says what this budget can show).
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.03, momentum=0.9, weight_decay=5e-4, nesterov=True))

param_scheduler = [
    dict(type='LinearLR', by_epoch=False, start_factor=0.1, begin=0, end=100),
    dict(type='CosineAnnealingLR', by_epoch=False, begin=100, end=2000, eta_min=0.006),
]

# mmmix's iteration loop: a resume skips the trained batches without loading them
train_cfg = dict(type='mmmix.IterBasedTrainLoop', max_iters=2000, val_interval=250)
val_cfg = dict()
test_cfg = dict()

auto_scale_lr = dict(base_batch_size=128)  # the whole batch: 32 labeled + 96 unlabeled
