"""tools/demo.py end to end for one epoch: data, training, test, PNGs, summary."""
import importlib.util
import json
import os.path as osp

from conftest import ROOT


def test_demo_one_epoch(tmp_path):
    spec = importlib.util.spec_from_file_location('mmmix_demo', osp.join(ROOT, 'tools', 'demo.py'))
    demo = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(demo)
    work = tmp_path / 'demo'
    rows = demo.main(['--work-dir', str(work), '--data-root', str(tmp_path / 'data'),
                      '--epochs', '1', '--cfg-options', 'train_dataloader.num_workers=0',
                      'val_dataloader.num_workers=0', 'test_dataloader.num_workers=0',
                      'train_dataloader.persistent_workers=False',
                      'val_dataloader.persistent_workers=False',
                      'test_dataloader.persistent_workers=False'])
    assert (work / 'epoch_1.pth').exists()
    for png in ('training_curves.png', 'mixed_samples_mixup.png', 'mixed_samples_cutmix.png'):
        assert (work / png).stat().st_size > 10_000, png
    summary = json.load(open(work / 'summary.json'))
    assert summary == rows and summary['test top-1'].endswith('%')
    assert 'Mixup, CutMix' in summary['mixers (mix_prob)']

    # the reliability tool on the same checkpoint and split reproduces the Runner's ECE
    # (it must apply the config's top-level data_preprocessor, as the Runner does)
    spec = importlib.util.spec_from_file_location(
        'mmmix_reliability', osp.join(ROOT, 'tools', 'analysis', 'reliability_diagram.py'))
    rel = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(rel)
    data = str(tmp_path / 'data')
    ece = rel.main(['--config', demo.DEFAULT_CONFIG, '--checkpoint', str(work / 'epoch_1.pth'),
                    '--out', str(work / 'reliability.png'), '--split', 'test', '--cfg-options',
                    f'test_dataloader.dataset.data_root={data}', 'test_dataloader.num_workers=0',
                    'test_dataloader.persistent_workers=False'])
    assert f'{ece:.2f} %' == summary['test ECE']
    assert (work / 'reliability.png').stat().st_size > 10_000
