# FixMatch's CIFAR schedule: SGD (lr 0.03, Nesterov momentum 0.9, weight decay 5e-4;
# CIFAR-100 configs use 1e-3), 2^20 iterations. FixMatch decays the rate as
# lr * cos(7 pi k / 16 K); mmengine's cosine annealing to eta_min = 0.2 * lr is the
# closest built-in (same start and end, a slightly different curve).
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.03, momentum=0.9, weight_decay=5e-4, nesterov=True))

param_scheduler = [
    dict(type='CosineAnnealingLR', by_epoch=False, begin=0, end=1048576, eta_min=0.006),
]

# mmmix's iteration loop: a resume skips the trained batches without loading them
train_cfg = dict(type='mmmix.IterBasedTrainLoop', max_iters=1048576, val_interval=5000)
val_cfg = dict()
test_cfg = dict()

# the per-GPU batch: 64 labeled + 448 unlabeled samples
auto_scale_lr = dict(base_batch_size=512)
