# A short CPU schedule of the synthetic fine-tuning twins (300 iterations).
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.01, momentum=0.9, weight_decay=5e-4, nesterov=True))

param_scheduler = [
    dict(type='CosineAnnealingLR', by_epoch=False, begin=0, end=300, eta_min=1e-4),
]

# mmmix's iteration loop: a resume skips the trained batches without loading them
train_cfg = dict(type='mmmix.IterBasedTrainLoop', max_iters=300, val_interval=100)
val_cfg = dict()
test_cfg = dict()

auto_scale_lr = dict(base_batch_size=48)
