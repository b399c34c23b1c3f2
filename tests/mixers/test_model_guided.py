"""Model-guided mixers: ManifoldMix, PuzzleMix (and its grid solver), AttentiveMix,
and the MixupClassifier providers they need (stages, input_grad, guide_feats)."""
import itertools

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from mmpretrain.structures import DataSample

import mmmix  # noqa: F401
from mmmix.mixers import AttentiveMix, ManifoldMix, PuzzleMix
from mmmix.mixers.graphcut import grid_energy, solve_grid, squared_pair
from mmmix.mixers.manifoldmix import backbone_stages
from mmmix.mixers.puzzlemix import (block_saliency, boundary_terms, move_blocks,
                                    transport_plan)
from mmmix.registry import MODELS
from mmmix.utils.validation import ConfigError

from guided_utils import N_CLS, RESNET, VIT, build, mmmix_scope  # noqa: F401 (fixture)


def batch(n=4, size=16, seed=0):
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 3, size, size, generator=g)
    samples = [DataSample().set_gt_label(i % N_CLS) for i in range(n)]
    return x, samples


# ------------------------------------------------------------------ ManifoldMix
@pytest.mark.parametrize('backbone,n_stages', [
    (RESNET, 4),
    (dict(type='ResNet', depth=18, num_stages=3, strides=(1, 2, 2), dilations=(1, 1, 1),
          out_indices=(2, )), 3),
    (dict(type='ResNeXt_CIFAR', depth=50, groups=2, width_per_group=4, base_channels=8,
          stem_channels=8, out_indices=(3, )), 4),
    (dict(type='WideResNet_CIFAR', depth=10, widen_factor=1, out_indices=(2, )), 3),
    (VIT, 3),
    # mmpretrain's ImageNet ResNeXt (res_layers) and DeiT (ViT encoder layers + dist token)
    (dict(type='ResNeXt', depth=50, groups=2, width_per_group=4, base_channels=8,
          stem_channels=8, num_stages=2, strides=(1, 2), dilations=(1, 1), out_indices=(1, )), 2),
    (dict(type='DistilledVisionTransformer', img_size=16, patch_size=4, out_type='featmap',
          arch=dict(embed_dims=32, num_layers=2, num_heads=2, feedforward_channels=64)), 2),
])
def test_manifoldmix_mixes_the_chosen_stage(backbone, n_stages):
    """lam=0 at stage k: every sample carries its partner's hidden state from
    stage k on, so (in eval mode) its features are the partner's features."""
    bb = MODELS.build(backbone)
    bb.eval()
    stages = backbone_stages(bb)
    assert len(stages) == n_stages
    from mmmix.mixers.manifoldmix import StageAccess
    x = torch.randn(4, 3, 16, 16)
    index = torch.tensor([2, 3, 0, 1])

    def out(inp):  # the last feature map (DeiT: (patch tokens, cls, dist))
        o = bb(inp)[-1]
        return o[0] if isinstance(o, (tuple, list)) else o

    with torch.no_grad():
        clean = out(x)
        for k in range(n_stages):
            access = StageAccess(stages)
            mixer = ManifoldMix(layers=[k])
            res = mixer.mix(x, torch.zeros(4), index, stages=access)
            assert res.inputs is x and res.mask is None
            assert torch.allclose(out(x), clean[index], atol=1e-5), k
            assert torch.allclose(out(x), clean, atol=1e-6), 'the hook fires once'
            mixer.mix(x, torch.full((4, ), 0.25), index, stages=access)
            half = out(x)
            access.release()
            assert not torch.allclose(half, clean) and not torch.allclose(half, clean[index])


def test_manifoldmix_errors_and_determinism():
    with pytest.raises(ConfigError, match='layers=.*4 stages'):
        build([dict(type='ManifoldMix', layers=(0, 4))])
    with pytest.raises(ConfigError, match='exposes no stage list'):
        MODELS.build(dict(type='MixupClassifier', backbone=dict(type='LeNet5', num_classes=0),
                          head=dict(type='MixupClsHead', num_classes=N_CLS, in_channels=84),
                          mixers=[dict(type='ManifoldMix')]))
    with pytest.raises(ConfigError, match='dist_mode'):
        ManifoldMix(dist_mode='global')
    with pytest.raises(RuntimeError, match='MixupClassifier'):
        ManifoldMix()(torch.rand(2, 3, 8, 8), torch.eye(2))
    draws = []
    for _ in range(2):
        m = ManifoldMix(alpha=0.5, seed=3)
        bb = MODELS.build(RESNET)
        from mmmix.mixers.manifoldmix import StageAccess
        out = [m.sample(torch.rand(4, 3, 8, 8), stages=StageAccess(backbone_stages(bb)))
               for _ in range(3)]
        draws.append([(float(r.lam[0]), r.index.tolist()) for r in out] + [m.last_layer])
    assert draws[0] == draws[1]


# ------------------------------------------------------------------- solver
def brute_force(unary, w_h, w_v, pair):
    m, b, _, n_labels = unary.shape
    allz = torch.tensor(list(itertools.product(range(n_labels), repeat=b * b))).view(-1, b, b)
    best = []
    for i in range(m):
        e = grid_energy(allz, unary[i:i + 1].expand(len(allz), -1, -1, -1),
                        w_h[i:i + 1].expand(len(allz), -1, -1),
                        w_v[i:i + 1].expand(len(allz), -1, -1), pair)
        best.append(e.min())
    return torch.stack(best)


def random_problem(m, b, n_labels, seed, edge=0.5):
    g = torch.Generator().manual_seed(seed)
    unary = torch.rand(m, b, b, n_labels, generator=g)
    w_h = torch.rand(m, b, b - 1, generator=g) * edge
    w_v = torch.rand(m, b - 1, b, generator=g) * edge
    return unary, w_h, w_v


@pytest.mark.parametrize('b,n_labels', [(3, 3), (4, 2)])
def test_solver_against_brute_force(b, n_labels):
    unary, w_h, w_v = random_problem(60, b, n_labels, seed=b)
    pair = squared_pair(n_labels)
    labels = solve_grid(unary, w_h, w_v, pair)
    e = grid_energy(labels, unary, w_h, w_v, pair)
    best = brute_force(unary, w_h, w_v, pair)
    assert (e >= best - 1e-5).all()
    # approximate solver: optimal on most instances (measured: 95% for 3x3 with 3 labels,
    # 78% for 4x4 binary with these strong edges), small gap on the others
    assert (e <= best + 1e-5).float().mean() >= 0.75
    assert ((e - best) / best.abs()).mean() < 0.01
    # never worse than its start (the unary minimiser)
    assert (e <= grid_energy(unary.argmin(-1), unary, w_h, w_v, pair) + 1e-6).all()


def maxflow_binary(unary, w_h, w_v):
    """Exact binary grid labelling by max-flow (PyMaxflow)."""
    maxflow = pytest.importorskip('maxflow')
    b = unary.shape[0]
    g = maxflow.Graph[float]()
    ids = g.add_grid_nodes((b, b))
    for r in range(b):
        for c in range(b):
            if c + 1 < b:
                g.add_edge(ids[r, c], ids[r, c + 1], w_h[r, c], w_h[r, c])
            if r + 1 < b:
                g.add_edge(ids[r, c], ids[r + 1, c], w_v[r, c], w_v[r, c])
    # a node in the sink segment takes label 1 and pays its source capacity
    base = np.minimum(unary[..., 0], unary[..., 1])
    g.add_grid_tedges(ids, unary[..., 1] - base, unary[..., 0] - base)
    g.maxflow()
    return torch.from_numpy(g.get_grid_segments(ids).astype(np.int64))


def test_solver_against_exact_maxflow_on_binary_16x16():
    unary, w_h, w_v = random_problem(20, 16, 2, seed=7, edge=0.3)
    pair = squared_pair(2)
    exact = torch.stack([maxflow_binary(unary[i].double().numpy(), w_h[i].double().numpy(),
                                        w_v[i].double().numpy()) for i in range(20)])
    e_exact = grid_energy(exact, unary, w_h, w_v, pair)
    e = grid_energy(solve_grid(unary, w_h, w_v, pair), unary, w_h, w_v, pair)
    assert (e >= e_exact - 1e-4).all()
    gap = ((e - e_exact) / e_exact.abs()).mean()
    assert gap < 0.01, f'mean relative gap to the exact optimum {gap:.4f}'


def test_maxflow_reference_is_exact_on_small_grids():
    unary, w_h, w_v = random_problem(10, 4, 2, seed=1)
    pair = squared_pair(2)
    exact = torch.stack([maxflow_binary(unary[i].double().numpy(), w_h[i].double().numpy(),
                                        w_v[i].double().numpy()) for i in range(10)])
    assert torch.allclose(grid_energy(exact, unary, w_h, w_v, pair),
                          brute_force(unary, w_h, w_v, pair), atol=1e-5)


def chain_sweeps_reference(unary, w_h, w_v, pair, max_sweeps=4):
    """The solver's algorithm written plainly: one chain at a time, numpy
    Viterbi; sweeps of even rows, odd rows, even columns, odd columns until a
    whole sweep changes nothing."""
    u, wh, wv, p = (t.double().numpy() for t in (unary, w_h, w_v, pair))
    z = u.argmin(-1)
    m, n_rows, n_cols, _ = u.shape

    def chain(cost, w):  # cost [T, L], w [T-1] -> exact labels [T]
        acc, back = cost[0].copy(), []
        for t in range(1, len(cost)):
            trans = acc[:, None] + w[t - 1] * p
            back.append(trans.argmin(0))
            acc = trans.min(0) + cost[t]
        out = [int(acc.argmin())]
        for arg in reversed(back):
            out.append(int(arg[out[-1]]))
        return out[::-1]

    for _ in range(max_sweeps):
        before = z.copy()
        for cols in (False, True):
            for parity in (0, 1):
                for i in range(m):
                    for r in range(parity, n_cols if cols else n_rows, 2):
                        if cols:
                            cost = u[i, :, r].copy()
                            for q, w in ((r - 1, wh[i, :, r - 1] if r > 0 else None),
                                         (r + 1, wh[i, :, r] if r < n_cols - 1 else None)):
                                if w is not None:
                                    cost += w[:, None] * p[z[i, :, q]]
                            z[i, :, r] = chain(cost, wv[i, :, r])
                        else:
                            cost = u[i, r].copy()
                            for q, w in ((r - 1, wv[i, r - 1] if r > 0 else None),
                                         (r + 1, wv[i, r] if r < n_rows - 1 else None)):
                                if w is not None:
                                    cost += w[:, None] * p[z[i, q]]
                            z[i, r] = chain(cost, wh[i, r])
        if (before == z).all():
            break
    return torch.from_numpy(z)


@pytest.mark.parametrize('rows,cols,n_labels,potts', [(5, 7, 3, False), (6, 6, 2, False),
                                                      (4, 5, 4, True), (1, 6, 3, False),
                                                      (7, 1, 3, True)])
def test_solver_matches_the_plain_chain_sweeps(rows, cols, n_labels, potts):
    """The vectorised solver (batch-innermost layout, early stop once four
    classes are settled) returns exactly the labels of the plain algorithm."""
    g = torch.Generator().manual_seed(rows * 10 + cols)
    unary = torch.rand(12, rows, cols, n_labels, generator=g)
    w_h = torch.rand(12, rows, cols - 1, generator=g)
    w_v = torch.rand(12, rows - 1, cols, generator=g)
    pair = (1 - torch.eye(n_labels)) if potts else squared_pair(n_labels)
    for sweeps in (1, 4):
        ref = chain_sweeps_reference(unary, w_h, w_v, pair, max_sweeps=sweeps)
        assert torch.equal(solve_grid(unary, w_h, w_v, pair, max_sweeps=sweeps), ref)


def test_boundary_terms_against_per_edge_formula():
    """Every edge's strip costs for the four image pairs, computed one edge at
    a time, then reparametrised as ``E(a, b) = const + a u_p + b u_q + w (a - b)^2``."""
    g = torch.Generator().manual_seed(3)
    x, xp = torch.rand(2, 3, 16, 16, generator=g), torch.rand(2, 3, 16, 16, generator=g)
    blocks, neigh, scale = 4, 2, 2.5
    k = 16 // blocks // neigh
    pooled = [F.avg_pool2d(img, neigh).double().numpy() for img in (xp, x)]  # 0: partner, 1: x
    uh, eh, uv, ev = boundary_terms(x, xp, blocks, neigh, scale=scale)
    for i in range(2):
        unary = np.zeros((blocks, blocks))
        for vertical in (False, True):
            for r in range(blocks):
                for c in range(blocks - 1):
                    def strip(img, pos):
                        a = pooled[img][i]
                        return (a[:, pos, r * k:(r + 1) * k] if vertical
                                else a[:, r * k:(r + 1) * k, pos])
                    cost = {(a, b): np.abs(strip(a, (c + 1) * k - 1) - strip(b, (c + 1) * k)).mean()
                            / scale for a in (0, 1) for b in (0, 1)}
                    w = (cost[1, 0] + cost[0, 1] - cost[0, 0] - cost[1, 1]) / 2
                    near = (cost[1, 0] + cost[1, 1] - cost[0, 0] - cost[0, 1]) / 2
                    far = (cost[0, 1] + cost[1, 1] - cost[0, 0] - cost[1, 0]) / 2
                    got = ev[i, c, r] if vertical else eh[i, r, c]
                    assert abs(float(got) - w) < 1e-6
                    node_p, node_q = ((c, r), (c + 1, r)) if vertical else ((r, c), (r, c + 1))
                    unary[node_p] += near
                    unary[node_q] += far
                    # the reparametrisation reproduces all four costs up to a constant
                    for a in (0, 1):
                        for b in (0, 1):
                            lhs = cost[a, b] - cost[0, 0]
                            assert abs(lhs - (a * near + b * far + w * (a - b)**2)) < 1e-9
        assert np.allclose((uh + uv)[i].double().numpy(), unary, atol=1e-6)


# ----------------------------------------------------------------- PuzzleMix
def test_puzzlemix_mask_lam_and_given_lam():
    x, _ = batch(8, 32)
    grad = torch.randn(8, 3, 32, 32, generator=torch.Generator().manual_seed(1))
    index = torch.randperm(8, generator=torch.Generator().manual_seed(2))
    means = {}
    for lam in (0.2, 0.8):
        m = PuzzleMix(block_num=(4, 8), seed=0)
        r = m.mix(x.clone(), torch.full((8, ), lam), index, input_grad=grad)
        assert r.mask.shape == (8, 1, 32, 32) and r.lam.shape == (8, )
        assert torch.allclose(r.mask.mean((1, 2, 3)), r.lam)
        assert set(r.mask.unique().tolist()) <= {0., 0.5, 1.}
        means[lam] = float(r.lam.mean())
    assert means[0.2] < 0.5 < means[0.8], means  # the given lam drives the prior


def test_puzzlemix_without_transport_is_the_mask_blend():
    x, _ = batch(6, 32)
    grad = torch.randn(6, 3, 32, 32)
    index = torch.tensor([1, 2, 3, 4, 5, 0])
    r = PuzzleMix(block_num=4, transport=False, seed=0).mix(
        x.clone(), torch.full((6, ), 0.5), index, input_grad=grad)
    assert torch.allclose(r.inputs, r.mask * x + (1 - r.mask) * x[index], atol=1e-6)


def test_puzzlemix_keeps_the_salient_block():
    """A single very salient block of x is kept when lam is balanced."""
    x, _ = batch(4, 16)
    grad = torch.full((4, 3, 16, 16), 1e-3)
    grad[0, :, 0:4, 0:4] = 10.
    r = PuzzleMix(block_num=4, transport=False, gamma=0., seed=0).mix(
        x.clone(), torch.full((4, ), 0.5), torch.tensor([1, 0, 3, 2]), input_grad=grad)
    assert float(r.mask[0, 0, :4, :4].min()) == 1.
    assert float(r.mask[1, 0, :4, :4].max()) == 0.  # sample 1's partner is sample 0


def test_transport_moves_blocks():
    sal = torch.zeros(2, 4, 4)
    sal[:, 0, 0] = 1.  # the salient block sits in a corner
    keep = torch.zeros(2, 4, 4, dtype=torch.bool)
    keep[:, 1, 1] = True  # the mask keeps only the block next to it
    src = transport_plan(sal.flatten(1) / sal.flatten(1).sum(1, keepdim=True), keep,
                         eps=0.01, n_iter=4)
    assert (src[:, 5] == 0).all()  # block 0 moved to cell (1, 1)
    img = torch.arange(2 * 16, dtype=torch.float32).view(2, 1, 4, 4)
    moved = move_blocks(img, src, 4)
    assert torch.equal(moved.flatten(1), img.flatten(1).gather(1, src))
    assert torch.equal(move_blocks(img, torch.arange(16).expand(2, 16), 4), img)


def test_puzzlemix_determinism_dtype_and_errors():
    x = torch.randn(4, 3, 16, 16, dtype=torch.float64)
    grad = torch.randn(4, 3, 16, 16)
    a = PuzzleMix(seed=5).sample(x.clone(), input_grad=grad)
    b = PuzzleMix(seed=5).sample(x.clone(), input_grad=grad)
    assert a.inputs.dtype == torch.float64 and torch.equal(a.inputs, b.inputs)
    assert torch.equal(a.lam, b.lam) and torch.equal(a.index, b.index)
    assert block_saliency(grad, 4).sum((1, 2)).sub(1).abs().max() < 1e-5
    with pytest.raises(ConfigError, match='beta'):
        PuzzleMix(beta=-1)
    with pytest.raises(ConfigError, match='block_num'):
        PuzzleMix(block_num=[0])
    with pytest.raises(ValueError, match='divides'):
        PuzzleMix(block_num=5).sample(x, input_grad=grad)
    with pytest.raises(RuntimeError, match='input gradient'):
        PuzzleMix().sample(x)


# ------------------------------------------------------- the saliency provider
def test_saliency_pass_leaves_the_model_untouched():
    from mmmix.models.classifiers.mixup_classifier import input_grad_provider
    model = build([dict(type='PuzzleMix')])
    model.train()
    x, samples = batch()
    buffers = {k: v.clone() for k, v in model.named_buffers()}
    grad = input_grad_provider(model, x, samples)
    assert grad.shape == x.shape and not grad.requires_grad and grad.abs().sum() > 0
    assert all(p.grad is None for p in model.parameters())
    for k, v in model.named_buffers():
        assert torch.equal(v, buffers[k]), k  # BN running stats, num_batches_tracked
    # the independent formula: d CE(sum) / d x with BN in training mode
    xr = x.clone().requires_grad_(True)
    model2 = build([dict(type='PuzzleMix')])
    model2.load_state_dict(model.state_dict())
    model2.train()
    loss = torch.nn.functional.cross_entropy(model2.head(model2.extract_feat(xr)),
                                             torch.arange(4) % N_CLS, reduction='sum')
    loss.backward()
    assert torch.allclose(grad, xr.grad, atol=1e-6)


@pytest.mark.parametrize('mixer', ['PuzzleMix', 'AttentiveMix'])
def test_training_loss_gradient_ignores_the_saliency_pass(mixer):
    """The parameter gradient of a PuzzleMix step (saliency pass) or an
    AttentiveMix step (the model as its own guide) equals that of the mixed
    cross-entropy alone, recomputed by hand from the mixed batch it produced
    on a copy of the model in its pre-step state."""
    torch.manual_seed(0)
    model = build([dict(type=mixer, seed=0)])
    model.train()
    ref = build([dict(type=mixer)])
    ref.load_state_dict(model.state_dict())
    ref.train()
    x, samples = batch()
    mixer = model.mixers[0]
    seen = {}
    mix = mixer.mix

    def spy(*a, **k):
        seen['result'] = r = mix(*a, **k)
        seen['mixed'] = r.inputs.detach().clone()
        return r

    mixer.mix = spy
    losses = model.loss(x.clone(), samples)
    sum(v for k, v in losses.items() if k.startswith('loss')).backward()
    r = seen['result']
    y = torch.arange(4) % N_CLS
    logp = torch.log_softmax(ref.head(ref.extract_feat(seen['mixed'])), 1)
    rows = torch.arange(4)
    per_sample = -(r.lam * logp[rows, y] + (1 - r.lam) * logp[rows, y[r.index]])
    per_sample.mean().backward()
    for (k, p), (_, q) in zip(model.named_parameters(), ref.named_parameters()):
        assert torch.allclose(p.grad, q.grad, atol=1e-5), k
    # BN statistics moved exactly as one forward of the mixed batch moves them
    for (k, v), (_, w) in zip(model.named_buffers(), ref.named_buffers()):
        assert torch.allclose(v.float(), w.float(), atol=1e-6), k


# -------------------------------------------------------------- AttentiveMix
def test_attentivemix_k_follows_lam_and_pastes_the_top_cells():
    n, cells = 6, 16
    feats = torch.rand(n, 8, 4, 4)
    x = torch.randn(n, 3, 16, 16)
    index = torch.tensor([1, 2, 3, 4, 5, 0])
    lam = torch.tensor([0.0, 0.1, 0.33, 0.5, 0.9, 1.0])
    r = AttentiveMix().mix(x.clone(), lam, index, guide_feats=feats)
    k = ((1 - lam) * cells).round()
    pasted = 1 - r.mask[:, 0, ::4, ::4].flatten(1)  # one pixel per cell
    assert torch.equal(pasted.sum(1), k)
    assert torch.allclose(r.lam, 1 - k / cells)
    assert torch.allclose(r.lam, r.mask.mean((1, 2, 3)))
    act = feats.mean(1).flatten(1)[index]
    for i in range(n):
        if 0 < k[i] < cells:
            assert act[i][pasted[i] > 0].min() >= act[i][pasted[i] == 0].max()
    assert torch.allclose(r.inputs, r.mask * x + (1 - r.mask) * x[index])


def test_attentivemix_determinism_and_errors():
    x, feats = torch.randn(6, 3, 16, 16), torch.rand(6, 8, 4, 4)
    a = AttentiveMix(alpha=2., lam_mode='elem', seed=4).sample(x.clone(), guide_feats=feats)
    b = AttentiveMix(alpha=2., lam_mode='elem', seed=4).sample(x.clone(), guide_feats=feats)
    assert torch.equal(a.inputs, b.inputs) and torch.equal(a.lam, b.lam)
    assert torch.equal(a.index, b.index) and len(set(a.lam.tolist())) > 1
    with pytest.raises(ConfigError, match='grid'):
        AttentiveMix(grid=0)
    with pytest.raises(ConfigError, match='dist_mode'):
        AttentiveMix(dist_mode='global')
    with pytest.raises(RuntimeError, match='guiding features'):
        AttentiveMix().sample(x)


@pytest.mark.parametrize('name,key', [('ManifoldMix', 'layres'), ('PuzzleMix', 'gama'),
                                      ('AttentiveMix', 'grid_size'), ('CoMixup', 'tau')])
def test_unknown_keys_are_named(name, key):
    from mmmix.registry import BATCH_AUGMENTS
    with pytest.raises(ConfigError, match=key):
        BATCH_AUGMENTS.build(dict(type=name, **{key: 1}))
    with pytest.raises(ConfigError, match=key):
        build([dict(type=name, **{key: 1})])


def test_guide_networks(tmp_path):
    # self: buffers untouched
    model = build([dict(type='AttentiveMix')])
    model.train()
    x, samples = batch()
    buffers = {k: v.clone() for k, v in model.named_buffers()}
    feats = model.guide.features(model, x)
    assert feats.shape == (4, 128, 2, 2) and not feats.requires_grad
    assert all(torch.equal(v, buffers[k]) for k, v in model.named_buffers())
    # ema: starts at the online weights, then moves towards them
    ema = build([dict(type='AttentiveMix')], guide=dict(type='ema', momentum=0.5))
    ema.init_weights()
    w = dict(ema.guide.net.named_parameters())['conv1.weight']
    assert torch.equal(w, ema.backbone.conv1.weight)
    with torch.no_grad():
        ema.backbone.conv1.weight.add_(1.)
    ema.train()
    ema.guide.update(ema.backbone)  # the classifier's per-iteration step (see below)
    assert torch.allclose(w, ema.backbone.conv1.weight - 0.5)
    with torch.no_grad():  # features come from the EMA copy (eval mode), untouched by use
        assert torch.equal(ema.guide.features(ema, x), ema.guide.net(x)[-1])
    assert torch.allclose(w, ema.backbone.conv1.weight - 0.5)
    assert not any(p.requires_grad for p in ema.guide.parameters())
    # frozen: loaded from a local checkpoint with safe_load
    src = build([dict(type='AttentiveMix')])
    path = str(tmp_path / 'guide.pth')
    torch.save(dict(state_dict=src.state_dict()), path)
    frozen = build([dict(type='AttentiveMix')],
                   guide=dict(type='frozen', backbone=RESNET, checkpoint=path))
    assert torch.equal(frozen.guide.net.conv1.weight, src.backbone.conv1.weight)
    src.eval()
    with torch.no_grad():
        assert torch.allclose(frozen.guide.features(frozen, x), src.backbone(x)[-1], atol=1e-6)
    # errors
    with pytest.raises(ConfigError, match='guide.type'):
        build([dict(type='AttentiveMix')], guide=dict(type='teacher'))
    with pytest.raises(ConfigError, match='no mixer uses'):
        build([dict(type='Mixup')], guide=dict(type='self'))
    with pytest.raises(ConfigError, match="'backbone'"):
        build([dict(type='AttentiveMix')], guide=dict(type='frozen'))
    with pytest.raises(ConfigError, match='lacks'):
        build([dict(type='AttentiveMix')],
              guide=dict(type='frozen', backbone=RESNET, checkpoint=path, prefix='nothing.'))
    with pytest.raises(ConfigError, match="out_type"):
        build([dict(type='AttentiveMix')], backbone={**VIT, 'out_type': 'cls_token'})
    # each guide type takes only its own options: a dead or misspelled key is named
    for guide, key in [(dict(type='self', momentum=0.5), 'momentum'),
                       (dict(type='ema', checkpoint=path), 'checkpoint'),
                       (dict(type='ema', momentun=0.1), 'momentun'),
                       (dict(type='frozen', backbone=RESNET, checkpoint=path, momentum=0.1),
                        'momentum')]:
        with pytest.raises(ConfigError, match=key):
            build([dict(type='AttentiveMix')], guide=guide)


def test_ema_guide_moves_once_per_iteration_and_frozen_survives_init_weights(tmp_path):
    """The EMA guide is updated on every training iteration, also those that
    draw another mixer (here always vanilla), and not in eval mode; a frozen
    guide keeps its checkpoint through a model-level init_cfg."""
    x, samples = batch()
    ema = build([dict(type='AttentiveMix'), 'vanilla'], mix_prob=[0., 1.],
                guide=dict(type='ema', momentum=0.5))
    ema.init_weights()
    start = ema.guide.net.conv1.weight.clone()
    with torch.no_grad():
        ema.backbone.conv1.weight.add_(1.)
    ema.eval()
    ema.loss(x.clone(), samples)
    assert torch.equal(ema.guide.net.conv1.weight, start)
    ema.train()
    ema.loss(x.clone(), samples)
    assert torch.allclose(ema.guide.net.conv1.weight, start + 0.5)
    src = build([dict(type='AttentiveMix')])
    path = str(tmp_path / 'guide.pth')
    torch.save(src.state_dict(), path)
    frozen = build([dict(type='AttentiveMix')], init_cfg=dict(type='Kaiming', layer='Conv2d'),
                   guide=dict(type='frozen', backbone=RESNET, checkpoint=path))
    frozen.init_weights()
    assert not torch.equal(frozen.backbone.conv1.weight, src.backbone.conv1.weight)
    assert torch.equal(frozen.guide.net.conv1.weight, src.backbone.conv1.weight)


# ------------------------------------------------------------- train steps
@pytest.mark.parametrize('backbone', ['resnet', 'vit'])
@pytest.mark.parametrize('mixer', [dict(type='ManifoldMix', alpha=0.5),
                                   dict(type='PuzzleMix', block_num=(2, 4)),
                                   dict(type='AttentiveMix')],
                         ids=lambda m: m['type'])
def test_train_step(mixer, backbone):
    from mmengine.optim import build_optim_wrapper
    torch.manual_seed(0)
    model = build([dict(mixer, seed=0)], backbone=RESNET if backbone == 'resnet' else VIT,
                  data_preprocessor=dict(type='ClsDataPreprocessor', num_classes=N_CLS,
                                         mean=[127.5] * 3, std=[127.5] * 3))
    model.init_weights()
    model.train()
    wrapper = build_optim_wrapper(model, dict(optimizer=dict(type='SGD', lr=0.1)))
    g = torch.Generator().manual_seed(0)
    data = dict(inputs=[torch.randint(0, 256, (3, 16, 16), generator=g, dtype=torch.uint8)
                        for _ in range(4)],
                data_samples=[DataSample().set_gt_label(i) for i in range(4)])
    before = {k: v.detach().clone() for k, v in model.named_parameters()}
    log = model.train_step(data, wrapper)
    assert torch.isfinite(log['loss']) and 'mix_acc_top2' in log
    changed = {k for k, v in model.named_parameters() if not torch.equal(v, before[k])}
    assert 'head.fc.weight' in changed and any(k.startswith('backbone.') for k in changed)


def test_stage_hook_is_released_when_the_mixed_forward_fails():
    model = build([dict(type='ManifoldMix', layers=[2], seed=0)])
    model.train()
    x, samples = batch()
    stages = backbone_stages(model.backbone)
    model.extract_feat = lambda inputs: (_ for _ in ()).throw(RuntimeError('boom'))
    with pytest.raises(RuntimeError, match='boom'):
        model.loss(x, samples)
    assert all(len(m._forward_pre_hooks) == 0 for m in stages)


DM_LOSS = dict(type='DecoupledMixupLoss', eta=0.1, mode='both', idx=1.0)
SUMIX_LOSS = dict(type='SUMixLoss', gamma=0.5, scale=4.)


@pytest.mark.parametrize('mix_loss', [DM_LOSS, SUMIX_LOSS], ids=['DM', 'SUMix'])
@pytest.mark.parametrize('mixer', [dict(type='ManifoldMix', alpha=0.5),
                                   dict(type='PuzzleMix', block_num=(2, 4)),
                                   dict(type='AttentiveMix')], ids=lambda m: m['type'])
def test_composes_with_dm_and_sumix_heads(mixer, mix_loss):
    """One train step with a DM or SUMix head: the head gets the mixer's own
    index and per-sample lam, the DM loss equals the loss module applied to the
    logits of the mixed batch with ``(y, y[index], lam)`` of the MixResult, and
    the backbone (and SUMix's fc_u) learn. Co-Mixup, whose labels come from
    more than two inputs, is rejected at build (tests/mixers/test_comixup.py)."""
    from mmengine.optim import build_optim_wrapper
    torch.manual_seed(0)
    model = build([dict(mixer, seed=0)], head=dict(mix_loss=mix_loss),
                  data_preprocessor=dict(type='ClsDataPreprocessor', num_classes=N_CLS,
                                         mean=[127.5] * 3, std=[127.5] * 3))
    model.init_weights()
    model.train()
    head, mixer_obj, seen = model.head, model.mixers[0], {}
    mix, head_mix_loss = mixer_obj.mix, head._mix_loss

    def spy_mix(*a, **k):
        seen['result'] = r = mix(*a, **k)
        return r

    def spy_head(feats, info):
        seen['info'] = info
        losses = head_mix_loss(feats, info)
        r, y = seen['result'], torch.arange(4)
        if mix_loss is DM_LOSS:
            seen['expected'] = head.mix_loss_module(head.fc(head.pre_logits(feats)), y,
                                                    y[r.index], r.lam)
        return losses

    mixer_obj.mix, head._mix_loss = spy_mix, spy_head
    wrapper = build_optim_wrapper(model, dict(optimizer=dict(type='SGD', lr=0.1)))
    before = {k: v.detach().clone() for k, v in model.named_parameters()}
    g = torch.Generator().manual_seed(0)
    log = model.train_step(dict(
        inputs=[torch.randint(0, 256, (3, 16, 16), generator=g, dtype=torch.uint8)
                for _ in range(4)],
        data_samples=[DataSample().set_gt_label(i) for i in range(4)]), wrapper)
    r, info = seen['result'], seen['info']
    assert torch.equal(info.index, r.index) and torch.equal(info.lam, r.lam)
    assert torch.equal(info.y_a, torch.arange(4)) and torch.equal(info.y_b, r.index)
    assert torch.isfinite(log['loss'])
    if mix_loss is DM_LOSS:
        assert torch.allclose(log['loss'], seen['expected'].detach(), atol=1e-6)
    else:
        assert 'clean_feats' in info.extra
    changed = {k for k, v in model.named_parameters() if not torch.equal(v, before[k])}
    assert any(k.startswith('backbone.') for k in changed) and 'head.fc.weight' in changed
    if mix_loss is SUMIX_LOSS:
        assert 'head.fc_u.weight' in changed
