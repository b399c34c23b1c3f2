# Runtime of the iteration-based semi-supervised recipes (their sampler is
# infinite): the default runtime, with checkpoints and logs counted in iterations.
_base_ = './default_runtime.py'

# log_metric_by_epoch=False: validation metrics are logged at their iteration (mmengine's
# default keys them by epoch, which stays 0 in an iteration loop)
default_hooks = dict(checkpoint=dict(by_epoch=False, interval=5000),
                     logger=dict(log_metric_by_epoch=False))
log_processor = dict(by_epoch=False)
