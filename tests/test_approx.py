"""Stochastic traces and approximate log-determinants against exact references.

References are independent of the code under test: dense numpy algebra
(``matrix_power``, ``inv``, ``slogdet``) on small lattices, SuperLU directly,
and the closed-form eigenvalues of the binary rook lattice
(``2 cos(pi i/(r+1)) + 2 cos(pi j/(c+1))``) for the larger ones.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from spatialecon.errors import ApproximationWarning, EstimationError, OptionError
from spatialecon.estimation import approx, traces


def rook_binary(r: int, c: int) -> sp.csr_matrix:
    """Binary rook adjacency of an r x c lattice (built here, independently of weights/)."""
    path = lambda m: sp.diags([np.ones(m - 1), np.ones(m - 1)], [-1, 1])  # noqa: E731
    B = sp.kron(sp.identity(r), path(c)) + sp.kron(path(r), sp.identity(c))
    return sp.csr_matrix(B)


def rook_rowstd(r: int, c: int) -> sp.csr_matrix:
    B = rook_binary(r, c)
    return sp.csr_matrix(sp.diags(1.0 / np.asarray(B.sum(axis=1)).ravel()) @ B)


def lattice_eigenvalues(r: int, c: int) -> np.ndarray:
    mu = 2 * np.cos(np.pi * np.arange(1, r + 1) / (r + 1))
    nu = 2 * np.cos(np.pi * np.arange(1, c + 1) / (c + 1))
    return (mu[:, None] + nu[None, :]).ravel()


def knn_rowstd(n: int, k: int, seed: int) -> sp.csr_matrix:
    """Asymmetric row-standardised k-nearest-neighbour W on random points."""
    rng = np.random.default_rng(seed)
    xy = rng.uniform(size=(n, 2))
    d = ((xy[:, None, :] - xy[None, :, :]) ** 2).sum(-1)
    np.fill_diagonal(d, np.inf)
    nb = np.argsort(d, axis=1)[:, :k]
    rows = np.repeat(np.arange(n), k)
    return sp.csr_matrix((np.full(n * k, 1.0 / k), (rows, nb.ravel())), shape=(n, n))


def slogdet(W, rho):
    Wd = W.toarray()
    return np.linalg.slogdet(np.eye(Wd.shape[0]) - rho * Wd)[1]


def splu_logdet(W, rho):
    lu = spla.splu(sp.csc_matrix(sp.identity(W.shape[0]) - rho * W))
    return float(np.sum(np.log(np.abs(lu.U.diagonal()))))


# ---------------------------------------------------------------------------
# trace_powers


@pytest.mark.parametrize("W", [rook_rowstd(12, 15), knn_rowstd(150, 5, 3)], ids=["rook", "knn"])
def test_trace_powers_exact_vs_dense(W):
    Wd = W.toarray()
    ref = np.array([np.trace(np.linalg.matrix_power(Wd, k)) for k in range(9)])
    got = traces.trace_powers(W, 8, method="exact")
    np.testing.assert_allclose(got, ref, rtol=1e-10, atol=1e-10)


def test_trace_powers_exact_sparse_route_vs_closed_form():
    # N = 2,601 > 2,000: the sparse power route (no eigenvalues)
    r = c = 51
    ev = lattice_eigenvalues(r, c)
    ref = np.array([np.sum(ev**k) for k in range(11)])
    got = traces.trace_powers(rook_binary(r, c), 10, method="exact")
    np.testing.assert_allclose(got, ref, rtol=1e-11, atol=1e-6)


def test_trace_powers_fill_guard():
    with pytest.raises(EstimationError, match="max_nnz"):
        traces.trace_powers(rook_binary(51, 51), 10, method="exact", max_nnz=20_000)
    # auto falls back to the stochastic estimate instead
    est, se = traces.trace_powers(rook_binary(51, 51), 6, method="auto", max_nnz=20_000, seed=0, return_se=True)
    assert se[5] > 0


def test_trace_powers_stochastic_within_4se():
    W = rook_rowstd(24, 25)
    Wd = W.toarray()
    ref = np.array([np.trace(np.linalg.matrix_power(Wd, k)) for k in range(7)])
    est, se = traces.trace_powers(W, 6, method="stochastic", n_vectors=100, seed=11, return_se=True)
    # k <= 2 exact
    np.testing.assert_allclose(est[:3], ref[:3], rtol=1e-12, atol=1e-12)
    assert np.all(se[:3] == 0)
    assert np.all(np.abs(est[3:] - ref[3:]) <= 4 * se[3:])


def test_trace_powers_reproducible_with_seed():
    W = rook_rowstd(20, 20)
    a = traces.trace_powers(W, 6, method="stochastic", seed=5)
    b = traces.trace_powers(W, 6, method="stochastic", seed=5)
    c = traces.trace_powers(W, 6, method="stochastic", seed=6)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a[4:], c[4:])


def test_trace_powers_bad_args():
    with pytest.raises(OptionError):
        traces.trace_powers(rook_rowstd(3, 3), 3, method="dense")
    with pytest.raises(EstimationError):
        traces.trace_powers(rook_rowstd(3, 3), -1)


# ---------------------------------------------------------------------------
# info_traces


def dense_info(W, rho):
    Wd = W.toarray()
    G = Wd @ np.linalg.inv(np.eye(Wd.shape[0]) - rho * Wd)
    return {"tr_G": np.trace(G), "tr_GG": np.trace(G @ G), "tr_GtG": np.trace(G.T @ G)}


@pytest.mark.parametrize("rho", [-0.7, 0.0, 0.4, 0.9])
@pytest.mark.parametrize("W", [rook_rowstd(14, 16), knn_rowstd(180, 4, 1)], ids=["rook", "knn"])
def test_info_traces_exact_vs_dense(W, rho):
    ref = dense_info(W, rho)
    got = traces.info_traces(W, rho, method="exact")
    assert got["method"] == "exact"
    for k in ref:
        assert got[k] == pytest.approx(ref[k], rel=1e-10, abs=1e-10)


@pytest.mark.parametrize("rho", [-0.5, 0.3, 0.8])
def test_info_traces_stochastic_within_4se(rho):
    W = rook_rowstd(25, 24)
    ref = dense_info(W, rho)
    got = traces.info_traces(W, rho, method="stochastic", n_vectors=100, seed=3)
    assert got["method"] == "stochastic"
    for k in ref:
        assert got["se"][k] > 0
        assert abs(got[k] - ref[k]) <= 4 * got["se"][k], k
        assert got["se"][k] / abs(ref[k]) < 2e-3


def test_info_traces_large_binary_lattice_closed_form():
    # N = 4,900 binary lattice, eigenvalues in (-4, 4): G = B (I - rho B)^{-1} symmetric
    r = c = 70
    rho = 0.15
    ev = lattice_eigenvalues(r, c)
    phi = ev / (1 - rho * ev)
    got = traces.info_traces(rook_binary(r, c), rho, method="stochastic", seed=4)
    ref = {"tr_G": phi.sum(), "tr_GG": (phi**2).sum(), "tr_GtG": (phi**2).sum()}
    for k in ref:
        assert abs(got[k] - ref[k]) <= 4 * got["se"][k] + 1e-9 * abs(ref[k]), k
        assert got["se"][k] <= 1e-3 * abs(ref[k])


@pytest.mark.parametrize("rho", [-0.6, 0.5])
def test_info_traces_series(rho):
    W = rook_rowstd(20, 22)
    ref = dense_info(W, rho)
    got = traces.info_traces(W, rho, method="series", seed=2)
    assert got["method"] == "series"
    for k in ("tr_G", "tr_GG"):
        assert abs(got[k] - ref[k]) <= 1e-7 * abs(ref[k])
    assert abs(got["tr_GtG"] - ref["tr_GtG"]) <= 4 * got["se"]["tr_GtG"]
    with pytest.raises(EstimationError, match="diverges"):
        traces.info_traces(W, 1.2, method="series")


def test_info_traces_reproducible_and_reuses_solver():
    W = rook_rowstd(20, 20)
    rho = 0.6
    a = traces.info_traces(W, rho, method="stochastic", seed=9)
    b = traces.info_traces(W, rho, method="stochastic", seed=9)
    assert a["tr_GtG"] == pytest.approx(b["tr_GtG"], rel=1e-13) and a["n_vectors"] == b["n_vectors"]
    lu = spla.splu(sp.csc_matrix(sp.identity(400) - rho * W))
    c = traces.info_traces(W, rho, method="stochastic", seed=9, solver=lu)
    assert c["tr_G"] == pytest.approx(a["tr_G"], rel=1e-12)


def test_info_traces_exact_refuses_huge_dense():
    with pytest.raises(EstimationError, match="dense"):
        traces.info_traces(rook_binary(60, 60), 0.1, method="exact")


# ---------------------------------------------------------------------------
# approximate log-determinants


RHOS = [-0.9, -0.4, 0.2, 0.5, 0.8, 0.95]


def test_chebyshev_exact_traces_within_band():
    W = rook_rowstd(20, 20)
    ld = approx.chebyshev_logdet(W, order=50)
    assert ld.method == "chebyshev" and ld.info["traces"] == "exact"
    for rho in RHOS:
        ref = slogdet(W, rho)
        band = ld.error_band(rho)
        assert abs(ld(rho) - ref) <= band + 1e-9, rho
        if abs(rho) <= 0.9:
            assert band < 1e-6
    assert ld(1.0) == -np.inf and ld.error_band(1.0) == np.inf


@pytest.mark.parametrize("rho", RHOS)
def test_chebyshev_stochastic_within_band(rho):
    W = rook_rowstd(55, 50)  # N = 2,750: stochastic traces
    ld = approx.chebyshev_logdet(W, order=40, n_vectors=60, seed=21)
    assert ld.info["traces"] == "stochastic" and ld.n_vectors == 60
    ref = splu_logdet(W, rho)
    assert abs(ld(rho) - ref) <= ld.error_band(rho)
    assert abs(ld(rho) - ref) <= 4 * ld.standard_error(rho) + ld.n * 1e-8
    # the band is informative: well under 1 % of |log det|
    assert ld.error_band(rho) < 0.01 * abs(ref)


def test_chebyshev_with_rho_bounds_and_asymmetric_warning():
    W = knn_rowstd(200, 5, 7)
    ev = np.linalg.eigvals(W.toarray())
    with pytest.warns(ApproximationWarning):
        ld = approx.chebyshev_logdet(W, order=60)
    # knn eigenvalues are complex: check the value, the band is not guaranteed
    assert np.max(np.abs(ev.imag)) > 0
    assert ld(0.5) == pytest.approx(slogdet(W, 0.5), abs=1e-6)
    Wr = rook_rowstd(15, 15)
    ev = np.linalg.eigvalsh(sym(Wr))
    ld2 = approx.chebyshev_logdet(Wr, order=30, bounds=(1 / ev.min(), 1 / ev.max()))
    assert abs(ld2(0.7) - slogdet(Wr, 0.7)) <= ld2.error_band(0.7) + 1e-10


def sym(W):
    d = np.asarray((W > 0).sum(axis=1)).ravel()
    return np.diag(np.sqrt(d)) @ W.toarray() @ np.diag(1 / np.sqrt(d))


@pytest.mark.parametrize("rho", [-0.8, -0.3, 0.3, 0.6, 0.85])
def test_mc_within_band(rho):
    W = rook_rowstd(30, 30)
    ld = approx.mc_logdet(W, order=40, n_vectors=80, seed=2)
    assert ld.method == "mc"
    ref = slogdet(W, rho)
    assert abs(ld(rho) - ref) <= ld.error_band(rho)
    assert ld.error_band(rho) < 0.02 * abs(ref)


def test_mc_truncation_bound_and_exact_low_orders():
    W = rook_rowstd(10, 10)
    # order 2 uses only exact traces: error = truncation, within the deterministic bound
    ld = approx.mc_logdet(W, order=2, seed=0)
    for rho in (-0.5, 0.2, 0.5):
        assert ld.standard_error(rho) == 0.0
        assert abs(ld(rho) - slogdet(W, rho)) <= ld.error_band(rho)
    assert ld.error_band(1.0) == np.inf


def test_approx_reproducible_with_seed():
    W = rook_rowstd(50, 50)
    for f in (approx.mc_logdet, approx.chebyshev_logdet):
        a, b, c = f(W, seed=3), f(W, seed=3), f(W, seed=4)
        assert a(0.6) == b(0.6)
        assert a(0.6) != c(0.6)


def test_coverage_of_mc_band_over_seeds():
    # the Monte Carlo part is a 95 % interval: over 30 seeds few misses
    W = rook_rowstd(20, 20)
    ref = slogdet(W, 0.6)
    misses = sum(abs(approx.mc_logdet(W, seed=s)(0.6) - ref) > approx.mc_logdet(W, seed=s).error_band(0.6)
                 for s in range(30))
    assert misses <= 5


def test_make_logdet_dispatches_to_approximations():
    from spatialecon.estimation.logdet import make_logdet

    W = rook_rowstd(20, 20)
    for method in ("chebyshev", "mc"):
        ld = make_logdet(W, method, seed=1)
        assert ld.method == method
        assert callable(ld.error_band)
        assert abs(ld(0.5) - slogdet(W, 0.5)) <= ld.error_band(0.5)


def test_bad_options():
    W = rook_rowstd(5, 5)
    with pytest.raises(EstimationError):
        approx.chebyshev_logdet(W, order=0)
    with pytest.raises(EstimationError):
        approx.mc_logdet(W, level=1.5)
    with pytest.raises(EstimationError):
        approx.chebyshev_logdet(W, bounds=(0.5, 1.0))
    with pytest.raises(EstimationError):
        approx.chebyshev_logdet(W, traces="dense")


# ---------------------------------------------------------------------------
# exact sparse log-determinant with reused analysis

from spatialecon.estimation import sparse as sparse_ld  # noqa: E402

BACKENDS = ["superlu"] + (["cholmod"] if sparse_ld.cholmod_available() else [])


@pytest.mark.parametrize("backend", BACKENDS)
def test_sparse_logdet_exact(backend):
    W = rook_rowstd(18, 23)
    ld = sparse_ld.SparseLogDet(W, backend=backend)
    assert ld.method == ("cholesky" if backend == "cholmod" else "lu")
    # includes rho beyond the admissible interval (log|det| still defined) and repeated calls
    for rho in (0.5, -0.99, 0.999, 0.0, 0.3, 1.7, -1.4, 0.5):
        assert ld(rho) == pytest.approx(slogdet(W, rho), rel=1e-11, abs=1e-10), rho
    assert ld.n_calls == 8


def test_sparse_logdet_asymmetric_uses_superlu():
    W = knn_rowstd(250, 6, 8)
    ld = sparse_ld.SparseLogDet(W)
    assert ld.backend == "superlu"
    for rho in (-0.8, 0.4, 0.95):
        assert ld(rho) == pytest.approx(slogdet(W, rho), rel=1e-11)
    with pytest.raises(EstimationError):
        sparse_ld.SparseLogDet(W, backend="cholmod")
    with pytest.raises(EstimationError):
        sparse_ld.SparseLogDet(W, backend="umfpack")


@pytest.mark.parametrize("backend", BACKENDS)
def test_sparse_solver_both_transposes(backend):
    W = rook_rowstd(9, 11)
    A = np.eye(99) - 0.6 * W.toarray()
    b = np.random.default_rng(0).normal(size=(99, 3))
    s = sparse_ld.SparseLogDet(W, backend=backend).solver(0.6)
    np.testing.assert_allclose(A @ s.solve(b), b, atol=1e-10)
    np.testing.assert_allclose(A.T @ s.solve(b, trans="T"), b, atol=1e-10)
