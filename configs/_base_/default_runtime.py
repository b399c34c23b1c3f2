# Runtime shared by every mmmix config (mmpretrain's `_base_/default_runtime.py`
# with mmmix's scope and a fixed seed).

# Unprefixed type names are looked up in mmmix's registries first, then in the
# parents (mmpretrain, mmengine), so every mmpretrain type keeps working.
default_scope = 'mmmix'

default_hooks = dict(
    # record the time of every iteration
    timer=dict(type='IterTimerHook'),
    # print the log every 100 iterations (and at the end of every epoch)
    logger=dict(type='LoggerHook', interval=100),
    # step the parameter schedulers
    param_scheduler=dict(type='ParamSchedulerHook'),
    # save a checkpoint every epoch, keep the last two and the best one; a crash while
    # saving keeps the previous checkpoint (mmmix: written aside, then renamed into place)
    checkpoint=dict(type='mmmix.AtomicCheckpointHook', interval=1, max_keep_ckpts=2,
                    save_best='auto'),
    # set the sampler seed in distributed training
    sampler_seed=dict(type='DistSamplerSeedHook'),
    # validation results visualisation; set enable=True to switch it on
    visualization=dict(type='VisualizationHook', enable=False),
    # refuse dataset labels outside [0, num_classes) before the first step (mmmix)
    label_check=dict(type='mmmix.LabelCheckHook'),
    # save the random generators in checkpoints and restore them on resume (mmmix)
    rng_state=dict(type='mmmix.RNGStateHook'),
)

env_cfg = dict(
    cudnn_benchmark=False,
    mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0),
    # tools/train.py switches the backend to 'gloo' on machines without CUDA
    dist_cfg=dict(backend='nccl'),
)

vis_backends = [dict(type='LocalVisBackend')]
visualizer = dict(type='UniversalVisualizer', vis_backends=vis_backends)

log_processor = dict(by_epoch=True)
log_level = 'INFO'

load_from = None
resume = False

# a fixed seed: the same config gives the same mixing draws (mmpretrain: None)
randomness = dict(seed=0, deterministic=False)
