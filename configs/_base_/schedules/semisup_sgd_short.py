# A short CPU schedule for the synthetic semi-supervised recipes: FixMatch's SGD
# (lr 0.03, Nesterov momentum 0.9, weight decay 5e-4) for 600 iterations of
# 8 labeled + 56 unlabeled images, cosine annealing to 0.2 * lr.
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.03, momentum=0.9, weight_decay=5e-4, nesterov=True))

param_scheduler = [
    dict(type='CosineAnnealingLR', by_epoch=False, begin=0, end=600, eta_min=0.006),
]

# mmmix's iteration loop: a resume skips the trained batches without loading them
train_cfg = dict(type='mmmix.IterBasedTrainLoop', max_iters=600, val_interval=200)
val_cfg = dict()
test_cfg = dict()

auto_scale_lr = dict(base_batch_size=64)
