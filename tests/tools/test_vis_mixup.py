"""Smoke tests of tools/visualizations/vis_mixup.py: it writes real PNG grids."""
import importlib.util
import os.path as osp
import textwrap

import numpy as np
import pytest
import torch

ROOT = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))


@pytest.fixture(autouse=True, scope='module')
def _one_thread():
    """Tiny tensors: one intra-op thread avoids thread-pool stalls on a busy CPU."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope='module')
def vis():
    path = osp.join(ROOT, 'tools', 'visualizations', 'vis_mixup.py')
    spec = importlib.util.spec_from_file_location('vis_mixup', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _check_png(path, rows):
    from PIL import Image
    assert osp.isfile(path)
    img = np.asarray(Image.open(path).convert('RGB')).astype(np.float32)
    h, w, _ = img.shape
    assert w > 400 and h > 100 * rows  # four panels per row
    assert img.std() > 20  # real content, not a blank canvas
    assert len(np.unique(img.reshape(-1, 3)[::97], axis=0)) > 50


def test_make_grid_figure(vis, tmp_path):
    import mmmix  # noqa: F401
    from mmmix.mixers import FMix
    images = vis.procedural_images(3, 48, seed=1)
    assert images.shape == (3, 3, 48, 48) and 0 <= float(images.min()) <= float(images.max()) <= 1
    out = vis.make_grid_figure(FMix(alpha=1.0, lam_mode='elem'), images,
                               str(tmp_path / 'fmix.png'), seed=0, dpi=60)
    _check_png(out['path'], rows=3)
    assert len(out['lam']) == 3 and all(0 <= v <= 1 for v in out['lam'])
    assert sorted(out['index']) == [0, 1, 2]


def test_cli_named_mixers_and_image_folder(vis, tmp_path):
    from PIL import Image
    folder = tmp_path / 'imgs'
    folder.mkdir()
    for i, img in enumerate(vis.procedural_images(3, 40, seed=2)):
        Image.fromarray((img.permute(1, 2, 0).numpy() * 255).astype(np.uint8)).save(
            folder / f'{i}.png')
    outs = vis.main(['--mixers', 'Mixup', 'CutMix', '--alpha', '0.5', '--images', str(folder),
                     '--num', '3', '--size', '40', '--out-dir', str(tmp_path / 'out')])
    assert [osp.basename(o['path']) for o in outs] == ['Mixup.png', 'CutMix.png']
    for o in outs:
        _check_png(o['path'], rows=3)


def test_cli_config_and_data_root(vis, tmp_path, synthetic_cls_root):
    cfg = tmp_path / 'cfg.py'
    cfg.write_text(textwrap.dedent('''
        default_scope = 'mmmix'
        model = dict(type='MixupClassifier', backbone=dict(type='ResNet_CIFAR', depth=18),
                     mixers=[dict(type='GridMix', alpha=1.0), 'vanilla',
                             dict(type='SaliencyMix', alpha=0.2)])
        '''))
    outs = vis.main(['--config', str(cfg), '--data-root', synthetic_cls_root, '--num', '2',
                     '--size', '32', '--out-dir', str(tmp_path / 'out')])
    assert [osp.basename(o['path']) for o in outs] == ['GridMix.png', 'SaliencyMix.png']
    for o in outs:
        _check_png(o['path'], rows=2)


def test_config_with_stock_augments(vis, tmp_path):
    cfg = tmp_path / 'cfg.py'
    cfg.write_text(textwrap.dedent('''
        custom_imports = dict(imports=['mmmix'], allow_failed_imports=False)
        model = dict(type='ImageClassifier',
                     train_cfg=dict(augments=[dict(type='mmmix.SmoothMix', alpha=1.0),
                                              dict(type='Mixup', alpha=0.8)]))
        '''))
    mixers = vis.mixers_from_config(str(cfg))
    assert [name for name, _ in mixers] == ['SmoothMix', 'Mixup']
    with pytest.raises(SystemExit, match='unknown mixer'):
        vis.mixers_from_names(['Mixupp'])
    assert torch.is_tensor(vis.procedural_images(2, 16))


def test_grids_of_dataset_images_name_the_classes(vis, tmp_path, synthetic_cls_root):
    from mmmix.datasets.synthetic import classification_classes
    classes = classification_classes(4)
    outs = vis.main(['--mixers', 'CutMix', '--data-root', synthetic_cls_root, '--num', '3',
                     '--size', '32', '--out-dir', str(tmp_path / 'out')])
    titles = outs[0]['titles']
    assert len(titles) == 3
    for i, row in enumerate(titles):
        a, b = row[0], row[1]
        assert a.startswith(f'A = x[{i}]: ') and a.split(': ', 1)[1] in classes, a
        j = outs[0]['index'][i]
        assert b == f'B = x[{j}]: {titles[j][0].split(": ", 1)[1]}'
    # one class per image first: three different names
    assert len({row[0].split(': ', 1)[1] for row in titles}) == 3

    # a config's metainfo names win over meta/classes.txt
    images, names = vis.dataset_samples(synthetic_cls_root, num=2, size=16,
                                        classes=['w', 'x', 'y', 'z'])
    assert set(names) <= {'w', 'x', 'y', 'z'} and images.shape == (2, 3, 16, 16)
    out = vis.make_grid_figure(vis.mixers_from_names(['Mixup'])[0][1], images,
                               str(tmp_path / 'm.png'), class_names=names, dpi=40)
    assert out['titles'][0][0] == f'A = x[0]: {names[0]}'
    with pytest.raises(ValueError, match='class_names has 1 entries for 2 images'):
        vis.make_grid_figure(vis.mixers_from_names(['Mixup'])[0][1], images,
                             str(tmp_path / 'n.png'), class_names=names[:1])
