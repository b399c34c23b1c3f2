"""The model-zoo metadata (model-index.yml + configs/*/metafile.yml, what `mim search mmmix`
reads): every metafile is imported, every entry's Config exists and every config is listed
once, the only numbers are mmmix's own measurements and they equal the committed results
files, the files match their generator, and mim can read them."""
import csv
import glob
import json
import os.path as osp
import re

import pytest
import yaml

from conftest import ROOT, load_tool

BENCH = osp.join(ROOT, 'docs', 'results', 'cifar10_jpeg')
SYNTHETIC = osp.join(ROOT, 'docs', 'results', 'synthetic', 'results.csv')


def _load(rel):
    with open(osp.join(ROOT, rel), encoding='utf-8') as f:
        return yaml.safe_load(f)


@pytest.fixture(scope='module')
def models():
    """``{config path: model entry}`` over every metafile that model-index.yml imports."""
    out = {}
    for meta in _load('model-index.yml')['Import']:
        data = _load(meta)
        collections = {c['Name'] for c in data['Collections']}
        for model in data['Models']:
            assert model['In Collection'] in collections, model['Name']
            assert model['Config'] not in out, f"{model['Config']} is listed twice"
            assert model['Metadata']['Training Data'], model['Name']
            out[model['Config']] = model
    return out


def test_model_index_imports_every_metafile():
    imported = _load('model-index.yml')['Import']
    on_disk = sorted(osp.relpath(p, ROOT) for p in
                     glob.glob(osp.join(ROOT, 'configs', '**', 'metafile.yml'), recursive=True))
    assert sorted(imported) == on_disk and len(on_disk) >= 20


def test_every_config_is_listed_and_exists(models):
    leaf = {osp.relpath(p, ROOT) for p in glob.glob(osp.join(ROOT, 'configs', '**', '*.py'),
                                                    recursive=True)
            if '_base_' not in osp.relpath(p, ROOT).split(osp.sep)}
    for config in models:
        assert osp.isfile(osp.join(ROOT, config)), f'{config} does not exist'
    assert set(models) == leaf
    names = [m['Name'] for m in models.values()]
    assert len(names) == len(set(names))


def _measured():
    """``{(config, metric): value}`` from the committed results files."""
    out = {}
    with open(osp.join(BENCH, 'results.csv'), encoding='utf-8') as f:
        for row in csv.DictReader(f):
            if row['kind'] == 'mmmix' and row['seed'] == '0' and row['median_last10']:
                with open(osp.join(BENCH, 'runs', f"{row['name']}.json")) as g:
                    config = json.load(g)['config']
                out[config, 'Top 1 Accuracy'] = float(row['median_last10'])
    readme = open(osp.join(ROOT, 'README.md'), encoding='utf-8').read()
    with open(SYNTHETIC, encoding='utf-8') as f:
        for row in csv.DictReader(f):
            # the number is the one the README states, in the line quoted
            assert row['readme_quote'] in readme, row['readme_quote']
            assert re.search(rf'(?<![\d.]){re.escape(row["value"])}(?![\d])',
                             row['readme_quote']), row
            out[row['config'], row['metric']] = float(row['value'])
    return out


def test_the_numbers_are_the_measured_ones(models):
    measured = _measured()
    assert len(measured) >= 15
    listed = {}
    for config, model in models.items():
        for result in model.get('Results', []):
            # every result says how it was measured (no published numbers here)
            assert result['Command'] and result['Protocol'], model['Name']
            for metric, value in result['Metrics'].items():
                listed[config, metric] = value
    assert listed == measured
    bench = models['configs/cifar10_jpeg/resnet18-w16_automix_cifar10-jpeg-2k.py']
    assert bench['Results'][0]['Command'].endswith('--only automix_s0')


def test_the_files_match_their_generator():
    gen = load_tool('misc/gen_metafiles')
    assert gen.main(['--check']) == 0


def test_mim_reads_the_index():
    pytest.importorskip('mim', reason='openmim is not installed (the mim extra)')
    from mim.commands.search import convert2df
    from modelindex.load_model_index import load
    frame = convert2df(load(osp.join(ROOT, 'model-index.yml')))
    assert 'resnet18-w16_automix_cifar10-jpeg-2k' in frame.index
    # the installed package carries the index in its .mim folder (setup.py)
    setup = open(osp.join(ROOT, 'setup.py'), encoding='utf-8').read()
    assert re.search(r"MIM_FILES = \(.*'model-index\.yml'", setup)
    import mmmix
    installed = osp.join(osp.dirname(mmmix.__file__), '.mim', 'model-index.yml')
    if osp.exists(installed):
        from mim.commands.search import get_model_info
        found = get_model_info('mmmix', local=True)
        assert set(found.index) == set(frame.index)
