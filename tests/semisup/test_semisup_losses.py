"""Semi-supervised loss functions against independent per-sample formulas."""
import math

import numpy as np
import pytest
import torch

from mmmix.models.losses.semisup import (asymmetric_lam, cosine_ramp, guess_labels,
                                         labeled_decoupled_loss, labeled_decoupled_term,
                                         masked_cross_entropy, pseudo_labels, sharpen)


def test_pseudo_label_mask_at_threshold_edges():
    logits = torch.tensor([[2.0, 0.5, -1.0], [0.1, 0.2, 0.3], [0., 0., 0.]], dtype=torch.float64)
    conf, label, _ = pseudo_labels(logits, 0.5)
    assert label.tolist() == [0, 2, 0]
    c0 = float(conf[0])
    # exactly at the threshold: kept (>=); one ulp above it: dropped
    assert pseudo_labels(logits, c0)[2].tolist() == [1., 0., 0.]
    assert pseudo_labels(logits, float(np.nextafter(c0, 1.)))[2].tolist() == [0., 0., 0.]
    # a uniform row has confidence 1/3 exactly
    third = float(conf[2])
    assert abs(third - 1 / 3) < 1e-15
    assert pseudo_labels(logits, third)[2].tolist() == [1., 1., 1.]
    assert pseudo_labels(logits, 0.)[2].tolist() == [1., 1., 1.]
    assert pseudo_labels(logits, 1.)[2].tolist() == [0., 0., 0.]
    # no gradient reaches the pseudo-labels
    z = torch.randn(4, 3, requires_grad=True)
    assert not pseudo_labels(z, 0.5)[2].requires_grad


def test_masked_ce_divides_by_all_samples():
    torch.manual_seed(0)
    z = torch.randn(6, 5)
    y = torch.randint(0, 5, (6, ))
    mask = torch.tensor([1., 0., 1., 0., 0., 1.])
    expected = sum(-math.log(torch.softmax(z[i], 0)[y[i]]) for i in (0, 2, 5)) / 6
    assert torch.allclose(masked_cross_entropy(z, y, mask), torch.tensor(expected), atol=1e-6)


def test_asymmetric_lam():
    lam = torch.rand(1000)
    assert (asymmetric_lam(lam, 'labeled') >= 0.5).all()
    assert (asymmetric_lam(lam, 'unlabeled') <= 0.5).all()
    assert torch.equal(asymmetric_lam(lam, 'none'), lam)
    with pytest.raises(ValueError, match="side='x'"):
        asymmetric_lam(lam, 'x')


def _dm_reference(z, y_l, y_u, lam, eta, dm=True):
    """Per sample: lam*CE(y_l) + (1-lam)*CE(y_u) + eta * -log(e^{z_yl} / sum_{c != y_u} e^{z_c})."""
    out = []
    for i in range(z.shape[0]):
        row = z[i].double()
        p = torch.exp(row) / torch.exp(row).sum()
        loss = -(lam[i] * math.log(p[y_l[i]]) + (1 - lam[i]) * math.log(p[y_u[i]]))
        if dm and y_l[i] != y_u[i]:
            denom = sum(math.exp(row[c]) for c in range(len(row)) if c != y_u[i])
            loss += eta * -(float(row[y_l[i]]) - math.log(denom))
        out.append(float(loss))
    return torch.tensor(out, dtype=torch.float64)


def test_labeled_only_dm_term_matches_the_formula():
    g = torch.Generator().manual_seed(0)
    z = torch.randn(16, 6, generator=g) * 3
    y_l = torch.randint(0, 6, (16, ), generator=g)
    y_u = torch.randint(0, 6, (16, ), generator=g)
    y_u[:3] = y_l[:3]  # same-class pairs: no decoupled term
    lam = asymmetric_lam(torch.rand(16, generator=g), 'labeled')
    for eta in (0.1, 1.0):
        got = labeled_decoupled_loss(z, y_l, y_u, lam, eta=eta)
        assert torch.allclose(got.double(), _dm_reference(z, y_l, y_u, lam.tolist(), eta),
                              atol=1e-5)
    mce = labeled_decoupled_loss(z, y_l, y_u, lam, dm=False)
    assert torch.allclose(mce.double(), _dm_reference(z, y_l, y_u, lam.tolist(), 0., dm=False),
                          atol=1e-5)
    term = labeled_decoupled_term(z, y_l, y_u, eta=1.0)
    assert (term[:3] == 0).all() and (term[3:][y_l[3:] != y_u[3:]] > 0).all()
    # only the labeled class is decoupled: swapping the roles changes the term
    assert not torch.allclose(term, labeled_decoupled_term(z, y_u, y_l, eta=1.0))


def test_cosine_ramp():
    assert cosine_ramp(0, 100) == 0.
    assert abs(cosine_ramp(50, 100) - 0.5) < 1e-12
    assert cosine_ramp(100, 100) == 1. and cosine_ramp(1000, 100) == 1.
    assert cosine_ramp(5, 0) == 1.
    w = [cosine_ramp(t, 100) for t in range(101)]
    assert all(a <= b for a, b in zip(w, w[1:]))


def test_sharpen_and_label_guessing():
    g = torch.Generator().manual_seed(1)
    p = torch.softmax(torch.randn(5, 4, generator=g, dtype=torch.float64), 1)
    # the formula p^(1/T) / sum p^(1/T)
    for T in (0.5, 0.25):
        ref = p ** (1 / T) / (p ** (1 / T)).sum(1, keepdim=True)
        assert torch.allclose(sharpen(p, T), ref)
    assert torch.allclose(sharpen(p, 1.0), p)
    s = sharpen(p, 0.5)
    assert torch.equal(s.argmax(1), p.argmax(1))
    entropy = lambda q: -(q * q.log()).sum(1)  # noqa: E731
    assert (entropy(s) < entropy(p)).all()
    # label guessing: sharpened mean of the K views' softmax
    views = torch.randn(3, 5, 4, generator=g, dtype=torch.float64, requires_grad=True)
    q = guess_labels(views, 0.5)
    mean = torch.softmax(views.detach(), 2).mean(0)
    assert torch.allclose(q, mean ** 2 / (mean ** 2).sum(1, keepdim=True))
    assert not q.requires_grad
    assert torch.allclose(guess_labels(list(views), 0.5), q)
