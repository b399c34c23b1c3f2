"""MixupClsHead with MCE / DM / SUMix: train steps, the clean pass, the stock
ImageClassifier route, build-time errors and batch-split invariance of SUMix."""
import copy
import os.path as osp
import socket
import sys
import warnings

import pytest
import torch
from mmengine.logging import MessageHub
from mmengine.optim import OptimWrapper
from mmengine.registry import init_default_scope
from mmpretrain.structures import DataSample

import mmmix  # noqa: F401
from mmmix.evaluation import mixup_top2_accuracy
from mmmix.mixers import MixResult
from mmmix.mixers.base import PUBLISHED_MIX_KEY
from mmmix.models.classifiers.mixup_classifier import clean_feats_provider
from mmmix.models.heads import MixupClsHead
from mmmix.models.losses import (DecoupledMixupLoss, MixedCrossEntropyLoss, SUMixLoss,
                                 decoupled_mixup_loss)
from mmmix.registry import MODELS
from mmmix.structures import MixInfo
from mmmix.utils.validation import ConfigError

sys.path.insert(0, osp.dirname(osp.abspath(__file__)))  # the spawn worker module

NUM_CLASSES = 5
# a tiny ResNet-18 (CIFAR stem): 8 base channels, 64 features out
BACKBONE = dict(type='ResNet_CIFAR', depth=18, stem_channels=8, base_channels=8,
                out_indices=(3, ))
FEAT = 64
PREPROC = dict(type='ClsDataPreprocessor', num_classes=NUM_CLASSES, mean=[127.5] * 3,
               std=[127.5] * 3)


def build_mixup_classifier(mix_loss=None, mixers=(dict(type='CutMix', alpha=1.0, seed=0), ),
                           **head_kw):
    head = dict(type='MixupClsHead', num_classes=NUM_CLASSES, in_channels=FEAT, **head_kw)
    if mix_loss is not None:
        head['mix_loss'] = mix_loss
    init_default_scope('mmmix')
    torch.manual_seed(0)
    return MODELS.build(dict(type='MixupClassifier', backbone=BACKBONE,
                             neck=dict(type='GlobalAveragePooling'), head=head,
                             mixers=list(mixers), mix_seed=0,
                             data_preprocessor=copy.deepcopy(PREPROC)))


def make_batch(n=4, seed=0):
    g = torch.Generator().manual_seed(seed)
    return dict(inputs=[torch.randint(0, 256, (3, 32, 32), generator=g, dtype=torch.uint8)
                        for _ in range(n)],
                data_samples=[DataSample().set_gt_label(i % NUM_CLASSES) for i in range(n)])


TRAIN_CASES = {
    'mce': dict(mix_loss=dict(type='MixedCrossEntropyLoss')),
    'dm_ce': dict(mix_loss=dict(type='DecoupledMixupLoss', eta=0.1, mode='less', idx=0.5)),
    'dm_bce': dict(mix_loss=dict(type='DecoupledMixupLoss', variant='bce', thr=0.5),
                   loss=dict(type='CrossEntropyLoss', use_sigmoid=True)),
    # scale 5, not the default 100: with only 5 classes alpha = s * l2norm(...) ~ s / sqrt(5),
    # and exp(-alpha) at s=100 (~1e-20) would make the regulariser's update invisible
    'sumix_paper': dict(mix_loss=dict(type='SUMixLoss', gamma=0.5, scale=5), clean_grad=True),
    'sumix_cheap': dict(mix_loss=dict(type='SUMixLoss', gamma=0.5, scale=5), clean_grad=False),
    'sumix_unnormalised': dict(mix_loss=dict(type='SUMixLoss', scale=5), uncertainty_norm=False),
}


@pytest.mark.parametrize('case', list(TRAIN_CASES))
def test_train_step_runs_and_updates(case):
    model = build_mixup_classifier(**TRAIN_CASES[case])
    model.train()
    optim = OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.1))
    before = {k: v.detach().clone() for k, v in model.named_parameters()}
    log_vars = model.train_step(make_batch(), optim)
    assert torch.isfinite(torch.as_tensor(log_vars['loss']))
    assert 0 <= float(log_vars['mix_acc_top2']) <= 100
    changed = {k for k, v in model.named_parameters() if not torch.equal(v, before[k])}
    assert 'backbone.conv1.weight' in changed and 'head.fc.weight' in changed
    if model.head.fc_u is not None:
        assert 'head.fc_u.weight' in changed


def test_mix_acc_is_logged_not_summed():
    model = build_mixup_classifier()
    data = model.data_preprocessor(make_batch(), True)
    losses = model(**data, mode='loss')
    total, log_vars = model.parse_losses(losses)
    assert torch.equal(total, losses['loss'])
    assert 'mix_acc_top2' in log_vars


@pytest.mark.parametrize('mixer', ['CutMix', 'SaliencyMix', 'FMix', 'ResizeMix', 'GridMix',
                                   'SmoothMix'])
def test_sumix_runs_with_every_masked_mixer(mixer):
    model = build_mixup_classifier(mix_loss=dict(type='SUMixLoss'),
                                   mixers=[dict(type=mixer, seed=0)])
    data = model.data_preprocessor(make_batch(), True)
    losses = model(**data, mode='loss')
    assert torch.isfinite(losses['loss'])
    losses['loss'].backward()
    assert model.head.fc_u.weight.grad is not None
    assert model.backbone.conv1.weight.grad.abs().sum() > 0


def test_clean_pass_gradient_switch():
    """clean_grad only changes where the gradient goes: same loss, same head
    gradients, different backbone gradients; the clean features carry a graph
    only with clean_grad=True."""
    model = build_mixup_classifier(mix_loss=dict(type='SUMixLoss', scale=5.), clean_grad=True)
    model.train()
    data = model.data_preprocessor(make_batch(seed=1), True)
    results = {}
    for clean_grad in (True, False):
        model.head.clean_grad = clean_grad
        model.mixers[0].generator.manual_seed(0)
        model.zero_grad()
        inputs = data['inputs'].clone()
        feats = clean_feats_provider(model, inputs, data['data_samples'])
        assert feats[-1].requires_grad is clean_grad
        loss = model(inputs, data['data_samples'], mode='loss')['loss']
        loss.backward()
        results[clean_grad] = (loss.detach(), model.head.fc_u.weight.grad.clone(),
                               model.backbone.conv1.weight.grad.clone())
    assert torch.allclose(results[True][0], results[False][0])
    assert torch.allclose(results[True][1], results[False][1], atol=1e-7)
    assert not torch.allclose(results[True][2], results[False][2])


def test_clean_pass_is_not_run_for_other_losses():
    model = build_mixup_classifier(mix_loss=dict(type='DecoupledMixupLoss'))
    assert model.head.mix_requires == () and model.head.clean_grad is None
    calls = []
    model.backbone.register_forward_hook(lambda *a: calls.append(1))
    data = model.data_preprocessor(make_batch(), True)
    model(**data, mode='loss')
    assert len(calls) == 1


def test_head_loss_equals_functional_loss_on_mix_info():
    torch.manual_seed(0)
    head = MixupClsHead(num_classes=NUM_CLASSES, in_channels=8,
                        mix_loss=dict(type='DecoupledMixupLoss', eta=0.2, mode='both', idx=1.))
    feats = (torch.randn(6, 8), )
    y_a = torch.tensor([3, 1, 2, 0, 4, 4])
    index = torch.tensor([1, 0, 3, 2, 5, 4])
    lam = torch.tensor([0.2, 0.7, 0.5, 0., 1., 0.4])
    info = MixInfo(y_a=y_a, y_b=y_a[index], lam=lam, index=index)
    out = head.loss(feats, [DataSample() for _ in range(6)], mix_info=info)
    ref = decoupled_mixup_loss(head(feats), y_a, y_a[index], lam, eta=0.2, mode='both', idx=1.)
    assert torch.allclose(out['loss'], ref)
    assert torch.allclose(out['mix_acc_top2'],
                          mixup_top2_accuracy(head(feats), y_a, y_a[index], lam))


def test_top2_mix_accuracy_by_hand():
    # classes 0..3; per row: major/minor class, top-1/top-2 prediction, credit
    logits = torch.tensor([[4., 3., 0., 0.],    # lam .8: major 0 = top1, minor 1 = top2 -> 1
                           [4., 3., 0., 0.],    # lam .3: major 1 != top1 0, minor 0 != top2 1 -> 0
                           [0., 3., 4., 0.],    # lam .3: major 2 = top1 (.7), minor 1 = top2 (.3)
                           [0., 0., 3., 4.],    # same class 3 = top1 -> 1
                           [0., 4., 3., 0.]])   # lam .6: major 1 = top1 (.6), minor 0 != top2 2
    y_a = torch.tensor([0, 0, 1, 3, 1])
    y_b = torch.tensor([1, 1, 2, 3, 0])
    lam = torch.tensor([0.8, 0.3, 0.3, 0.5, 0.6])
    per = mixup_top2_accuracy(logits, y_a, y_b, lam, reduction='none')
    assert torch.allclose(per, torch.tensor([100., 0., 100., 100., 60.]))
    assert torch.allclose(mixup_top2_accuracy(logits, y_a, y_b, lam), per.mean())


# ----------------------------------------------------------------------------
# stock mmpretrain ImageClassifier with mmmix batch augments
# ----------------------------------------------------------------------------
def build_stock(mix_loss, augments=(dict(type='mmmix.CutMix', alpha=1.0, seed=0), )):
    from mmpretrain.registry import MODELS as PRE_MODELS
    init_default_scope('mmpretrain')
    torch.manual_seed(0)
    return PRE_MODELS.build(dict(
        type='ImageClassifier', backbone=BACKBONE, neck=dict(type='GlobalAveragePooling'),
        head=dict(type='mmmix.MixupClsHead', num_classes=NUM_CLASSES, in_channels=FEAT,
                  mix_loss=mix_loss),
        train_cfg=dict(augments=list(augments)), data_preprocessor=copy.deepcopy(PREPROC)))


def test_stock_image_classifier_uses_published_mix_result():
    model = build_stock(dict(type='mmmix.DecoupledMixupLoss', eta=0.1, mode='less', idx=0.5))
    model.train()
    data = model.data_preprocessor(make_batch(seed=2), True)
    published = MessageHub.get_current_instance().get_info(PUBLISHED_MIX_KEY)
    assert isinstance(published, MixResult) and published.inputs is None
    losses = model(**data, mode='loss')
    assert 'mix_acc_top2' in losses
    y_a = torch.cat([ds.gt_label for ds in data['data_samples']])
    logits = model.head(model.extract_feat(data['inputs']))
    ref = decoupled_mixup_loss(logits, y_a, y_a[published.index], published.lam, eta=0.1,
                               mode='less', idx=0.5)
    assert torch.allclose(losses['loss'], ref, atol=1e-6)
    # the result was consumed: the next call (e.g. after an identity augment)
    # falls back to the configured loss on the soft scores
    assert MessageHub.get_current_instance().get_info(PUBLISHED_MIX_KEY) is None
    fallback = model(**data, mode='loss')
    assert 'mix_acc_top2' not in fallback
    scores = torch.stack([ds.gt_score for ds in data['data_samples']])
    soft_ce = -(scores * logits.log_softmax(1)).sum(1).mean()
    assert torch.allclose(fallback['loss'], soft_ce, atol=1e-6)


def test_stock_image_classifier_rejects_stale_result():
    model = build_stock(dict(type='mmmix.MixedCrossEntropyLoss'),
                        augments=[dict(type='CutMix', alpha=1.0)])  # mmpretrain's own CutMix
    data = model.data_preprocessor(make_batch(), True)
    hub = MessageHub.get_current_instance()
    # a result left over from another batch size
    hub.update_info(PUBLISHED_MIX_KEY, MixResult(inputs=None, index=torch.arange(3),
                                                 lam=torch.ones(3)), resumed=False)
    with pytest.warns(UserWarning, match='does not match this batch'):
        out = model(**data, mode='loss')
    assert 'mix_acc_top2' not in out
    # a result of the right size whose lam does not produce these soft scores
    hub.update_info(PUBLISHED_MIX_KEY, MixResult(inputs=None, index=torch.tensor([1, 0, 3, 2]),
                                                 lam=torch.full((4, ), 0.123)), resumed=False)
    with pytest.warns(UserWarning, match='does not match the soft targets'):
        out = model(**data, mode='loss')
    assert torch.isfinite(out['loss'])


def test_sumix_head_in_stock_classifier_fails_at_build():
    with pytest.raises(ConfigError, match='partner index and a clean forward pass'):
        build_stock(dict(type='mmmix.SUMixLoss', gamma=0.5))


def test_sumix_with_global_pairing_fails_at_build():
    with pytest.raises(ConfigError, match="dist_mode='global'"):
        build_mixup_classifier(mix_loss=dict(type='SUMixLoss'),
                               mixers=[dict(type='CutMix', dist_mode='global')])


@pytest.mark.parametrize('kwargs,match', [
    (dict(mix_loss=dict(type='CrossEntropyLoss')), r"unknown mix_loss type 'CrossEntropyLoss'.*"
     r"'DecoupledMixupLoss', 'MixedCrossEntropyLoss', 'SUMixLoss'"),
    (dict(mix_loss=dict(type='DecoupledMixupLoss', mode='fewer')), r"mode='fewer'"),
    (dict(mix_loss=dict(type='DecoupledMixupLoss', eta=-1)), r'eta=-1 is out of range'),
    (dict(mix_loss=dict(type='SUMixLoss', gamma=-0.5)), r'gamma=-0.5 is out of range'),
    (dict(clean_grad=False), r"'clean_grad' applies only to a mix_loss that needs it"),
    (dict(uncertainty_norm=True, mix_loss=dict(type='DecoupledMixupLoss')),
     r"'uncertainty_norm' applies only"),
    (dict(mix_loss=dict(type='SUMixLoss'), clean_grad='yes'), r"clean_grad='yes' must be"),
    (dict(mixloss=dict(type='SUMixLoss')), r"unknown config key\(s\) \['mixloss'\]"),
])
def test_head_config_errors(kwargs, match):
    with pytest.raises(ConfigError, match=match):
        MixupClsHead(num_classes=NUM_CLASSES, in_channels=8, **kwargs)


def test_head_accepts_built_losses_and_reports_requirements():
    assert MixupClsHead(num_classes=3, in_channels=4).mix_requires == ()
    h = MixupClsHead(num_classes=3, in_channels=4, mix_loss=SUMixLoss(scale=10.))
    assert h.mix_requires == ('clean_feats', ) and h.clean_grad is True
    assert isinstance(MixupClsHead(num_classes=3, in_channels=4,
                                   mix_loss=DecoupledMixupLoss()).mix_loss_module,
                      DecoupledMixupLoss)
    assert isinstance(MixupClsHead(num_classes=3, in_channels=4).mix_loss_module,
                      MixedCrossEntropyLoss)


def test_head_without_mix_info_is_the_plain_head():
    head = MixupClsHead(num_classes=NUM_CLASSES, in_channels=8, mix_loss=dict(type='SUMixLoss'))
    feats = (torch.randn(4, 8), )
    samples = [DataSample().set_gt_label(i) for i in range(4)]
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        out = head.loss(feats, samples)
    ref = torch.nn.functional.cross_entropy(head(feats), torch.arange(4))
    assert torch.allclose(out['loss'], ref) and set(out) == {'loss'}
    # fc_u takes part in the graph with a zero gradient (DDP needs every parameter used)
    out['loss'].backward()
    assert head.fc_u.weight.grad is not None and not head.fc_u.weight.grad.any()


# ----------------------------------------------------------------------------
# SUMix: the batch split across processes does not change the per-sample terms
# ----------------------------------------------------------------------------
def _free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def test_sumix_per_sample_terms_do_not_depend_on_the_batch_split(tmp_path):
    import _sumix_split_worker as w
    z_m, u_m, z_o, u_o, y_a, lam = w.inputs()
    index = torch.tensor(w.INDEX)
    module = SUMixLoss(gamma=0.5, scale=100., reduction='none')
    full = module(z_m, y_a, y_a[index], lam, index=index, uncertainty=u_m, clean_score=z_o,
                  clean_uncertainty=u_o)
    torch.multiprocessing.spawn(w.worker, args=(2, _free_port(), str(tmp_path), 100.), nprocs=2,
                                join=True)
    split = torch.load(tmp_path / 'terms.pt')
    assert split.shape == (w.N, )
    assert torch.allclose(split, full, atol=1e-6), (split, full)

    # the test is sensitive: the reference's batch-size-dependent scale
    # (s = per-GPU batch) changes the terms when the batch is split
    from mmmix.models.losses import sumix_loss
    whole = w.terms(sumix_loss, z_m, u_m, z_o, u_o, y_a, lam, index, float(w.N))
    half = w.terms(sumix_loss, z_m[:4], u_m[:4], z_o[:4], u_o[:4], y_a[:4], lam[:4],
                   index[:4], float(w.N // 2))
    assert not torch.allclose(whole[:4], half, atol=1e-6)


@pytest.mark.parametrize('name', ['Mixup', 'CutMix'])
def test_decoupled_loss_on_mmpretrain_augments_is_refused_at_build(name):
    """Unprefixed Mixup/CutMix in a stock config are mmpretrain's: they publish no
    index/lam, and DM would silently become soft-target CE. Refused, naming the fix."""
    with pytest.raises(ConfigError, match=rf"\['{name}'\].*type='mmmix\.{name}'"):
        build_stock(dict(type='mmmix.DecoupledMixupLoss', eta=0.1),
                    augments=[dict(type=name, alpha=1.0)])
    # MCE on soft targets is the same loss, so mmpretrain's augments stay allowed there
    build_stock(dict(type='mmmix.MixedCrossEntropyLoss'), augments=[dict(type=name, alpha=1.0)])
    build_stock(dict(type='mmmix.DecoupledMixupLoss', eta=0.1),
                augments=[dict(type=f'mmmix.{name}', alpha=1.0)])


def test_foreign_mixer_in_mixup_classifier_names_the_mmmix_spelling():
    from mmpretrain.models.utils.batch_augments import Mixup as PreMixup
    with pytest.raises(ConfigError, match=r"mixers\[0\] must be an mmmix mixer, got Mixup; "
                                          r"write type='mmmix\.Mixup'"):
        build_mixup_classifier(mixers=[PreMixup(alpha=1.0)])
