"""The transfer chain end to end on CPU: a classification checkpoint
(MixupClassifier trained by the Runner, AutoMix) -> the converter -> the
synthetic twins of configs/detection (Faster R-CNN FPN and C4 on the VOC
layout with VOCMetric, Mask R-CNN on the COCO layout with CocoMetric bbox +
segm, SoftTeacher on a partial-label split), through mmengine's Runner,
tools/train.py and `mim train mmdet`; TransferCheckHook's refusals."""
import glob
import os
import os.path as osp
import subprocess
import sys

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmengine.runner import Runner
from mmengine.runner.checkpoint import save_checkpoint

import mmmix  # noqa: F401
from conftest import ROOT, load_tool
from mmmix.utils import ConfigError, convert_checkpoint

DET = osp.join(ROOT, 'configs', 'detection')
FASTER = osp.join(DET, 'faster-rcnn_r18-w16_fpn_synthetic-voc.py')
C4 = osp.join(DET, 'faster-rcnn_r18-w16-c4_synthetic-voc.py')
MASK = osp.join(DET, 'mask-rcnn_r18-w16_fpn_synthetic-coco.py')
SOFT = osp.join(DET, 'soft-teacher_faster-rcnn_r18-w16_fpn_semi-0.1_synthetic-coco.py')
PRETRAIN = osp.join(ROOT, 'configs', 'demo', 'resnet18-w16-imagenet-stem_mixup_synthetic-64px.py')
SMALL = dict(type='ResNet', depth=18, stem_channels=16, base_channels=16, out_indices=(3, ))
MIM = osp.join(osp.dirname(sys.executable), 'mim')


@pytest.fixture(scope='module')
def det_root(tmp_path_factory):
    """16 train / 8 val / 8 test images of the detection generator (64 px)."""
    from mmmix.datasets import generate_detection
    root = str(tmp_path_factory.mktemp('synthetic_det'))
    generate_detection(root, num_train=16, num_val=8, num_test=8, seed=0)
    return root


@pytest.fixture(scope='module')
def pretrained(tmp_path_factory):
    """The transfer demo's pretraining config, one epoch on 2 images per class
    (64 px), through the Runner; returns the classifier checkpoint."""
    from mmmix.datasets import generate_classification
    tmp = tmp_path_factory.mktemp('pretrain')
    root = str(tmp / 'cls64')
    generate_classification(root, num_classes=10, img_size=64, num_train=2, num_val=1,
                            num_test=1, seed=0)
    cfg = Config.fromfile(PRETRAIN)
    cfg.work_dir = str(tmp / 'work')
    for part in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        cfg[part].dataset.data_root = root
        cfg[part].num_workers = 0
        cfg[part].batch_size = 10
    cfg.train_cfg.max_epochs = 1
    cfg.param_scheduler = [dict(type='ConstantLR', factor=1.0, by_epoch=True, begin=0, end=1)]
    cfg.env_cfg.dist_cfg.backend = 'gloo'
    cfg.default_hooks.checkpoint.interval = 1
    Runner.from_cfg(cfg).train()
    return osp.join(cfg.work_dir, 'epoch_1.pth')


@pytest.fixture(scope='module')
def converted(pretrained, tmp_path_factory):
    out = str(tmp_path_factory.mktemp('converted') / 'backbone.pth')
    report = convert_checkpoint(pretrained, out)
    assert report['dropped'] == {'classification head': 2}
    return out


def twin_cfg(path, det_root, work_dir, checkpoint, coco=False):
    """A twin config pointed at the tiny data, batch 2, one epoch."""
    cfg = Config.fromfile(path)
    cfg.work_dir = str(work_dir)
    sub = 'coco/' if coco else 'VOCdevkit/'
    for part in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        loader = cfg[part]
        ds = loader.dataset
        for d in (ds.datasets if 'datasets' in ds else [ds]):
            d.data_root = osp.join(det_root, sub)
        if 'batch_size' not in loader.sampler:  # SoftTeacher's sampler keeps its 1:3 batch
            loader.batch_size = 2
    if coco:
        for part in ('val_evaluator', 'test_evaluator'):
            cfg[part].ann_file = osp.join(det_root, 'coco', 'annotations', 'instances_val.json')
    if cfg.train_cfg.get('type', '').startswith('IterBased') or 'max_iters' in cfg.train_cfg:
        cfg.train_cfg.max_iters = cfg.train_cfg.val_interval = 2
    else:
        cfg.train_cfg.max_epochs = cfg.train_cfg.val_interval = 1
    cfg.param_scheduler = [dict(type='ConstantLR', factor=1.0, by_epoch=False, begin=0, end=2)]
    cfg.default_hooks.logger.interval = 1
    cfg.env_cfg.dist_cfg.backend = 'gloo'
    detector = cfg.model.get('detector', cfg.model)
    # keep every candidate box so the metrics have detections to score after 2 steps
    detector.test_cfg.rcnn.score_thr = 0.0
    if checkpoint is not None:
        detector.backbone.init_cfg.checkpoint = checkpoint
        shared = detector.roi_head.get('shared_head')
        if shared is not None:
            shared.init_cfg.checkpoint = checkpoint
    return cfg


def backbone_of(runner):
    model = runner.model
    return (model.student if hasattr(model, 'student') else model).backbone


def test_faster_rcnn_fpn_voc_from_a_mixup_checkpoint(det_root, converted, tmp_path):
    cfg = twin_cfg(FASTER, det_root, tmp_path / 'w', converted)
    runner = Runner.from_cfg(cfg)
    runner.train()
    # the backbone started from the converted weights: conv1 moved little from them
    # (one epoch of 8 steps) and is far from a fresh init
    state = torch.load(converted, weights_only=True)['state_dict']
    conv1 = backbone_of(runner).conv1.weight.detach()
    assert (conv1 - state['conv1.weight']).abs().mean() < 0.2 * state['conv1.weight'].abs().mean()
    metrics = runner.test()
    assert 0.0 <= metrics['pascal_voc/mAP'] <= 1.0


def test_the_backbone_is_the_converted_one_after_init(det_root, converted, tmp_path):
    cfg = twin_cfg(FASTER, det_root, tmp_path / 'w', converted)
    runner = Runner.from_cfg(cfg)
    runner._init_model_weights()
    state = torch.load(converted, weights_only=True)['state_dict']
    own = backbone_of(runner).state_dict()
    assert set(own) == set(state)
    for k, v in state.items():
        assert torch.equal(own[k], v), k


def test_faster_rcnn_c4_voc_both_parts_initialised(det_root, converted, tmp_path):
    cfg = twin_cfg(C4, det_root, tmp_path / 'w', converted)
    runner = Runner.from_cfg(cfg)
    runner._init_model_weights()
    state = torch.load(converted, weights_only=True)['state_dict']
    head = runner.model.roi_head.shared_head.state_dict()
    assert head and all(torch.equal(v, state[k]) for k, v in head.items())
    assert not any(k.startswith('layer4') for k in runner.model.backbone.state_dict())
    runner.train()
    assert 0.0 <= runner.test()['pascal_voc/mAP'] <= 1.0


def test_mask_rcnn_coco_bbox_and_segm(det_root, converted, tmp_path):
    cfg = twin_cfg(MASK, det_root, tmp_path / 'w', converted, coco=True)
    runner = Runner.from_cfg(cfg)
    runner.train()
    metrics = runner.test()
    for key in ('coco/bbox_mAP', 'coco/segm_mAP', 'coco/bbox_mAP_50', 'coco/segm_mAP_50'):
        assert 0.0 <= metrics[key] <= 1.0, key


def test_soft_teacher_semi_supervised_steps(det_root, converted, tmp_path):
    cfg = twin_cfg(SOFT, det_root, tmp_path / 'w', converted, coco=True)
    labeled = cfg.train_dataloader.dataset.datasets[0].ann_file
    assert labeled == 'semi_anns/instances_train.1@10.json'
    runner = Runner.from_cfg(cfg)
    runner.train()
    # MeanTeacherHook copied the converted student into the teacher, then averaged
    assert runner.iter == 2
    # TeacherStudentValLoop ran at iteration 2 and scored both models
    logged = runner.message_hub.log_scalars
    for who in ('teacher', 'student'):
        assert 0.0 <= logged[f'val/{who}/coco/bbox_mAP'].current() <= 1.0


def test_automix_checkpoint_into_the_detector(det_root, tmp_path):
    """AutoMix's student and momentum teacher both convert and fit the twin's
    backbone; the choice is honoured."""
    from mmmix.registry import MODELS
    init_default_scope('mmmix')
    torch.manual_seed(0)
    model = MODELS.build(dict(
        type='AutoMix', backbone=dict(SMALL, out_indices=(3, )),
        neck=dict(type='GlobalAveragePooling'),
        head=dict(type='MixupClsHead', num_classes=10, in_channels=128),
        mix_block=dict(type='PixelMixBlock', in_channels=64, reduction=2), mix_stage=2))
    with torch.no_grad():  # make the teacher differ from the student
        for p in model.teacher.module.parameters():
            p.add_(1.0)
    ckpt = str(tmp_path / 'automix.pth')
    save_checkpoint(model.state_dict(), ckpt)
    for choice in ('student', 'teacher'):
        out = str(tmp_path / f'{choice}.pth')
        report = convert_checkpoint(ckpt, out, model=choice)
        assert 'Mix Block' in report['dropped']
        cfg = twin_cfg(FASTER, det_root, tmp_path / choice, out)
        runner = Runner.from_cfg(cfg)
        runner._init_model_weights()
        src = model.teacher.module.backbone if choice == 'teacher' else model.backbone
        assert torch.equal(backbone_of(runner).conv1.weight, src.conv1.weight)


# ------------------------------------------------------------ refusals (hook)
def _train(cfg):
    Runner.from_cfg(cfg).train()


def test_no_checkpoint_is_refused_with_the_key(det_root, tmp_path):
    cfg = twin_cfg(FASTER, det_root, tmp_path / 'w', None)
    with pytest.raises(ConfigError, match=r'model\.backbone\.init_cfg\.checkpoint'):
        _train(cfg)
    cfg = twin_cfg(SOFT, det_root, tmp_path / 'w2', None, coco=True)
    with pytest.raises(ConfigError, match=r'model\.detector\.backbone\.init_cfg\.checkpoint'):
        _train(cfg)


def test_missing_file_is_refused(det_root, tmp_path):
    cfg = twin_cfg(FASTER, det_root, tmp_path / 'w', str(tmp_path / 'nope.pth'))
    with pytest.raises(FileNotFoundError, match='nope.pth'):
        _train(cfg)


def test_cifar_stem_checkpoint_is_refused(det_root, tmp_path):
    from mmpretrain.models.backbones import ResNet_CIFAR
    bad = str(tmp_path / 'cifar.pth')
    net = ResNet_CIFAR(depth=18, stem_channels=16, base_channels=16)
    torch.save({'state_dict': net.state_dict()}, bad)  # written without the converter
    cfg = twin_cfg(FASTER, det_root, tmp_path / 'w', bad)
    with pytest.raises(ConfigError, match='CIFAR stem'):
        _train(cfg)


def test_other_architecture_is_refused(det_root, tmp_path):
    from mmdet.models.backbones import ResNet
    bad = str(tmp_path / 'r18-w32.pth')
    torch.save({'state_dict': ResNet(depth=18, base_channels=32).state_dict()}, bad)
    cfg = twin_cfg(FASTER, det_root, tmp_path / 'w', bad)
    with pytest.raises(ConfigError, match='does not fit model.backbone') as e:
        _train(cfg)
    # the message names the settings that would fit, from the checkpoint's own layout
    assert 'ResNet-18' in str(e.value) and 'model.backbone.depth=18' in str(e.value)
    assert 'model.backbone.base_channels=32' in str(e.value)


def test_scratch_training_is_allowed_explicitly(det_root, tmp_path):
    cfg = twin_cfg(FASTER, det_root, tmp_path / 'w', None)
    cfg.model.backbone.init_cfg = None
    cfg.train_dataloader.dataset.indices = 2
    cfg.val_dataloader.dataset.indices = 2
    Runner.from_cfg(cfg).train()


# -------------------------------------------------------------- entry points
def _cli_options(det_root, checkpoint):
    voc = osp.join(det_root, 'VOCdevkit/')
    return ['--cfg-options', f'model.backbone.init_cfg.checkpoint={checkpoint}',
            'train_cfg.max_epochs=1', 'train_dataloader.batch_size=2',
            f'train_dataloader.dataset.data_root={voc}', 'train_dataloader.dataset.indices=4',
            f'val_dataloader.dataset.data_root={voc}', 'val_dataloader.dataset.indices=2',
            f'test_dataloader.dataset.data_root={voc}', 'env_cfg.dist_cfg.backend=gloo']


def test_tools_train_runs_a_detection_config(det_root, converted, tmp_path):
    train = load_tool('train')
    train.main([FASTER, '--work-dir', str(tmp_path / 'w')] + _cli_options(det_root, converted))
    ckpt = str(tmp_path / 'w' / 'epoch_1.pth')
    assert osp.isfile(ckpt)
    # and tools/test.py evaluates the detector's checkpoint (weights-only load)
    import json
    test_tool = load_tool('test')
    out = tmp_path / 'metrics.json'
    voc = osp.join(det_root, 'VOCdevkit/')
    test_tool.main([FASTER, ckpt, '--work-dir', str(tmp_path / 't'), '--out', str(out),
                    '--out-item', 'metrics', '--cfg-options', f'test_dataloader.dataset.data_root={voc}',
                    'test_dataloader.dataset.indices=2'])
    assert 0.0 <= json.loads(out.read_text())['pascal_voc/mAP'] <= 1.0


@pytest.mark.skipif(not osp.exists(MIM), reason='mim is not installed')
def test_mim_train_mmdet(det_root, converted, tmp_path):
    """`mim train mmdet CONFIG`: mmdet's own tools/train.py; the config's
    custom_imports brings mmmix (TransferCheckHook, the checkpoint allowlist)."""
    env = dict(os.environ, OMP_NUM_THREADS='1')
    out = subprocess.run(
        [MIM, 'train', 'mmdet', FASTER, '--gpus', '0', '--work-dir', str(tmp_path / 'w')]
        + _cli_options(det_root, converted), cwd=str(tmp_path), capture_output=True, text=True,
        env=env, timeout=600)
    log = out.stdout + out.stderr
    assert out.returncode == 0 and 'TransferCheckHook: model.backbone' in log, log[-3000:]
    assert glob.glob(str(tmp_path / 'w' / 'epoch_1.pth'))


def test_demo_transfer_parses_its_arguments():
    demo_transfer = load_tool('demo_transfer')
    args = demo_transfer.parse_args(['--det-epochs', '2', '--baseline'])
    assert args.det_epochs == 2 and args.baseline
    with pytest.raises(SystemExit):
        demo_transfer.parse_args(['--mask-epochs', '0'])


# ------------------------------------------------- tools/benchmarks/mmdetection
LAUNCH = osp.join(ROOT, 'tools', 'benchmarks', 'mmdetection')


def _bash(script, *args, env=None, timeout=60):
    return subprocess.run(['bash', osp.join(LAUNCH, script), *map(str, args)],
                          capture_output=True, text=True, env=env, timeout=timeout)


def test_init_options_name_the_right_keys(converted):
    out = {name: _bash('init_options.sh', osp.join(DET, name), converted).stdout.split()
           for name in (osp.basename(FASTER), osp.basename(C4), osp.basename(SOFT))}
    assert out[osp.basename(FASTER)] == [f'model.backbone.init_cfg.checkpoint={converted}']
    assert out[osp.basename(C4)] == [
        f'model.backbone.init_cfg.checkpoint={converted}',
        f'model.roi_head.shared_head.init_cfg.checkpoint={converted}']
    assert out[osp.basename(SOFT)] == [f'model.detector.backbone.init_cfg.checkpoint={converted}']
    bad = _bash('init_options.sh', FASTER, '/no/such.pth')
    assert bad.returncode == 2 and 'does not exist' in bad.stderr
    for script in ('train.sh', 'dist_train.sh', 'slurm_train.sh', 'mim_train.sh'):
        usage = _bash(script)
        assert usage.returncode == 2 and 'usage' in usage.stderr, script


def _tiny(det_root):
    voc = osp.join(det_root, 'VOCdevkit/')
    return ['train_cfg.max_epochs=1', 'train_dataloader.batch_size=2',
            f'train_dataloader.dataset.data_root={voc}', 'train_dataloader.dataset.indices=4',
            f'val_dataloader.dataset.data_root={voc}', 'val_dataloader.dataset.indices=2',
            f'test_dataloader.dataset.data_root={voc}']


def test_single_process_launcher(det_root, converted, tmp_path):
    env = dict(os.environ, OMP_NUM_THREADS='1', PYTHON=sys.executable)
    out = _bash('train.sh', FASTER, converted, tmp_path / 'w', '--cfg-options', *_tiny(det_root),
                env=env, timeout=300)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    assert 'TransferCheckHook: model.backbone' in out.stdout + out.stderr
    assert glob.glob(str(tmp_path / 'w' / 'epoch_1.pth'))


def test_torchrun_launcher_two_processes(det_root, converted, tmp_path):
    import socket
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        port = s.getsockname()[1]
    env = dict(os.environ, OMP_NUM_THREADS='1', PYTHON=sys.executable, PORT=str(port))
    out = _bash('dist_train.sh', FASTER, 2, converted, tmp_path / 'w', '--cfg-options',
                *_tiny(det_root), env=env, timeout=300)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    # 4 images / (2 ranks x batch 2): one iteration per epoch
    assert 'Epoch(train) [1][1/1]' in out.stdout + out.stderr
    assert glob.glob(str(tmp_path / 'w' / 'epoch_1.pth'))


def test_cifar_stem_converted_with_allow_trains_without_conv1(det_root, tmp_path):
    """--allow-cifar-stem: the converter drops conv1 and says so in its meta; the
    hook then lets the detector initialise conv1 and every other tensor loads."""
    from mmpretrain.models.backbones import ResNet_CIFAR
    torch.manual_seed(0)
    net = ResNet_CIFAR(depth=18, stem_channels=16, base_channels=16)
    src = str(tmp_path / 'cifar.pth')
    save_checkpoint({'backbone.' + k: v for k, v in net.state_dict().items()}, src)
    out = str(tmp_path / 'converted.pth')
    with pytest.raises(ValueError, match='CIFAR'):
        convert_checkpoint(src, out)
    convert_checkpoint(src, out, allow_cifar_stem=True)
    cfg = twin_cfg(FASTER, det_root, tmp_path / 'w', out)
    runner = Runner.from_cfg(cfg)
    runner.call_hook('before_run')
    runner._init_model_weights()
    bb = backbone_of(runner)
    assert torch.equal(bb.layer1[0].conv1.weight, net.layer1[0].conv1.weight)
    assert bb.conv1.weight.shape[-1] == 7


def test_transfer_evidence_methods_share_backbone_and_data():
    """tools/analysis/transfer_evidence.py compares pretraining methods on one
    footing: every method's config ends with the same ImageNet-stem backbone and
    64 px pipeline; only the mixing differs."""
    ev = load_tool('analysis/transfer_evidence')
    ref = Config.fromfile(PRETRAIN)
    mixing = {}
    for method in ev.METHODS:
        config, edit = ev.method_setup(method)
        cfg = Config.fromfile(config)
        if edit is not None:
            edit(cfg)
        assert cfg.model.backbone == ref.model.backbone, method
        assert cfg.train_dataloader.dataset.pipeline == ref.train_dataloader.dataset.pipeline
        mixing[method] = (cfg.model.type, cfg.model.get('mixers'))
    assert mixing['vanilla'] == ('MixupClassifier', ['vanilla'])
    assert mixing['mixup'] == ('MixupClassifier', [dict(type='Mixup', alpha=1.0)])
    assert mixing['cutmix'] == ('MixupClassifier', [dict(type='CutMix', alpha=0.2)])
    assert mixing['automix'][0] == 'AutoMix'
    with pytest.raises(SystemExit):
        ev.parse_args(['--pretrain-epochs', '1'])
