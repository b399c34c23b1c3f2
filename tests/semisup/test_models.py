"""FixMatch / MixMatch: a CPU train_step for every configs/semisup config, the
mixed term against an independent formula, the asymmetric lam, the EMA
teacher, and a short Runner run on the synthetic data."""
import copy
import math
import os.path as osp

import pytest
import torch
from mmengine.optim import OptimWrapper
from mmpretrain.structures import DataSample

from mmmix.registry import MODELS
from semisup_utils import (SEMISUP_CONFIGS, SYNTHETIC_FIXMATCH, load_cfg, mmmix_scope,  # noqa
                           one_thread, point_cfg_at, semisup_root)

SIZE = {'synthetic': 32, 'cifar10': 16, 'cifar10-jpeg': 16, 'cifar100': 16}


def build(cfg):
    model_cfg = copy.deepcopy(cfg.model.to_dict())
    model_cfg.setdefault('data_preprocessor', copy.deepcopy(cfg.data_preprocessor.to_dict()))
    return MODELS.build(model_cfg)


def fake_batch(branches, unlabeled_branches, num_classes, size, n_lab=2, n_unl=4, seed=0):
    """A collated multi-branch batch as MultiBranch + pseudo_collate give it."""
    g = torch.Generator().manual_seed(seed)
    inputs = {b: [] for b in branches}
    samples = {b: [] for b in branches}
    for i in range(n_lab + n_unl):
        labeled = i < n_lab
        label = int(torch.randint(0, num_classes, (1, ), generator=g))
        for b in branches:
            if b in (('weak', ) if labeled else unlabeled_branches):
                inputs[b].append(torch.randint(0, 256, (3, size, size), generator=g,
                                               dtype=torch.uint8))
                ds = DataSample()
                samples[b].append(ds.set_gt_label(label) if labeled else ds)
            else:
                inputs[b].append(None)
                samples[b].append(None)
    return dict(inputs=inputs, data_samples=samples)


def cfg_batch(cfg, path, **kw):
    ds = cfg.train_dataloader.dataset
    branches = ds.labeled.pipeline[-1].branch_field
    dataset = osp.basename(path)[:-3].split('_')[-1]
    return fake_batch(branches, ds.unlabeled_branches, cfg.model.head.num_classes,
                      SIZE[dataset], **kw)


@pytest.mark.parametrize('path', SEMISUP_CONFIGS, ids=[osp.basename(p) for p in SEMISUP_CONFIGS])
def test_every_config_builds_and_takes_a_train_step(path):
    cfg = load_cfg(path)
    torch.manual_seed(0)
    model = build(cfg)
    assert type(model).__name__ == cfg.model.type
    if 'mixup' in path or 'fixmatch-dm' in path:
        assert model.mixer is not None
    model.train()
    optim = OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.01))
    before = model.head.fc.weight.detach().clone()
    log = model.train_step(cfg_batch(cfg, path), optim)
    assert torch.isfinite(log['loss'])
    mixes = model.__dict__.get('mixer') is not None and cfg.model.type == 'FixMatch'
    expected = {'loss_x', 'loss_u'} | ({'loss_mix'} if mixes else set())
    assert expected <= set(log)
    if 'mixmatch-dm' in path:
        assert 'loss_dm' in log
    assert not torch.equal(before, model.head.fc.weight)
    model.eval()
    with torch.no_grad():
        data = model.data_preprocessor(dict(
            inputs=[torch.randint(0, 256, (3, 16, 16), dtype=torch.uint8)] * 2,
            data_samples=[DataSample(), DataSample()]), training=False)
        preds = model(**data, mode='predict')
    assert preds[0].pred_score.shape == (cfg.model.head.num_classes, )


_NET = dict(backbone=dict(type='ResNet_CIFAR', depth=18, stem_channels=16, base_channels=16),
            neck=dict(type='GlobalAveragePooling'),
            head=dict(type='LinearClsHead', num_classes=4, in_channels=128),
            data_preprocessor=dict(type='SemiSupDataPreprocessor', mean=[127.5] * 3,
                                   std=[127.5] * 3))


def _fixmatch(**kw):
    torch.manual_seed(0)
    return MODELS.build(dict(type='FixMatch', **copy.deepcopy(_NET), **kw))


def _data(model, n_lab=3, n_unl=6, branches=('weak', 'strong'), unl=('weak', 'strong')):
    return model.data_preprocessor(
        fake_batch(list(branches), unl, 4, 16, n_lab=n_lab, n_unl=n_unl), training=True)


def test_fixmatch_losses_match_independent_formulas():
    model = _fixmatch(tau=0.3, mixers=[dict(type='Mixup', alpha=1.0)], mix_loss='dm',
                      dm_eta=0.7, mix_weight=2.0, mix_ramp_iters=4, mix_seed=5)
    model.train()
    data = _data(model)
    losses = model(**data, mode='loss')
    # recompute step 1 by hand (train-mode BN: same weights + same batch = same output)
    x_l, y_l, u = model.split_batch(data['inputs'], data['data_samples'], ('weak', 'strong'))
    with torch.no_grad():
        z = model.logits(torch.cat([x_l, u['weak'], u['strong']]))
        z_l, z_w, z_s = z[:3], z[3:9], z[9:]
        p_w = torch.softmax(z_w, 1)
        conf, pseudo = p_w.max(1)
        keep = (conf >= 0.3).float()
        ce = lambda row, c: -torch.log_softmax(row, 0)[c]  # noqa: E731
        loss_x = sum(ce(z_l[i], y_l[i]) for i in range(3)) / 3
        loss_u = sum(keep[j] * ce(z_s[j], pseudo[j]) for j in range(6)) / 6
        model._mix_gen = torch.Generator().manual_seed(5)
        index, lam = model.mix_partners(3, 6, x_l.device)
        assert (lam >= 0.5).all()
        mixed = lam.view(-1, 1, 1, 1) * x_l + (1 - lam.view(-1, 1, 1, 1)) * u['weak'][index]
        z_m = model.logits(mixed)
        per = []
        for i in range(3):
            a, b = int(y_l[i]), int(pseudo[index[i]])
            loss = lam[i] * ce(z_m[i], a) + (1 - lam[i]) * ce(z_m[i], b)
            if a != b:
                others = [c for c in range(4) if c != b]
                loss = loss + 0.7 * (torch.logsumexp(z_m[i][others], 0) - z_m[i][a])
            per.append(keep[index[i]] * loss)
        ramp = 0.5 * (1 - math.cos(math.pi * 1 / 4))
        loss_mix = 2.0 * ramp * sum(per) / 3
    assert torch.allclose(losses['loss_x'], loss_x, atol=1e-5)
    assert torch.allclose(losses['loss_u'], loss_u, atol=1e-5)
    assert torch.allclose(losses['loss_mix'], loss_mix, atol=1e-5)
    assert torch.allclose(losses['mask_ratio'], keep.mean())


def test_fixmatch_asymmetric_lam_and_masking():
    model = _fixmatch(mixers=[dict(type='Mixup', alpha=0.5)], mix_loss='dm', mix_seed=0)
    for _ in range(200):  # the labeled sample always dominates
        _, lam = model.mix_partners(8, 56, torch.device('cpu'))
        assert (lam >= 0.5).all()
    model.asym = 'unlabeled'
    assert (model.mix_partners(8, 56, torch.device('cpu'))[1] <= 0.5).all()
    # tau above any confidence: nothing passes, no unlabeled or mixed loss
    strict = _fixmatch(tau=1.0, mixers=[dict(type='Mixup', alpha=1.0)], mix_loss='dm')
    strict.train()
    losses = strict(**_data(strict), mode='loss')
    assert losses['mask_ratio'] == 0 and losses['loss_u'] == 0 and losses['loss_mix'] == 0


def test_fixmatch_mixup_partners_are_labeled():
    model = _fixmatch(mixers=[dict(type='Mixup', alpha=1.0)], mix_with='labeled', mix_seed=0)
    index, lam = model.mix_partners(5, 20, torch.device('cpu'))
    assert sorted(index.tolist()) == list(range(5))  # a permutation of the labeled batch
    model.train()
    assert torch.isfinite(model(**_data(model), mode='loss')['loss_mix'])


def test_ema_teacher_follows_the_student():
    model = _fixmatch(teacher='ema', ema_momentum=0.25)
    model.train()
    optim = OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.5))
    raw = fake_batch(['weak', 'strong'], ('weak', 'strong'), 4, 16, n_lab=3, n_unl=6)
    model.train_step(copy.deepcopy(raw), optim)
    teacher = dict(model.teacher.module.named_parameters())
    w_s = model.head.fc.weight.detach().clone()
    w_t = teacher['head.fc.weight'].detach().clone()
    assert not torch.equal(w_s, w_t)  # the student moved after the teacher's first copy
    assert not any(p.requires_grad for p in teacher.values())
    model.train_step(copy.deepcopy(raw), optim)
    assert torch.allclose(teacher['head.fc.weight'], 0.75 * w_t + 0.25 * w_s, atol=1e-6)
    assert int(model.num_steps) == 2
    assert 'teacher.module.head.fc.weight' in model.state_dict()


def test_mixmatch_guesses_over_k_views_and_mixes():
    torch.manual_seed(0)
    model = MODELS.build(dict(type='MixMatch', **copy.deepcopy(_NET), num_views=3, T=0.5,
                              lambda_u=10., ramp_iters=2, dm_eta=0.5, mix_seed=0))
    assert model.views == ('weak', 'weak2', 'weak3')
    model.train()
    data = _data(model, branches=model.views, unl=model.views)
    losses = model(**data, mode='loss')
    assert set(losses) == {'loss_x', 'loss_u', 'loss_dm'}
    assert all(torch.isfinite(v) for v in losses.values())
    assert losses['loss_dm'] >= 0
    # lambda_u weights the unlabeled term
    model.lambda_u = 0.
    assert model(**data, mode='loss')['loss_u'] == 0


def test_synthetic_recipe_trains_through_the_runner(semisup_root, tmp_path):
    from mmengine.runner import Runner
    cfg = point_cfg_at(load_cfg(SYNTHETIC_FIXMATCH), semisup_root, batch_size=8, mu=3)
    cfg.work_dir = str(tmp_path / 'work')
    cfg.train_cfg.max_iters = 3
    cfg.train_cfg.val_interval = 3
    cfg.param_scheduler[-1].end = 3
    cfg.model.mix_ramp_iters = 2
    cfg.default_hooks.checkpoint.interval = 3
    cfg.default_hooks.logger.interval = 1
    cfg.env_cfg.dist_cfg.backend = 'gloo'
    cfg.log_level = 'WARNING'
    runner = Runner.from_cfg(cfg)
    runner.train()
    assert osp.isfile(osp.join(cfg.work_dir, 'iter_3.pth'))
    assert int(runner.model.num_steps) == 3
    assert 'accuracy/top1' in runner.test()
