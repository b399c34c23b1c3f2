# Runtime of the iteration-based semi-supervised recipes (their sampler is
# infinite): the default runtime, with checkpoints and logs counted in iterations.
_base_ = './default_runtime.py'

default_hooks = dict(checkpoint=dict(by_epoch=False, interval=5000))
log_processor = dict(by_epoch=False)
