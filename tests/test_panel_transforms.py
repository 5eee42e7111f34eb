"""Panel transformations, Lee-Yu closed forms and bad-input checks (no estimation core needed).

The closed forms of :mod:`spatialecon.estimation.panel` are checked against the explicit
Lee-Yu (2010) transformation with the orthonormal matrices F_{T,T-1} and F_{N,N-1}.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from libpysal.graph import Graph

from spatialecon.errors import DataError, EstimationError, PanelError, SingularDesignError, WeightsError
from spatialecon.estimation import panel as pt
from spatialecon.models._panel import prepare_panel

N, T = 12, 5


def _ring_graph(n, ids=None, k=2):
    ids = ids or [f"r{i:02d}" for i in range(n)]
    rows = []
    for i in range(n):
        for d in range(1, k + 1):
            rows += [(ids[i], ids[(i + d) % n]), (ids[i], ids[(i - d) % n])]
    adj = pd.DataFrame(rows, columns=["focal", "neighbor"]).drop_duplicates()
    adj["weight"] = 1.0
    return Graph.from_adjacency(adj).transform("r")


def _W_dense(n=N, seed=0):
    rng = np.random.default_rng(seed)
    A = (rng.random((n, n)) < 0.3).astype(float)
    np.fill_diagonal(A, 0)
    A[np.arange(n), (np.arange(n) + 1) % n] = 1.0
    return A / A.sum(axis=1, keepdims=True)


def _panel(n=N, t=T, seed=1, k=2):
    rng = np.random.default_rng(seed)
    ids = [f"r{i:02d}" for i in range(n)]
    idx = pd.MultiIndex.from_product([ids, range(2000, 2000 + t)], names=["region", "year"])
    X = pd.DataFrame(rng.normal(size=(n * t, k)), index=idx, columns=[f"x{j}" for j in range(k)])
    y = pd.Series(rng.normal(size=n * t), index=idx, name="y")
    return y, X, _ring_graph(n, ids)


# ----------------------------------------------------------------- transforms
@pytest.mark.parametrize("effects", ["region", "time", "twoways"])
def test_demean_equals_projection_matrix(effects):
    rng = np.random.default_rng(3)
    a = rng.normal(size=(N * T, 3))
    QT = np.eye(T) - np.full((T, T), 1 / T)
    QN = np.eye(N) - np.full((N, N), 1 / N)
    Q = {"region": np.kron(QT, np.eye(N)), "time": np.kron(np.eye(T), QN), "twoways": np.kron(QT, QN)}[effects]
    np.testing.assert_allclose(pt.demean(a, N, T, effects), Q @ a, atol=1e-12)
    np.testing.assert_allclose(pt.demean(a[:, 0], N, T, effects), Q @ a[:, 0], atol=1e-12)


def test_quasi_demean_is_omega_inverse_sqrt():
    """theta-transformation = sigma * Omega^{-1/2} for Omega = s2 (I + phi J_T) kron I_N."""
    phi = 0.7
    Om = np.kron(np.eye(T) + phi * np.ones((T, T)), np.eye(N))
    vals, vecs = np.linalg.eigh(Om)
    Om_mhalf = vecs @ np.diag(vals**-0.5) @ vecs.T
    a = np.random.default_rng(4).normal(size=N * T)
    np.testing.assert_allclose(pt.quasi_demean(a, N, T, pt.re_theta(phi, T)), Om_mhalf @ a, atol=1e-12)
    # and the Jacobian term -(N/2) log(1 + T phi) = -1/2 log|Omega| for s2 = 1
    np.testing.assert_allclose(-0.5 * np.linalg.slogdet(Om)[1], -0.5 * N * np.log1p(T * phi), rtol=1e-12)


def test_orthonormal_deviation():
    F = pt.orthonormal_deviation(T)
    assert F.shape == (T, T - 1)
    np.testing.assert_allclose(F.T @ F, np.eye(T - 1), atol=1e-12)
    np.testing.assert_allclose(F.T @ np.ones(T), 0, atol=1e-12)


# -------------------------------------------------------- Lee-Yu closed forms
def _explicit_ll(y, X, W, rho, beta, effects):
    """Concentrated-on-sigma2 log-likelihood of the explicitly F-transformed SAR model."""
    FT = pt.orthonormal_deviation(T)
    FN = pt.orthonormal_deviation(N)
    if effects == "region":
        L, Ws, Tn = np.kron(FT.T, np.eye(N)), W, T - 1
    elif effects == "time":
        L, Ws, Tn = np.kron(np.eye(T), FN.T), FN.T @ W @ FN, T
    else:  # twoways
        L, Ws, Tn = np.kron(FT.T, FN.T), FN.T @ W @ FN, T - 1
    n_r = Ws.shape[0]
    ys, Xs = L @ y, L @ X
    Wys = np.kron(np.eye(Tn), Ws) @ ys
    e = ys - rho * Wys - Xs @ beta
    n = len(ys)
    s2 = e @ e / n
    ld = Tn * np.linalg.slogdet(np.eye(n_r) - rho * Ws)[1]
    return -n / 2 * (np.log(2 * np.pi * s2) + 1) + ld, s2, n


@pytest.mark.parametrize("effects", ["region", "time", "twoways"])
@pytest.mark.parametrize("rho", [-0.3, 0.2, 0.6])
def test_lee_yu_closed_form_matches_explicit_transformation(effects, rho):
    W = _W_dense()
    rng = np.random.default_rng(5)
    y, X = rng.normal(size=N * T), rng.normal(size=(N * T, 2))
    beta = np.array([0.4, -1.1])
    ll_ex, s2_ex, n_ex = _explicit_ll(y, X, W, rho, beta, effects)
    # closed form: demeaned data, n_eff, logdet_panel, lee_yu_sigma2
    Wbig = np.kron(np.eye(T), W)
    Qy, QX = pt.demean(y, N, T, effects), pt.demean(X, N, T, effects)
    QWy = pt.demean(Wbig @ y, N, T, effects)
    e = Qy - rho * QWy - QX @ beta
    n = pt.n_effective(N, T, effects, lee_yu=True)
    assert n == n_ex
    s2 = pt.lee_yu_sigma2(e @ e, N, T, effects)
    ld_W = np.linalg.slogdet(np.eye(N) - rho * W)[1]
    ll = -n / 2 * (np.log(2 * np.pi * s2) + 1) + pt.logdet_panel(ld_W, rho, T, effects, lee_yu=True)
    np.testing.assert_allclose(s2, s2_ex, rtol=1e-10)
    np.testing.assert_allclose(ll, ll_ex, rtol=1e-10)


def test_lee_yu_region_sigma2_is_T_over_T_minus_1():
    """Region effects: same SSE, so sigma2_LY / sigma2_direct = T/(T-1) exactly; and the two
    likelihoods are proportional in rho (same maximiser)."""
    sse = 12.34
    direct = sse / pt.n_effective(N, T, "region", lee_yu=False)
    np.testing.assert_allclose(pt.lee_yu_sigma2(sse, N, T, "region") / direct, T / (T - 1), rtol=1e-14)
    W = _W_dense()
    rng = np.random.default_rng(6)
    y, X = rng.normal(size=N * T), rng.normal(size=(N * T, 2))
    Wy = np.kron(np.eye(T), W) @ y
    Qy, QX, QWy = (pt.demean(a, N, T, "region") for a in (y, X, Wy))

    def conc(rho, lee_yu):
        r = Qy - rho * QWy
        e = r - QX @ np.linalg.lstsq(QX, r, rcond=None)[0]
        n = pt.n_effective(N, T, "region", lee_yu=lee_yu)
        ld = pt.logdet_panel(np.linalg.slogdet(np.eye(N) - rho * W)[1], rho, T, "region", lee_yu=lee_yu)
        return -n / 2 * np.log(e @ e / n) + ld

    grid = np.linspace(-0.8, 0.9, 341)
    a = np.array([conc(r, False) for r in grid])
    b = np.array([conc(r, True) for r in grid])
    assert grid[a.argmax()] == grid[b.argmax()]
    np.testing.assert_allclose(a - a.mean(), (T / (T - 1)) * (b - b.mean()), atol=1e-9)


@pytest.mark.parametrize("effects,lee_yu", [(None, False), ("region", False), ("region", True),
                                            ("twoways", False), ("twoways", True), ("time", True)])
def test_panel_traces_against_explicit(effects, lee_yu):
    W, rho = _W_dense(), 0.35
    got = pt.panel_traces(sp.csr_matrix(W), rho, T=T, effects=effects, lee_yu=lee_yu)
    if lee_yu and effects in ("time", "twoways"):
        FN = pt.orthonormal_deviation(N)
        Ws = FN.T @ W @ FN
    else:
        Ws = W
    G = Ws @ np.linalg.inv(np.eye(Ws.shape[0]) - rho * Ws)
    mult = T - 1 if (lee_yu and effects in ("region", "twoways")) else T
    np.testing.assert_allclose(got["tr_G"], mult * np.trace(G), rtol=1e-10)
    np.testing.assert_allclose(got["tr_GG"], mult * np.trace(G @ G), rtol=1e-10)
    np.testing.assert_allclose(got["tr_GtG"], mult * np.trace(G.T @ G), rtol=1e-10)


# -------------------------------------------------------------- the design
def test_design_stacking_time_major_and_lag():
    y, X, w = _panel()
    d = prepare_panel(y.sample(frac=1.0, random_state=0), X, w, effects=None)
    assert d.names == ["const", "x0", "x1"]
    ids = sorted(y.index.get_level_values(0).unique())
    assert list(d.ids) == ids and list(d.index[:N].get_level_values(0)) == ids
    assert d.index[N] == (ids[0], 2001)
    np.testing.assert_allclose(d.y, y.loc[list(d.index)].to_numpy())
    Wd = w.sparse.toarray()  # ids already sorted
    np.testing.assert_allclose(d.lag(d.y), np.kron(np.eye(T), Wd) @ d.y, atol=1e-12)


def test_durbin_terms_formed_before_demeaning():
    y, X, w = _panel()
    d = prepare_panel(y, X, w, effects="twoways", durbin_names=["x0"])
    assert d.names == ["x0", "x1", "W_x0"]
    raw = X.loc[list(d.index), "x0"].to_numpy()
    Wbig = np.kron(np.eye(T), w.sparse.toarray())
    np.testing.assert_allclose(d.X[:, 2], pt.demean(Wbig @ raw, N, T, "twoways"), atol=1e-12)


def test_time_varying_W_lag_and_logdet_sum():
    y, X, w = _panel()
    w2 = _ring_graph(N, k=1)
    years = list(range(2000, 2000 + T))
    wt = {t: (w if t < 2003 else w2) for t in years}
    d = prepare_panel(y, X, wt, effects="time")
    blocks = [(w if t < 2003 else w2).sparse.toarray() for t in years]
    big = sp.block_diag(blocks).toarray()
    np.testing.assert_allclose(d.lag_raw(d.y_raw), big @ d.y_raw, atol=1e-12)
    assert d.W is None and len(d.W_t) == T
    # logdet is the sum over the years, not T times one year
    rho = 0.3
    expect = sum(np.linalg.slogdet(np.eye(N) - rho * B)[1] for B in blocks)
    np.testing.assert_allclose(d.logdet(rho), expect, rtol=1e-10)
    lo, hi = d.rho_bounds
    assert hi == pytest.approx(1.0)
    # the package's TimeVaryingW is accepted as well
    from spatialecon.weights import time_varying

    d2 = prepare_panel(y, X, time_varying(wt), effects=None)
    np.testing.assert_allclose(d2.lag_raw(d2.y_raw), big @ d2.y_raw, atol=1e-12)
    with pytest.raises(EstimationError, match="time-varying"):
        prepare_panel(y, X, wt, effects="random")
    with pytest.raises(EstimationError, match="constant W"):
        prepare_panel(y, X, wt, effects="region", lee_yu=True)


# ------------------------------------------------------------- bad inputs
def test_unbalanced_lists_missing_cells():
    y, X, w = _panel()
    drop = [("r03", 2002), ("r07", 2004)]
    with pytest.raises(PanelError, match=r"2 missing.*\(r03, 2002\).*\(r07, 2004\).*balanced\(\)"):
        prepare_panel(y.drop(drop), X.drop(drop), w, effects="region")


def test_duplicate_cells():
    y, X, w = _panel()
    y2 = pd.concat([y, y.iloc[[4]]])
    with pytest.raises(PanelError, match="duplicate.*r00"):
        prepare_panel(y2, X, w, effects="region")


def test_w_not_covering_regions():
    y, X, _ = _panel()
    w = _ring_graph(N - 1)
    with pytest.raises(WeightsError, match="r11"):
        prepare_panel(y, X, w, effects="region")


def test_time_varying_w_missing_year():
    y, X, w = _panel()
    wt = {t: w for t in range(2000, 2000 + T) if t != 2003}
    with pytest.raises(WeightsError, match="2003"):
        prepare_panel(y, X, wt, effects=None)


def test_fewer_than_two_periods():
    y, X, w = _panel(t=1)
    with pytest.raises(PanelError, match="at least 2 periods"):
        prepare_panel(y, X, w, effects="region")


def test_regressor_constant_within_regions():
    y, X, w = _panel()
    X = X.assign(area=np.repeat(np.arange(N, dtype=float), T))
    with pytest.raises(SingularDesignError, match=r"\['area'\].*constant within regions"):
        prepare_panel(y, X, w, effects="region")
    prepare_panel(y, X, w, effects="time")  # fine: varies across regions within a period


def test_time_dummies_collinear_with_time_effects():
    """spreg#199: year dummies next to time fixed effects must raise, not silently change results."""
    y, X, w = _panel()
    yr = X.index.get_level_values(1)
    D = pd.get_dummies(yr, prefix="y", dtype=float).set_index(X.index)
    with pytest.raises(SingularDesignError, match="no variation|rank deficient"):
        prepare_panel(y, pd.concat([X, D], axis=1), w, effects="twoways")
    # a linear trend is collinear with time effects as well
    with pytest.raises(SingularDesignError, match="trend"):
        prepare_panel(y, X.assign(trend=yr.to_numpy(float)), w, effects="time")


def test_collinear_regressors_named():
    y, X, w = _panel()
    X = X.assign(x2=X["x0"] + 2 * X["x1"])
    with pytest.raises(SingularDesignError, match="rank deficient.*x"):
        prepare_panel(y, X, w, effects="region")


def test_other_bad_inputs():
    y, X, w = _panel()
    with pytest.raises(DataError, match="missing values"):
        prepare_panel(y.where(y.index != ("r01", 2001)), X, w)
    with pytest.raises(EstimationError, match="lee_yu"):
        prepare_panel(y, X, w, effects="random", lee_yu=True)
    with pytest.raises(PanelError, match="MultiIndex"):
        prepare_panel(y.reset_index(drop=True), X, w)
    from spatialecon.errors import OptionError

    with pytest.raises(OptionError, match="effects"):
        prepare_panel(y, X, w, effects="individual")
    wbin = Graph.from_adjacency(w.adjacency.reset_index().assign(weight=1.0))  # binary, not row-standardised
    with pytest.raises(WeightsError, match="row-standardised"):
        prepare_panel(y, X, wbin, effects="twoways")


def test_constant_dropped_under_fixed_effects_and_kept_otherwise():
    y, X, w = _panel()
    Xc = X.assign(const=1.0)
    assert "const" not in prepare_panel(y, Xc, w, effects="region").names
    assert prepare_panel(y, X, w, effects=None).names[0] == "const"
    assert prepare_panel(y, X, w, effects="random").names[0] == "const"


# ------------------------------------------ random effects: explicit densities
def _mvn_loglik(y, mean, cov):
    sign, logdet = np.linalg.slogdet(cov)
    r = y - mean
    return -0.5 * (len(y) * np.log(2 * np.pi) + logdet + r @ np.linalg.solve(cov, r))


@pytest.mark.parametrize("kind", ["lag", "error"])
def test_random_effects_design_likelihood_equals_explicit_density(kind):
    """With phi fixed, the design's transformed SSE and logdet reproduce the exact Gaussian
    log-density: SAR-RE (Elhorst 2003) and the KKP spatial-error RE model."""
    n, t = 6, 3
    y, X, w = _panel(n=n, t=t, seed=9, k=1)
    d0 = prepare_panel(y, X, w, effects="random")
    phi, coef, s2 = 0.8, 0.35, 1.7
    d = d0.with_phi(phi)
    beta = np.array([0.5, -1.2])  # const, x0
    Wd = d.W.toarray()
    B = np.eye(n) - coef * Wd
    Om = s2 * np.kron(np.eye(t) + phi * np.ones((t, t)), np.eye(n))  # Var(mu + v), time-major
    Abig = np.kron(np.eye(t), B)
    yr, Xr = d.y_raw, d.X_raw
    if kind == "lag":
        Ainv = np.linalg.inv(Abig)
        exact = _mvn_loglik(yr, Ainv @ Xr @ beta, Ainv @ Om @ Ainv.T)
        e = d.y - coef * d.lag(d.y) - d.X @ beta
    else:
        Ainv = np.linalg.inv(Abig)
        exact = _mvn_loglik(yr, Xr @ beta, Ainv @ Om @ Ainv.T)
        u = d.y - d.X @ beta
        e = u - coef * d.lag(u)
    ours = -d.n_eff / 2 * np.log(2 * np.pi * s2) - e @ e / (2 * s2) + d.logdet(coef)
    np.testing.assert_allclose(ours, exact, rtol=1e-10)


def test_time_region_index_order_detected():
    y, X, w = _panel()
    with pytest.raises(PanelError, match="swaplevel"):
        prepare_panel(y.swaplevel(), X.swaplevel(), w, effects="region")
