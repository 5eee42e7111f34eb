"""Panel estimation through the model classes (se.SAR/SEM/SDM/OLS with effects=...).

Same references as test_panel.py (spreg JSON, R plm JSON); here the full path is tested:
prepare_panel -> estimation core -> SpatialResults (params, SEs, sigma2, loglik, fixed effects).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

import spatialecon.models as sm

REF = Path(__file__).resolve().parent / "reference"
sys.path.insert(0, str(REF))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from panel_data import REGRESSORS, produc, us48_graph  # noqa: E402

pytestmark = pytest.mark.skipif(not hasattr(sm, "SAR"), reason="model classes not available yet")

SPREG = json.loads((REF / "panel_spreg.json").read_text())
PLM = json.loads((REF / "panel_plm.json").read_text())


@pytest.fixture(scope="module")
def data():
    return produc(), us48_graph()


def _fit(cls, data, **kw):
    df, w = data
    return cls(df["lgsp"], df[REGRESSORS], w, **kw).fit()


@pytest.mark.parametrize("kind", ["lag", "error"])
@pytest.mark.parametrize("effects", ["region", "time", "twoways"])
def test_fe_models_match_spreg(data, kind, effects):
    r = _fit(sm.SAR if kind == "lag" else sm.SEM, data, effects=effects)
    ref = SPREG[f"{kind}_{effects}"]
    coef = "rho" if kind == "lag" else "lambda"
    assert list(r.params.index) == REGRESSORS + [coef]
    np.testing.assert_allclose(r.params[coef], ref["rho" if kind == "lag" else "lam"], atol=1e-5)
    np.testing.assert_allclose(r.bse[coef], ref["rho_se" if kind == "lag" else "lam_se"], rtol=2e-5)
    for name in REGRESSORS:
        np.testing.assert_allclose(r.params[name], ref["params"][name], rtol=1e-4, atol=1e-5)
        np.testing.assert_allclose(r.bse[name], ref["se"][name], rtol=2e-5)
    np.testing.assert_allclose(r.sigma2, ref["sig2"], rtol=2e-5)
    np.testing.assert_allclose(r.loglik, ref["logll"], rtol=1e-7)
    assert r.nobs == 816 and r.n_periods == 17 and len(r.ids) == 48
    assert r.spec.effects == effects


def test_random_effects_sar_matches_spreg(data):
    """Point estimates, theta and loglik equal spreg.ML_LagRE. SEs are not compared: spreg's
    information matrix has dimensionally inconsistent phi entries (-tr(G)/s2 for (rho, phi),
    N(1 + 1/phi^2), -N/s2); ours are checked against the numerical Hessian below."""
    r = _fit(sm.SAR, data, effects="random")
    ref = SPREG["lag_random"]
    np.testing.assert_allclose(r.params["rho"], ref["rho"], atol=2e-5)
    for name in ["const"] + REGRESSORS:
        np.testing.assert_allclose(r.params[name], ref["params"][name], rtol=2e-4, atol=1e-5)
    np.testing.assert_allclose(r.loglik, ref["logll"], rtol=1e-8)
    np.testing.assert_allclose(r.info["theta"], ref["theta"], rtol=2e-4)


def test_within_ols_matches_plm(data):
    r = _fit(sm.OLS, data, effects="region")
    ref = PLM["within_region"]
    for name in REGRESSORS:
        np.testing.assert_allclose(r.params[name], ref["params"][name], rtol=1e-9)


def test_lee_yu_region_closed_form(data):
    r0 = _fit(sm.SAR, data, effects="region")
    r1 = _fit(sm.SAR, data, effects="region", lee_yu=True)
    np.testing.assert_allclose(r1.params.to_numpy(), r0.params.to_numpy(), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(r1.sigma2 / r0.sigma2, 17 / 16, rtol=1e-6)
    assert r1.spec.lee_yu


def test_region_effects_attached(data):
    r = _fit(sm.SAR, data, effects="twoways")
    fx = r.info["region_effects"]
    assert list(fx.index) == list(r.ids) and {"mu", "deviation", "se"} <= set(fx.columns)
    np.testing.assert_allclose(fx["deviation"].sum(), 0.0, atol=1e-9)
    assert len(r.info["time_effects"]) == 17


def test_hausman_and_lm_through_models(data):
    from spatialecon.results.panel_tests import panel_lm_tests, spatial_hausman

    fe = _fit(sm.SAR, data, effects="region")
    re = _fit(sm.SAR, data, effects="random")
    h = spatial_hausman(fe, re)
    assert h.df == len(REGRESSORS) + 1 and np.isfinite(h.stat)
    ols = _fit(sm.OLS, data, effects="region")
    lm = panel_lm_tests(ols)
    df, w = data
    from spatialecon.models._panel import prepare_panel
    from spatialecon.results.panel_tests import panel_lm_arrays

    d = prepare_panel(df["lgsp"], df[REGRESSORS], w, effects="region")
    ref = panel_lm_arrays(d.y, d.X, d.W, T=d.T, effects="region")
    np.testing.assert_allclose(lm["lm_error"].stat, ref["lm_error"].stat, rtol=1e-10)


def _sim_re(n, t, coef, seed, kind):
    import pandas as pd
    import scipy.sparse as sp
    import scipy.sparse.linalg as spla

    from test_panel_recovery import knn_graph

    rng = np.random.default_rng(seed)
    g, ids = knn_graph(n, 5, rng)
    W = sp.csr_matrix(g.sparse)
    A = spla.splu(sp.csc_matrix(sp.identity(n) - coef * W))
    mu = rng.normal(size=n)
    X = rng.normal(size=(t, n, 2))
    y = np.empty((t, n))
    for s in range(t):
        if kind == "lag":
            y[s] = A.solve(1.0 + X[s] @ [1.0, -0.5] + mu + rng.normal(size=n))
        else:  # KKP: the spatial filter applies to mu + v
            y[s] = 1.0 + X[s] @ [1.0, -0.5] + A.solve(mu + rng.normal(size=n))
    idx = pd.MultiIndex.from_product([range(t), ids]).swaplevel().set_names(["region", "year"])
    Xdf = pd.DataFrame(X.reshape(t * n, 2), index=idx, columns=["x0", "x1"]).sort_index()
    return pd.Series(y.ravel(), index=idx, name="y").sort_index(), Xdf, g


@pytest.mark.parametrize("kind", ["lag", "error"])
def test_random_effects_se_match_numerical_hessian(kind):
    """RE SAR / KKP-SEM: analytic SEs (theta accounted for) equal the inverse numerical Hessian of
    the full log-likelihood in (beta, rho|lambda, theta, sigma2) on a correctly specified panel."""
    from spatialecon.models._panel import prepare_panel

    y, X, g = _sim_re(150, 5, 0.4, 1, kind)
    r = (sm.SAR if kind == "lag" else sm.SEM)(y, X, g, effects="random").fit()
    d0 = prepare_panel(y, X, g, effects="random")
    T = d0.T

    def L(p):
        beta, c, th, s2 = p[:3], p[3], p[4], p[5]
        d = d0.with_phi((1 / th**2 - 1) / T)
        if kind == "lag":
            e = d.y - c * d.lag(d.y) - d.X @ beta
        else:
            u = d.y - d.X @ beta
            e = u - c * d.lag(u)
        return -d.n_eff / 2 * np.log(2 * np.pi * s2) - e @ e / (2 * s2) + d.logdet(c)

    p0 = np.r_[r.params.to_numpy(), r.info["theta"], r.sigma2]
    np.testing.assert_allclose(L(p0), r.loglik, rtol=1e-10)
    k = len(p0)
    h = np.abs(p0) * 1e-4 + 1e-7
    H = np.zeros((k, k))
    for i in range(k):
        for j in range(i, k):
            ei, ej = np.eye(k)[i] * h[i], np.eye(k)[j] * h[j]
            H[i, j] = H[j, i] = (L(p0 + ei + ej) - L(p0 + ei - ej) - L(p0 - ei + ej) + L(p0 - ei - ej)) / (
                4 * h[i] * h[j])
    se_num = np.sqrt(np.diag(np.linalg.inv(-H)))
    # expected (ours) vs observed (numerical) information: equal up to O(1/sqrt(NT)) noise
    np.testing.assert_allclose(r.bse.to_numpy(), se_num[:4], rtol=0.05)
    np.testing.assert_allclose(r.info["theta_se"], se_num[4], rtol=0.05)


@pytest.mark.slow
def test_twoways_sdm_recovery_with_ses():
    """Two-way FE SDM DGP, N = 500, T = 10 (seeded): estimates within 3.5 SE of the truth,
    through se.SDM with Lee-Yu; the Durbin terms are named W_<x>."""
    from test_panel_recovery import simulate_sdm

    rho, beta, theta = 0.4, np.array([1.0, -0.5]), np.array([0.5, 0.2])
    y, X, g = simulate_sdm(500, 10, rho, beta, theta, seed=20261123)
    r = sm.SDM(y, X, g, effects="twoways", lee_yu=True).fit()
    assert list(r.params.index) == ["x0", "x1", "W_x0", "W_x1", "rho"]
    truth = np.r_[beta, theta, rho]
    z = (r.params.to_numpy() - truth) / r.bse.to_numpy()
    assert np.all(np.abs(z) < 3.5), z
    assert 0.005 < r.bse["rho"] < 0.03 and abs(r.sigma2 - 1.0) < 0.06
    assert r.nobs == 499 * 9


@pytest.mark.parametrize("effects,lee_yu", [("region", True), ("twoways", True), ("twoways", False), ("time", True)])
def test_fe_lag_se_match_numerical_hessian(effects, lee_yu):
    """SEs from the panel traces (Lee-Yu adjusted) agree with the inverse numerical Hessian of the
    panel log-likelihood on a correctly specified simulated panel (expected vs observed
    information; on Produc they differ by up to 11% for rho, a feature of those data)."""
    from test_panel_recovery import simulate_sdm

    from spatialecon.models._panel import prepare_panel

    y, X, g = simulate_sdm(150, 6, 0.4, np.array([1.0, -0.5]), np.array([0.0, 0.0]), seed=7, effects="twoways")
    r = sm.SAR(y, X, g, effects=effects, lee_yu=lee_yu).fit()
    d = prepare_panel(y, X, g, effects=effects, lee_yu=lee_yu)
    Wy = d.lag(d.y)

    def L(p):
        beta, c, s2 = p[:-2], p[-2], p[-1]
        e = d.y - c * Wy - d.X @ beta
        return -d.n_eff / 2 * np.log(2 * np.pi * s2) - e @ e / (2 * s2) + d.logdet(c)

    p0 = np.r_[r.params.to_numpy(), r.sigma2]
    np.testing.assert_allclose(L(p0), r.loglik, rtol=1e-10)
    k = len(p0)
    h = np.abs(p0) * 1e-4 + 1e-7
    H = np.zeros((k, k))
    for i in range(k):
        for j in range(i, k):
            ei, ej = np.eye(k)[i] * h[i], np.eye(k)[j] * h[j]
            H[i, j] = H[j, i] = (L(p0 + ei + ej) - L(p0 + ei - ej) - L(p0 - ei + ej) + L(p0 - ei - ej)) / (
                4 * h[i] * h[j])
    se_num = np.sqrt(np.diag(np.linalg.inv(-H)))
    # expected vs observed information differ by sampling noise (~3.5% for rho with two-way
    # effects here, for the direct approach, which equals spreg, as much as for Lee-Yu); the
    # Lee-Yu trace terms themselves are checked exactly in test_panel_transforms.py
    np.testing.assert_allclose(r.bse.to_numpy(), se_num[:-1], rtol=0.05)


def test_random_effects_ols_matches_statsmodels_mixedlm(data):
    """Non-spatial RE by ML (phi profiled) = statsmodels MixedLM random intercept, reml=False."""
    ref = json.loads((REF / "panel_statsmodels.json").read_text())
    r = _fit(sm.OLS, data, effects="random")
    for name in ["const"] + REGRESSORS:
        np.testing.assert_allclose(r.params[name], ref["params"][name], rtol=1e-4, atol=2e-5)
        # MixedLM reports observed-information SEs; ours are s^2 (X*'X*)^-1 on the quasi-demeaned data
        np.testing.assert_allclose(r.bse[name], ref["se"][name], rtol=0.03)
    np.testing.assert_allclose(r.sigma2, ref["sigma2"], rtol=1e-4)
    np.testing.assert_allclose(r.info["sigma2_mu"], ref["sigma2_mu"], rtol=1e-3)
    np.testing.assert_allclose(r.loglik, ref["loglik"], rtol=1e-8)


def test_panel_sdm_impacts_equal_dense_formula(data):
    """Panel SDM (two-way FE, constant W): impacts are those of S = (I - rho W)^-1 (b I + t W)
    on the N x N W (identical in every period), computed densely here."""
    r = _fit(sm.SDM, data, effects="twoways")
    imp = r.impacts()
    W = r.W.toarray()
    N = W.shape[0]
    Ainv = np.linalg.inv(np.eye(N) - r.params["rho"] * W)
    for x in REGRESSORS:
        S = Ainv @ (r.params[x] * np.eye(N) + r.params[f"W_{x}"] * W)
        np.testing.assert_allclose(imp.loc[x, "direct"], np.trace(S) / N, rtol=1e-8)
        np.testing.assert_allclose(imp.loc[x, "total"], S.sum() / N, rtol=1e-8)


def test_lr_sdm_against_sar_and_sem(data):
    """LR tests of the panel SDM against SAR (theta = 0) and SEM (common factor), two-way FE."""
    sdm = _fit(sm.SDM, data, effects="twoways")
    sar = _fit(sm.SAR, data, effects="twoways")
    sem = _fit(sm.SEM, data, effects="twoways")
    assert sdm.nobs == sar.nobs == sem.nobs
    assert sdm.loglik >= sar.loglik - 1e-9 and sdm.loglik >= sem.loglik - 1e-9
    try:
        from spatialecon.results.diagnostics import lr_test
    except ImportError:
        lr_test = None
    if lr_test is not None:
        t = lr_test(sar, sdm)
        np.testing.assert_allclose(t.stat, 2 * (sdm.loglik - sar.loglik), rtol=1e-10)
        assert t.df == len(REGRESSORS)


@pytest.mark.parametrize("kind", ["lag", "error"])
def test_pooled_models_match_spreg(data, kind):
    r = _fit(sm.SAR if kind == "lag" else sm.SEM, data)
    ref = SPREG[f"{kind}_pooled"]
    coef, rkey = ("rho", "rho") if kind == "lag" else ("lambda", "lam")
    assert r.spec.effects is None and list(r.params.index) == ["const"] + REGRESSORS + [coef]
    np.testing.assert_allclose(r.params[coef], ref[rkey], atol=1e-5)
    np.testing.assert_allclose(r.bse[coef], ref[rkey + "_se"], rtol=1e-4)
    for name in ["const"] + REGRESSORS:
        np.testing.assert_allclose(r.params[name], ref["params"][name], rtol=1e-4, atol=1e-5)
        np.testing.assert_allclose(r.bse[name], ref["se"][name], rtol=1e-4)
    np.testing.assert_allclose(r.loglik, ref["logll"], rtol=1e-7)


def test_time_varying_w_reduces_to_constant_w(data):
    df, w = data
    years = sorted(df.index.get_level_values(1).unique())
    r0 = _fit(sm.SAR, data, effects="time")
    r1 = sm.SAR(df["lgsp"], df[REGRESSORS], {t: w for t in years}, effects="time").fit()
    np.testing.assert_allclose(r1.params.to_numpy(), r0.params.to_numpy(), rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(r1.bse.to_numpy(), r0.bse.to_numpy(), rtol=1e-6)
    np.testing.assert_allclose(r1.loglik, r0.loglik, rtol=1e-10)
    assert r1.W is None and len(r1.info["W_t"]) == len(years)


def test_time_varying_w_recovery():
    """DGP with W switching between two kNN graphs across years; the Jacobian is the sum of the
    yearly log-determinants. rho and beta recovered within 3.5 SE (seeded)."""
    import pandas as pd
    import scipy.sparse as sp
    import scipy.sparse.linalg as spla

    from test_panel_recovery import knn_graph

    rng = np.random.default_rng(42)
    n, t, rho = 200, 6, 0.5
    g1, ids = knn_graph(n, 4, rng)
    g2, _ = knn_graph(n, 8, rng)
    graphs = {2000 + s: (g1 if s % 2 else g2) for s in range(t)}
    alpha = rng.normal(size=t)
    X = rng.normal(size=(t, n))
    y = np.empty((t, n))
    for s in range(t):
        W = sp.csc_matrix(graphs[2000 + s].sparse)
        y[s] = spla.spsolve(sp.identity(n, format="csc") - rho * W, 1.5 * X[s] + alpha[s] + rng.normal(size=n))
    idx = pd.MultiIndex.from_product([[2000 + s for s in range(t)], ids]).swaplevel().set_names(["region", "year"])
    ys = pd.Series(y.ravel(), index=idx, name="y").sort_index()
    Xs = pd.DataFrame({"x": X.ravel()}, index=idx).sort_index()
    r = sm.SAR(ys, Xs, graphs, effects="time").fit()
    z = (r.params.to_numpy() - np.array([1.5, rho])) / r.bse.to_numpy()
    assert np.all(np.abs(z) < 3.5), z


@pytest.mark.parametrize("kind", ["lag", "error"])
def test_random_effects_equal_brute_force_ml(kind):
    """The profiled RE estimator equals direct maximisation of the exact Gaussian density
    (dense NT x NT covariance, scipy L-BFGS-B) on a small simulated panel."""
    from scipy import optimize

    y, X, g = _sim_re(15, 4, 0.3, 3, kind)
    r = (sm.SAR if kind == "lag" else sm.SEM)(y, X, g, effects="random").fit()
    from spatialecon.models._panel import prepare_panel

    d = prepare_panel(y, X, g, effects="random")
    N, T = d.N, d.T
    Wd = d.W.toarray()
    yr, Xr = d.y_raw, d.X_raw

    def negll(p):
        beta, c, lphi, ls2 = p[:3], p[3], p[4], p[5]
        phi, s2 = np.exp(lphi), np.exp(ls2)
        Ainv = np.kron(np.eye(T), np.linalg.inv(np.eye(N) - c * Wd))
        Om = s2 * np.kron(np.eye(T) + phi * np.ones((T, T)), np.eye(N))
        mean = Ainv @ Xr @ beta if kind == "lag" else Xr @ beta
        C = Ainv @ Om @ Ainv.T
        sign, logdet = np.linalg.slogdet(C)
        res = yr - mean
        return 0.5 * (len(yr) * np.log(2 * np.pi) + logdet + res @ np.linalg.solve(C, res))

    p0 = np.r_[r.params.to_numpy(), np.log(r.info["phi"]), np.log(r.sigma2)]
    start = p0 + np.r_[0.05, -0.05, 0.05, 0.05, 0.2, 0.1]
    opt = optimize.minimize(negll, start, method="L-BFGS-B", options={"ftol": 1e-14, "gtol": 1e-9, "maxiter": 2000})
    assert -opt.fun <= r.loglik + 1e-6  # ours is the maximum
    np.testing.assert_allclose(-negll(p0), r.loglik, rtol=1e-10)
    np.testing.assert_allclose(opt.x[:4], p0[:4], atol=2e-4)
    np.testing.assert_allclose(np.exp(opt.x[4]), r.info["phi"], rtol=2e-3)


def test_panel_sdem_impacts_and_logdet_option(data):
    """SDEM two-way FE: impacts are b (direct) and b + t (total; row-standardised W, tr W = 0);
    fit(logdet="lu") gives the eigen result."""
    df, w = data
    r = sm.SDEM(df["lgsp"], df[REGRESSORS], w, effects="twoways").fit()
    imp = r.impacts()
    for x in REGRESSORS:
        np.testing.assert_allclose(imp.loc[x, "direct"], r.params[x], rtol=1e-10, atol=1e-14)
        np.testing.assert_allclose(imp.loc[x, "total"], r.params[x] + r.params[f"W_{x}"], rtol=1e-10, atol=1e-14)
    r_lu = sm.SDEM(df["lgsp"], df[REGRESSORS], w, effects="twoways").fit(logdet="lu")
    assert r_lu.logdet_method == "lu" and r.logdet_method == "eigen"
    np.testing.assert_allclose(r_lu.params.to_numpy(), r.params.to_numpy(), rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(r_lu.loglik, r.loglik, rtol=1e-10)


def test_ols_on_a_panel_needs_no_w_and_matches_plm_style_within():
    """Non-spatial within regression on a panel: no W required; equals demeaned OLS."""
    import numpy as np
    import pandas as pd

    import spatialecon as se

    rng = np.random.default_rng(3)
    idx = pd.MultiIndex.from_product([[f"r{i}" for i in range(6)], range(2000, 2005)], names=["region", "year"])
    X = pd.DataFrame({"x": rng.normal(size=len(idx))}, index=idx)
    y = pd.Series(0.5 * X["x"].to_numpy() + np.repeat(rng.normal(size=6), 5) + rng.normal(size=len(idx)), index=idx)
    res = se.OLS(y, X, effects="region").fit()
    yd = y - y.groupby(level=0).transform("mean")
    xd = X["x"] - X["x"].groupby(level=0).transform("mean")
    slope = float((xd * yd).sum() / (xd * xd).sum())
    assert abs(res.params["x"] - slope) < 1e-10
    with pytest.raises(se.errors.OptionError, match="needs w"):
        se.SAR(y, X, effects="region")
