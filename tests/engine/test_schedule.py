"""mmmix.engine.schedule.rescale_schedule: every epoch boundary of the schedulers follows
the new length; iteration schedulers and the config's other keys are left alone."""
import pytest
from mmengine.config import Config

from mmmix.engine.schedule import rescale_schedule


def _cfg(scheds, epochs=30):
    return Config(dict(train_cfg=dict(by_epoch=True, max_epochs=epochs, val_interval=1),
                       param_scheduler=scheds))


def test_warmup_and_cosine_scale_with_the_run():
    cfg = _cfg([dict(type='LinearLR', start_factor=0.1, by_epoch=True, begin=0, end=3,
                     convert_to_iter_based=True),
                dict(type='CosineAnnealingLR', by_epoch=True, begin=3, end=30, T_max=27,
                     convert_to_iter_based=True)])
    rescale_schedule(cfg, 10)
    warm, cos = cfg.param_scheduler
    assert cfg.train_cfg.max_epochs == 10 and cfg.train_cfg.val_interval == 1
    assert (warm.begin, warm.end) == (0, pytest.approx(1.0))
    assert (cos.begin, cos.end, cos.T_max) == (pytest.approx(1.0), 10, pytest.approx(9.0))


def test_epoch_schedulers_round_and_milestones_scale():
    cfg = _cfg([dict(type='LinearLR', by_epoch=False, begin=0, end=500),
                dict(type='MultiStepLR', by_epoch=True, begin=0, end=12, milestones=[8, 11]),
                dict(type='StepLR', by_epoch=True, begin=0, end=12, step_size=4)],
               epochs=12)
    rescale_schedule(cfg, 6)
    iters, steps, step = cfg.param_scheduler
    assert (iters.begin, iters.end) == (0, 500)  # iterations: untouched
    assert steps.end == 6 and steps.milestones == [4, 6]
    assert step.end == 6 and step.step_size == 2


def test_a_phase_that_vanishes_is_dropped_and_a_single_dict_stays_a_dict():
    cfg = _cfg([dict(type='ConstantLR', by_epoch=True, begin=0, end=1, factor=0.5),
                dict(type='StepLR', by_epoch=True, begin=1, end=40, step_size=5)], epochs=40)
    rescale_schedule(cfg, 1)
    assert [s.type for s in cfg.param_scheduler] == ['ConstantLR']
    assert cfg.param_scheduler[0].end == 1
    single = _cfg(dict(type='CosineAnnealingLR', by_epoch=True, begin=0, end=800, T_max=800),
                  epochs=800)
    rescale_schedule(single, 200)
    assert single.param_scheduler.end == 200 and single.param_scheduler.T_max == 200


def test_errors_name_the_value():
    with pytest.raises(ValueError, match='max_epochs=0'):
        rescale_schedule(_cfg([]), 0)
    with pytest.raises(ValueError, match='train_cfg.max_epochs is not set'):
        rescale_schedule(Config(dict(train_cfg=dict(max_iters=100))), 5)
