"""AutoMix: Mix Block, teacher schedule, gradient routing, optimizers, config
errors, checkpoint layout and evaluation switch (tiny CPU models)."""
import math

import pytest
import torch
import torch.nn.functional as F
from mmengine.logging import MessageHub
from mmengine.optim import OptimWrapper, OptimWrapperDict
from mmengine.registry import init_default_scope
from mmpretrain.structures import DataSample

import mmmix  # noqa: F401
from mmmix.engine import AutoMixEMA, automix_momentum
from mmmix.registry import MODELS, OPTIM_WRAPPER_CONSTRUCTORS
from mmmix.models.classifiers.automix import _lerp_pairs
from mmmix.models.mix_blocks import PixelMixBlock, forward_to_stage, mask_lam_loss
from mmmix.utils.validation import ConfigError

NUM_CLASSES = 4


@pytest.fixture(autouse=True)
def scope():
    init_default_scope('mmmix')


def model_cfg(**kw):
    cfg = dict(
        type='AutoMix',
        backbone=dict(type='ResNet_CIFAR', depth=18, stem_channels=8, base_channels=8,
                      out_indices=(3, )),
        neck=dict(type='GlobalAveragePooling'),
        head=dict(type='MixupClsHead', num_classes=NUM_CLASSES, in_channels=64),
        mix_block=dict(type='PixelMixBlock', in_channels=32),
        data_preprocessor=dict(type='ClsDataPreprocessor', num_classes=NUM_CLASSES,
                               mean=[127.5] * 3, std=[127.5] * 3))
    cfg.update(kw)
    return cfg


def build(**kw):
    torch.manual_seed(0)
    return MODELS.build(model_cfg(**kw))


def optim_for(model, mix_block=dict(lr_mult=2.0), **kw):
    cfg = dict(optimizer=dict(type='SGD', lr=0.1, momentum=0.9), mix_block=mix_block, **kw)
    return OPTIM_WRAPPER_CONSTRUCTORS.build(
        dict(type='AutoMixOptimWrapperConstructor', optim_wrapper_cfg=cfg))(model)


def batch(n=6, size=16, seed=0):
    g = torch.Generator().manual_seed(seed)
    return dict(inputs=[torch.randint(0, 256, (3, size, size), generator=g, dtype=torch.uint8)
                        for _ in range(n)],
                data_samples=[DataSample().set_gt_label(i % NUM_CLASSES) for i in range(n)])


def preprocessed(model, n=6, seed=0):
    data = model.data_preprocessor(batch(n, seed=seed), training=True)
    return data['inputs'], data['data_samples']


# ------------------------------------------------------------------ Mix Block
@pytest.mark.parametrize('mode', ['nearest', 'bilinear', 'bicubic'])
@pytest.mark.parametrize('opts', [dict(), dict(lam_embed=True, separate_key=True),
                                  dict(lam_mul=True, value_neck=True),
                                  dict(lam_embed=True, lam_anchor=True)])
def test_mask_in_unit_range_and_sides_sum_to_one(mode, opts):
    torch.manual_seed(0)
    block = PixelMixBlock(in_channels=8, init_std=1.0, **opts)  # large weights: a varied mask
    z = torch.randn(5, 8, 4, 4) * 5
    lam = torch.rand(5)
    index = torch.randperm(5)
    m = block(z, lam, index, (16, 12), mode)
    assert m.shape == (5, 1, 16, 12) and m.dtype == torch.float32
    assert (m >= 0).all() and (m <= 1).all()
    assert m.std() > 0.01  # not a constant mask
    # the two sides as the model mixes them (_lerp_pairs): an all-ones x with an all-zero
    # partner shows x's weight m, the reverse shows the partner's weight 1 - m
    ones, zeros = torch.ones(5, 3, 16, 12), torch.zeros(5, 3, 16, 12)
    x = torch.where(torch.arange(5).view(-1, 1, 1, 1) % 2 == 0, ones, zeros)
    even_odd = torch.tensor([1, 0, 3, 2, 4])  # pairs of a ones image with a zeros image
    mixed = _lerp_pairs(x, even_odd, m)
    assert torch.allclose(mixed[0], m[0].expand(3, -1, -1), atol=1e-6)  # x (ones) weight m
    assert torch.allclose(mixed[1], (1 - m[1]).expand(3, -1, -1), atol=1e-6)  # partner: 1 - m
    # and the mixed image is the convex combination the mask says
    x = torch.randn(5, 3, 16, 12)
    assert torch.allclose(_lerp_pairs(x, index, m), m * x + (1 - m) * x[index], atol=1e-6)


@pytest.mark.parametrize('anchor', [False, True])
def test_mask_is_fp32_and_finite_for_bf16_and_non_finite_features(anchor):
    block = PixelMixBlock(in_channels=4, lam_anchor=anchor)
    z = torch.randn(3, 4, 2, 2)
    z[0, 0, 0, 0] = float('inf')
    z[1, 1, 1, 1] = float('nan')
    m = block(z, torch.full((3, ), 0.5), torch.tensor([1, 2, 0]), (8, 8), 'bilinear')
    assert torch.isfinite(m).all() and (m >= 0).all() and (m <= 1).all()
    with torch.autocast('cpu', dtype=torch.bfloat16):
        m = block(torch.randn(3, 4, 2, 2).bfloat16(), torch.rand(3), torch.tensor([1, 2, 0]),
                  (8, 8))
    assert m.dtype == torch.float32


def test_mix_block_init_and_shared_key():
    torch.manual_seed(0)
    block = PixelMixBlock(in_channels=256)
    assert block.key is None  # shared with the query unless separate_key
    w = block.query.weight.detach()
    assert abs(float(w.std()) - 0.01) < 0.001 and float(w.mean().abs()) < 0.001
    assert torch.equal(block.query.bias, torch.zeros_like(block.query.bias))
    assert PixelMixBlock(in_channels=4, separate_key=True).key is not None
    # the lambda embedding adds one input channel
    assert PixelMixBlock(in_channels=4, lam_embed=True).query.in_channels == 5


def test_attention_matches_an_independent_formula():
    torch.manual_seed(1)
    block = PixelMixBlock(in_channels=6, reduction=2, lam_embed=True, init_std=0.3)
    z = torch.randn(3, 6, 2, 3)
    lam = torch.tensor([0.2, 0.5, 0.9])
    index = torch.tensor([2, 0, 1])
    m = block(z, lam, index, (2, 3), 'nearest')  # same size: no resampling
    for i in range(3):
        a = torch.cat([z[i], torch.full((1, 2, 3), float(lam[i]))]).flatten(1)  # [7, 6]
        b = torch.cat([z[index[i]], torch.full((1, 2, 3), 1 - float(lam[i]))]).flatten(1)
        wq, bq = block.query.weight[:, :, 0, 0], block.query.bias
        q, k = wq @ a + bq[:, None], wq @ b + bq[:, None]
        # the value comes from the partner, the side of the keys
        v = block.value.weight[:, :, 0, 0] @ b + block.value.bias[:, None]  # [1, 6]
        p = torch.softmax(q.T @ k / math.sqrt(q.shape[0]), dim=1)
        # sigmoid(P v) is the partner's weight; the block returns the weight of x
        expect = 1 - torch.sigmoid(p @ v.T).view(2, 3)
        assert torch.allclose(m[i, 0], expect, atol=1e-5)


def test_lam_anchor_pins_the_mask_mean_where_the_free_mask_saturates():
    torch.manual_seed(2)
    z = torch.randn(4, 6, 3, 3).abs()
    lam = torch.tensor([0.1, 0.35, 0.6, 0.95])
    index = torch.tensor([1, 2, 3, 0])
    free = PixelMixBlock(in_channels=6, init_std=0.2)
    anchored = PixelMixBlock(in_channels=6, init_std=0.2, lam_anchor=True)
    anchored.load_state_dict(free.state_dict())
    with torch.no_grad():  # a spatially constant push on the value: the free mask saturates
        for block in (free, anchored):
            block.value.bias.fill_(40.)
    m_free = free(z, lam, index, (6, 6), 'nearest')
    assert float(m_free.max()) < 1e-6  # all partner: the sigmoid is saturated
    m = anchored(z, lam, index, (6, 6), 'nearest')
    # the constant is centred away; what is left varies spatially around logit(lam)
    logit = torch.log(m / (1 - m)).flatten(1)
    assert torch.allclose(logit.mean(1), torch.log(lam / (1 - lam)), atol=1e-4)
    assert float(logit.std(1).min()) > 0
    # a spatially flat block (zero value weights) gives exactly m = lam
    with torch.no_grad():
        anchored.value.weight.zero_()
    flat = anchored(z, lam, index, (6, 6), 'bilinear')
    assert torch.allclose(flat, lam.view(-1, 1, 1, 1).expand_as(flat), atol=1e-6)
    # and the gradient still reaches the block through the mask
    anchored.value.weight.data.normal_(0, 0.1)
    anchored(z, lam, index, (6, 6), 'nearest').pow(2).sum().backward()
    assert float(anchored.value.weight.grad.abs().sum()) > 0


def test_mask_loss_formula():
    m = torch.stack([torch.full((1, 4, 4), s) for s in (0.1, 0.45, 0.9)])
    lam = torch.tensor([0.5, 0.5, 0.5])
    per = [max(abs(0.5 - s) - 0.1, 0.) for s in (0.1, 0.45, 0.9)]
    assert math.isclose(float(mask_lam_loss(m, lam, 0.3, 0.1)), 0.3 * sum(per) / 3,
                        rel_tol=1e-5)


# ------------------------------------------------------------ stage runner
@pytest.mark.parametrize('backbone', [
    dict(type='ResNet_CIFAR', depth=18, stem_channels=8, base_channels=8),
    dict(type='ResNet', depth=18, stem_channels=8, base_channels=8),
    dict(type='ResNet', depth=50, stem_channels=8, base_channels=8, deep_stem=True),
    dict(type='ResNeXt_CIFAR', depth=50, groups=2, width_per_group=4, stem_channels=8,
         base_channels=8),
    dict(type='WideResNet_CIFAR', depth=10, widen_factor=1),
])
def test_forward_to_stage_equals_the_backbone_output(backbone):
    torch.manual_seed(0)
    n_stages = 3 if backbone['type'] == 'WideResNet_CIFAR' else 4
    net = MODELS.build(dict(backbone, out_indices=tuple(range(n_stages))))
    net.eval()  # (mmpretrain's ResNet.train returns None)
    x = torch.randn(2, 3, 32, 32)
    with torch.no_grad():
        outs = net(x)
        for s in range(n_stages):
            assert torch.allclose(forward_to_stage(net, x, s), outs[s], atol=1e-5), s


# --------------------------------------------------------------- teacher EMA
def test_momentum_schedule():
    total = 1000
    for step in (0, 50, 99):
        assert automix_momentum(step, total, 0.999, 0.999999, 0.1) == 0.999
    assert math.isclose(automix_momentum(100, total, 0.999, 0.999999, 0.1), 0.999)
    assert math.isclose(automix_momentum(1000, total, 0.999, 0.999999, 0.1), 0.999999)
    # halfway through the cosine part: the mean of both ends
    assert math.isclose(automix_momentum(550, total, 0.999, 0.999999, 0.1),
                        (0.999 + 0.999999) / 2)
    assert automix_momentum(5, None) == 0.999  # no runner: the base


def test_ema_uses_the_paper_convention_and_follows_the_schedule():
    student = torch.nn.Linear(3, 2)
    ema = AutoMixEMA(student, momentum=0.9, end_momentum=0.99, warmup_ratio=0.5,
                     total_steps=4)
    ema.update_parameters(student)  # step 0 copies
    assert torch.equal(ema.module.weight, student.weight)
    for step in (1, 2, 3):
        old = ema.module.weight.detach().clone()
        with torch.no_grad():
            student.weight.add_(1.)
        m = automix_momentum(step, 4, 0.9, 0.99, 0.5)
        ema.update_parameters(student)
        # teacher = m * teacher + (1 - m) * student (mmengine's momentum would be 1 - m)
        assert torch.allclose(ema.module.weight, m * old + (1 - m) * student.weight)
    assert int(ema.steps) == 4
    assert ema.teacher_momentum(2) == 0.9 and ema.teacher_momentum(4) == 0.99


def test_teacher_updates_from_max_iters_in_the_message_hub():
    model = build(momentum=0.9, end_momentum=0.99, momentum_warmup=0.)
    hub = MessageHub.get_current_instance()
    hub.update_info('max_iters', 10)
    try:
        assert math.isclose(model.teacher.teacher_momentum(5), (0.9 + 0.99) / 2)
    finally:
        hub.update_info('max_iters', None)


# --------------------------------------------------------- gradient routing
def _grads(model, loss):
    model.zero_grad(set_to_none=True)
    loss.backward(retain_graph=True)
    groups = dict(mix_block=model.mix_block, student=model._student(), teacher=model.teacher)
    return {k: any(p.grad is not None and p.grad.abs().sum() > 0 for p in m.parameters())
            for k, m in groups.items()}


def test_gradients_reach_only_their_own_parts():
    model = build()
    model.train()
    inputs, samples = preprocessed(model)
    losses = model.loss(inputs, samples)
    assert all(not p.requires_grad for p in model.teacher.parameters())
    mb = _grads(model, losses['loss_mix_block'] + losses['loss_mask'])
    assert mb == dict(mix_block=True, student=False, teacher=False)
    bb = _grads(model, losses['loss_mix'] + losses['loss_clean'])
    assert bb == dict(mix_block=False, student=True, teacher=False)


def test_detached_mask_is_built_without_grad_and_teacher_features_too():
    model = build(lam_margin=0.)
    model.train()
    seen = []
    original = model.mix_block.forward

    def spy(z, *args, **kwargs):
        seen.append((torch.is_grad_enabled(), z.requires_grad))
        return original(z, *args, **kwargs)

    model.mix_block.forward = spy
    inputs, samples = preprocessed(model)
    model.loss(inputs, samples)
    # first call: the Mix Block's own sample (grad on); second: the backbone's mask
    assert seen == [(True, False), (False, False)]


def test_lam_margin_falls_back_to_plain_mixup():
    model = build(lam_margin=0.49)  # almost every draw falls outside [0.49, 0.51]
    model.train()
    inputs, samples = preprocessed(model)
    model.record_mix_samples = 6
    model._sampler.sample_lam = lambda n, g=None: torch.full((n, ), 0.2)
    model.loss(inputs, samples)
    rec = model.pop_mix_record()
    x, partner = rec['x'], rec['partner_bb']
    assert torch.allclose(rec['mixed_bb'], 0.2 * x + 0.8 * partner, atol=1e-5)
    assert torch.allclose(rec['mask_bb'], torch.full_like(rec['mask_bb'], 0.2))
    # the Mix Block sample still uses the learned mask
    assert torch.allclose(rec['mixed_mb'], rec['mask_mb'] * x + (1 - rec['mask_mb'])
                          * rec['partner_mb'], atol=1e-5)


def test_losses_match_independent_formulas():
    model = build(lam_margin=0.)
    model.train()
    inputs, samples = preprocessed(model)
    model.record_mix_samples = 6
    losses = model.loss(inputs, samples)
    rec = model.pop_mix_record()
    y = torch.tensor([i % NUM_CLASSES for i in range(6)])
    # the Mix Block loss: mixed CE of the teacher on x_mb, per sample
    t = model.teacher.module
    with torch.no_grad():
        logits = t['head'](t['neck'](t['backbone'](rec['mixed_mb'])))
    pair = [int((rec['partner_mb'][i] - rec['x']).flatten(1).abs().sum(1).argmin())
            for i in range(6)]
    lam = rec['lam_mb']
    logp = F.log_softmax(logits, 1)
    expect = -(lam * logp[range(6), y] + (1 - lam) * logp[range(6), y[pair]]).mean()
    assert torch.allclose(losses['loss_mix_block'], expect, atol=1e-4)
    gamma_term = 0.1 * F.relu((rec['mask_mb'].flatten(1).mean(1) - lam).abs() - 0.1).mean()
    assert torch.allclose(losses['loss_mask'], gamma_term, atol=1e-6)
    # the logged mask statistics (not losses: no 'loss' in their names, so not summed)
    m = rec['mask_mb'].flatten(1)
    assert torch.allclose(losses['mask_lam_gap'], (m.mean(1) - lam).abs().mean(), atol=1e-6)
    assert torch.allclose(losses['mask_spatial_std'], m.std(1).mean(), atol=1e-6)
    assert not losses['mask_spatial_std'].requires_grad


def test_same_seed_same_losses_and_dm_head_composes():
    dm = dict(type='MixupClsHead', num_classes=NUM_CLASSES, in_channels=64,
              mix_loss=dict(type='DecoupledMixupLoss', eta=0.1, mode='less', idx=0.5))
    out = []
    for _ in range(2):
        model = build(mix_seed=3, head=dm)
        model.train()
        inputs, samples = preprocessed(model)
        out.append({k: float(v.detach()) for k, v in model.loss(inputs, samples).items()})
    assert out[0] == out[1]
    assert math.isfinite(out[0]['loss_mix'])


def test_clean_loss_weight_zero_skips_the_clean_pass():
    model = build(clean_loss_weight=0.)
    model.train()
    inputs, samples = preprocessed(model)
    assert 'loss_clean' not in model.loss(inputs, samples)


def test_mask_gamma_annealing():
    model = build(mask_gamma_anneal=True)
    hub = MessageHub.get_current_instance()
    hub.update_info('max_iters', 100)
    try:
        hub.update_info('iter', 0)
        assert math.isclose(model.current_mask_gamma(), 0.1)
        hub.update_info('iter', 50)
        assert math.isclose(model.current_mask_gamma(), 0.05)
        hub.update_info('iter', 100)
        assert model.current_mask_gamma() < 1e-12
    finally:
        hub.update_info('max_iters', None)
        hub.update_info('iter', 0)


# ----------------------------------------------------------------- optimizers
def _changed(before, module):
    return any(not torch.equal(b, p) for b, p in zip(before, module.parameters()))


@pytest.mark.parametrize('mix_block', [dict(lr_mult=2.0),
                                       dict(optimizer=dict(type='SGD', lr=0.05))])
def test_both_optimizer_modes_step_student_and_mix_block_not_teacher(mix_block):
    model = build()
    optim = optim_for(model, mix_block)
    teacher_ids = {id(p) for p in model.teacher.parameters()}
    if 'lr_mult' in mix_block:
        assert isinstance(optim, OptimWrapper) and optim.automix_mode == 'param_group'
        groups = optim.optimizer.param_groups
        mb_ids = {id(p) for p in model.mix_block.parameters()}
        lrs = {g['lr'] for g in groups if id(g['params'][0]) in mb_ids}
        assert lrs == {0.2}
        params = [p for g in groups for p in g['params']]
    else:
        assert isinstance(optim, OptimWrapperDict)
        assert set(optim.keys()) == {'backbone', 'mix_block'}
        assert optim['mix_block'].optimizer.param_groups[0]['lr'] == 0.05
        params = [p for w in optim.values() for g in w.optimizer.param_groups
                  for p in g['params']]
    assert not teacher_ids & {id(p) for p in params}, 'the teacher must not be optimised'
    assert len(params) == len(list(model._student().parameters())) + len(
        list(model.mix_block.parameters()))
    before_mb = [p.detach().clone() for p in model.mix_block.parameters()]
    before_st = [p.detach().clone() for p in model.backbone.parameters()]
    model.train()
    model.train_step(batch(), optim)
    assert _changed(before_mb, model.mix_block) and _changed(before_st, model.backbone)
    assert all(p.grad is None or not p.grad.any() for p in model.parameters()), 'zeroed'


# ------------------------------------------------------------- config errors
def test_config_errors():
    with pytest.raises(ConfigError, match='mix_stage=4 is out of range'):
        build(mix_stage=4)
    with pytest.raises(ConfigError, match="unknown upsample mode 'area'"):
        build(mix_block=dict(type='PixelMixBlock', in_channels=32,
                             upsample_modes=['nearest', 'area']))
    with pytest.raises(ConfigError, match='does not match the 32 channels'):
        build(mix_block=dict(type='PixelMixBlock', in_channels=64))
    with pytest.raises(ConfigError, match='SUMixLoss'):
        build(head=dict(type='MixupClsHead', num_classes=4, in_channels=64,
                        mix_loss=dict(type='SUMixLoss')))
    with pytest.raises(ConfigError, match='cannot run backbone'):
        build(backbone=dict(type='VisionTransformer', arch='deit-tiny', img_size=32,
                            patch_size=16))
    with pytest.raises(ConfigError, match='unknown config key'):
        build(mix_blok=dict(type='PixelMixBlock', in_channels=32))
    with pytest.raises(ConfigError, match="eval_model='ema'"):
        build(eval_model='ema')
    with pytest.raises(ConfigError, match='momentum=1.0'):
        build(momentum=1.0)


def test_missing_mix_block_optimizer_is_a_config_error():
    model = build()
    with pytest.raises(ConfigError, match="'mix_block' is required"):
        OPTIM_WRAPPER_CONSTRUCTORS.build(dict(
            type='AutoMixOptimWrapperConstructor',
            optim_wrapper_cfg=dict(optimizer=dict(type='SGD', lr=0.1))))(model)
    with pytest.raises(ConfigError, match='choose one mode'):
        optim_for(model, dict(lr_mult=1.0, optimizer=dict(type='SGD', lr=0.1)))
    with pytest.raises(ConfigError, match='unknown mix_block key'):
        optim_for(model, dict(lr=0.1))
    # a plain optimizer (no constructor) leaves the Mix Block without one
    plain = OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.1))
    with pytest.raises(ConfigError, match='the Mix Block has no optimizer'):
        model.train_step(batch(), plain)


# ---------------------------------------------------- checkpoint & evaluation
def test_checkpoint_layout_loads_into_a_plain_image_classifier_strictly():
    model = build()
    state = model.state_dict()
    assert any(k.startswith('teacher.module.backbone.') for k in state)
    assert 'teacher.steps' in state and any(k.startswith('mix_block.') for k in state)
    plain = MODELS.build(dict(type='ImageClassifier',
                              backbone=model_cfg()['backbone'],
                              neck=dict(type='GlobalAveragePooling'),
                              head=dict(type='LinearClsHead', num_classes=NUM_CLASSES,
                                        in_channels=64)))
    backbone = {k[len('backbone.'):]: v for k, v in state.items() if k.startswith('backbone.')}
    plain.backbone.load_state_dict(backbone, strict=True)  # mmdet Pretrained(prefix='backbone.')
    head = {k[len('head.'):]: v for k, v in state.items() if k.startswith('head.')}
    plain.head.load_state_dict(head, strict=True)
    x = torch.randn(2, 3, 16, 16)
    model.eval()
    plain.eval()
    with torch.no_grad():
        assert torch.allclose(plain(x, mode='tensor'), model(x, mode='tensor'))


def test_eval_reports_student_by_default_and_teacher_on_request():
    model = build()
    model.train()
    inputs, samples = preprocessed(model)
    model.loss(inputs, samples)  # first update: the teacher copies the student
    with torch.no_grad():  # make the two differ
        for p in model.teacher.module.parameters():
            p.add_(0.01)
    model.eval()
    inputs = batch(2)['inputs']

    def run():
        return model.val_step(dict(inputs=inputs, data_samples=[DataSample() for _ in range(2)]))

    student = run()
    assert student[0].eval_model == 'student'
    model.eval_model = 'teacher'
    teacher = run()
    assert teacher[0].eval_model == 'teacher'
    x = model.data_preprocessor(dict(inputs=inputs, data_samples=None))['inputs']
    t = model.teacher.module
    with torch.no_grad():
        t_logits = t['head'](t['neck'](t['backbone'](x)))
        s_logits = model.head(model.neck(model.backbone(x)))
    assert not torch.allclose(t_logits, s_logits)
    assert torch.allclose(teacher[0].pred_score, F.softmax(t_logits, 1)[0], atol=1e-6)
    assert torch.allclose(student[0].pred_score, F.softmax(s_logits, 1)[0], atol=1e-6)


def test_teacher_bn_statistics_are_averaged_over_ranks(monkeypatch):
    """With several ranks the teacher's float buffers (BN running stats) are
    all-reduced to their mean after each update (simulated 2-rank world)."""
    from mmmix.engine.hooks import automix_ema as mod
    other = {}

    def fake_all_reduce(t, op='sum'):
        assert op == 'mean'
        other['seen'] = t.clone()
        t.copy_((t + other['rank1']) / 2)

    student = torch.nn.Sequential(torch.nn.Conv2d(1, 2, 1), torch.nn.BatchNorm2d(2))
    ema = AutoMixEMA(student, total_steps=10)
    with torch.no_grad():
        student[1].running_mean.fill_(1.)
        student[1].running_var.fill_(3.)
    n_float = sum(b.numel() for b in student.buffers() if b.dtype.is_floating_point)
    other['rank1'] = torch.zeros(n_float)
    monkeypatch.setattr(mod.dist, 'get_world_size', lambda: 2)
    monkeypatch.setattr(mod.dist, 'all_reduce', fake_all_reduce)
    ema.update_parameters(student)
    bn = ema.module[1]
    assert torch.equal(bn.running_mean, torch.full((2, ), 0.5))
    assert torch.equal(bn.running_var, torch.full((2, ), 1.5))
    # integer buffers are copied, not averaged
    assert int(bn.num_batches_tracked) == int(student[1].num_batches_tracked)


def test_teacher_statistics_stay_where_the_synced_update_left_them(monkeypatch):
    """The teacher's forwards inside a training step (clean features, the Mix Block's
    mixed batch) use batch statistics but do not move its BN running statistics:
    after the step they are still the rank-averaged copy of the student's, so every
    rank's teacher is the same (here a simulated 2-rank world)."""
    from mmmix.engine.hooks import automix_ema as mod
    model = build()
    model.train()
    inputs, samples = preprocessed(model)
    model.loss(inputs, samples)  # a first step, so the student's statistics have moved
    student_bufs = [b.clone() for b in model._student().buffers() if b.dtype.is_floating_point]
    other = torch.cat([b.reshape(-1) for b in student_bufs]) * 0.5 + 1.  # "rank 1"
    monkeypatch.setattr(mod.dist, 'get_world_size', lambda: 2)
    monkeypatch.setattr(mod.dist, 'all_reduce',
                        lambda t, op='sum': t.copy_((t + other) / 2))
    model.loss(inputs, samples)
    expected = (torch.cat([b.reshape(-1) for b in student_bufs]) + other) / 2
    teacher = torch.cat([b.reshape(-1) for b in model.teacher.module.buffers()
                         if b.dtype.is_floating_point])
    assert torch.equal(teacher, expected)
    # the student's own statistics did move during the step, and BN momentum is restored
    moved = torch.cat([b.reshape(-1) for b in model._student().buffers()
                       if b.dtype.is_floating_point])
    assert not torch.equal(moved, torch.cat([b.reshape(-1) for b in student_bufs]))
    bns = [m for m in model.teacher.module.modules() if isinstance(m, torch.nn.BatchNorm2d)]
    assert bns and all(m.momentum == 0.1 for m in bns)


def test_teacher_forward_in_frozen_statistics_still_uses_batch_statistics():
    bn = torch.nn.Sequential(torch.nn.BatchNorm2d(3))
    ema = AutoMixEMA(bn, total_steps=10)
    ema.train()
    x = torch.randn(4, 3, 5, 5) * 3 + 2
    with ema.frozen_statistics():
        y = ema.module(x)
    assert torch.equal(ema.module[0].running_mean, torch.zeros(3))
    ref = F.batch_norm(x, None, None, training=True)  # batch statistics, no affine change
    assert torch.allclose(y, ref, atol=1e-5)


@pytest.mark.parametrize('value', [float('nan'), float('inf'), 0])
def test_teacher_schedule_length_must_be_finite_and_positive(value):
    with pytest.raises(ConfigError, match=f'total_steps={value}'):
        AutoMixEMA(torch.nn.Linear(2, 2), total_steps=value)
