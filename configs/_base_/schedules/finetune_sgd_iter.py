# Fine-tuning schedule (Self-Tuning / Co-Tuning setting): SGD, lr 0.001,
# momentum 0.9, weight decay 5e-4, the new classifier(s) at 10x lr, iteration
# based (the semi-supervised sampler is infinite). The length (12k iters) and
# the cosine decay are our choices.
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.001, momentum=0.9, weight_decay=5e-4, nesterov=True),
    paramwise_cfg=dict(custom_keys={'head': dict(lr_mult=10.), 'source_fc': dict(lr_mult=10.),
                                    'projector': dict(lr_mult=10.)}))

param_scheduler = [
    dict(type='CosineAnnealingLR', by_epoch=False, begin=0, end=12000, eta_min=1e-5),
]

# mmmix's iteration loop: a resume skips the trained batches without loading them
train_cfg = dict(type='mmmix.IterBasedTrainLoop', max_iters=12000, val_interval=2000)
val_cfg = dict()
test_cfg = dict()

auto_scale_lr = dict(base_batch_size=48)
