"""Impacts (LeSage-Pace): exact vs traces vs dense inverse, spreg multipliers, inference."""

import dataclasses
import warnings

import geopandas as gpd
import libpysal
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import spreg
from libpysal.graph import Graph

import spatialecon as se
from spatialecon.errors import ApproximationWarning, OptionError
from spatialecon.results.impacts import impacts, impacts_by_order


@pytest.fixture(scope="module")
def columbus():
    df = gpd.read_file(libpysal.examples.get_path("columbus.shp"))
    df.index = pd.Index(df["POLYID"].astype(str), name="id")
    g = Graph.build_contiguity(df, rook=False)
    return df, g


@pytest.fixture(scope="module")
def sar(columbus):
    df, g = columbus
    return se.SAR(df["CRIME"], df[["INC", "HOVAL"]], g.transform("r")).fit()


def _dense_impacts(W, rho, beta, theta=0.0):
    """Reference from the definition: S = (I - rho W)^-1 (beta I + theta W)."""
    n = W.shape[0]
    S = np.linalg.inv(np.eye(n) - rho * W) @ (beta * np.eye(n) + theta * W)
    d = np.trace(S) / n
    t = S.sum() / n
    return d, t - d, t


def test_exact_matches_dense_inverse_and_traces(sar):
    W = sar.W.toarray()
    ex = impacts(sar, method="exact")
    tr = impacts(sar, method="traces")
    for v in ("INC", "HOVAL"):
        ref = _dense_impacts(W, sar.params["rho"], sar.params[v])
        np.testing.assert_allclose(ex.loc[v, ["direct", "indirect", "total"]], ref, rtol=0, atol=1e-10)
    np.testing.assert_allclose(tr.to_numpy(), ex.to_numpy(), rtol=0, atol=1e-10)
    assert ex.attrs["method"] == "exact" and tr.attrs["method"] == "traces"


def test_vs_spreg_multipliers(columbus):
    df, g = columbus
    w = libpysal.weights.Queen.from_dataframe(df, use_index=False)
    w.transform = "r"
    m = spreg.ML_Lag(df[["CRIME"]].to_numpy(), df[["INC", "HOVAL"]].to_numpy(), w=w, spat_impacts="full",
                     method="full")
    ours = se.SAR(df["CRIME"], df[["INC", "HOVAL"]], g.transform("r")).fit(logdet="eigen")
    imp = impacts(ours)
    mult = m.sp_multipliers["full"]  # (direct, indirect, total) multipliers of a unit beta
    for j, v in enumerate(["INC", "HOVAL"]):
        b = float(m.betas[j + 1, 0])
        np.testing.assert_allclose(imp.loc[v, ["direct", "indirect", "total"]].to_numpy(),
                                   np.array(mult) * b, rtol=1e-4)


def test_non_row_standardised_total(columbus):
    """R spatialreg#23: total is 1'S1/N, not (beta+theta)/(1-rho), when W is not row-standardised."""
    df, g = columbus
    gb = g.transform("b")
    W = gb.sparse.toarray()
    lam_max = np.max(np.abs(np.linalg.eigvals(W)))
    Ws = Graph.from_sparse(gb.sparse / lam_max, ids=gb.unique_ids) if hasattr(Graph, "from_sparse") else None
    r = se.SDM(df["CRIME"], df[["INC", "HOVAL"]], Ws).fit()
    Wm = r.W.toarray()
    assert not np.allclose(Wm.sum(axis=1), 1.0)
    imp = impacts(r)
    for v in ("INC", "HOVAL"):
        ref = _dense_impacts(Wm, r.params["rho"], r.params[v], r.params[f"W_{v}"])
        np.testing.assert_allclose(imp.loc[v, ["direct", "indirect", "total"]], ref, rtol=0, atol=1e-9)
        naive = (r.params[v] + r.params[f"W_{v}"]) / (1 - r.params["rho"])
        assert abs(imp.loc[v, "total"] - naive) > 1e-3
    np.testing.assert_allclose(impacts(r, method="traces").to_numpy(), imp.to_numpy(), atol=1e-9)


def test_simulation_reproducible_and_delta_close(sar):
    a, sims = impacts(sar, draws=2000, seed=11, return_draws=True)
    b = impacts(sar, draws=2000, seed=11)
    c = impacts(sar, draws=2000, seed=12)
    pd.testing.assert_frame_equal(a, b)
    assert not np.allclose(a["total_se"], c["total_se"])
    d = impacts(sar, delta=True)
    assert sims.shape == (2000, 2, 3)  # (draws, variable, kind)
    assert len(pd.concat([a, b])) == 4  # attrs hold scalars only
    q75, q25 = np.percentile(sims, [75, 25], axis=0)
    robust_sd = (q75 - q25) / 1.349  # the simulated indirect/total are skewed (1/(1-rho)); compare spreads
    np.testing.assert_allclose(robust_sd, d[["direct_se", "indirect_se", "total_se"]].to_numpy(), rtol=0.12)
    np.testing.assert_allclose(a["direct_se"], d["direct_se"], rtol=0.1)
    for kind in ("direct", "indirect", "total"):
        assert (a[f"{kind}_lower"] < a[kind]).all() and (a[kind] < a[f"{kind}_upper"]).all()
    # direct SE by delta is close to the beta SE scaled by the direct multiplier (rho uncertainty small)
    assert set(["direct_z", "total_p"]) <= set(d.columns)


def test_delta_gradient_numerical(sar):
    """Delta-method SEs equal those from a numerical gradient of the impact function."""
    from spatialecon.results import impacts as mod
    d = impacts(sar, delta=True)
    p0 = sar.params.copy()
    V = sar.cov.to_numpy()

    def f(p):
        rho = p["rho"]
        W = sar.W.toarray()
        return np.array([_dense_impacts(W, rho, p[v]) for v in ("INC", "HOVAL")])

    base = f(p0)
    G = np.zeros(base.shape + (len(p0),))
    for i in range(len(p0)):
        h = 1e-6 * max(1.0, abs(p0.iloc[i]))
        pp, pm = p0.copy(), p0.copy()
        pp.iloc[i] += h
        pm.iloc[i] -= h
        G[..., i] = (f(pp) - f(pm)) / (2 * h)
    se_num = np.sqrt(np.einsum("abi,ij,abj->ab", G, V, G))
    np.testing.assert_allclose(d[["direct_se", "indirect_se", "total_se"]].to_numpy(), se_num, rtol=1e-5)
    dt = impacts(sar, delta=True, method="traces")  # series derivatives
    np.testing.assert_allclose(dt.to_numpy(), d.to_numpy(), rtol=1e-8)
    assert mod.EXACT_MAX_N >= 1000


def test_slx_and_sdem_exact(columbus):
    df, g = columbus
    w = g.transform("r")
    for cls in (se.SLX, se.SDEM):
        r = cls(df["CRIME"], df[["INC", "HOVAL"]], w).fit()
        imp = impacts(r, delta=True)
        for v in ("INC", "HOVAL"):
            b, t = r.params[v], r.params[f"W_{v}"]
            np.testing.assert_allclose(imp.loc[v, "direct"], b, atol=1e-12)  # tr(W) = 0
            np.testing.assert_allclose(imp.loc[v, "total"], b + t, atol=1e-12)
            V = r.cov.loc[[v, f"W_{v}"], [v, f"W_{v}"]].to_numpy()
            np.testing.assert_allclose(imp.loc[v, "total_se"], np.sqrt(V.sum()), rtol=1e-10)
            np.testing.assert_allclose(imp.loc[v, "indirect_se"], np.sqrt(V[1, 1]), rtol=1e-10)


def test_by_order_sums_to_total(sar):
    o = impacts_by_order(sar, orders=400)
    full = impacts(sar)
    for v in ("INC", "HOVAL"):
        s = o.loc[v].sum()
        np.testing.assert_allclose(s[["direct", "indirect", "total"]].to_numpy(),
                                   full.loc[v, ["direct", "indirect", "total"]].to_numpy(), atol=1e-10)
        assert o.loc[(v, 0), "indirect"] == 0.0
    assert list(impacts(sar, orders=2).index.get_level_values("order").unique()) == [0, 1, 2]


def test_options_rejected(sar):
    with pytest.raises(OptionError):
        impacts(sar, method="dense")
    with pytest.raises(OptionError):
        impacts(sar, draws=10, delta=True)
    with pytest.raises(OptionError):
        impacts(sar, level=1.5)


def test_stochastic_traces_path(sar, monkeypatch):
    """Above EXACT_MAX_N the trace series uses Monte Carlo traces; totals stay exact (sparse solve)."""
    from spatialecon.results import impacts as mod
    exact = impacts(sar, method="exact")
    monkeypatch.setattr(mod, "EXACT_MAX_N", 10)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ApproximationWarning)
        a = impacts(sar, method="traces", n_vectors=200, seed=3)
        b = impacts(sar, method="traces", n_vectors=200, seed=3)
        auto = impacts(sar)
    assert a.attrs["trace_method"] == "stochastic" and auto.attrs["method"] == "traces"
    pd.testing.assert_frame_equal(a, b)
    np.testing.assert_allclose(a["total"], exact["total"], rtol=1e-10)
    np.testing.assert_allclose(a["direct"], exact["direct"], rtol=0.02)


def test_panel_impacts_use_n_by_n_w(columbus):
    df, g = columbus
    rng = np.random.default_rng(2)
    idx = pd.MultiIndex.from_product([df.index, range(2001, 2005)], names=["id", "year"])
    X = pd.DataFrame({"x": rng.normal(size=len(idx))}, index=idx)
    y = pd.Series(X["x"] + rng.normal(size=len(idx)), index=idx, name="y")
    r = se.SDM(y, X, g.transform("r"), effects="region").fit()
    assert r.W.shape == (len(df), len(df))
    imp = impacts(r)
    ref = _dense_impacts(r.W.toarray(), r.params["rho"], r.params["x"], r.params["W_x"])
    np.testing.assert_allclose(imp.loc["x", ["direct", "indirect", "total"]], ref, atol=1e-10)


def test_time_varying_w_averages(sar):
    W1 = sar.W.toarray()
    W2 = W1 @ W1
    W2 = W2 / W2.sum(axis=1, keepdims=True)
    r = dataclasses.replace(sar, info={**sar.info, "W_t": [sp.csr_matrix(W1), sp.csr_matrix(W2)]})
    imp = impacts(r)
    ref = np.mean([_dense_impacts(W, sar.params["rho"], sar.params["INC"]) for W in (W1, W2)], axis=0)
    np.testing.assert_allclose(imp.loc["INC", ["direct", "indirect", "total"]], ref, atol=1e-10)


def test_sac_impacts_and_draws(columbus):
    df, g = columbus
    r = se.SAC(df["CRIME"], df[["INC", "HOVAL"]], g.transform("r")).fit()
    imp = impacts(r, draws=300, seed=0)
    ref = _dense_impacts(r.W.toarray(), r.params["rho"], r.params["INC"])
    np.testing.assert_allclose(imp.loc["INC", ["direct", "indirect", "total"]], ref, atol=1e-10)
    assert imp.attrs["draws"] == 300 and np.all(imp["total_se"] > 0)


def test_eigen_kernel_dense_fallback_matches(sar):
    """The dense-solve fallback (ill-conditioned eigenvectors) gives the same scalars and derivatives."""
    from spatialecon.results.impacts import _EigenKernel
    k = _EigenKernel(sar.W)
    assert k.a_b is not None
    rho = np.array([-0.3, 0.2, 0.6])
    fast = k.scalars(rho), k.scalars(rho, deriv=True)
    k.a_b = None
    slow = k.scalars(rho), k.scalars(rho, deriv=True)
    np.testing.assert_allclose(fast[0], slow[0], rtol=1e-10)
    np.testing.assert_allclose(fast[1], slow[1], rtol=1e-8)
    h = 1e-6  # derivative against a central difference
    num = (k.scalars(rho + h) - k.scalars(rho - h)) / (2 * h)
    np.testing.assert_allclose(slow[1], num, rtol=1e-6)
