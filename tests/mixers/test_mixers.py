"""Invariants of every mixer (the mixing contract), build-time validation, the
mmpretrain batch-augment route, numerical parity with mmpretrain's Mixup and
CutMix, and one CPU train step per mixer through both model routes."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from mmengine.optim import OptimWrapper
from mmengine.registry import DefaultScope

import mmmix  # noqa: F401  (registers the mixers)
from mmmix import mixers as M
from mmmix.registry import BATCH_AUGMENTS
from mmmix.utils import ConfigError

MIXERS = ('Mixup', 'CutMix', 'ResizeMix', 'FMix', 'GridMix', 'SmoothMix', 'SaliencyMix')
#: binary masks whose mixed pixels are exactly x or x[index]
BINARY_PASTE = ('CutMix', 'FMix', 'GridMix', 'SaliencyMix')
LAM_MODES = ('batch', 'elem')
SHAPES = [(4, 3, 17, 23), (1, 3, 32, 32), (3, 1, 8, 41)]


@pytest.fixture(autouse=True, scope='module')
def _one_thread():
    """Tiny tensors: one intra-op thread avoids thread-pool stalls on a busy CPU."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def build(name, **kwargs):
    return getattr(M, name)(**kwargs)


def images(shape=(4, 3, 17, 23), seed=0, dtype=torch.float32):
    g = torch.Generator().manual_seed(seed)
    return torch.rand(*shape, generator=g).to(dtype)


def run(mixer, x, seed=0, with_mask=True):
    """``mixer.sample`` on a copy of ``x`` (mixers may write into their input)."""
    return mixer.sample(x.clone(), generator=torch.Generator().manual_seed(seed),
                        with_mask=with_mask)


def expected_mixture(name, x, result, source=None):
    """What the mixed batch must be, from x, the index and the returned mask."""
    x_b = (x if source is None else source)[result.index]
    if name == 'Mixup':
        lam = result.lam.view(-1, 1, 1, 1)
        return lam * x + (1 - lam) * x_b
    if name == 'ResizeMix':  # the partner, shrunk into its box, pasted into x
        out = x.clone()
        for i in range(x.shape[0]):
            ys, xs = torch.nonzero(result.mask[i, 0] == 0, as_tuple=True)
            if ys.numel() == 0:  # nothing pasted (a batch of 1 is used unmixed)
                continue
            y1, y2, x1, x2 = int(ys.min()), int(ys.max()) + 1, int(xs.min()), int(xs.max()) + 1
            out[i, :, y1:y2, x1:x2] = F.interpolate(
                x_b[i:i + 1].float(), size=(y2 - y1, x2 - x1), mode='bilinear',
                align_corners=False)[0].to(x.dtype)
        return out
    mask = result.mask.to(x.dtype)
    return mask * x + (1 - mask) * x_b


# ------------------------------------------------------------------ invariants
@pytest.mark.parametrize('shape', SHAPES, ids=lambda s: 'x'.join(map(str, s)))
@pytest.mark.parametrize('lam_mode', LAM_MODES)
@pytest.mark.parametrize('name', MIXERS)
def test_contract(name, lam_mode, shape):
    x = images(shape)
    n = shape[0]
    result = run(build(name, alpha=1.0, lam_mode=lam_mode), x)
    assert result.inputs.shape == x.shape and result.inputs.dtype == x.dtype
    assert result.lam.shape == (n, ) and result.lam.dtype == torch.float32
    assert bool(((result.lam >= 0) & (result.lam <= 1)).all())
    assert sorted(result.index.tolist()) == list(range(n))  # a permutation
    if lam_mode == 'batch' and name != 'SaliencyMix':
        assert torch.all(result.lam == result.lam[0])
    # label pairing
    labels = torch.arange(n) * 7 % 5
    y_a, y_b = result.pair_labels(labels)
    assert torch.equal(y_a, labels) and torch.equal(y_b, labels[result.index])
    # mask mean equals lam, per sample
    if getattr(M, name).has_mask:
        assert result.mask.shape == (n, 1, shape[2], shape[3])
        assert float(result.mask.min()) >= 0 and float(result.mask.max()) <= 1
        torch.testing.assert_close(result.mask.mean((1, 2, 3)), result.lam, atol=1e-6, rtol=0)
    else:
        assert result.mask is None
    # the mixed pixels are mixtures of x and x[index]
    expected = expected_mixture(name, x, result)
    if name in BINARY_PASTE:
        assert torch.equal(result.inputs, expected)
        assert set(result.mask.unique().tolist()) <= {0., 1.}
    else:
        torch.testing.assert_close(result.inputs, expected, atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize('lam_mode', LAM_MODES)
@pytest.mark.parametrize('name', MIXERS)
def test_lam_follows_request(name, lam_mode):
    """mix() realises the requested share up to the method's own constraints."""
    x = images((6, 3, 32, 32))
    lam = torch.tensor([0.4, 0.5, 0.7, 0.5, 0.6, 0.9]) if lam_mode == 'elem' else torch.full(
        (6, ), 0.64)
    index = torch.randperm(6, generator=torch.Generator().manual_seed(1))
    # CutMix: margin=0.5 keeps the box inside the image (no clipping)
    mixer = build(name, lam_mode=lam_mode, **(dict(margin=0.5) if name == 'CutMix' else {}))
    result = mixer.mix(x.clone(), lam, index, with_mask=True,
                       generator=torch.Generator().manual_seed(2))
    # SmoothMix maps lam to the blob width; SaliencyMix clips boxes at the border
    tol = {'Mixup': 1e-7, 'CutMix': 0.12, 'ResizeMix': 0.08, 'FMix': 1e-3, 'GridMix': 0.12,
           'SmoothMix': None, 'SaliencyMix': None}[name]
    if tol is not None:
        assert (result.lam - lam).abs().max() <= tol
    if name == 'SmoothMix':  # same centres, larger requested lam -> narrower blob
        wide = mixer.mix(x.clone(), lam * 0.5, index, generator=torch.Generator().manual_seed(2))
        assert bool((wide.lam < result.lam).all())


@pytest.mark.parametrize('dtype', [torch.float16, torch.bfloat16], ids=str)
@pytest.mark.parametrize('lam_mode', LAM_MODES)
@pytest.mark.parametrize('name', MIXERS)
def test_reduced_precision_keeps_dtype(name, lam_mode, dtype):
    x = images((3, 3, 15, 20), dtype=dtype)
    result = run(build(name, lam_mode=lam_mode), x)
    assert result.inputs.dtype == dtype
    assert result.lam.dtype == torch.float32
    assert torch.isfinite(result.inputs.float()).all()
    if result.mask is not None:
        torch.testing.assert_close(result.mask.mean((1, 2, 3)), result.lam, atol=1e-6, rtol=0)
    if name in BINARY_PASTE:
        assert torch.equal(result.inputs, expected_mixture(name, x, result))


@pytest.mark.parametrize('lam_mode', LAM_MODES)
@pytest.mark.parametrize('name', MIXERS)
def test_determinism(name, lam_mode):
    x = images((5, 3, 16, 19))
    mixer = build(name, lam_mode=lam_mode)
    a, b, c = run(mixer, x, seed=3), run(mixer, x, seed=3), run(mixer, x, seed=4)
    for field in ('inputs', 'lam', 'index', 'mask'):
        fa, fb = getattr(a, field), getattr(b, field)
        assert (fa is None and fb is None) or torch.equal(fa, fb), field
    assert not torch.equal(a.inputs, c.inputs)
    # the ``seed`` option seeds the mixer's own generator (also for __call__)
    s1, s2 = build(name, lam_mode=lam_mode, seed=7), build(name, lam_mode=lam_mode, seed=7)
    onehot = F.one_hot(torch.arange(5) % 3, 3).float()
    o1, o2 = s1(x.clone(), onehot), s2(x.clone(), onehot)
    assert torch.equal(o1[0], o2[0]) and torch.equal(o1[1], o2[1])


@pytest.mark.parametrize('lam_mode', LAM_MODES)
@pytest.mark.parametrize('name', MIXERS)
def test_batch_augment_route(name, lam_mode):
    """``mixer(inputs, onehot)``: soft scores = lam*onehot + (1-lam)*onehot[index]."""
    x = images((6, 3, 16, 16))
    labels = torch.tensor([0, 1, 2, 3, 1, 0])
    onehot = F.one_hot(labels, 4)
    mixer = BATCH_AUGMENTS.build(dict(type=f'mmmix.{name}', alpha=0.5, lam_mode=lam_mode,
                                      seed=11))
    twin = build(name, alpha=0.5, lam_mode=lam_mode, seed=11)
    mixed, scores = mixer(x.clone(), onehot)
    ref = twin.sample(x.clone())  # same draws: same lam, index and pixels
    assert torch.equal(mixed, ref.inputs)
    assert scores.dtype == torch.float32
    torch.testing.assert_close(scores.sum(1), torch.ones(6))
    lam = ref.lam.view(-1, 1)
    expected = lam * onehot.float() + (1 - lam) * onehot[ref.index].float()
    torch.testing.assert_close(scores, expected)
    with pytest.raises(ValueError, match='batch_score'):
        mixer(x.clone(), labels)


@pytest.mark.parametrize('lam_mode', LAM_MODES)
@pytest.mark.parametrize('name', MIXERS)
def test_gradients_flow_to_both_sides(name, lam_mode):
    """Mixing hidden features under autograd: out of place, gradients reach
    x and x[index] (pixels of the partner) and the features stay untouched."""
    x = images((4, 3, 12, 14)).requires_grad_()
    feats = x * 2
    before = feats.detach().clone()
    result = build(name, lam_mode=lam_mode).mix(
        feats, torch.full((4, ), 0.5), torch.tensor([1, 2, 3, 0]), with_mask=True,
        generator=torch.Generator().manual_seed(0))
    result.inputs.square().sum().backward()
    assert torch.equal(feats.detach(), before)
    assert torch.isfinite(x.grad).all()
    assert bool((x.grad.flatten(1).abs().sum(1) > 0).all())


def test_results_do_not_alias_each_other():
    """Mixers reuse a scratch buffer for partners: earlier results stay intact."""
    for name in MIXERS:
        mixer = build(name, lam_mode='elem')
        a, b = images((4, 3, 16, 16), seed=1), images((4, 3, 16, 16), seed=2)
        r1 = run(mixer, a, seed=0)
        kept = r1.inputs.clone()
        run(mixer, b, seed=1)
        assert torch.equal(r1.inputs, kept), name


@pytest.mark.parametrize('lam_mode', LAM_MODES)
@pytest.mark.parametrize('name', MIXERS)
def test_partners_from_a_gathered_source(name, lam_mode):
    """dist_mode='global' path: ``index`` points into a larger gathered batch."""
    source = images((10, 3, 16, 18), seed=4)
    x = source[4:7].clone()
    index = torch.tensor([9, 0, 5])
    lam = torch.full((3, ), 0.6) if lam_mode == 'batch' else torch.tensor([0.4, 0.6, 0.8])
    result = build(name, lam_mode=lam_mode).mix(
        x.clone(), lam, index, source=source, with_mask=True,
        generator=torch.Generator().manual_seed(0))
    assert torch.equal(result.index, index)
    expected = expected_mixture(name, x, result, source)
    if name in BINARY_PASTE:
        assert torch.equal(result.inputs, expected)
    else:
        torch.testing.assert_close(result.inputs, expected, atol=1e-5, rtol=1e-5)


# --------------------------------------------------------- method specifics
def test_saliencymix_box_centred_on_each_partners_peak():
    """Each sample's box sits on the salient spot of its own partner (the
    reference code used one image's box for the whole batch)."""
    n, h, w = 4, 40, 48
    x = 0.02 * images((n, 3, h, w))
    spots = [(6, 8), (30, 40), (8, 38), (28, 10)]
    for i, (cy, cx) in enumerate(spots):
        x[i, :, cy - 2:cy + 2, cx - 2:cx + 2] = 1.
    mixer = M.SaliencyMix(lam_mode='batch')
    index = torch.tensor([2, 3, 1, 0])
    result = mixer.mix(x.clone(), torch.full((n, ), 0.9), index, with_mask=True)
    for i in range(n):
        cy, cx = spots[int(index[i])]
        assert result.mask[i, 0, cy, cx] == 0, i  # partner's spot lies inside the box
        assert torch.equal(result.inputs[i, :, cy, cx], x[index[i], :, cy, cx])


def test_smoothmix_lam_is_share_of_x():
    """The returned lam is x's share: with a tiny blob lam is close to 1."""
    mixer = M.SmoothMix(sigma=(0.05, 0.05))
    result = run(mixer, images((2, 3, 32, 32)))
    assert bool((result.lam > 0.9).all())


def test_fmix_keeps_exact_share_and_follows_size():
    mixer = M.FMix(lam_mode='elem')
    lam = torch.tensor([0.25, 0.5, 0.8])
    for h, w in [(17, 23), (40, 9)]:
        res = mixer.mix(images((3, 3, h, w)), lam, torch.tensor([2, 0, 1]), with_mask=True)
        k = torch.round(lam.double() * h * w)
        torch.testing.assert_close(res.mask.sum((1, 2, 3)).double(), k)
        assert res.mask.shape[-2:] == (h, w)


def test_resizemix_scale_stays_in_scope():
    mixer = M.ResizeMix(lam_mode='elem', scope=(0.3, 0.5))
    res = run(mixer, images((16, 3, 40, 40)))
    side = torch.sqrt(1 - res.lam) * 40
    assert bool((side >= 0.3 * 40 - 1).all() & (side <= 0.5 * 40 + 1e-4).all())


def test_gridmix_region_holds_the_holes():
    mixer = M.GridMix(cut_area_ratio=0.25, cut_aspect_ratio=1., n_holes=2, lam_mode='elem')
    res = run(mixer, images((8, 3, 32, 32)))
    # the holes all fit in a 16x16 region: partner share <= 1/4
    assert bool((res.lam >= 0.75 - 1e-6).all())


# -------------------------------------------------------------- build errors
BAD_OPTIONS = [
    ('CutMix', 'margin', 0.7),
    ('ResizeMix', 'scope', (0.9, 0.2)),
    ('ResizeMix', 'scope', (0., 0.5)),
    ('ResizeMix', 'interpolation', 'cubic'),
    ('FMix', 'decay_power', 0),
    ('FMix', 'decay_power', 'x'),
    ('GridMix', 'n_holes', (0, 3)),
    ('GridMix', 'n_holes', (2.5, 3)),
    ('GridMix', 'cut_area_ratio', (0.5, 1.5)),
    ('GridMix', 'cut_aspect_ratio', (-1, 2)),
    ('GridMix', 'cut_aspect_ratio', (1, 2, 3)),
    ('SmoothMix', 'sigma', (0.5, 0.25)),
    ('SmoothMix', 'sigma', 0),
    ('SaliencyMix', 'saliency_size', 2),
    ('SaliencyMix', 'saliency_size', 16.5),
]


@pytest.mark.parametrize('name', MIXERS)
def test_build_errors_common(name):
    with pytest.raises(ConfigError, match='alhpa') as err:
        BATCH_AUGMENTS.build(dict(type=f'mmmix.{name}', alhpa=0.2))
    assert "'alpha'" in str(err.value)  # the valid keys are listed
    for alpha in (0, -1., 'a'):
        with pytest.raises(ConfigError, match='alpha'):
            build(name, alpha=alpha)
    with pytest.raises(ConfigError, match='lam_mode') as err:
        build(name, lam_mode='pair')
    assert 'elem' in str(err.value)
    with pytest.raises(ConfigError, match='dist_mode'):
        build(name, dist_mode='everywhere')


@pytest.mark.parametrize('name,key,value', BAD_OPTIONS)
def test_build_errors_options(name, key, value):
    with pytest.raises(ConfigError, match=key) as err:
        build(name, **{key: value})
    assert name in str(err.value)


def test_registered_and_exported():
    for name in MIXERS:
        cls = BATCH_AUGMENTS.get(f'mmmix.{name}')
        assert cls is getattr(M, name) and issubclass(cls, M.BaseMixer)
        assert name in M.__all__


# -------------------------------------------------- parity with mmpretrain
def test_mixup_matches_mmpretrain():
    from mmpretrain.models.utils.batch_augments import Mixup as PreMixup
    x = images((6, 3, 17, 23))
    onehot = F.one_hot(torch.tensor([0, 1, 2, 0, 1, 2]), 3).float()
    np.random.seed(5)
    torch.manual_seed(5)
    ref_x, ref_s = PreMixup(alpha=0.7)(x.clone(), onehot)
    np.random.seed(5)
    lam = float(np.random.beta(0.7, 0.7))
    torch.manual_seed(5)
    index = torch.randperm(6)
    res = M.Mixup(alpha=0.7).mix(x.clone(), torch.full((6, ), lam), index)
    torch.testing.assert_close(res.inputs, ref_x, atol=1e-6, rtol=1e-6)
    torch.testing.assert_close(res.mix_scores(onehot), ref_s, atol=1e-6, rtol=1e-6)


@pytest.mark.parametrize('seed', [0, 1, 2])
def test_cutmix_matches_mmpretrain(seed):
    from mmpretrain.models.utils.batch_augments import CutMix as PreCutMix
    x = images((6, 3, 17, 23), seed=seed)
    onehot = F.one_hot(torch.tensor([0, 1, 2, 0, 1, 2]), 3).float()
    pre = PreCutMix(alpha=1.0)
    np.random.seed(seed)
    torch.manual_seed(seed)
    ref_x, ref_s = pre(x.clone(), onehot)
    # same draws in the same order: Beta, permutation, then the box
    np.random.seed(seed)
    lam = float(np.random.beta(1.0, 1.0))
    torch.manual_seed(seed)
    index = torch.randperm(6)
    (y1, y2, x1, x2), lam_c = pre.cutmix_bbox_and_lam((17, 23), lam)
    boxes = torch.tensor([[int(y1), int(y2), int(x1), int(x2)]])
    res = M.CutMix(alpha=1.0).mix(x.clone(), torch.full((6, ), lam), index, boxes=boxes,
                                  with_mask=True)
    assert torch.equal(res.inputs, ref_x)
    torch.testing.assert_close(res.lam, torch.full((6, ), float(lam_c)))
    torch.testing.assert_close(res.mix_scores(onehot), ref_s)


# ------------------------------------------------------- CPU train steps
NUM_CLASSES = 4
BACKBONE = dict(type='ResNet_CIFAR', depth=18, stem_channels=8, base_channels=4,
                out_indices=(3, ))


def preproc():
    """A fresh dict: ImageClassifier writes train_cfg into the one it is given."""
    return dict(type='ClsDataPreprocessor', num_classes=NUM_CLASSES, mean=[127.5] * 3,
                std=[127.5] * 3)


def _batch(n=4, size=32):
    from mmpretrain.structures import DataSample
    g = torch.Generator().manual_seed(0)
    inputs = [torch.randint(0, 256, (3, size, size), generator=g, dtype=torch.uint8)
              for _ in range(n)]
    samples = [DataSample().set_gt_label(i % NUM_CLASSES) for i in range(n)]
    return dict(inputs=inputs, data_samples=samples)


def _train_step(model):
    model.train()
    params = {k: v.detach().clone() for k, v in model.named_parameters()}
    optim = OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.1))
    log_vars = model.train_step(_batch(), optim)
    assert torch.isfinite(log_vars['loss']).all()
    changed = [k for k, v in model.named_parameters() if not torch.equal(v, params[k])]
    assert any(k.startswith('backbone') for k in changed)
    assert any(k.startswith('head') for k in changed)


@pytest.mark.parametrize('name', MIXERS)
def test_train_step_stock_image_classifier(name):
    """Route (a): a stock mmpretrain ImageClassifier with train_cfg.augments."""
    from mmpretrain.registry import MODELS as PRE_MODELS
    with DefaultScope.overwrite_default_scope('mmpretrain'):
        model = PRE_MODELS.build(dict(
            type='ImageClassifier', backbone=BACKBONE, neck=dict(type='GlobalAveragePooling'),
            head=dict(type='LinearClsHead', num_classes=NUM_CLASSES, in_channels=32,
                      loss=dict(type='CrossEntropyLoss', use_soft=True)),
            data_preprocessor=preproc(),
            train_cfg=dict(augments=[dict(type=f'mmmix.{name}', alpha=0.2)])))
    aug = model.data_preprocessor.batch_augments.augments[0]
    assert type(aug) is getattr(M, name)
    _train_step(model)


@pytest.mark.parametrize('name', MIXERS)
def test_train_step_mixup_classifier(name):
    """Route (b): mmmix's MixupClassifier with its MCE head."""
    from mmmix.registry import MODELS
    with DefaultScope.overwrite_default_scope('mmmix'):
        model = MODELS.build(dict(
            type='mmmix.MixupClassifier', backbone=BACKBONE,
            neck=dict(type='GlobalAveragePooling'),
            head=dict(type='mmmix.MixupClsHead', num_classes=NUM_CLASSES, in_channels=32),
            mixers=[dict(type=name, alpha=0.2, lam_mode='elem')], mix_prob=[1.0],
            data_preprocessor=preproc()))
    assert type(model.mixers[0]) is getattr(M, name)
    _train_step(model)


# ------------------------------------------------- MixupClassifier building
def _classifier(**kwargs):
    from mmmix.registry import MODELS
    cfg = dict(type='mmmix.MixupClassifier', backbone=BACKBONE,
               neck=dict(type='GlobalAveragePooling'),
               head=dict(type='mmmix.MixupClsHead', num_classes=NUM_CLASSES, in_channels=32),
               data_preprocessor=preproc())
    cfg.update(kwargs)
    with DefaultScope.overwrite_default_scope('mmmix'):
        return MODELS.build(cfg)


def test_mixup_classifier_build_errors():
    with pytest.raises(ConfigError, match='Fmix') as err:
        _classifier(mixers=[dict(type='Fmix', alpha=1.)])
    for name in MIXERS + ('vanilla', ):
        assert name in str(err.value)
    with pytest.raises(ConfigError, match='mix_prob'):
        _classifier(mixers=[dict(type='FMix'), dict(type='GridMix')], mix_prob=[1.0])
    with pytest.raises(ConfigError, match='mix_prob'):
        _classifier(mixers=[dict(type='FMix'), dict(type='GridMix')], mix_prob=[0.5, 0.6])
    with pytest.raises(ConfigError, match='decay_powr'):
        _classifier(mixers=[dict(type='FMix', decay_powr=3)])
    model = _classifier(mixers=[dict(type='SmoothMix'), 'vanilla'], mix_prob=[0.3, 0.7])
    assert isinstance(model.mixers[0], M.SmoothMix) and model.mixers[1] is None
