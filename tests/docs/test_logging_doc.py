"""docs/logging.md: its config lines build mmengine's TensorBoard / W&B backends over mmmix's
runtime (no package needed until a backend writes), the note on overriding `visualizer`
holds, and setup.cfg has the optional extras it names."""
import configparser
import os.path as osp
import re

import pytest
from mmengine.config import Config
from mmengine.registry import init_default_scope

from conftest import ROOT

DOC = osp.join(ROOT, 'docs', 'logging.md')
RUNTIME = osp.join(ROOT, 'configs', '_base_', 'default_runtime.py')


def _config(tmp_path, body, name='cfg.py'):
    path = tmp_path / name
    path.write_text(f'_base_ = [{RUNTIME!r}]\n{body}')
    return Config.fromfile(str(path))


def _backends(cfg, tmp_path, name):
    from mmpretrain.registry import VISUALIZERS
    init_default_scope('mmmix')
    vis = VISUALIZERS.build(dict(cfg.visualizer, name=name, save_dir=str(tmp_path / name)))
    return {type(b).__name__: b for b in vis._vis_backends.values()}


def test_the_docs_config_lines_build_the_backends(tmp_path):
    blocks = re.findall(r'```python\n(.*?)```', open(DOC, encoding='utf-8').read(), re.S)
    assert len(blocks) == 2
    tb = _backends(_config(tmp_path, blocks[0], 'tb.py'), tmp_path, 'doc_tb')
    assert set(tb) == {'LocalVisBackend', 'TensorboardVisBackend'}
    wb = _backends(_config(tmp_path, blocks[1], 'wb.py'), tmp_path, 'doc_wandb')
    assert set(wb) == {'LocalVisBackend', 'WandbVisBackend'}
    assert wb['WandbVisBackend']._init_kwargs['project'] == 'mmmix'


def test_redefining_vis_backends_alone_changes_nothing(tmp_path):
    cfg = _config(tmp_path, "vis_backends = [dict(type='TensorboardVisBackend')]\n")
    assert cfg.visualizer.vis_backends == [dict(type='LocalVisBackend')]


@pytest.mark.parametrize('extra,packages', [('tensorboard', ['tensorboard']),
                                            ('wandb', ['wandb']),
                                            ('logging', ['tensorboard', 'wandb'])])
def test_setup_cfg_has_the_extras(extra, packages):
    parser = configparser.ConfigParser()
    parser.read(osp.join(ROOT, 'setup.cfg'))
    assert parser['options.extras_require'][extra].split() == packages
