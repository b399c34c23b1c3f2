"""Small models shared by the model-guided mixer tests."""
import pytest
from mmengine.registry import init_default_scope

import mmmix  # noqa: F401
from mmmix.registry import MODELS

N_CLS = 4
RESNET = dict(type='ResNet_CIFAR', depth=18, stem_channels=16, base_channels=16,
              out_indices=(3, ))
VIT = dict(type='VisionTransformer', img_size=16, patch_size=4, out_type='featmap',
           arch=dict(embed_dims=32, num_layers=3, num_heads=2, feedforward_channels=64))


@pytest.fixture(scope='module', autouse=True)
def mmmix_scope():
    init_default_scope('mmmix')


def build(mixers, backbone=RESNET, head=None, **kw):
    channels = 128 if backbone['type'] == 'ResNet_CIFAR' else 32
    return MODELS.build(dict(
        type='MixupClassifier', backbone=backbone, neck=dict(type='GlobalAveragePooling'),
        head=dict(type='MixupClsHead', num_classes=N_CLS, in_channels=channels, **(head or {})),
        mixers=mixers, **kw))
