"""Fine-/Co-/Self-Tuning (+DM): checkpoint loading (mmpretrain and
torchvision layouts, missing file, bad keys), the Self-Tuning queue and PGC
loss vs a per-sample formula, the Co-Tuning relationship and loss, the DM
term, a CPU train_step for every configs/finetune config, config errors."""
import copy
import glob
import math
import os.path as osp

import pytest
import torch
import torch.nn.functional as F
from mmengine.optim import OptimWrapper
from mmpretrain.structures import DataSample

from mmmix.models.finetune import load_pretrained, pgc_loss, relationship_from_sums
from mmmix.registry import MODELS
from mmmix.utils.validation import ConfigError
from semisup_utils import ROOT, load_cfg, mmmix_scope, one_thread  # noqa: F401
from test_models import fake_batch

CONFIGS = sorted(glob.glob(osp.join(ROOT, 'configs', 'finetune', '*.py')))
TINY = dict(type='ResNet', depth=18, base_channels=8, stem_channels=8, out_indices=(3, ))


def tiny_cfg(kind='FineTuning', **kw):
    pre = 'SemiSupDataPreprocessor' if kind == 'SelfTuning' else 'ClsDataPreprocessor'
    cfg = dict(type=kind, backbone=dict(TINY), neck=dict(type='GlobalAveragePooling'),
               head=dict(type='MixupClsHead', num_classes=4, in_channels=64,
                         loss=dict(type='CrossEntropyLoss')),
               data_preprocessor=dict(type=pre, num_classes=4))
    if kind == 'SelfTuning':
        kw.setdefault('projector_dim', 8)
        kw.setdefault('queue_size', 3)
    if kind == 'CoTuning':
        kw.setdefault('source_classes', 5)
    cfg.update(kw)
    return cfg


def save_checkpoints(tmp_path):
    """A random mmpretrain classifier saved in both layouts."""
    torch.manual_seed(1)
    src = MODELS.build(dict(type='ImageClassifier', backbone=dict(TINY),
                            neck=dict(type='GlobalAveragePooling'),
                            head=dict(type='LinearClsHead', num_classes=5, in_channels=64)))
    mm = osp.join(tmp_path, 'mm.pth')
    torch.save(dict(state_dict=src.state_dict(), meta=dict()), mm)
    tv = {k[len('backbone.'):]: v for k, v in src.state_dict().items() if k.startswith('backbone.')}
    tv['fc.weight'], tv['fc.bias'] = src.head.fc.weight.data, src.head.fc.bias.data
    tvp = osp.join(tmp_path, 'tv.pth')
    torch.save(tv, tvp)
    return src, mm, tvp


@pytest.mark.parametrize('layout', ['mm', 'tv'])
def test_pretrained_loading_both_layouts(tmp_path, layout):
    src, mm, tv = save_checkpoints(str(tmp_path))
    path = mm if layout == 'mm' else tv
    model = MODELS.build(tiny_cfg('CoTuning', pretrained_backbone=path))
    model.init_weights()
    rep = model.pretrained_report
    assert rep['format'] == ('mmpretrain' if layout == 'mm' else 'torchvision')
    assert rep['head_tensors'] == 2 and rep['backbone_tensors'] > 50
    for k, v in src.backbone.state_dict().items():
        assert torch.equal(model.backbone.state_dict()[k], v), k
    assert torch.equal(model.source_fc.weight, src.head.fc.weight)


def test_pretrained_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match='nothing is downloaded'):
        MODELS.build(tiny_cfg(pretrained_backbone=str(tmp_path / 'no.pth'))).init_weights()
    _, mm, tv = save_checkpoints(str(tmp_path))
    sd = torch.load(tv)
    sd['layer9.weight'] = torch.zeros(1)
    del sd['conv1.weight']
    bad = str(tmp_path / 'bad.pth')
    torch.save(sd, bad)
    with pytest.raises(ConfigError, match=r"missing \['conv1.weight'\].*layer9"):
        MODELS.build(tiny_cfg(pretrained_backbone=bad)).init_weights()
    wide = MODELS.build(tiny_cfg(backbone=dict(TINY, base_channels=16)))
    with pytest.raises(ConfigError, match='shape mismatch'):
        load_pretrained(mm, wide.backbone)
    with pytest.raises(ConfigError, match='pretrained_format'):
        MODELS.build(tiny_cfg(pretrained_format='timm'))


def test_pgc_loss_matches_per_sample_formula():
    g = torch.Generator().manual_seed(0)
    c, k, d, n, t = 3, 4, 5, 6, 0.07
    q = F.normalize(torch.randn(n, d, generator=g), dim=1)
    key = F.normalize(torch.randn(n, d, generator=g), dim=1)
    queue = F.normalize(torch.randn(c, k, d, generator=g), dim=2)
    y = torch.tensor([0, 1, 2, 0, 1, 2])
    total = 0.
    for i in range(n):
        pos = [float(q[i] @ key[i])] + [float(q[i] @ queue[y[i], j]) for j in range(k)]
        neg = [float(q[i] @ queue[cc, j]) for cc in range(c) if cc != y[i] for j in range(k)]
        den = sum(math.exp(s / t) for s in pos + neg)
        total += -sum(math.log(math.exp(s / t) / den) for s in pos) / (k + 1)
    assert pgc_loss(q, key, y, queue, t).item() == pytest.approx(total / n, rel=1e-4)


def test_self_tuning_queue_update_and_step():
    torch.manual_seed(0)
    model = MODELS.build(tiny_cfg('SelfTuning'))
    keys = F.normalize(torch.randn(5, 8), dim=1)
    before = model.queue.clone()
    model.enqueue(keys, torch.tensor([1, 1, 1, 1, 2]))
    # class 1: 4 keys into a queue of 3 -> slots 0,1,2 then 0 again
    assert torch.equal(model.queue[1, 0], keys[3]) and torch.equal(model.queue[1, 1], keys[1])
    assert torch.equal(model.queue[1, 2], keys[2]) and torch.equal(model.queue[2, 0], keys[4])
    assert torch.equal(model.queue[0], before[0])
    assert model.queue_ptr.tolist() == [0, 1, 1, 0]


def test_co_tuning_relationship_and_loss():
    sums = torch.tensor([[2., 1., 1.], [0., 0., 0.], [1., 3., 0.]], dtype=torch.float64)
    rel = relationship_from_sums(sums, torch.tensor([2, 0, 2]))
    assert torch.allclose(rel.sum(1), torch.ones(3, dtype=torch.float64))
    assert torch.allclose(rel[0], torch.tensor([.5, .25, .25], dtype=torch.float64))
    assert torch.allclose(rel[1], torch.full((3, ), 1 / 3, dtype=torch.float64))
    torch.manual_seed(0)
    model = MODELS.build(tiny_cfg('CoTuning', lambda_co=2.3))
    batch = sup_batch(4, 16)
    with pytest.raises(RuntimeError, match='CoTuningRelationHook'):
        model.train_step(batch, OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.)))
    model.estimate_relationship([batch])
    r = model.relationship
    assert torch.allclose(r.sum(1), torch.ones(4))
    data = model.data_preprocessor(batch, False)
    model.eval()
    with torch.no_grad():
        feats = model.extract_feat(data['inputs'])
        losses = model.loss(data['inputs'], data['data_samples'])
        src = torch.log_softmax(model.source_logits(feats), 1)
    y = torch.cat([ds.gt_label for ds in data['data_samples']])
    expect = 2.3 * sum(-(r[y[i]] * src[i]).sum() for i in range(4)) / 4
    assert losses['loss_co'].item() == pytest.approx(expect.item(), rel=1e-5)


def test_self_tuning_dm_term_and_errors():
    torch.manual_seed(0)
    model = MODELS.build(tiny_cfg('SelfTuning', mixers=[dict(type='Mixup', alpha=1.0)],
                                  mix_seed=0))
    b = semisup_batch()
    out = model.train_step(b, OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.01)))
    assert set(out) >= {'loss_x', 'loss_pgc_l', 'loss_pgc_u', 'loss_mix'}
    lam = model.mixer.sample_lam(200, torch.Generator().manual_seed(0))
    from mmmix.models.losses.semisup import asymmetric_lam
    assert (asymmetric_lam(lam, model.asym) <= 0.5).all()
    for bad in (dict(queue_size=0), dict(temperature=0.), dict(asym='both'),
                dict(teacher='ema'), dict(mix_loss='x')):
        with pytest.raises(ConfigError):
            MODELS.build(tiny_cfg('SelfTuning', **bad))
    with pytest.raises(ConfigError, match='lambda_co'):
        MODELS.build(tiny_cfg('CoTuning', lambda_co=-1))


def sup_batch(n, size, num_classes=4, seed=0):
    g = torch.Generator().manual_seed(seed)
    return dict(inputs=[torch.randint(0, 256, (3, size, size), generator=g, dtype=torch.uint8)
                        for _ in range(n)],
                data_samples=[DataSample().set_gt_label(int(torch.randint(0, num_classes, (1, ),
                                                                          generator=g)))
                              for _ in range(n)])


def semisup_batch(num_classes=4, size=16):
    batch = fake_batch(['weak', 'weak2'], ['weak', 'weak2'], num_classes, size)
    # labeled samples need both views too
    for i, ds in enumerate(batch['data_samples']['weak']):
        if 'gt_label' in ds and batch['inputs']['weak2'][i] is None:
            batch['inputs']['weak2'][i] = batch['inputs']['weak'][i].flip(-1)
            batch['data_samples']['weak2'][i] = DataSample().set_gt_label(ds.gt_label)
    return batch


@pytest.mark.parametrize('path', CONFIGS, ids=[osp.basename(p) for p in CONFIGS])
def test_every_config_builds_and_takes_a_train_step(path):
    cfg = load_cfg(path)
    model_cfg = copy.deepcopy(cfg.model.to_dict())
    model_cfg.setdefault('data_preprocessor', copy.deepcopy(cfg.data_preprocessor.to_dict()))
    model_cfg['pretrained_backbone'] = None  # no ImageNet checkpoint in the tests
    if 'resnet50' in path:  # a tiny stand-in backbone: the recipe, not ResNet-50, is tested
        model_cfg['backbone'] = dict(TINY)
        model_cfg['head']['in_channels'] = 64
    if model_cfg['type'] == 'SelfTuning':
        model_cfg['projector_dim'] = 16
    torch.manual_seed(0)
    model = MODELS.build(model_cfg)
    n = model.head.num_classes
    if model_cfg['type'] == 'SelfTuning':
        batch = semisup_batch(n)
    else:
        batch = sup_batch(4, 16, n)
        if model_cfg['type'] == 'CoTuning':
            model.estimate_relationship([batch])
    out = model.train_step(batch, OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.01)))
    assert all(torch.isfinite(v).all() for v in out.values())
    if '-dm' in path:
        assert 'loss_mix' in out or 'DecoupledMixupLoss' in repr(model.head)
        assert 'mix_acc_top2' in out or 'loss_mix' in out  # a mixed batch was trained
