"""Both ways users reach mmmix types: default_scope='mmmix' and custom_imports."""
import textwrap

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import DefaultScope, init_default_scope
from mmengine.registry import MODELS as ROOT_MODELS

import mmmix  # noqa: F401
from mmmix.registry import BATCH_AUGMENTS, MODELS


def _tiny_backbone():
    return dict(type='ResNet_CIFAR', depth=18, out_indices=(3, ))


def test_children_of_mmpretrain():
    from mmpretrain import registry as pre
    for name in mmmix.registry.__all__:
        child = getattr(mmmix.registry, name)
        assert child.scope == 'mmmix'
        assert child.parent is getattr(pre, name), name
    assert 'mmmix' in pre.MODELS.children


def test_route_a_default_scope_mmmix_with_unprefixed_mmpretrain_types(tmp_path):
    # an mmmix config: default_scope='mmmix'; mmpretrain types stay unprefixed
    cfg_file = tmp_path / 'cfg.py'
    cfg_file.write_text(textwrap.dedent('''
        default_scope = 'mmmix'
        model = dict(
            type='MixupClassifier',
            backbone=dict(type='ResNet_CIFAR', depth=18, out_indices=(3, )),
            neck=dict(type='GlobalAveragePooling'),
            head=dict(type='MixupClsHead', num_classes=5, in_channels=512),
            mixers=[dict(type='CutMix', alpha=0.2), 'vanilla'], mix_prob=[0.5, 0.5],
            data_preprocessor=dict(type='ClsDataPreprocessor', num_classes=5))
        '''))
    cfg = Config.fromfile(str(cfg_file))
    with DefaultScope.overwrite_default_scope('mmmix'):
        init_default_scope('mmmix')
        model = ROOT_MODELS.build(cfg.model)
    from mmpretrain.models import GlobalAveragePooling, ResNet_CIFAR
    assert type(model).__name__ == 'MixupClassifier'
    assert isinstance(model.backbone, ResNet_CIFAR)
    assert isinstance(model.neck, GlobalAveragePooling)
    assert type(model.mixers[0]).__name__ == 'CutMix' and model.mixers[1] is None


def test_route_b_stock_mmpretrain_config_with_custom_imports(tmp_path):
    # a stock mmpretrain config + custom_imports, mmmix types named 'mmmix.X'
    cfg_file = tmp_path / 'stock.py'
    cfg_file.write_text(textwrap.dedent('''
        _base_ = 'mmpretrain::resnet/resnet18_8xb16_cifar10.py'
        custom_imports = dict(imports=['mmmix'], allow_failed_imports=False)
        model = dict(
            head=dict(type='mmmix.MixupClsHead', num_classes=10, in_channels=512,
                      _delete_=True),
            train_cfg=dict(augments=[dict(type='mmmix.CutMix', alpha=0.2)]))
        '''))
    cfg = Config.fromfile(str(cfg_file))
    assert cfg.default_scope == 'mmpretrain'
    init_default_scope('mmpretrain')
    cfg.model.setdefault('data_preprocessor', cfg.get('data_preprocessor'))  # as Runner does
    cfg.model.data_preprocessor.num_classes = 10
    model = ROOT_MODELS.build(cfg.model)
    assert type(model).__name__ == 'ImageClassifier'
    assert type(model.head).__name__ == 'MixupClsHead'
    aug = model.data_preprocessor.batch_augments.augments[0]
    assert type(aug).__module__.startswith('mmmix.')
    # the augment really runs inside the stock preprocessor
    from mmpretrain.structures import DataSample
    data = dict(inputs=[torch.randint(0, 255, (3, 32, 32), dtype=torch.uint8) for _ in range(4)],
                data_samples=[DataSample().set_gt_label(i) for i in range(4)])
    out = model.data_preprocessor(data, training=True)
    scores = torch.stack([s.gt_score for s in out['data_samples']])
    assert scores.shape == (4, 10) and torch.allclose(scores.sum(1), torch.ones(4))


def test_prefixed_lookup_from_mmpretrain_scope():
    assert BATCH_AUGMENTS.get('CutMix').__module__ == 'mmmix.mixers.cutmix'
    from mmpretrain.registry import BATCH_AUGMENTS as PRE_AUG
    from mmpretrain.registry import MODELS as PRE_MODELS
    assert PRE_AUG.get('mmmix.CutMix') is BATCH_AUGMENTS.get('CutMix')
    assert PRE_MODELS.get('mmmix.MixupClassifier') is MODELS.get('MixupClassifier')
    # mmpretrain's own CutMix is still what the bare name means there
    assert PRE_AUG.get('CutMix').__module__.startswith('mmpretrain.')


def test_unknown_type_is_a_clear_error():
    init_default_scope('mmmix')
    with pytest.raises(KeyError, match='NoSuchMixer'):
        BATCH_AUGMENTS.build(dict(type='NoSuchMixer'))


def test_prefixed_lookup_from_a_stock_mmdet_scope():
    # a stock mmdet config (default_scope='mmdet') + custom_imports can name mmmix types
    from mmdet.registry import MODELS as DET_MODELS
    init_default_scope('mmdet')
    assert DET_MODELS.get('mmmix.WideResNet_CIFAR') is MODELS.get('WideResNet_CIFAR')
    backbone = DET_MODELS.build(dict(type='mmmix.ResNeXt_CIFAR', depth=50, out_indices=(3, )))
    assert type(backbone).__name__ == 'ResNeXt_CIFAR'
    # mmdet's own names are unaffected
    assert DET_MODELS.get('ResNet').__module__.startswith('mmdet.')
