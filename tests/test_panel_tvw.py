"""Time-varying W (a year -> Graph mapping) with region and two-way fixed effects, lag models.

Direct (Elhorst) approach: the lag ``blockdiag(W_t) y`` is formed on the raw data, then demeaned;
the Jacobian is ``sum_t log|I - rho W_t|``. Reference points: (1) a mapping holding the same Graph
every year must reproduce the constant-W fit (a different code path: precomputed lag, per-year
log-determinants and traces, fitted-mean information term); (2) recovery on a seeded DGP;
(3) analytic SEs against the numerical Hessian of the full log-likelihood (written here
independently with dense matrices); (4) impacts and yearly spillovers still work.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import spatialecon.models as sm
from spatialecon.errors import EstimationError

sys.path.insert(0, str(Path(__file__).resolve().parent / "reference"))
from panel_data import REGRESSORS, produc, us48_graph  # noqa: E402


@pytest.fixture(scope="module")
def produc_data():
    return produc(), us48_graph()


# ----------------------------------------------------------------- (1) constant W as a mapping
@pytest.mark.parametrize("kind", ["SAR", "SDM"])
@pytest.mark.parametrize("effects", ["region", "twoways"])
def test_constant_mapping_equals_constant_w(produc_data, kind, effects):
    df, w = produc_data
    years = sorted(df.index.get_level_values(1).unique())
    cls = getattr(sm, kind)
    r0 = cls(df["lgsp"], df[REGRESSORS], w, effects=effects).fit()
    r1 = cls(df["lgsp"], df[REGRESSORS], {t: w for t in years}, effects=effects).fit()
    assert r1.W is None and len(r1.info["W_t"]) == len(years)
    assert list(r1.params.index) == list(r0.params.index)
    # equal up to the optimiser's tolerance on rho (1e-8): the lag is formed by another route
    np.testing.assert_allclose(r1.params.to_numpy(), r0.params.to_numpy(), rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(r1.bse.to_numpy(), r0.bse.to_numpy(), rtol=1e-6)
    np.testing.assert_allclose(r1.loglik, r0.loglik, rtol=1e-10)
    np.testing.assert_allclose(r1.sigma2, r0.sigma2, rtol=1e-7)
    np.testing.assert_allclose(r1.resid.to_numpy(), r0.resid.to_numpy(), atol=1e-6)
    fe1, fe0 = r1.info["region_effects"], r0.info["region_effects"]
    np.testing.assert_allclose(fe1["mu"].to_numpy(), fe0["mu"].to_numpy(), rtol=1e-7, atol=1e-9)


# ----------------------------------------------------------------- simulated DGP
def _graphs(n: int, rng):
    """Two different row-standardised W on the same ids: rook contiguity of a 20 x 10 lattice and
    6-nearest neighbours of random points."""
    from libpysal.graph import Graph
    from libpysal.weights import lat2W

    ids = [f"r{i:03d}" for i in range(n)]
    rook = Graph.from_W(lat2W(20, n // 20, rook=True)).transform("r")
    rook = Graph.from_adjacency(rook.adjacency.reset_index().assign(
        focal=lambda a: [ids[i] for i in a["focal"]], neighbor=lambda a: [ids[i] for i in a["neighbor"]])
    ).transform("r")
    pts = rng.uniform(size=(n, 2))
    knn = Graph.build_knn(pts, k=6)
    knn = Graph.from_adjacency(knn.adjacency.reset_index().assign(
        focal=lambda a: [ids[i] for i in a["focal"]], neighbor=lambda a: [ids[i] for i in a["neighbor"]])
    ).transform("r")
    return rook, knn, ids


def _simulate(seed: int, *, durbin: bool, n: int = 200, t: int = 8, rho: float = 0.45):
    rng = np.random.default_rng(seed)
    g1, g2, ids = _graphs(n, rng)
    years = [2001 + s for s in range(t)]
    graphs = {yr: (g1 if s % 2 == 0 else g2) for s, yr in enumerate(years)}
    mu = rng.normal(scale=1.0, size=n)
    alpha = rng.normal(scale=0.5, size=t)
    X = rng.normal(size=(t, n, 2)) + 0.5 * mu[None, :, None]  # regressors correlated with the FE
    beta, theta = np.array([1.0, -0.5]), np.array([0.6, 0.3])
    y = np.empty((t, n))
    for s, yr in enumerate(years):
        W = graphs[yr].sparse.toarray()
        lin = X[s] @ beta + mu + alpha[s] + rng.normal(scale=0.7, size=n)
        if durbin:
            lin = lin + (W @ X[s]) @ theta
        y[s] = np.linalg.solve(np.eye(n) - rho * W, lin)
    idx = pd.MultiIndex.from_product([years, ids]).swaplevel().set_names(["region", "year"])
    ys = pd.Series(y.ravel(), index=idx, name="y").sort_index()
    Xs = pd.DataFrame(X.reshape(t * n, 2), index=idx, columns=["x1", "x2"]).sort_index()
    truth = {"x1": beta[0], "x2": beta[1], "rho": rho}
    if durbin:
        truth.update({"W_x1": theta[0], "W_x2": theta[1]})
    return ys, Xs, graphs, truth


@pytest.fixture(scope="module")
def sims():
    return {"SAR": _simulate(11, durbin=False), "SDM": _simulate(12, durbin=True)}


@pytest.fixture(scope="module")
def fits(sims):
    return {k: getattr(sm, k)(*v[:3], effects="twoways").fit() for k, v in sims.items()}


# ----------------------------------------------------------------- (2) recovery
@pytest.mark.parametrize("kind", ["SAR", "SDM"])
def test_recovery_twoways(sims, fits, kind):
    truth = sims[kind][3]
    r = fits[kind]
    assert r.info["time_varying_W"] is True
    names = list(truth)
    z = (r.params[names] - pd.Series(truth)) / r.bse[names]
    assert np.all(np.abs(z) < 3.5), z
    assert r.sigma2 == pytest.approx(0.49, rel=0.15)


def test_recovery_region_effects_sar(sims):
    ys, Xs, graphs, truth = sims["SAR"]
    # region effects with period dummies as regressors (they absorb the DGP's time effects)
    r = sm.SAR(ys, Xs.assign(**{f"d{t}": (Xs.index.get_level_values(1) == t).astype(float)
                                 for t in sorted(graphs)[1:]}), graphs, effects="region").fit()
    z = (r.params[list(truth)] - pd.Series(truth)) / r.bse[list(truth)]
    assert np.all(np.abs(z) < 3.5), z
    assert r.info["region_effects"].shape[0] == 200


def test_region_effects_loglik_matches_dense(sims):
    ys, Xs, graphs, _ = sims["SDM"]
    r = sm.SDM(ys, Xs, graphs, effects="region").fit()
    ll = _dense_loglik(ys, Xs, graphs, list(r.params.index), "region")
    np.testing.assert_allclose(ll(np.r_[r.params.to_numpy(), r.sigma2]), r.loglik, rtol=1e-9)
    # the maximum: moving rho (with beta, sigma2 re-concentrated by the package) lowers the dense loglik
    p = np.r_[r.params.to_numpy(), r.sigma2]
    for step in (-1e-3, 1e-3):
        q = p.copy()
        q[-2] += step
        assert ll(q) < ll(p)


def test_slx_and_ols_with_time_varying_w(sims):
    """Non-spatial designs: W_t X formed on raw X, then demeaned; equal to least squares on
    independently demeaned columns."""
    ys, Xs, graphs, _ = sims["SDM"]
    r = sm.SLX(ys, Xs, graphs, effects="twoways").fit()
    years = sorted(graphs)
    ids = sorted(ys.index.get_level_values(0).unique())
    WX = pd.concat([pd.DataFrame(graphs[t].sparse.toarray() @ Xs.xs(t, level=1).loc[ids].to_numpy(),
                                 index=pd.MultiIndex.from_product([ids, [t]]), columns=["W_x1", "W_x2"])
                    for t in years]).sort_index()
    Z = pd.concat([Xs, WX.set_axis(Xs.index)], axis=1)
    both = pd.concat([ys, Z], axis=1)
    dm = both - both.groupby(level=0).transform("mean") - both.groupby(level=1).transform("mean") + both.mean()
    b = np.linalg.lstsq(dm.iloc[:, 1:].to_numpy(), dm.iloc[:, 0].to_numpy(), rcond=None)[0]
    np.testing.assert_allclose(r.params[["x1", "x2", "W_x1", "W_x2"]].to_numpy(), b, rtol=1e-9)


# ----------------------------------------------------------------- (3) analytic vs numerical Hessian
def _dense_loglik(ys, Xs, graphs, names, effects):
    """Full (FE concentrated) log-likelihood written independently with dense matrices."""
    ids = sorted(ys.index.get_level_values(0).unique())
    years = sorted(ys.index.get_level_values(1).unique())
    N, T = len(ids), len(years)
    Y = ys.unstack("year").loc[ids, years].to_numpy().T  # T x N
    Xr = np.stack([Xs.xs(t, level=1).loc[ids].to_numpy() for t in years])  # T x N x k
    Ws = [graphs[t].sparse.toarray() if list(graphs[t].unique_ids) == ids else
          graphs[t].sparse.toarray() for t in years]
    cols = [Xr]
    if any(n.startswith("W_") for n in names):
        cols.append(np.stack([Ws[s] @ Xr[s] for s in range(T)]))
    Z = np.concatenate(cols, axis=2)
    WY = np.stack([Ws[s] @ Y[s] for s in range(T)])

    def dm(a):
        out = a - a.mean(axis=0, keepdims=True)
        if effects == "twoways":
            out = out - a.mean(axis=1, keepdims=True) + a.mean(axis=(0, 1), keepdims=True)
        return out

    Yd, WYd, Zd = dm(Y).ravel(), dm(WY).ravel(), dm(Z).reshape(N * T, -1)
    eigs = [np.linalg.eigvals(W) for W in Ws]

    def ll(p):
        b, rho, s2 = p[:-2], p[-2], p[-1]
        e = Yd - rho * WYd - Zd @ b
        jac = sum(float(np.sum(np.log(np.abs(1.0 - rho * ev)))) for ev in eigs)
        return -0.5 * N * T * np.log(2 * np.pi * s2) - e @ e / (2 * s2) + jac

    return ll


def _num_hessian(f, x):
    k = len(x)
    H = np.empty((k, k))
    h = 1e-4 * np.maximum(np.abs(x), 1e-2)
    for i in range(k):
        for j in range(i, k):
            ei, ej = np.zeros(k), np.zeros(k)
            ei[i], ej[j] = h[i], h[j]
            H[i, j] = H[j, i] = (f(x + ei + ej) - f(x + ei - ej) - f(x - ei + ej) + f(x - ei - ej)) / (4 * h[i] * h[j])
    return H


@pytest.mark.parametrize("kind", ["SAR", "SDM"])
def test_analytic_se_vs_numerical_hessian(sims, fits, kind):
    """Analytic (expected information, fitted fixed effects in the mean term) vs observed information.

    They agree up to sampling noise and the O(1/T) incidental-parameter difference of the trace terms
    (the concentrated likelihood's observed information has tr(G'QG) where the full expected information
    has tr(G'G)), so the tolerance is 5 % (observed: within 2 % for all parameters).
    """
    ys, Xs, graphs, _ = sims[kind]
    r = fits[kind]
    names = list(r.params.index)
    ll = _dense_loglik(ys, Xs, graphs, names, "twoways")
    p = np.r_[r.params.to_numpy(), r.sigma2]
    np.testing.assert_allclose(ll(p), r.loglik, rtol=1e-9)
    V = np.linalg.inv(-_num_hessian(ll, p))
    se_num = np.sqrt(np.diag(V))[:-1]
    np.testing.assert_allclose(r.bse.to_numpy(), se_num, rtol=0.05)
    if kind == "SAR":
        # the fitted fixed effects matter in the mean term: with Q G X~ b alone (ignoring
        # Q G D gamma, which is not zero when W changes by year) the SE of rho is off by > 5 %
        from spatialecon.estimation.covariance import cov_lag
        from spatialecon.models._panel import prepare_panel

        d = prepare_panel(ys, Xs, graphs, effects="twoways")
        rho, b = r.params["rho"], r.params.to_numpy()[:-1]
        V = cov_lag(d.X, d.lag(d.solve(rho, d.X @ b)), r.sigma2, d.n_eff, d.traces(rho))
        assert abs(np.sqrt(V[-2, -2]) / se_num[-1] - 1) > 0.05
    # the package's own observed-information option agrees with the independent dense Hessian
    rh = getattr(sm, kind)(*sims[kind][:3], effects="twoways").fit(cov="hessian")
    np.testing.assert_allclose(rh.bse.to_numpy(), se_num, rtol=2e-3)


# ----------------------------------------------------------------- (4) impacts and spillovers
def test_impacts_and_spillovers_by_year(fits):
    r = fits["SDM"]
    imp = r.impacts()
    assert list(imp.index) == ["x1", "x2"]
    assert np.all(np.isfinite(imp[["direct", "indirect", "total"]].to_numpy()))
    # row-standardised W_t: total = (b + theta) / (1 - rho) in every year
    rho = r.params["rho"]
    np.testing.assert_allclose(imp.loc["x1", "total"], (r.params["x1"] + r.params["W_x1"]) / (1 - rho), rtol=1e-6)
    # yearly spillovers from one source: S_t = (I - rho W_t)^{-1} (b I + theta W_t), dense here
    src = "r000"
    out = r.spillovers(source=[src], variable="x1")
    by = out.by_year()
    years = sorted(graphs_of(r))
    assert len(by) == len(years)
    j = list(r.ids).index(src)
    for yr, Wt in zip(years, r.info["W_t"]):
        W = Wt.toarray()
        S = np.linalg.solve(np.eye(W.shape[0]) - rho * W, r.params["x1"] * np.eye(W.shape[0]) + r.params["W_x1"] * W)
        row = by.xs(yr, level=0).loc[src]
        np.testing.assert_allclose(row["own"], S[j, j], rtol=1e-8)
        np.testing.assert_allclose(row["total"], S[:, j].sum(), rtol=1e-8)
    np.testing.assert_allclose(out.to_frame().loc[src, "total"], by["total"].mean(), rtol=1e-8)


def graphs_of(r):
    return list(r.time_ids)


# ----------------------------------------------------------------- unsupported combinations
def test_unsupported_raise(sims):
    ys, Xs, graphs, _ = sims["SAR"]
    with pytest.raises(EstimationError, match="filtered fixed effect"):
        sm.SEM(ys, Xs, graphs, effects="region").fit()
    with pytest.raises(EstimationError, match="constant W"):
        sm.SAR(ys, Xs, graphs, effects="twoways", lee_yu=True).fit()
    with pytest.raises(EstimationError, match="time-varying"):
        sm.SAR(ys, Xs, graphs, effects="random").fit()
    with pytest.raises(EstimationError, match="filtered fixed effect"):
        sm.SDEM(ys, Xs, graphs, effects="twoways").fit()
    with pytest.raises(EstimationError, match="SAC"):
        sm.SAC(ys, Xs, graphs, effects="region").fit()
    from spatialecon.results.panel_tests import panel_lm_tests

    with pytest.raises(EstimationError, match="time-varying"):
        panel_lm_tests(sm.OLS(ys, Xs, graphs, effects="region").fit())
