"""tools/model_converters/mmmix_to_mmdet.py and mmmix.utils.backbone_export: real
mmmix models saved the way mmengine saves them, exported and loaded into mmdet."""
import os
import os.path as osp
import subprocess
import sys
from collections import OrderedDict

import numpy as np
import pytest
import torch
from mmengine.hooks import EMAHook
from mmengine.logging import MessageHub
from mmengine.model import ExponentialMovingAverage
from mmengine.registry import init_default_scope
from mmengine.runner.checkpoint import load_checkpoint, save_checkpoint, weights_to_cpu

import mmmix  # noqa: F401
from conftest import ROOT
from mmmix.registry import MODELS
from mmmix.utils import (ConversionError, convert_checkpoint, export_backbone,
                         extract_backbone, format_report, infer_resnet_arch, verify_resnet)
from mmmix.utils.backbone_export import (CIFAR_CONV1, EMA_COPY, HEAD, KEY_ENCODER, STUDENT,
                                         TEACHER, to_mmdet_layout, to_mmpretrain_layout)

CLI = osp.join(ROOT, 'tools', 'model_converters', 'mmmix_to_mmdet.py')
SMALL = dict(type='ResNet', depth=18, stem_channels=16, base_channels=16, out_indices=(3, ))
GAP = dict(type='GlobalAveragePooling')


class Evil:
    """Not on the weights-only allowlist."""


@pytest.fixture(autouse=True)
def scope():
    init_default_scope('mmmix')


def head(in_channels=128, kind='MixupClsHead'):
    return dict(type=kind, num_classes=4, in_channels=in_channels)


def build(cfg, seed=0):
    """Build a model and give every state entry (BN statistics included) a random
    value, so the student, its copies and the teachers all differ."""
    torch.manual_seed(seed)
    model = MODELS.build(cfg)
    with torch.no_grad():
        for v in model.state_dict().values():
            if v.is_floating_point():
                v.copy_(torch.randn_like(v))
            elif v.dtype == torch.long:
                v.fill_(int(torch.randint(1, 1000, ())))
    return model


def mixup_cfg(backbone=SMALL, in_channels=128):
    return dict(type='MixupClassifier', mixers=[dict(type='Mixup', alpha=1.0)],
                backbone=backbone, neck=GAP, head=head(in_channels))


def save(path, state_dict, ddp=False, **extra):
    """As mmengine's Runner writes a checkpoint (meta with numpy values, message
    hub with HistoryBuffers, optimizer)."""
    hub = MessageHub.get_instance('test_model_converter')
    hub.update_scalar('train/loss', 1.5)
    state = weights_to_cpu(OrderedDict(state_dict))
    if ddp:
        state = OrderedDict((f'module.{k}', v) for k, v in state.items())
    ckpt = dict(meta=dict(epoch=1, iter=10, seed=np.int64(0), mmengine_version='0.10.7'),
                state_dict=state, message_hub=hub.state_dict(),
                optimizer=dict(state={}, param_groups=[dict(lr=0.1, params=[0])]), **extra)
    save_checkpoint(ckpt, str(path))
    return str(path)


def load_out(path):
    out = torch.load(path, map_location='cpu', weights_only=True)
    assert set(out) == {'meta', 'state_dict'}
    return out


def assert_same(out_state, expected):
    assert list(out_state) == list(expected)
    for k, v in expected.items():
        assert out_state[k].dtype == v.dtype and torch.equal(out_state[k], v), k
        assert out_state[k].is_contiguous()


def total(report):
    return report['kept']['tensors'] + sum(report['dropped'].values())


def det_resnet(**kw):
    from mmdet.models.backbones import ResNet
    return ResNet(**kw)


# ------------------------------------------------------------------ MixupClassifier
@pytest.mark.parametrize('ddp', [False, True])
def test_mixup_classifier_exports_its_backbone_bit_for_bit(tmp_path, ddp):
    model = build(mixup_cfg())
    src = save(tmp_path / 'epoch_1.pth', model.state_dict(), ddp=ddp)
    out = str(tmp_path / 'r18_det.pth')
    report = convert_checkpoint(src, out)

    ckpt = load_out(out)
    expected = model.backbone.state_dict()
    assert_same(ckpt['state_dict'], expected)
    meta = ckpt['meta']
    assert meta['model'] == 'student' and meta['source'] == osp.abspath(src)
    assert meta['source_kind'] == 'MixupClassifier-like'
    assert meta['arch']['depth'] == 18 and meta['arch']['stem'] == 'imagenet'
    assert meta['mmmix_version'] == mmmix.__version__

    assert report['dropped'] == {HEAD: 2}
    assert report['kept']['tensors'] == len(expected)
    assert report['kept']['parameters'] == sum(p.numel() for p in model.backbone.parameters())
    assert report['arch'] == dict(depth=18, block='BasicBlock', stage_blocks=(2, 2, 2, 2),
                                  num_stages=4, stem_channels=16, base_channels=16,
                                  deep_stem=False, avg_down=False, stem='imagenet')
    assert report['verification'] == ('loads strictly into mmdet ResNet-18 and mmpretrain '
                                      'ResNet-18')

    net = det_resnet(depth=18, stem_channels=16, base_channels=16)
    res = net.load_state_dict(ckpt['state_dict'], strict=True)
    assert not res.missing_keys and not res.unexpected_keys
    net2 = det_resnet(depth=18, stem_channels=16, base_channels=16)
    load_checkpoint(net2, out, map_location='cpu', strict=True)  # mmengine's plain loader
    assert torch.equal(net2.layer4[1].bn2.running_var, expected['layer4.1.bn2.running_var'])

    text = format_report(report)
    assert 'kept   : 120 tensors' in text and 'classification head' in text
    assert 'ResNet-18 (BasicBlock' in text and f'written: {osp.abspath(out)}' in text


# ------------------------------------------------------------------ teachers
def automix_cfg():
    return dict(type='AutoMix', backbone=SMALL, neck=GAP, head=head(),
                mix_block=dict(type='PixelMixBlock', in_channels=64))


def test_automix_student_and_teacher(tmp_path):
    model = build(automix_cfg())
    src = save(tmp_path / 'automix.pth', model.state_dict())
    student = model.backbone.state_dict()
    teacher = model.teacher.module.backbone.state_dict()
    assert not torch.equal(student['conv1.weight'], teacher['conv1.weight'])

    rep_s = convert_checkpoint(src, str(tmp_path / 's.pth'))
    assert_same(load_out(tmp_path / 's.pth')['state_dict'], student)
    rep_t = convert_checkpoint(src, str(tmp_path / 't.pth'), model='teacher')
    out_t = load_out(tmp_path / 't.pth')['state_dict']
    assert_same(out_t, teacher)
    assert not any(torch.equal(out_t[k], student[k]) for k in student if 'weight' in k)

    n = len(model.state_dict())
    assert rep_s['source_kind'] == rep_t['source_kind'] == 'AutoMix'
    assert rep_s['dropped'] == {HEAD: 2, 'Mix Block': 4, TEACHER: 123} and total(rep_s) == n
    assert rep_t['dropped'] == {STUDENT: 120, HEAD: 2, 'Mix Block': 4, TEACHER: 3}
    assert total(rep_t) == n
    assert rep_t['kept']['source'] == 'state_dict teacher.module.backbone.*'


@pytest.mark.parametrize('kind', ['FixMatch', 'SelfTuning'])
def test_semisup_and_selftuning_teachers(kind):
    if kind == 'FixMatch':
        model = build(dict(type='FixMatch', backbone=SMALL, neck=GAP, teacher='ema',
                           head=head(kind='LinearClsHead')))
        teacher_net, parts = model.teacher.module, {TEACHER: 3, 'step counter (num_steps)': 1}
    else:
        model = build(dict(type='SelfTuning', backbone=SMALL, neck=GAP, projector_dim=8,
                           queue_size=4, head=head(kind='LinearClsHead')))
        teacher_net = model.key_encoder.module
        parts = {KEY_ENCODER: 5, 'projector': 2, 'step counter (num_steps)': 1}
    sd = model.state_dict()
    state, info = extract_backbone({'state_dict': sd}, 'teacher')
    assert_same(state, teacher_net.backbone.state_dict())
    assert info['dropped'] == {STUDENT: 120, HEAD: 2, **parts}
    assert info['source_kind'] == {'FixMatch': 'semi-supervised (FixMatch/MixMatch)',
                                   'SelfTuning': 'SelfTuning'}[kind]
    state, info = extract_backbone({'state_dict': sd}, 'student')
    assert_same(state, model.backbone.state_dict())
    assert STUDENT not in info['dropped']
    assert sum(info['dropped'].values()) + len(state) == len(sd)


def test_cotuning_parts_and_teacher_refused():
    model = build(dict(type='CoTuning', backbone=SMALL, neck=GAP, head=head(),
                       source_classes=10))
    state, info = extract_backbone({'state_dict': model.state_dict()})
    assert info['source_kind'] == 'CoTuning'
    assert info['dropped'] == {'source classifier / relationship (CoTuning)': 4, HEAD: 2}
    with pytest.raises(ConversionError, match=r'no teacher.*student \(backbone\.\*\)'):
        extract_backbone({'state_dict': model.state_dict()}, 'teacher')


def test_emahook_checkpoint_student_is_raw_teacher_is_averaged(tmp_path):
    model = build(mixup_cfg())
    ema = ExponentialMovingAverage(model, momentum=0.5)
    ema.update_parameters(model)  # the first update copies the model
    with torch.no_grad():  # a "training step", then an EMA update
        for p in model.parameters():
            p.add_(torch.randn_like(p))
    ema.update_parameters(model)
    raw = {k: v.clone() for k, v in model.backbone.state_dict().items()}
    averaged = {k: v.clone() for k, v in ema.module.backbone.state_dict().items()}
    assert not torch.equal(raw['conv1.weight'], averaged['conv1.weight'])

    ckpt = dict(state_dict=model.state_dict())
    hook = EMAHook()
    hook.ema_model = ema
    hook.before_save_checkpoint(None, ckpt)  # mmengine's own swap
    assert torch.equal(ckpt['state_dict']['backbone.conv1.weight'], averaged['conv1.weight'])
    src = save(tmp_path / 'ema.pth', ckpt['state_dict'],
               ema_state_dict=weights_to_cpu(OrderedDict(ckpt['ema_state_dict'])))

    rep_s = convert_checkpoint(src, str(tmp_path / 's.pth'))
    assert_same(load_out(tmp_path / 's.pth')['state_dict'], raw)
    rep_t = convert_checkpoint(src, str(tmp_path / 't.pth'), model='teacher')
    assert_same(load_out(tmp_path / 't.pth')['state_dict'], averaged)

    n = len(ckpt['state_dict']) + len(ckpt['ema_state_dict'])
    assert 'EMAHook' in rep_s['source_kind'] and total(rep_s) == total(rep_t) == n
    assert rep_s['dropped'] == {EMA_COPY: 120 + 3, HEAD: 2}
    assert rep_t['dropped'] == {HEAD: 2, EMA_COPY: 123}
    assert 'raw' in rep_s['kept']['source'] and 'averaged' in rep_t['kept']['source']


# ------------------------------------------------------------------ stock mmdet config
def test_resnet50_loads_into_stock_faster_rcnn_backbone(tmp_path):
    from mmengine.config import Config
    from mmengine.registry import DefaultScope
    from mmdet.registry import MODELS as DET_MODELS
    from mmdet.utils import register_all_modules
    register_all_modules(init_default_scope=False)

    model = build(mixup_cfg(dict(type='ResNet', depth=50, out_indices=(3, )), 2048))
    src = save(tmp_path / 'r50.pth', model.state_dict())
    out = str(tmp_path / 'r50_det.pth')
    report = convert_checkpoint(src, out)
    assert report['arch']['depth'] == 50 and report['arch']['block'] == 'Bottleneck'
    assert report['verification'].endswith('mmdet ResNet-50 and mmpretrain ResNet-50')
    state = load_out(out)['state_dict']
    expected = model.backbone.state_dict()

    from mmengine.utils import get_installed_path
    # the file 'mmdet::faster_rcnn/faster-rcnn_r50_fpn_1x_coco.py' names (resolved by hand:
    # Config.fromfile takes the 'mmdet::' form only inside _base_)
    cfg = Config.fromfile(osp.join(get_installed_path('mmdet'), '.mim', 'configs', 'faster_rcnn',
                                   'faster-rcnn_r50_fpn_1x_coco.py'))
    bb = cfg.model.backbone.to_dict()
    assert bb['type'] == 'ResNet' and bb['depth'] == 50
    with DefaultScope.overwrite_default_scope('mmdet'):
        net = DET_MODELS.build(dict(bb, init_cfg=None))
        assert type(net).__module__.startswith('mmdet.')
        res = net.load_state_dict(state, strict=True)
        assert not res.missing_keys and not res.unexpected_keys

        net = DET_MODELS.build(dict(bb, init_cfg=dict(type='Pretrained', checkpoint=out)))
        assert not torch.equal(net.layer3[5].conv2.weight, expected['layer3.5.conv2.weight'])
        net.init_weights()
    got = net.state_dict()
    assert set(got) == set(expected)
    for k in ('conv1.weight', 'layer3.5.conv2.weight', 'layer4.2.bn3.running_mean'):
        assert torch.equal(got[k], expected[k]), k


# ------------------------------------------------------------------ errors
def test_non_allowlisted_pickle_is_refused(tmp_path):
    src = str(tmp_path / 'evil.pth')
    torch.save({'meta': Evil(), 'state_dict': {'backbone.conv1.weight': torch.zeros(1)}}, src)
    with pytest.raises(RuntimeError, match='Evil'):
        convert_checkpoint(src, str(tmp_path / 'out.pth'))
    assert not (tmp_path / 'out.pth').exists()


def test_missing_backbone(tmp_path):
    src = save(tmp_path / 'head.pth', {'head.fc.weight': torch.zeros(4, 8),
                                       'head.fc.bias': torch.zeros(4)})
    with pytest.raises(ConversionError, match=r"missing backbone.*\['head'\]"):
        convert_checkpoint(src, str(tmp_path / 'out.pth'))
    with pytest.raises(FileNotFoundError, match='nope.pth'):
        convert_checkpoint(str(tmp_path / 'nope.pth'), str(tmp_path / 'out.pth'))
    with pytest.raises(ConversionError, match='overwrite the input'):
        convert_checkpoint(src, src)


def test_cifar_stem_refused_unless_allowed(tmp_path):
    backbone = dict(type='ResNet_CIFAR', depth=18, stem_channels=16, base_channels=16,
                    out_indices=(3, ))
    model = build(mixup_cfg(backbone))
    src = save(tmp_path / 'cifar.pth', model.state_dict())
    out = str(tmp_path / 'out.pth')
    with pytest.raises(ConversionError, match=r'CIFAR.*3x3.*--allow-cifar-stem'):
        convert_checkpoint(src, out)
    assert not osp.exists(out)

    report = convert_checkpoint(src, out, allow_cifar_stem=True)
    assert report['arch']['stem'] == 'cifar'
    assert report['dropped'] == {HEAD: 2, CIFAR_CONV1: 1}
    assert 'conv1.weight excepted' in report['verification']
    state = load_out(out)['state_dict']
    expected = model.backbone.state_dict()
    assert 'conv1.weight' not in state and set(state) == set(expected) - {'conv1.weight'}
    net = det_resnet(depth=18, stem_channels=16, base_channels=16)
    res = net.load_state_dict(state, strict=False)
    assert res.missing_keys == ['conv1.weight'] and not res.unexpected_keys
    assert torch.equal(net.bn1.weight, expected['bn1.weight'])
    # the full CIFAR state (3x3 conv1) does not verify: the shape mismatch is named
    with pytest.raises(ConversionError, match=r'conv1\.weight: \(16, 3, 3, 3\) vs'):
        verify_resnet(expected, dict(report['arch'], stem='imagenet'))


def test_teacher_of_a_mixup_classifier_is_refused(tmp_path):
    src = save(tmp_path / 'm.pth', build(mixup_cfg()).state_dict())
    with pytest.raises(ConversionError, match=r'--model teacher.*no teacher.*backbone\.\*'):
        convert_checkpoint(src, str(tmp_path / 'out.pth'), model='teacher')


def test_wide_resnet_needs_no_verify(tmp_path):
    backbone = dict(type='WideResNet_CIFAR', depth=28, widen_factor=2, out_indices=(2, ))
    model = build(dict(type='FixMatch', backbone=backbone, neck=GAP,
                       head=head(128, 'LinearClsHead')))
    src = save(tmp_path / 'wrn.pth', model.state_dict())
    out = str(tmp_path / 'out.pth')
    with pytest.raises(ConversionError, match=r'not a standard ResNet.*--no-verify'):
        convert_checkpoint(src, out)
    report = convert_checkpoint(src, out, verify=False)
    assert report['arch'] is None and report['verification'] == 'skipped (--no-verify)'
    assert_same(load_out(out)['state_dict'], model.backbone.state_dict())
    assert 'arch   : unknown' in format_report(report)


def test_verify_names_shape_mismatch():
    state = det_resnet(depth=18, stem_channels=16, base_channels=16).state_dict()
    arch = infer_resnet_arch(state)
    state['layer2.0.conv1.weight'] = torch.zeros(8, 16, 3, 3)
    with pytest.raises(ConversionError, match=r'layer2\.0\.conv1\.weight: \(8, 16, 3, 3\)'):
        verify_resnet(state, arch)
    del state['layer2.0.conv1.weight']
    with pytest.raises(ConversionError, match=r"missing \['layer2\.0\.conv1\.weight'\]"):
        verify_resnet(state, arch)
    with pytest.raises(ConversionError, match=r'not a ResNet layout.*\[.patch_embed.\]'):
        infer_resnet_arch({'patch_embed.proj.weight': torch.zeros(8, 3, 4, 4)})


# ------------------------------------------------------------------ arch inference, layouts
@pytest.mark.parametrize('depth', [18, 34, 50, 101, 152])
@pytest.mark.parametrize('num_stages', [4, 3])
def test_infer_resnet_arch(depth, num_stages):
    from mmpretrain.models.backbones import ResNet
    n = num_stages
    net = ResNet(depth=depth, stem_channels=8, base_channels=4, num_stages=n,
                 strides=(1, 2, 2, 2)[:n], dilations=(1, ) * n, out_indices=(n - 1, ))
    arch = infer_resnet_arch(net.state_dict())
    block, blocks = {18: ('BasicBlock', (2, 2, 2, 2)), 34: ('BasicBlock', (3, 4, 6, 3)),
                     50: ('Bottleneck', (3, 4, 6, 3)), 101: ('Bottleneck', (3, 4, 23, 3)),
                     152: ('Bottleneck', (3, 8, 36, 3))}[depth]
    assert arch['block'] == block and arch['stage_blocks'] == blocks[:n]
    assert arch['num_stages'] == n and arch['stem_channels'] == 8 and arch['base_channels'] == 4
    assert arch['depth'] == depth  # 3 stages still tell them apart (block type, blocks)


def test_bare_and_deep_stem_backbones(tmp_path):
    from mmpretrain.models.backbones import ResNetV1d
    torch.manual_seed(0)
    v1d = ResNetV1d(depth=18, stem_channels=16, base_channels=8)
    sd = v1d.state_dict()
    assert any(k.startswith('stem.0.conv.') for k in sd)
    tv = dict(sd, **{'fc.weight': torch.zeros(10, 64), 'fc.bias': torch.zeros(10)})
    state, report = export_backbone(tv)
    assert report['source_kind'] == 'bare backbone (torchvision-style)'
    assert report['dropped'] == {'torchvision classifier (fc)': 2}
    assert report['arch']['stem'] == 'deep' and report['arch']['avg_down']
    # 18 stem keys; 6 of layer1.0.downsample (mmdet's avg_down pools in every shortcut)
    assert any(n.startswith('renamed 24 keys') for n in report['notes'])
    assert 'stem.6.weight' in state and 'stem.0.conv.weight' not in state
    assert 'layer1.0.downsample.2.running_var' in state
    assert_same(state, to_mmdet_layout(sd))
    net = det_resnet(depth=18, stem_channels=16, base_channels=8, deep_stem=True, avg_down=True)
    res = net.load_state_dict(state, strict=True)
    assert not res.missing_keys and not res.unexpected_keys
    assert_same(to_mmpretrain_layout(state), sd)  # and back
    assert_same(to_mmdet_layout(state), state)  # idempotent
    with pytest.raises(ConversionError, match='bare backbone'):
        export_backbone(tv, model='teacher')


# ------------------------------------------------------------------ CLI
def _cli(*args):
    env = dict(os.environ, OMP_NUM_THREADS='2')
    return subprocess.run([sys.executable, CLI, *map(str, args)], capture_output=True,
                          text=True, cwd=str(ROOT), env=env, timeout=300)


def test_cli(tmp_path):
    src = save(tmp_path / 'automix.pth', build(automix_cfg()).state_dict())
    out = tmp_path / 'det' / 'r18.pth'
    r = _cli(src, out, '--model', 'teacher')
    assert r.returncode == 0, r.stderr
    assert 'kept   : 120 tensors' in r.stdout and 'dropped: 129 tensors' in r.stdout
    assert 'Mix Block' in r.stdout and 'loads strictly into mmdet ResNet-18' in r.stdout
    assert load_out(out)['meta']['model'] == 'teacher'

    evil = str(tmp_path / 'evil.pth')
    torch.save({'meta': Evil(), 'state_dict': {}}, evil)
    r = _cli(evil, tmp_path / 'x.pth')
    assert r.returncode == 1 and 'Traceback' not in r.stderr
    assert r.stderr.startswith('error: refusing to load') and 'Evil' in r.stderr
    assert not (tmp_path / 'x.pth').exists()
