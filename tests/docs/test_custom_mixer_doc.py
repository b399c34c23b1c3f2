"""docs/custom_mixer.md runs as written: each python block is the file its first line names;
the mixer registers under its own names, builds through the registry, keeps the invariants
the doc claims (its own test file, run here), trains one step in MixupClassifier (both
mixers, SaliencyBandMix through the input_grad provider), and the benchmark script runs."""
import importlib
import math
import os.path as osp
import re
import sys

import pytest
import torch

from conftest import ROOT

DOC = osp.join(ROOT, 'docs', 'custom_mixer.md')
NAMES = ('BandMix', 'SaliencyBandMix')


def doc_files():
    """``{file name: source}`` of the doc's python blocks (named by their first line)."""
    text = open(DOC, encoding='utf-8').read()
    files = {}
    for block in re.findall(r'```python\n(.*?)```', text, re.S):
        first = block.splitlines()[0]
        assert first.startswith('# '), f'a python block does not name its file: {first!r}'
        files[first[2:].split()[0]] = block
    return files


@pytest.fixture(scope='module')
def project(tmp_path_factory):
    """The doc's files written into a folder on sys.path; the mixers imported once."""
    from mmmix.registry import BATCH_AUGMENTS
    for name in NAMES:  # unique: no mmmix mixer has these names
        assert BATCH_AUGMENTS.get(name) is None, name
    root = tmp_path_factory.mktemp('my_project')
    files = doc_files()
    assert {'my_mixers.py', 'test_bandmix.py', 'bench_bandmix.py'} <= set(files)
    for name, source in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(source)
    sys.path.insert(0, str(root))
    try:
        yield root, importlib.import_module('my_mixers')
    finally:
        sys.path.remove(str(root))
        for mod in ('my_mixers', 'test_bandmix', 'bench_bandmix'):
            sys.modules.pop(mod, None)
        for name in NAMES:
            BATCH_AUGMENTS.module_dict.pop(name, None)


def test_the_mixers_build_through_the_registry(project):
    from mmmix.mixers import BaseMixer
    from mmmix.registry import BATCH_AUGMENTS
    _, mod = project
    for name in NAMES:
        mixer = BATCH_AUGMENTS.build(dict(type=name, alpha=0.5, seed=1))
        assert isinstance(mixer, getattr(mod, name)) and isinstance(mixer, BaseMixer)
    assert mod.SaliencyBandMix.requires == ('input_grad', )
    from mmmix.utils.validation import ConfigError
    with pytest.raises(ConfigError, match='alpah'):
        BATCH_AUGMENTS.build(dict(type='BandMix', alpah=1.0))


def test_the_docs_own_tests_pass(project):
    tests = importlib.import_module('test_bandmix')
    names = [n for n in dir(tests) if n.startswith('test_')]
    assert len(names) == 4
    for name in names:
        getattr(tests, name)()


def test_the_invariants_hold_over_many_draws(project):
    """The doc's claims on more seeds, sizes and both lam modes (odd sizes included)."""
    from mmmix.registry import BATCH_AUGMENTS
    for seed in range(20):
        for shape, mode in (((5, 3, 17, 9), 'elem'), ((4, 1, 8, 8), 'batch')):
            x = torch.rand(*shape, generator=torch.Generator().manual_seed(seed))
            mixer = BATCH_AUGMENTS.build(dict(type='BandMix', alpha=0.7, lam_mode=mode,
                                              seed=seed))
            r = mixer.sample(x.clone(), with_mask=True)
            assert r.lam.dtype == torch.float32 and r.index.dtype == torch.long
            assert torch.allclose(r.mask.mean((1, 2, 3)), r.lam, atol=1e-6)
            assert torch.allclose(r.inputs, r.mask * x + (1 - r.mask) * x[r.index])
            # the realised lam is a whole number of rows
            rows = (1 - r.lam) * shape[2]
            assert torch.allclose(rows, rows.round(), atol=1e-5)


def test_the_config_trains_both_mixers_one_step(project, monkeypatch):
    from mmengine.config import Config
    from mmengine.registry import init_default_scope
    from mmpretrain.structures import DataSample

    from mmmix.registry import MODELS
    root, mod = project
    path = root / 'configs' / 'mixups' / 'bandmix' / 'resnet18_bandmix_synthetic.py'
    text = path.read_text()
    assert "_base_ = '../mixup/resnet18_mixup_synthetic.py'" in text
    # the doc's config sits beside the stock Mixup configs; here it lives in a temp folder
    path.write_text(text.replace("'../mixup/", repr(osp.join(ROOT, 'configs/mixups/mixup/'))[:-1]))
    cfg = Config.fromfile(str(path))
    assert [m['type'] for m in cfg.model.mixers] == list(NAMES)
    init_default_scope('mmmix')
    cfg.model.data_preprocessor = cfg.data_preprocessor
    model = MODELS.build(cfg.model)
    inputs = torch.rand(4, 3, 32, 32)
    samples = [DataSample().set_gt_label(i % 4) for i in range(4)]
    contexts = []
    for mixer in model.mixers:
        original = type(mixer).mix

        def spy(self, *args, _original=original, **kw):
            contexts.append((type(self).__name__, 'input_grad' in kw))
            return _original(self, *args, **kw)
        monkeypatch.setattr(type(mixer), 'mix', spy)
        monkeypatch.setattr(model, 'pick_mixer', lambda m=mixer: m)
        losses = model.loss(inputs.clone(), samples)
        assert all(math.isfinite(float(v.detach())) for v in losses.values())
        monkeypatch.undo()
    # SaliencyBandMix got the classifier's input gradient, BandMix asked for nothing
    assert contexts == [('BandMix', False), ('SaliencyBandMix', True)]


def test_the_benchmark_script_runs(project, capsys):
    bench = importlib.import_module('bench_bandmix')
    medians = bench.main(batch=4, size=16, repeats=2, warmup=0)
    assert set(medians) == {'clone (floor)', 'Mixup batch', 'Mixup elem', 'CutMix batch',
                            'CutMix elem', 'BandMix batch', 'BandMix elem'}
    assert all(v > 0 for v in medians.values())
    assert '| BandMix elem |' in capsys.readouterr().out
