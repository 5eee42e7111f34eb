"""Fewer sparse factorisations at large N, with the same numbers.

A large-N fit spends its time in sparse factorisations of ``I - rho W``. Three
reuses cut their number: (1) the derivative traces ``tr(G) = -F'``,
``tr(GG) = -F''`` take the curvature from the search's Chebyshev guide and only
correct it with exact values (two factorisations instead of four); (2) the
guided search evaluates its first points at ``x0 - h, x0, x0 + h``, which then
serve that correction (no factorisation at all); (3) the probe solves reuse the
factor of the search's last evaluation. References here are independent of the
code under test: eigenvalues of the symmetric similar matrix (dense numpy) and
direct SuperLU solves.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from libpysal.graph import Graph
from libpysal.weights import lat2W

import spatialecon as se
from spatialecon.estimation import sparse as sparse_ld
from spatialecon.estimation import traces
from spatialecon.estimation.approx import chebyshev_logdet

BACKENDS = ["superlu"] + (["cholmod"] if sparse_ld.cholmod_available() else [])


def rook_binary(r: int, c: int) -> sp.csr_matrix:
    path = lambda m: sp.diags([np.ones(m - 1), np.ones(m - 1)], [-1, 1])  # noqa: E731
    return sp.csr_matrix(sp.kron(sp.identity(r), path(c)) + sp.kron(path(r), sp.identity(c)))


def rowstd(B):
    return sp.csr_matrix(sp.diags(1.0 / np.asarray(B.sum(axis=1)).ravel()) @ B)


def eig_traces(B, rho):
    """tr(G), tr(GG) of the row-standardised B from the eigenvalues of D^-1/2 B D^-1/2."""
    d = np.asarray(B.sum(axis=1)).ravel()
    S = (sp.diags(d**-0.5) @ B @ sp.diags(d**-0.5)).toarray()
    lam = np.linalg.eigvalsh(S)
    phi = lam / (1 - rho * lam)
    return {"tr_G": phi.sum(), "tr_GG": (phi**2).sum()}


def _count_splu(monkeypatch):
    """Count every SuperLU factorisation (``scipy.sparse.linalg.splu``) until the patch is undone."""
    calls = []
    real = sparse_ld.spla.splu

    def counting(*args, **kw):
        calls.append(1)
        return real(*args, **kw)

    monkeypatch.setattr(sparse_ld.spla, "splu", counting)
    return calls, real


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("rho", [-0.6, 0.45, 0.9])
@pytest.mark.parametrize("shape", [(30, 40), (50, 50)], ids=["N1200-exact-guide", "N2500-stochastic-guide"])
def test_derivative_traces_with_guide_and_shared_stencil_match_eigenvalues(backend, rho, shape):
    B = rook_binary(*shape)
    W = rowstd(B)
    ref = eig_traces(B, rho)
    bounds = (-1.0, 1.0)
    guide = chebyshev_logdet(W, order=20, n_vectors=10, bounds=bounds, seed=0)
    ld = sparse_ld.SparseLogDet(W, backend=backend)
    f0 = ld(rho)
    plain, plain_err, route = traces._derivative_traces(ld, rho, f0, bounds)
    assert route.startswith("five-point")
    n0 = ld.n_calls
    two, two_err, route = traces._derivative_traces(ld, rho, f0, bounds, guide)
    assert route == "guide + two factorisations"
    assert ld.n_calls - n0 == 2  # two factorisations, not four
    # the search's own stencil around x0, a little off rho (as after the guided search)
    h = traces.stencil_step(ld.radius, rho, bounds)
    x0 = rho - 0.02 * h
    known = tuple((x, ld(x)) for x in (x0 - h, x0, x0 + h))
    n0 = ld.n_calls
    shared, shared_err, route = traces._derivative_traces(ld, rho, f0, bounds, guide, known)
    assert route.startswith("search stencil")
    assert ld.n_calls == n0  # no factorisation at all
    for got, err in ((plain, plain_err), (two, two_err), (shared, shared_err)):
        for k in ("tr_G", "tr_GG"):
            actual = abs(got[k] - ref[k])
            assert actual <= err[k], (k, actual, err[k])  # the reported error covers the actual one
            assert actual <= 1e-5 * abs(ref[k]), (k, actual)
            assert err[k] <= 1e-4 * abs(ref[k]), (k, err[k])
    # larger offsets (up to h): used only while the error estimate stays below 1e-5 relative,
    # else two new factorisations; either way the answer is as accurate and the error covers it
    for off in (0.2, -0.5, 0.9):
        x0 = rho - off * h
        known = tuple((x, ld(x)) for x in (x0 - h, x0, x0 + h))
        n0 = ld.n_calls
        got, err, route = traces._derivative_traces(ld, rho, f0, bounds, guide, known)
        assert ld.n_calls - n0 == (0 if route.startswith("search") else 2)
        for k in ("tr_G", "tr_GG"):
            assert abs(got[k] - ref[k]) <= min(err[k], 1e-6 * abs(ref[k])), (off, k)


def test_shared_stencil_not_used_when_rho_is_far_from_it():
    W = rowstd(rook_binary(20, 30))
    guide = chebyshev_logdet(W, order=20, n_vectors=10, bounds=(-1.0, 1.0), seed=0)
    ld = sparse_ld.SparseLogDet(W, backend="superlu")
    rho = 0.3
    h = traces.stencil_step(ld.radius, rho, (-1.0, 1.0))
    x0 = rho + 1.5 * h  # rho lies outside [x0 - h, x0 + h]: the known values are not used
    known = tuple((x, ld(x)) for x in (x0 - h, x0, x0 + h))
    n0 = ld.n_calls
    *_, route = traces._derivative_traces(ld, rho, ld(rho), (-1.0, 1.0), guide, known)
    assert route == "guide + two factorisations"
    assert ld.n_calls - n0 == 3  # rho itself, then rho +- h


@pytest.mark.parametrize("backend", BACKENDS)
def test_solver_reuses_the_last_factor_and_solves_exactly(backend):
    W = rowstd(rook_binary(12, 17))
    n = W.shape[0]
    b = np.random.default_rng(1).normal(size=(n, 3))
    ld = sparse_ld.SparseLogDet(W, backend=backend)
    for rho in (0.4, 0.4, -0.7):  # first call (ordering computed), later calls (kept ordering)
        ld(0.1)
        ld(rho)
        s = ld.solver(rho)
        A = np.eye(n) - rho * W.toarray()
        np.testing.assert_allclose(A @ s.solve(b), b, atol=1e-10)
        np.testing.assert_allclose(A.T @ s.solve(b, trans="T"), b, atol=1e-10)
        np.testing.assert_allclose(A @ s.solve(b[:, 0]), b[:, 0], atol=1e-10)
        # a later log-determinant at another rho must not change a solver already handed out
        ld(0.2)
        np.testing.assert_allclose(A @ s.solve(b), b, atol=1e-10)
        s2 = ld.solver(rho)  # a new factorisation now (the last one was at 0.2)
        np.testing.assert_allclose(A @ s2.solve(b), b, atol=1e-10)


@pytest.mark.skipif(not sparse_ld.cholmod_available(), reason="scikit-sparse (CHOLMOD) not installed")
def test_cholmod_orderings_give_the_same_logdet(monkeypatch):
    W = rowstd(rook_binary(40, 45))
    amd = sparse_ld.SparseLogDet(W, backend="cholmod")
    assert amd.ordering == "amd"
    monkeypatch.setattr(sparse_ld, "METIS_MIN_N", 100)
    metis = sparse_ld.SparseLogDet(W, backend="cholmod")
    assert metis.ordering in ("metis", "amd")  # amd only if CHOLMOD was built without METIS
    for rho in (-0.8, 0.3, 0.97):
        assert metis(rho) == pytest.approx(amd(rho), rel=1e-12)


@pytest.mark.parametrize("model", ["SAR", "SEM"])
def test_large_fit_factorises_only_in_the_search(model, monkeypatch):
    # N = 2,200: the guided search and stochastic traces; SuperLU counted directly
    g = Graph.from_W(lat2W(40, 55, rook=True)).transform("r")
    ids = g.unique_ids
    n = len(ids)
    rng = np.random.default_rng(5)
    X = pd.DataFrame({"x1": rng.normal(size=n), "x2": rng.normal(size=n)}, index=ids)
    W = g.sparse.tocsc()
    A = sp.identity(n, format="csc") - 0.5 * W
    xb = 1.0 + X["x1"].to_numpy() - X["x2"].to_numpy()
    e = rng.normal(size=n)
    y = sp.linalg.spsolve(A, xb + e) if model == "SAR" else xb + sp.linalg.spsolve(A, e)
    y = pd.Series(y, index=ids, name="y")
    calls, real = _count_splu(monkeypatch)
    res = getattr(se, model)(y, X, g).fit(logdet="lu")
    opt = res.info["optimiser"]
    assert opt["optimiser"] == "guided exact search"
    assert opt["stencil"] is not None
    tr = res.info["traces"]
    assert tr["derivatives"]
    # every sparse LU is one of the search's exact evaluations, or one of the two the traces'
    # stencil needs when the search's own points do not serve; none for the probe solves
    assert tr["derivative_stencil"] in ("guide + two factorisations", "search stencil, no factorisation")
    extra = 0 if tr["derivative_stencil"].startswith("search") else 2
    assert len(calls) == opt["nfev"] + extra
    if model == "SAR":  # this one ended within h of its first point: no factorisation for the traces
        assert extra == 0
    monkeypatch.setattr(sparse_ld.spla, "splu", real)
    # and the standard errors equal those of the plain search with the four-point stencil
    plain = getattr(se, model)(y, X, g).fit(logdet="lu", n_grid=11)
    assert plain.info["optimiser"]["optimiser"] == "grid+bounded Brent"
    np.testing.assert_allclose(res.bse, plain.bse, rtol=1e-6)


def test_vectorised_guide_equals_pointwise():
    # the search's grids evaluate the guide in one call; the values must be those of point-by-point calls,
    # including near the ends of the interval, where the Chebyshev coefficients need more nodes
    from spatialecon.estimation.likelihood import ErrorProfile, LagProfile

    W = rowstd(rook_binary(30, 40))
    g = chebyshev_logdet(W, order=20, n_vectors=10, bounds=(-1.0, 1.0), seed=0)
    xs = np.concatenate([np.linspace(-1 + 1e-7, 1 - 1e-7, 201), [1 - 1e-9, -1 + 1e-10, 1.0, 1.5]])
    many = g.many(xs)
    one = np.array([g(x) for x in xs])
    assert np.array_equal(np.isfinite(many), np.isfinite(one))
    ok = np.isfinite(one)
    np.testing.assert_allclose(many[ok], one[ok], rtol=1e-13, atol=1e-11)
    rng = np.random.default_rng(2)
    n = W.shape[0]
    X = np.column_stack([np.ones(n), rng.normal(size=n)])
    y = rng.normal(size=n)
    for P in (ErrorProfile, LagProfile):
        pr = P(y, X, lambda v: W @ v, lambda r: 0.0, n)
        grid = xs[:201]
        np.testing.assert_array_equal(pr.without_logdet_many(grid), [pr.without_logdet(x) for x in grid])
        # the moment form serves only the guide; it agrees with the exact profile to rounding of moments
        np.testing.assert_allclose(pr.without_logdet_many(grid), [pr(x) for x in grid], rtol=1e-7)


def test_argmax_cheap_uses_the_vectorised_grid():
    from spatialecon.estimation.optimise import _argmax_cheap

    calls = {"one": 0, "many": 0}

    def g(x):
        calls["one"] += 1
        return -(x - 0.3) ** 2

    def g_many(xs):
        calls["many"] += 1
        return -(xs - 0.3) ** 2

    g.many = g_many
    x = _argmax_cheap(g, -1.0, 1.0)
    assert x == pytest.approx(0.3, abs=1e-9)
    assert calls["many"] == 1 and calls["one"] < 60  # the 201-point grid in one call, Brent point by point


def test_approximate_logdet_carries_the_stencil(monkeypatch):
    # logdet="chebyshev": the traces' stencil is carried by that approximation (two exact
    # factorisations) and log|A| at the estimate comes from the probe solver's own factor
    g = Graph.from_W(lat2W(45, 50, rook=True)).transform("r")
    ids = g.unique_ids
    n = len(ids)
    rng = np.random.default_rng(8)
    X = pd.DataFrame({"x1": rng.normal(size=n)}, index=ids)
    W = g.sparse.tocsc()
    y = sp.linalg.spsolve(sp.identity(n, format="csc") - 0.4 * W, 1.0 + X["x1"].to_numpy() + rng.normal(size=n))
    y = pd.Series(y, index=ids, name="y")
    calls = []
    real = sparse_ld.SparseLogDet.__call__

    def counting(self, rho):
        calls.append(rho)
        return real(self, rho)

    monkeypatch.setattr(sparse_ld.SparseLogDet, "__call__", counting)
    res = se.SAR(y, X, g).fit(logdet="chebyshev")
    tr = res.info["traces"]
    assert tr["derivative_stencil"] == "guide + two factorisations"
    assert len(calls) == 2
    rho = float(res.params["rho"])
    ref = eig_traces(sp.csr_matrix((g.sparse > 0).astype(float)), rho)
    for k in ("tr_G", "tr_GG"):
        assert abs(tr[k] - ref[k]) <= tr["se"][k], k
        assert abs(tr[k] - ref[k]) <= 1e-6 * abs(ref[k]), k


def test_control_variate_orders_and_symmetric_shortcut():
    B = rook_binary(60, 60)
    W = rowstd(B)
    # budget 5 nnz(W): W, W^2, W^3 (W^4 has ~25 N entries > 20 N, skipped without being formed)
    P, K = traces._series_control(W, 0.5, 5 * W.nnz)
    assert K == 3
    ref = W + 0.5 * (W @ W) + 0.25 * (W @ W @ W)
    assert abs(P - ref).max() < 1e-14
    _, K10 = traces._series_control(W, 0.5, 10 * W.nnz)
    assert K10 == 5
    # ||P - P'||^2 / 2 = tr(P'P) - tr(PP), the exact part of the control for tr(G'G) - tr(GG)
    diff = 0.5 * float(np.sum((P - P.T).data ** 2))
    assert diff == pytest.approx(float(P.multiply(P).sum() - P.multiply(P.T).sum()), rel=1e-10)
    # a symmetric W: tr(G'G) = tr(GG) from the derivatives, no probes and no control at all
    ld = sparse_ld.SparseLogDet(B, backend="superlu")
    out = traces.info_traces(B, 0.1, method="stochastic", sparse_logdet=ld, seed=0)
    assert out["n_vectors"] == 0 and out["control_order"] == 0
    assert out["tr_GtG"] == out["tr_GG"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_sac_traces_with_shared_factorisations_equal_the_standalone_ones(backend):
    # SAC at N > 3000: the design's analysis, memoised log-determinants and guide are passed in;
    # the probes are the same, so every trace must agree with the stand-alone computation
    from spatialecon.estimation.covariance import sac_traces

    W = rowstd(rook_binary(40, 80))
    rho, lam = 0.4, -0.3
    ld = sparse_ld.SparseLogDet(W, backend=backend)
    guide = chebyshev_logdet(W, order=20, n_vectors=10, bounds=(-1.0, 1.0), seed=0)
    plain = sac_traces(W, rho, lam, method="stochastic", n_vectors=50, seed=3)
    n0 = ld.n_calls
    shared = sac_traces(W, rho, lam, method="stochastic", n_vectors=50, seed=3, sparse_logdet=ld,
                        logdets=(ld(rho), ld(lam)), guide=guide, bounds=(-1.0, 1.0))
    assert ld.n_calls - n0 == 2 + 4  # the two centres, then two stencil points per parameter
    for k, v in plain.items():
        if isinstance(v, float):
            assert shared[k] == pytest.approx(v, rel=1e-7, abs=1e-9), k


@pytest.mark.parametrize("rho,lam", [(0.4, -0.3), (0.5, 0.495), (0.3, 0.3), (-0.6, 0.8)])
def test_sac_stochastic_traces_against_dense(rho, lam):
    # K = B G_A B^{-1} = G_A (A, B, W commute) and G_A G_B = (G_A - G_B) / (rho - lambda): the cross
    # terms follow from the single-parameter traces, plus a small Hutchinson difference
    from spatialecon.estimation.covariance import sac_traces

    W = rowstd(rook_binary(40, 50))
    ex = sac_traces(W, rho, lam, method="exact")
    st = sac_traces(W, rho, lam, method="stochastic", seed=0)
    for k in ("tr_GA", "tr_GAGA", "tr_KtK", "tr_GB", "tr_GBGB", "tr_GBtGB", "tr_GAGB", "tr_KtGB"):
        assert abs(st[k] - ex[k]) <= 4 * st["se"].get(k, 0.0) + 1e-8 * abs(ex[k]), k
        assert abs(st[k] - ex[k]) <= 1e-3 * abs(ex[k]), k


@pytest.mark.parametrize("lee_yu", [False, True])
def test_panel_traces_use_the_design_factorisations(lee_yu, monkeypatch):
    # a constant W above 2000 units: the panel traces reuse the design's SparseLogDet, its
    # memoised log-determinants, the guide and the search's stencil, as the cross-section does
    g = Graph.from_W(lat2W(40, 55, rook=True)).transform("r")
    ids = g.unique_ids
    n, T = len(ids), 4
    rng = np.random.default_rng(9)
    W = g.sparse.tocsc()
    idx = pd.MultiIndex.from_product([ids, range(T)], names=["id", "time"])
    x = rng.normal(size=(n, T))
    A = sp.identity(n, format="csc") - 0.4 * W
    y = np.column_stack([sp.linalg.spsolve(A, x[:, t] + rng.normal(size=n) + 0.3 * t) for t in range(T)])
    X = pd.DataFrame({"x1": x.ravel()}, index=idx)
    Y = pd.Series(y.ravel(), index=idx, name="y")
    calls, real = _count_splu(monkeypatch)
    res = se.SAR(Y, X, g, effects="twoways", constant=False, lee_yu=lee_yu).fit(logdet="lu")
    opt = res.info["optimiser"]
    assert opt["optimiser"] == "guided exact search" and opt["stencil"] is not None
    assert len(calls) in (opt["nfev"], opt["nfev"] + 2)  # no analysis, centre or solver of its own
    monkeypatch.setattr(sparse_ld.spla, "splu", real)
    plain = se.SAR(Y, X, g, effects="twoways", constant=False, lee_yu=lee_yu).fit(logdet="lu", n_grid=11)
    np.testing.assert_allclose(res.bse, plain.bse, rtol=1e-5)


def test_panel_fits_take_seed_and_trace_method():
    # before 2026-12-02 the panel design ignored fit(seed=..., trace_method=...): stochastic traces
    # above 2000 units drew unseeded probes, so two identical fits gave different standard errors
    g = Graph.from_W(lat2W(40, 55, rook=True)).transform("r")
    ids = g.unique_ids
    n, T = len(ids), 3
    rng = np.random.default_rng(4)
    idx = pd.MultiIndex.from_product([ids, range(T)], names=["id", "time"])
    W = g.sparse.tocsc()
    x = rng.normal(size=(n, T))
    y = np.column_stack([sp.linalg.spsolve(sp.identity(n, format="csc") - 0.4 * W, x[:, t] + rng.normal(size=n))
                         for t in range(T)])
    X = pd.DataFrame({"x1": x.ravel()}, index=idx)
    Y = pd.Series(y.ravel(), index=idx, name="y")
    m = se.SAR(Y, X, g, effects="region")
    a, b = m.fit(), m.fit()
    np.testing.assert_array_equal(a.bse.values, b.bse.values)
    c = m.fit(seed=5)
    assert not np.array_equal(a.bse.values, c.bse.values)  # other probes: other (close) standard errors
    np.testing.assert_allclose(a.bse.values, c.bse.values, rtol=1e-4)
    s = m.fit(trace_method="series")
    assert s.info["trace_method"] == "series"
