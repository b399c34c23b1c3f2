# ImageNet "PyTorch-style" mixup benchmark schedule (OpenMixup
# `imagenet/mixups/basic/r18_mixups_CE_none_4xb64.py`): SGD lr 0.1 for a total
# batch of 256, momentum 0.9, weight decay 1e-4, cosine annealing to 0, 100 epochs.
optim_wrapper = dict(
    optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=1e-4))

param_scheduler = dict(
    type='CosineAnnealingLR', by_epoch=True, begin=0, end=100, eta_min=0.)

train_cfg = dict(by_epoch=True, max_epochs=100, val_interval=1)
val_cfg = dict()
test_cfg = dict()

# NOTE: `auto_scale_lr` is for automatically scaling LR,
# based on the actual training batch size.
auto_scale_lr = dict(base_batch_size=256)
