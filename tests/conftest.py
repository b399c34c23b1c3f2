import os
import os.path as osp

import pytest

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))


def load_tool(name):
    """A script under tools/ as a module, loaded by path (``name`` relative to
    tools/ without ``.py``; by path because 'test' would be Python's own package)."""
    import importlib.util
    spec = importlib.util.spec_from_file_location(
        'mmmix_tools_' + name.replace('/', '_'), osp.join(ROOT, 'tools', f'{name}.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


os.environ.setdefault('OMP_NUM_THREADS', '2')


@pytest.fixture(scope='session')
def synthetic_cls_root(tmp_path_factory):
    """A tiny synthetic classification set (4 classes, 16x16), made once per session."""
    from mmmix.datasets import generate_classification
    root = tmp_path_factory.mktemp('synthetic_cls')
    # images per class: 8 train / 4 val / 4 test images in all
    generate_classification(str(root), num_classes=4, img_size=16, num_train=2, num_val=1,
                            num_test=1, seed=0)
    return str(root)


def make_cls_cfg(data_root, work_dir, max_epochs=2, num_classes=4, batch_size=8,
                 mixers=(dict(type='CutMix', alpha=1.0), 'vanilla'), mix_prob=None, seed=0):
    """A complete, CPU-sized mmmix runner config built in Python."""
    from mmengine.config import Config
    pipeline_train = [
        dict(type='LoadImageFromFile'),
        dict(type='RandomFlip', prob=0.5, direction='horizontal'),
        dict(type='PackInputs'),
    ]
    pipeline_test = [dict(type='LoadImageFromFile'), dict(type='PackInputs')]

    def loader(split, pipeline, shuffle):
        return dict(
            batch_size=batch_size, num_workers=0, persistent_workers=False,
            sampler=dict(type='DefaultSampler', shuffle=shuffle),
            dataset=dict(type='CustomDataset', data_root=data_root,
                         ann_file=f'meta/{split}.txt', data_prefix=split, pipeline=pipeline))

    cfg = dict(
        default_scope='mmmix',
        work_dir=str(work_dir),
        model=dict(
            type='MixupClassifier',
            backbone=dict(type='ResNet_CIFAR', depth=18, stem_channels=16, base_channels=16,
                          out_indices=(3, )),
            neck=dict(type='GlobalAveragePooling'),
            head=dict(type='MixupClsHead', num_classes=num_classes, in_channels=128),
            mixers=list(mixers), mix_prob=mix_prob,
            data_preprocessor=dict(type='ClsDataPreprocessor', num_classes=num_classes,
                                   mean=[127.5] * 3, std=[127.5] * 3, to_rgb=True)),
        train_dataloader=loader('train', pipeline_train, True),
        val_dataloader=loader('val', pipeline_test, False),
        val_evaluator=dict(type='Accuracy', topk=(1, )),
        test_dataloader=loader('test', pipeline_test, False),
        test_evaluator=dict(type='Accuracy', topk=(1, )),
        test_cfg=dict(),
        train_cfg=dict(by_epoch=True, max_epochs=max_epochs, val_interval=1),
        val_cfg=dict(),
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.05, momentum=0.9, weight_decay=1e-4)),
        param_scheduler=dict(type='CosineAnnealingLR', T_max=max_epochs, by_epoch=True),
        default_hooks=dict(
            timer=dict(type='IterTimerHook'),
            logger=dict(type='LoggerHook', interval=1),
            param_scheduler=dict(type='ParamSchedulerHook'),
            checkpoint=dict(type='CheckpointHook', interval=1),
            sampler_seed=dict(type='DistSamplerSeedHook')),
        env_cfg=dict(cudnn_benchmark=False, mp_cfg=dict(mp_start_method='fork'),
                     dist_cfg=dict(backend='gloo')),
        randomness=dict(seed=seed, deterministic=False),
        log_level='WARNING',
    )
    return Config(cfg)


@pytest.fixture
def cls_cfg_factory():
    return make_cls_cfg


CIFAR10_JPEG_ARCHIVE = osp.join(osp.dirname(ROOT), 'shared', 'data', 'cifar10-jpeg.tar.gz')


def cifar10_jpeg_archive():
    """The CIFAR-10 JPEG archive (``$MMMIX_CIFAR10_JPEG``, else beside the checkout)."""
    return os.environ.get('MMMIX_CIFAR10_JPEG', CIFAR10_JPEG_ARCHIVE)


@pytest.fixture(scope='session')
def cifar10_jpeg_root(tmp_path_factory):
    """The real CIFAR-10 JPEG images, prepared once per session by the project's tool into
    a temporary folder, plus two small class-balanced lists for short runs:
    ``meta/tiny_train.txt`` (10 per class) and ``meta/tiny_test.txt`` (20 per class)."""
    archive = cifar10_jpeg_archive()
    if not osp.isfile(archive):
        pytest.skip(f'CIFAR-10 JPEG archive not found at {archive} (set MMMIX_CIFAR10_JPEG)')
    prep = load_tool('dataset_converters/prepare_cifar10_jpeg')
    out = str(tmp_path_factory.mktemp('cifar10_jpeg') / 'cifar10-jpeg')
    prep.prepare(archive, out, log=lambda *_: None)
    for split, per_class in (('train', 10), ('test', 20)):
        rows = [f'{cls}/{i:04d}.jpg {label}\n' for label, cls in enumerate(prep.CLASSES)
                for i in range(per_class)]
        with open(osp.join(out, 'meta', f'tiny_{split}.txt'), 'w', encoding='utf-8') as f:
            f.writelines(rows)
    return out


def tiny_cifar10_options(data_root, batch_size=25, max_epochs=1, val_interval=10):
    """Config overrides that shrink a CIFAR-10 (JPEG) benchmark config to the fixture's tiny
    lists (``cifar10_jpeg_root``): 100 training and 200 test images, a short schedule."""
    opts = {'train_dataloader.batch_size': batch_size, 'train_cfg.max_epochs': max_epochs,
            'train_cfg.val_interval': val_interval, 'train_cfg.dynamic_intervals': None}
    for loader, ann in (('train', 'tiny_train'), ('val', 'tiny_test'), ('test', 'tiny_test')):
        opts[f'{loader}_dataloader.dataset.data_root'] = data_root
        opts[f'{loader}_dataloader.dataset.ann_file'] = f'meta/{ann}.txt'
    return opts
