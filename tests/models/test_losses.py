"""Mixup losses against independent per-sample formulas.

The references below are written sample by sample with explicit sums over
classes. They run on Python floats (``math``) for the values and on 0-d
float64 tensors for the gradients, so they share no code with the
vectorised implementation.
"""
import math

import pytest
import torch

from mmmix.models.losses import (DecoupledMixupLoss, MixedCrossEntropyLoss, SUMixLoss,
                                 decoupled_mixup_bce, decoupled_mixup_loss, mixed_cross_entropy,
                                 sumix_loss, uncertainty_features)
from mmmix.registry import MODELS
from mmmix.utils.validation import ConfigError


# ----------------------------------------------------------------------------
# scalar helpers: floats use math, 0-d tensors use torch (for autograd)
# ----------------------------------------------------------------------------
def _exp(x):
    return x.exp() if torch.is_tensor(x) else math.exp(x)


def _log(x):
    return x.log() if torch.is_tensor(x) else math.log(x)


def _float(x):
    return float(x.detach()) if torch.is_tensor(x) else float(x)


def ref_ce(z, y):
    """-log softmax(z)[y] = log sum_c exp(z_c) - z_y."""
    return _log(sum(_exp(zc) for zc in z)) - z[y]


def ref_decoupled(z, t, c):
    """-log phi^{t|c} = log sum_{k != c} exp(z_k) - z_t."""
    return _log(sum(_exp(z[k]) for k in range(len(z)) if k != c)) - z[t]


def ref_eta(lam, eta, mode, idx):
    g_a = lam ** idx
    g_b = (1 - lam) ** idx
    if mode == 'both':
        return eta * g_a, eta * g_b
    if mode == 'less':  # the side(s) whose share is not larger than the other
        return (eta * g_a if lam <= 1 - lam else 0.), (eta * g_b if 1 - lam <= lam else 0.)
    return (eta * g_a if lam >= 1 - lam else 0.), (eta * g_b if 1 - lam >= lam else 0.)


def ref_dm(z_rows, y_a, y_b, lams, eta, mode, idx):
    out = []
    for z, a, b, lam in zip(z_rows, y_a, y_b, lams):
        loss = lam * ref_ce(z, a) + (1 - lam) * ref_ce(z, b)
        if a != b:
            e_a, e_b = ref_eta(lam, eta, mode, idx)
            loss = loss + e_a * ref_decoupled(z, a, b) + e_b * ref_decoupled(z, b, a)
        out.append(loss)
    return out


def ref_bce(z_rows, y_a, y_b, lams, thr, idx):
    def target(share):
        if share <= 0:
            return 0.
        if thr is not None and share < thr:
            return (share / thr) ** idx
        return 1.

    out = []
    for z, a, b, lam in zip(z_rows, y_a, y_b, lams):
        t = [0.] * len(z)
        if a == b:
            t[a] = target(1.)
        else:
            t[a] = target(lam)
            t[b] = target(1 - lam)
        # BCE with logits: log(1 + exp(z)) - t z, summed over classes
        out.append(sum(_log(1 + _exp(zc)) - tc * zc for zc, tc in zip(z, t)))
    return out


def ref_softmax(v):
    e = [math.exp(x) for x in v]
    s = sum(e)
    return [x / s for x in e]


def ref_l2norm(v):
    n = math.sqrt(sum(x * x for x in v))
    return [x / n for x in v]


def ref_sumix(zm_rows, um_rows, zo_rows, uo_rows, y_a, y_b, lams, index, scale, gamma,
              lam_reduction='sample'):
    n = len(zm_rows)
    # detached probabilities: computed on floats
    p_o = [ref_softmax([_float(x) for x in row]) for row in zo_rows]
    p_m = [ref_softmax([_float(x) for x in row]) for row in zm_rows]
    alphas, lam_new = [], []
    for i in range(n):
        a, b, lam = y_a[i], y_b[i], lams[i]
        q_a = [0. if c == b else p for c, p in enumerate(p_o[i])]
        q_b = [0. if c == a else p for c, p in enumerate(p_o[index[i]])]
        al_a = [scale * v for v in ref_l2norm(ref_softmax([m - q for m, q in zip(p_m[i], q_a)]))]
        al_b = [scale * v for v in ref_l2norm(ref_softmax([m - q for m, q in zip(p_m[i], q_b)]))]
        w_a = lam * math.exp(-al_a[a])
        w_b = (1 - lam) * math.exp(-al_b[b])
        alphas.append((al_a, al_b))
        lam_new.append(w_a / (w_a + w_b))
    if lam_reduction == 'batch_mean':
        lam_new = [sum(lam_new) / n] * n
    out = []
    for i in range(n):
        a, b, lam, lp = y_a[i], y_b[i], lams[i], lam_new[i]
        al_a, al_b = alphas[i]
        C = len(zm_rows[i])
        f_a = [_exp(-(uo_rows[i][c] + um_rows[i][c] + al_a[c])) for c in range(C)]
        f_b = [_exp(-(uo_rows[index[i]][c] + um_rows[i][c] + al_b[c])) for c in range(C)]
        loss = lp * ref_ce(zm_rows[i], a) + (1 - lp) * ref_ce(zm_rows[i], b)
        loss = loss + gamma * (lam * ref_ce(f_a, a) + (1 - lam) * ref_ce(f_b, b))
        out.append(loss)
    return out


def rows(t):
    """A [N, C] tensor as a list of lists of 0-d tensors (autograd) ..."""
    return [[t[i, c] for c in range(t.shape[1])] for i in range(t.shape[0])]


def frows(t):
    """... or of Python floats (math)."""
    return [[float(v) for v in r] for r in t]


# ----------------------------------------------------------------------------
# a batch that covers y_b < y_a, y_b > y_a, same-class pairs and lam in {0, .5, 1}
# ----------------------------------------------------------------------------
C = 5
Y_A = [3, 1, 2, 4, 0, 2]
INDEX = [2, 4, 5, 0, 1, 3]          # y_b = y_a[index] = [2, 0, 2, 3, 1, 4]
Y_B = [Y_A[j] for j in INDEX]
LAMS = [0.3, 0.8, 0.5, 0.0, 1.0, 0.5]
# row 0: y_b < y_a (lam<.5); row 1: y_b < y_a (lam>.5); row 2: same class (2, 2);
# row 3: y_b < y_a, lam 0; row 4: y_b > y_a, lam 1; row 5: y_b > y_a, lam .5


def batch(seed=0, scale=3.):
    g = torch.Generator().manual_seed(seed)
    z = torch.randn(len(Y_A), C, generator=g, dtype=torch.float64) * scale
    return z, torch.tensor(Y_A), torch.tensor(Y_B), torch.tensor(LAMS, dtype=torch.float64)


def test_batch_covers_the_hard_cases():
    assert Y_A[0] > Y_B[0] and Y_A[1] > Y_B[1] and Y_A[3] > Y_B[3]
    assert Y_A[2] == Y_B[2]
    assert Y_A[4] < Y_B[4] and Y_A[5] < Y_B[5]


# ---------------------------------------------------------------- MCE
def test_mce_matches_formula_and_grad():
    z, ya, yb, lam = batch()
    ref = [lam_i * ref_ce(r, a) + (1 - lam_i) * ref_ce(r, b)
           for r, a, b, lam_i in zip(frows(z), Y_A, Y_B, LAMS)]
    got = mixed_cross_entropy(z, ya, yb, lam, reduction='none')
    assert torch.allclose(got, torch.tensor(ref, dtype=got.dtype), atol=1e-10)
    # module, scalar lam broadcast
    mod = MixedCrossEntropyLoss(loss_weight=2.)
    ref_scalar = [0.7 * ref_ce(r, a) + 0.3 * ref_ce(r, b) for r, a, b in zip(frows(z), Y_A, Y_B)]
    assert torch.allclose(mod(z, ya, yb, 0.7), 2 * torch.tensor(ref_scalar).mean().double())


# ---------------------------------------------------------------- DM(CE)
@pytest.mark.parametrize('mode', ['both', 'less', 'more'])
@pytest.mark.parametrize('idx', [0., 0.5, 1.])
def test_dm_ce_matches_formula(mode, idx):
    z, ya, yb, lam = batch(seed=1)
    ref = ref_dm(frows(z), Y_A, Y_B, LAMS, 0.3, mode, idx)
    got = decoupled_mixup_loss(z, ya, yb, lam, eta=0.3, mode=mode, idx=idx, reduction='none')
    assert torch.allclose(got, torch.tensor(ref, dtype=got.dtype), atol=1e-10), (got, ref)
    mod = DecoupledMixupLoss(eta=0.3, mode=mode, idx=idx)
    assert torch.allclose(mod(z, ya, yb, lam), torch.tensor(ref, dtype=torch.float64).mean())


@pytest.mark.parametrize('mode', ['both', 'less', 'more'])
def test_dm_ce_grad_matches_autograd_of_formula(mode):
    z, ya, yb, lam = batch(seed=2)
    z1 = z.clone().requires_grad_()
    decoupled_mixup_loss(z1, ya, yb, lam, eta=0.2, mode=mode, idx=0.5).backward()
    z2 = z.clone().requires_grad_()
    (sum(ref_dm(rows(z2), Y_A, Y_B, LAMS, 0.2, mode, 0.5)) / len(Y_A)).backward()
    assert torch.allclose(z1.grad, z2.grad, atol=1e-10)


def test_dm_eta_follows_rows_not_class_order():
    """'less' must put eta on the minority *side* of each row; the reference
    assigned it by class index, wrong whenever y_b < y_a."""
    z = torch.randn(1, C, dtype=torch.float64)
    ya, yb = torch.tensor([3]), torch.tensor([1])         # y_b < y_a
    lam = torch.tensor([0.2], dtype=torch.float64)       # a is the minority side
    got = decoupled_mixup_loss(z, ya, yb, lam, eta=1., mode='less', idx=0., reduction='none')
    row = frows(z)[0]
    mce = 0.2 * ref_ce(row, 3) + 0.8 * ref_ce(row, 1)
    right = mce + ref_decoupled(row, 3, 1)               # the minority class 3 decoupled from 1
    wrong = mce + ref_decoupled(row, 1, 3)               # class-index order would pick class 1
    assert abs(float(got) - right) < 1e-10 and abs(right - wrong) > 1e-6


def test_dm_same_class_is_plain_ce():
    z = torch.randn(3, C, dtype=torch.float64)
    y = torch.tensor([1, 4, 0])
    for lam in (0., 0.3, 0.5, 1.):
        got = decoupled_mixup_loss(z, y, y, lam, eta=5., mode='both', idx=0., reduction='none')
        ref = [ref_ce(r, c) for r, c in zip(frows(z), y.tolist())]
        assert torch.allclose(got, torch.tensor(ref, dtype=got.dtype), atol=1e-10)


# ---------------------------------------------------------------- DM(BCE)
@pytest.mark.parametrize('thr,idx', [(None, 1.), (0.6, 1.), (0.6, 0.5), (1.0, 2.)])
def test_dm_bce_matches_formula_and_grad(thr, idx):
    z, ya, yb, lam = batch(seed=3)
    ref = ref_bce(frows(z), Y_A, Y_B, LAMS, thr, idx)
    got = decoupled_mixup_bce(z, ya, yb, lam, thr=thr, idx=idx, reduction='none')
    assert torch.allclose(got, torch.tensor(ref, dtype=got.dtype), atol=1e-10)
    z1 = z.clone().requires_grad_()
    DecoupledMixupLoss(variant='bce', thr=thr, idx=idx)(z1, ya, yb, lam).backward()
    z2 = z.clone().requires_grad_()
    (sum(ref_bce(rows(z2), Y_A, Y_B, LAMS, thr, idx)) / len(Y_A)).backward()
    assert torch.allclose(z1.grad, z2.grad, atol=1e-10)


# ---------------------------------------------------------------- SUMix
def sumix_batch(seed=4):
    g = torch.Generator().manual_seed(seed)
    n = len(Y_A)
    z_m = torch.randn(n, C, generator=g, dtype=torch.float64) * 2
    z_o = torch.randn(n, C, generator=g, dtype=torch.float64) * 2
    u_m = torch.rand(n, C, generator=g, dtype=torch.float64)
    u_o = torch.rand(n, C, generator=g, dtype=torch.float64)
    return z_m, u_m, z_o, u_o


@pytest.mark.parametrize('scale', [1., 3., 100.])
@pytest.mark.parametrize('lam_reduction', ['sample', 'batch_mean'])
def test_sumix_matches_formula(scale, lam_reduction):
    z_m, u_m, z_o, u_o = sumix_batch()
    ya, yb = torch.tensor(Y_A), torch.tensor(Y_B)
    lam = torch.tensor(LAMS, dtype=torch.float64)
    ref = ref_sumix(frows(z_m), frows(u_m), frows(z_o), frows(u_o), Y_A, Y_B, LAMS, INDEX,
                    scale, 0.5, lam_reduction)
    got = sumix_loss(z_m, u_m, z_o, u_o, ya, yb, lam, torch.tensor(INDEX), scale=scale,
                     gamma=0.5, lam_reduction=lam_reduction, reduction='none')
    assert torch.allclose(got, torch.tensor(ref, dtype=got.dtype), atol=1e-9), (got, ref)


@pytest.mark.parametrize('lam_reduction', ['sample', 'batch_mean'])
def test_sumix_grad_matches_autograd_of_formula(lam_reduction):
    z_m, u_m, z_o, u_o = sumix_batch(seed=5)
    ya, yb = torch.tensor(Y_A), torch.tensor(Y_B)
    lam = torch.tensor(LAMS, dtype=torch.float64)
    leaves1 = [t.clone().requires_grad_() for t in (z_m, u_m, z_o, u_o)]
    SUMixLoss(gamma=0.7, scale=2., lam_reduction=lam_reduction)(
        leaves1[0], ya, yb, lam, index=torch.tensor(INDEX), uncertainty=leaves1[1],
        clean_score=leaves1[2], clean_uncertainty=leaves1[3]).backward()
    leaves2 = [t.clone().requires_grad_() for t in (z_m, u_m, z_o, u_o)]
    ref = ref_sumix(*[rows(t) for t in leaves2], Y_A, Y_B, LAMS, INDEX, 2., 0.7, lam_reduction)
    (sum(ref) / len(ref)).backward()
    for name, a, b in zip(('z_m', 'u_m', 'u_o'), (leaves1[0], leaves1[1], leaves1[3]),
                          (leaves2[0], leaves2[1], leaves2[3])):
        assert torch.allclose(a.grad, b.grad, atol=1e-10), name
        assert a.grad.abs().sum() > 0, name
    # the clean logits only enter through detached probabilities
    assert leaves1[2].grad is None or not leaves1[2].grad.any()


def test_sumix_extreme_lam_and_same_class():
    z_m, u_m, z_o, u_o = sumix_batch(seed=6)
    n = z_m.shape[0]
    y = torch.tensor(Y_A)
    idx = torch.tensor(INDEX)
    for lam_v in (0., 1.):
        lam = torch.full((n, ), lam_v, dtype=torch.float64)
        got = sumix_loss(z_m, u_m, z_o, u_o, y, y[idx], lam, idx, scale=5., reduction='none')
        ref = ref_sumix(frows(z_m), frows(u_m), frows(z_o), frows(u_o), Y_A, Y_B, [lam_v] * n,
                        INDEX, 5., 0.5)
        assert torch.allclose(got, torch.tensor(ref, dtype=got.dtype), atol=1e-9)


def test_uncertainty_features():
    x = torch.randn(3, C, dtype=torch.float64)
    ref = [ref_l2norm(ref_softmax(r)) for r in frows(x)]
    assert torch.allclose(uncertainty_features(x), torch.tensor(ref, dtype=torch.float64))
    assert uncertainty_features(x, normalize=False) is x


def test_sumix_index_must_be_local():
    z_m, u_m, z_o, u_o = sumix_batch()
    with pytest.raises(ValueError, match="dist_mode='local'"):
        sumix_loss(z_m, u_m, z_o, u_o, torch.tensor(Y_A), torch.tensor(Y_B),
                   torch.tensor(LAMS), torch.tensor(INDEX) + 6)


# ---------------------------------------------------------------- numerics
EXTREME = torch.tensor([[1e4, -1e4, 0., 1e4, -1e4], [-1e4, -1e4, -1e4, -1e4, 1e4],
                        [1e4, 1e4, 1e4, 1e4, 1e4], [-1e4, 1e4, -1e4, 3., 1e4]])


@pytest.mark.parametrize('dtype', [torch.float32, torch.bfloat16])
@pytest.mark.parametrize('name', ['mce', 'dm_both', 'dm_less', 'dm_more', 'bce', 'bce_thr',
                                  'sumix', 'sumix_unnormalised'])
def test_extreme_logits_are_finite(name, dtype):
    n = EXTREME.shape[0]
    ya = torch.tensor([1, 0, 2, 4])
    index = torch.tensor([1, 2, 3, 0])
    yb = ya[index]
    lam = torch.tensor([0., 0.5, 1., 0.3])
    z = EXTREME.to(dtype).detach().clone().requires_grad_()
    z_o = EXTREME.flip(0).to(dtype).detach().clone().requires_grad_()
    if name == 'mce':
        loss = mixed_cross_entropy(z, ya, yb, lam)
    elif name.startswith('dm_'):
        loss = decoupled_mixup_loss(z, ya, yb, lam, eta=0.1, mode=name[3:], idx=0.5)
    elif name.startswith('bce'):
        loss = decoupled_mixup_bce(z, ya, yb, lam, thr=0.5 if name == 'bce_thr' else None)
    else:
        norm = name == 'sumix'
        loss = sumix_loss(z, uncertainty_features(z, norm), z_o, uncertainty_features(z_o, norm),
                          ya, yb, lam, index, scale=100.)
    assert loss.dtype == torch.float32 and loss.shape == ()
    assert torch.isfinite(loss), loss
    loss.backward()
    assert torch.isfinite(z.grad.float()).all()
    if z_o.grad is not None:
        assert torch.isfinite(z_o.grad.float()).all()
    assert n == 4


def test_low_precision_input_matches_fp32():
    z, ya, yb, lam = batch(seed=7)
    z16 = z.to(torch.bfloat16)
    a = decoupled_mixup_loss(z16, ya, yb, lam, mode='less', idx=0.5)
    b = decoupled_mixup_loss(z16.float(), ya, yb, lam, mode='less', idx=0.5)
    assert a.dtype == torch.float32 and torch.equal(a, b)


# ---------------------------------------------------------------- config errors
@pytest.mark.parametrize('kwargs,match', [
    (dict(mode='fewer'), r"mode='fewer'.*\['both', 'less', 'more'\]"),
    (dict(eta=-0.1), r'eta=-0.1 is out of range'),
    (dict(idx=-1), r'idx=-1 is out of range'),
    (dict(variant='focal'), r"variant='focal'.*\['ce', 'bce'\]"),
    (dict(variant='bce', eta=0.1), r"'eta' applies only to variant='ce'"),
    (dict(variant='bce', mode='less'), r"'mode' applies only to variant='ce'"),
    (dict(thr=0.5), r"'thr' applies only to variant='bce'"),
    (dict(variant='bce', thr=0.), r'thr=0.0 is out of range'),
    (dict(etta=0.1), r"unknown config key\(s\) \['etta'\]"),
    (dict(reduction='avg'), r"reduction='avg'"),
])
def test_dm_config_errors(kwargs, match):
    with pytest.raises(ConfigError, match=match):
        DecoupledMixupLoss(**kwargs)


@pytest.mark.parametrize('kwargs,match', [
    (dict(gamma=-1), r'gamma=-1 is out of range'),
    (dict(scale=0), r'scale=0 is out of range'),
    (dict(lam_reduction='mean'), r"lam_reduction='mean'.*\['sample', 'batch_mean'\]"),
    (dict(batch_size=100), r"unknown config key\(s\) \['batch_size'\]"),
])
def test_sumix_config_errors(kwargs, match):
    with pytest.raises(ConfigError, match=match):
        SUMixLoss(**kwargs)


def test_registered_and_buildable_from_mmpretrain_scope():
    from mmpretrain.registry import MODELS as PRE_MODELS
    dm = PRE_MODELS.build(dict(type='mmmix.DecoupledMixupLoss', eta=0.1, mode='less', idx=0.5))
    assert isinstance(dm, DecoupledMixupLoss) and dm.mode == 'less'
    assert MODELS.get('SUMixLoss') is SUMixLoss
    assert MODELS.get('MixedCrossEntropyLoss') is MixedCrossEntropyLoss
    with pytest.raises(ConfigError, match='mode'):
        PRE_MODELS.build(dict(type='mmmix.DecoupledMixupLoss', mode='bogus'))
