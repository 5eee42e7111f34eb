"""Estimation core: log-determinants, bounds, likelihoods, optimiser, information matrices."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from libpysal.weights import lat2W

from spatialecon.errors import (
    BoundaryWarning,
    EstimationError,
    NonConvergenceError,
    OptionError,
    ParameterBoundError,
    SingularDesignError,
)
from spatialecon.estimation import bounds as bd
from spatialecon.estimation import covariance as cv
from spatialecon.estimation import likelihood as lk
from spatialecon.estimation import optimise as op
from spatialecon.estimation.logdet import make_logdet


def lattice(n: int, rook: bool = True, row: bool = True) -> sp.csr_matrix:
    w = lat2W(n, n, rook=rook)
    if row:
        w.transform = "r"
    return sp.csr_matrix(w.sparse, dtype=float)


def asymmetric(n: int = 60, k: int = 4, seed: int = 0) -> sp.csr_matrix:
    """Row-standardised k-nearest-neighbour W of random points (not symmetric-similar)."""
    rng = np.random.default_rng(seed)
    pts = rng.uniform(size=(n, 2))
    d = np.linalg.norm(pts[:, None] - pts[None], axis=2)
    np.fill_diagonal(d, np.inf)
    W = np.zeros((n, n))
    nn = np.argsort(d, axis=1)[:, :k]
    W[np.arange(n)[:, None], nn] = 1.0
    return sp.csr_matrix(W / W.sum(axis=1, keepdims=True))


def dense_logdet(W, rho):
    s, v = np.linalg.slogdet(np.eye(W.shape[0]) - rho * W.toarray())
    assert s > 0
    return v


# ----------------------------------------------------------------- log-det
@pytest.mark.parametrize("method", ["eigen", "lu", "cholesky", "auto"])
@pytest.mark.filterwarnings("error")
@pytest.mark.parametrize("make", [lambda: lattice(9), lambda: lattice(8, rook=False), lambda: asymmetric(),
                                  lambda: lattice(7, row=False)])
def test_logdet_matches_dense(method, make):
    W = make()
    lo, hi = bd.rho_interval(W)
    ld = make_logdet(W, method)
    for rho in np.linspace(lo, hi, 9)[1:-1]:
        assert ld(rho) == pytest.approx(dense_logdet(W, rho), abs=1e-10, rel=1e-12)
    assert ld.error_band is None
    assert ld.method in ("eigen", "lu", "cholesky")


def test_logdet_method_recorded():
    assert make_logdet(lattice(5), "auto").method == "eigen"
    # N = 1089 > 1000: sparse Cholesky of the symmetric form when scikit-sparse is installed, else LU
    try:
        from spatialecon.estimation.sparse import cholmod_available
        expected = "cholesky" if cholmod_available() else "lu"
    except ImportError:
        expected = "lu"
    assert make_logdet(lattice(33), "auto").method == expected
    assert make_logdet(asymmetric(1100, k=3), "auto").method == "lu"
    assert make_logdet(lattice(5), "cholesky").method == "cholesky"
    # not similar to a symmetric matrix: the symmetric route is impossible, LU is used and recorded
    assert make_logdet(asymmetric(), "cholesky").method == "lu"


def test_logdet_bad_option():
    with pytest.raises(OptionError, match="eigen"):
        make_logdet(lattice(3), "svd")


# ----------------------------------------------------------------- bounds
def test_symmetric_form_is_similar():
    W = lattice(6, rook=False)
    S, d = bd.symmetric_form(W)
    assert abs(S - S.T).max() < 1e-14
    ev_w = np.sort(np.linalg.eigvals(W.toarray()).real)
    assert np.allclose(np.sort(np.linalg.eigvalsh(S.toarray())), ev_w, atol=1e-10)
    assert bd.symmetric_form(asymmetric()) is None


@pytest.mark.parametrize("make", [lambda: lattice(7), lambda: asymmetric(), lambda: lattice(6, row=False)])
def test_rho_interval_dense(make):
    W = make()
    ev = np.linalg.eigvals(W.toarray())
    real = ev.real[np.abs(ev.imag) < 1e-9]
    lo, hi = bd.rho_interval(W)
    assert lo == pytest.approx(1 / real.min(), rel=1e-10)
    assert hi == pytest.approx(1 / real.max(), rel=1e-10)


def test_rho_interval_not_fixed_interval():
    # binary (not row-standardised) lattice: bounds are far from (-1, 1)
    lo, hi = bd.rho_interval(lattice(6, row=False))
    assert hi < 0.3 and lo > -0.3


def test_rho_interval_sparse_path():
    # rook lattice is bipartite: the spectrum of the row-standardised W is symmetric, so (-1, 1)
    W = lattice(50)  # N = 2500 > DENSE_EIGEN_MAX -> ARPACK
    lo, hi = bd.rho_interval(W)
    assert lo == pytest.approx(-1.0, abs=1e-8) and hi == pytest.approx(1.0, abs=1e-12)


# ----------------------------------------------------------------- likelihood
@pytest.fixture(scope="module")
def sim():
    rng = np.random.default_rng(42)
    W = lattice(10)
    n = W.shape[0]
    X = np.column_stack([np.ones(n), rng.normal(size=n), rng.normal(size=n)])
    A = np.eye(n) - 0.4 * W.toarray()
    B = np.eye(n) - 0.3 * W.toarray()
    y = np.linalg.solve(A, X @ [1.0, 2.0, -1.0] + np.linalg.solve(B, rng.normal(size=n)))
    return W, X, y


def test_lag_profile_equals_full_loglik(sim):
    W, X, y = sim
    n = len(y)
    ld = make_logdet(W, "eigen")
    prof = lk.LagProfile(y, X, lambda v: W @ v, ld, n)
    for rho in (-0.5, 0.0, 0.35, 0.8):
        est = prof.estimates(rho)
        # independent check: OLS of A y on X by normal equations, dense determinant
        Ay = y - rho * (W @ y)
        b = np.linalg.solve(X.T @ X, X.T @ Ay)
        e = Ay - X @ b
        s2 = e @ e / n
        ref = -n / 2 * np.log(2 * np.pi * s2) - n / 2 + dense_logdet(W, rho)
        assert prof(rho) == pytest.approx(ref, rel=1e-12)
        assert np.allclose(est["beta"], b, atol=1e-10)
        full = lk.loglik_full(est["beta"], rho, 0.0, est["sigma2"], y, X, lambda v: W @ v, ld, None, n)
        assert full == pytest.approx(ref, rel=1e-12)


def test_error_and_sac_profiles_equal_full(sim):
    W, X, y = sim
    n = len(y)
    ld = make_logdet(W, "lu")
    lag = lambda v: W @ v  # noqa: E731
    ep = lk.ErrorProfile(y, X, lag, ld, n)
    est = ep.estimates(0.3)
    assert ep(0.3) == pytest.approx(lk.loglik_full(est["beta"], 0.0, 0.3, est["sigma2"], y, X, lag, None, ld, n),
                                    rel=1e-12)
    sp_ = lk.SACProfile(y, X, lag, ld, ld, n)
    est = sp_.estimates(0.4, -0.2)
    assert sp_(0.4, -0.2) == pytest.approx(
        lk.loglik_full(est["beta"], 0.4, -0.2, est["sigma2"], y, X, lag, ld, ld, n), rel=1e-12)


def test_singular_design_in_core():
    X = np.column_stack([np.ones(5), np.ones(5)])
    with pytest.raises(SingularDesignError):
        lk.ols(np.arange(5.0), X)


# ----------------------------------------------------------------- optimiser
def test_maximise_scalar_finds_global_maximum():
    # two local maxima; the grid must find the higher one at 0.7
    f = lambda r: np.exp(-((r + 0.6) ** 2) / 0.01) + 2 * np.exp(-((r - 0.7) ** 2) / 0.01)  # noqa: E731
    res = op.maximise_scalar(f, (-1, 1), n_grid=21)
    assert res["x"] == pytest.approx(0.7, abs=1e-6)


def test_boundary_handling():
    f = lambda r: r  # noqa: E731  increasing: optimum at the upper bound
    with pytest.warns(BoundaryWarning, match="rho"):
        res = op.maximise_scalar(f, (-1, 0.5))
    assert res["at_bound"]
    with pytest.raises(ParameterBoundError):
        op.maximise_scalar(f, (-1, 0.5), on_bound="raise")
    assert op.maximise_scalar(f, (-1, 0.5), on_bound="ignore")["at_bound"]
    with pytest.raises(OptionError):
        op.maximise_scalar(f, (-1, 0.5), on_bound="maybe")


def test_nonconvergence():
    with pytest.raises(NonConvergenceError):
        op.maximise_scalar(lambda r: np.nan, (-1, 1))
    with pytest.raises(NonConvergenceError):
        op.maximise_2d(lambda a, b: np.nan, [(-1, 1), (-1, 1)], [(0, 0)])


# ----------------------------------------------------------------- traces and information matrix
def test_traces_exact_against_eigenvalues():
    W = lattice(8)
    S, _ = bd.symmetric_form(W)
    ev = np.linalg.eigvalsh(S.toarray())
    rho = 0.45
    t = cv.lag_traces(W, rho)
    g = ev / (1 - rho * ev)
    assert t["tr_G"] == pytest.approx(g.sum(), abs=1e-10)
    assert t["tr_GG"] == pytest.approx((g ** 2).sum(), abs=1e-10)
    G = W.toarray() @ np.linalg.inv(np.eye(64) - rho * W.toarray())
    assert t["tr_GtG"] == pytest.approx(np.sum(G * G), rel=1e-12)


def torus(m: int) -> sp.csr_matrix:
    """Row-standardised rook torus (every unit has 4 neighbours): eigenvalues are known in closed form,
    (cos(2 pi i / m) + cos(2 pi j / m)) / 2."""
    c = sp.diags([np.ones(m - 1), np.ones(m - 1)], [1, -1], shape=(m, m), format="lil")
    c[0, m - 1] = c[m - 1, 0] = 1.0
    c = sp.csr_matrix(c)
    eye = sp.identity(m, format="csr")
    return sp.csr_matrix((sp.kron(c, eye) + sp.kron(eye, c)) / 4.0)


def test_traces_large_n_route():
    """Above DENSE_TRACE_MAX the traces come from estimation.traces (stochastic) or raise explicitly."""
    m = 60
    W = torus(m)  # N = 3600
    try:
        import spatialecon.estimation.traces  # noqa: F401
    except ImportError:
        with pytest.raises(EstimationError, match="traces"):
            cv.lag_traces(W, 0.3)
        return
    t = cv.lag_traces(W, 0.3, seed=0)
    assert t["method"] != "exact"
    k = 2 * np.pi * np.arange(m) / m
    ev = ((np.cos(k)[:, None] + np.cos(k)[None, :]) / 2).ravel()
    g = ev / (1 - 0.3 * ev)
    assert t["tr_G"] == pytest.approx(g.sum(), rel=1e-3)
    assert t["tr_GG"] == pytest.approx((g ** 2).sum(), rel=1e-3)
    assert t["tr_GtG"] == pytest.approx((g ** 2).sum(), rel=1e-3)  # W symmetric: G'G = GG


def _ml_point(kind, W, X, y):
    n = len(y)
    ld = make_logdet(W, "eigen")
    lag = lambda v: W @ v  # noqa: E731
    b = bd.rho_interval(W)
    if kind == "sar":
        prof = lk.LagProfile(y, X, lag, ld, n)
        est = prof.estimates(op.maximise_scalar(prof, b)["x"])
        GXb = W @ cv.solve_A(W, est["rho"], X @ est["beta"])
        V = cv.cov_lag(X, GXb, est["sigma2"], n, cv.lag_traces(W, est["rho"]))
        theta = np.r_[est["beta"], est["rho"], est["sigma2"]]

        def ll(t):
            return lk.loglik_full(t[:-2], t[-2], 0.0, t[-1], y, X, lag, ld, None, n)
    elif kind == "sem":
        prof = lk.ErrorProfile(y, X, lag, ld, n)
        est = prof.estimates(op.maximise_scalar(prof, b, name="lambda")["x"])
        V = cv.cov_error(X, W @ X, est["lam"], est["sigma2"], n, cv.lag_traces(W, est["lam"]))
        theta = np.r_[est["beta"], est["lam"], est["sigma2"]]

        def ll(t):
            return lk.loglik_full(t[:-2], 0.0, t[-2], t[-1], y, X, lag, None, ld, n)
    else:
        prof = lk.SACProfile(y, X, lag, ld, ld, n)
        x = op.maximise_2d(prof, [b, b], [(0.3, 0.2)])["x"]
        est = prof.estimates(*x)
        GXb = W @ cv.solve_A(W, est["rho"], X @ est["beta"])
        V = cv.cov_sac(X, W @ X, GXb - est["lam"] * (W @ GXb), est["sigma2"], est["lam"], n,
                       cv.sac_traces(W, est["rho"], est["lam"]))
        theta = np.r_[est["beta"], est["rho"], est["lam"], est["sigma2"]]

        def ll(t):
            return lk.loglik_full(t[:-3], t[-3], t[-2], t[-1], y, X, lag, ld, ld, n)
    return V, theta, ll


def _fisher_numerical(W, X, theta, kind):
    """Fisher information of y ~ N(mu, Sigma) by numerical derivatives of mu(theta) and Sigma(theta):
    I_ij = mu_i' Sigma^-1 mu_j + tr(Sigma^-1 Sigma_i Sigma^-1 Sigma_j) / 2 (independent of our formulas)."""
    Wd = W.toarray()
    n, k = X.shape

    def unpack(t):
        beta = t[:k]
        rho = t[k] if kind in ("sar", "sac") else 0.0
        lam = t[-2] if kind in ("sem", "sac") else 0.0
        return beta, rho, lam, t[-1]

    def mu_sigma(t):
        beta, rho, lam, s2 = unpack(t)
        A = np.eye(n) - rho * Wd
        P = np.linalg.inv((np.eye(n) - lam * Wd) @ A)
        return np.linalg.solve(A, X @ beta), s2 * P @ P.T

    p = len(theta)
    h = 1e-5
    dmu, dS = [], []
    for i in range(p):
        e = np.zeros(p)
        e[i] = h
        m1, S1 = mu_sigma(theta + e)
        m0, S0 = mu_sigma(theta - e)
        dmu.append((m1 - m0) / (2 * h))
        dS.append((S1 - S0) / (2 * h))
    Si = np.linalg.inv(mu_sigma(theta)[1])
    info = np.empty((p, p))
    for i in range(p):
        for j in range(p):
            info[i, j] = dmu[i] @ Si @ dmu[j] + 0.5 * np.trace(Si @ dS[i] @ Si @ dS[j])
    return info


@pytest.mark.parametrize("kind", ["sar", "sem", "sac"])
def test_analytic_information_equals_fisher_information(sim, kind):
    W, X, y = sim
    V, theta, _ = _ml_point(kind, W, X, y)
    Vf = np.linalg.inv(_fisher_numerical(W, X, theta, kind))
    assert np.allclose(np.sqrt(np.diag(V)), np.sqrt(np.diag(Vf)), rtol=1e-6, atol=0)
    assert np.allclose(V, Vf, rtol=1e-5, atol=1e-9 * np.abs(V).max())


@pytest.mark.parametrize("kind", ["sar", "sem", "sac"])
def test_analytic_se_close_to_observed_hessian(sim, kind):
    """Expected and observed information agree only asymptotically: a loose sanity check."""
    W, X, y = sim
    V, theta, ll = _ml_point(kind, W, X, y)
    Vn = np.linalg.inv(-cv.numerical_hessian(ll, theta))
    assert np.allclose(np.sqrt(np.diag(V)), np.sqrt(np.diag(Vn)), rtol=0.25)


def test_analytic_equals_numerical_hessian_for_beta_and_sigma_block(sim):
    """At the ML point the observed information for (beta, sigma2) in SEM equals the expected one
    exactly (the beta-lambda and beta-sigma2 cross terms vanish at the MLE)."""
    W, X, y = sim
    V, theta, ll = _ml_point("sem", W, X, y)
    H = cv.numerical_hessian(ll, theta)
    k = X.shape[1]
    Ibb = -H[:k, :k]
    assert np.allclose(np.linalg.inv(Ibb), V[:k, :k], rtol=1e-5)


def test_sac_traces_stochastic_close_to_exact():
    pytest.importorskip("spatialecon.estimation.traces")
    W = lattice(20)
    a = cv.sac_traces(W, 0.4, -0.3, method="exact")
    b = cv.sac_traces(W, 0.4, -0.3, method="stochastic", seed=3, n_vectors=300)
    assert b["method"] == "stochastic"
    for key in ("tr_KtK", "tr_GAGB", "tr_KtGB"):
        assert abs(b[key] - a[key]) < 4 * b["se"][key] + 1e-9, key
        assert abs(b[key] / a[key] - 1) < 0.03
    for key in ("tr_GA", "tr_GAGA", "tr_GB", "tr_GBGB", "tr_GBtGB"):
        assert b[key] == pytest.approx(a[key], rel=5e-3)


@pytest.mark.parametrize("make", [lambda: lattice(34), lambda: lattice(33, rook=False)])
def test_sparse_logdets_agree_large(make):
    """N > 1000: LU, Cholesky (both backends where available) and the dense value agree."""
    W = make()
    lo, hi = bd.rho_interval(W)
    lu, ch = make_logdet(W, "lu"), make_logdet(W, "cholesky")
    for rho in (lo * 0.99, -0.3, 0.5, hi * 0.999):
        ref = dense_logdet(W, rho)
        assert lu(rho) == pytest.approx(ref, abs=1e-9)
        assert ch(rho) == pytest.approx(ref, abs=1e-9)
