"""Diagnostics: LM tests and Moran's I of residuals against spreg and closed forms; LR/Wald/Hausman."""

import geopandas as gpd
import libpysal
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import spreg
from libpysal.graph import Graph

import spatialecon as se
from spatialecon.errors import OptionError, WeightsError
from spatialecon.results.base import ModelSpec, SpatialResults
from spatialecon.results.diagnostics import (common_factor_test, hausman, lm_tests, lr_test, moran_residuals,
                                             wald_test)


@pytest.fixture(scope="module")
def columbus():
    df = gpd.read_file(libpysal.examples.get_path("columbus.shp"))
    df.index = pd.Index(df["POLYID"].astype(str), name="id")
    g = Graph.build_contiguity(df, rook=False).transform("r")
    return df, g


@pytest.fixture(scope="module")
def ols(columbus):
    df, _ = columbus
    return se.OLS(df["CRIME"], df[["INC", "HOVAL"]]).fit()


@pytest.fixture(scope="module")
def spreg_ols(columbus):
    df, _ = columbus
    w = libpysal.weights.Queen.from_dataframe(df, use_index=False)
    w.transform = "r"
    return spreg.OLS(df[["CRIME"]].to_numpy(), df[["INC", "HOVAL"]].to_numpy(), w=w, spat_diag=True,
                     moran=True)


def test_lm_tests_match_spreg(ols, columbus, spreg_ols):
    _, g = columbus
    lm = lm_tests(ols, g)
    pairs = {"lm_lag": spreg_ols.lm_lag, "lm_error": spreg_ols.lm_error, "robust_lm_lag": spreg_ols.rlm_lag,
             "robust_lm_error": spreg_ols.rlm_error, "sarma": spreg_ols.lm_sarma}
    for key, (stat, p) in pairs.items():
        assert lm[key].stat == pytest.approx(stat, rel=1e-8, abs=1e-10), key
        assert lm[key].pvalue == pytest.approx(p, rel=1e-7, abs=1e-12), key
    assert lm["sarma"].df == 2 and lm["lm_lag"].df == 1


def test_lm_accepts_csr_and_shuffled_graph(ols, columbus):
    _, g = columbus
    from spatialecon.weights import align
    W = align(g, ols.ids)
    a = lm_tests(ols, W)
    b = lm_tests(ols, g)
    assert a["lm_error"].stat == pytest.approx(b["lm_error"].stat, rel=1e-12)
    with pytest.raises(WeightsError):
        lm_tests(ols, sp.identity(10, format="csr"))


def test_moran_residuals_vs_spreg_and_closed_form(ols, columbus, spreg_ols):
    _, g = columbus
    m = moran_residuals(ols, g)
    I_sp, z_sp, p_sp = spreg_ols.moran_res
    assert m.I == pytest.approx(I_sp, rel=1e-10)
    assert m.stat == pytest.approx(z_sp, rel=1e-8)
    assert moran_residuals(ols, g, alternative="two-sided").pvalue == pytest.approx(p_sp, rel=1e-7)
    # closed form with the explicit n x n projection matrix (Cliff-Ord)
    from spatialecon.weights import align
    W = align(g, ols.ids).toarray()
    X = ols.exog.to_numpy()
    n, k = X.shape
    M = np.eye(n) - X @ np.linalg.solve(X.T @ X, X.T)
    MW = M @ W
    EI = n / W.sum() * np.trace(MW) / (n - k)
    VI = (n / W.sum()) ** 2 * (np.trace(MW @ M @ W.T) + np.trace(MW @ MW) + np.trace(MW) ** 2) / (
        (n - k) * (n - k + 2)) - EI ** 2
    assert m.expectation == pytest.approx(EI, rel=1e-10)
    assert m.variance == pytest.approx(VI, rel=1e-10)


def _panel_ols_result(order_time_major: bool):
    """A balanced pooled panel OLS built by hand; W used as I_T (x) W."""
    rng = np.random.default_rng(3)
    N, T = 12, 4
    A = (rng.random((N, N)) < 0.3).astype(float)
    A = np.triu(A, 1)
    A = A + A.T
    A[np.arange(N - 1), np.arange(1, N)] = A[np.arange(1, N), np.arange(N - 1)] = 1.0
    W = A / A.sum(1, keepdims=True)
    ids = pd.Index([f"r{i:02d}" for i in range(N)])
    times = pd.Index(range(2000, 2000 + T))
    idx = pd.MultiIndex.from_product([times, ids]) if order_time_major else pd.MultiIndex.from_product([ids, times])
    if order_time_major:
        idx = idx.swaplevel()  # (region, time) labels in time-major order
    x = rng.normal(size=N * T)
    y = 1 + 0.5 * x + rng.normal(size=N * T)
    X = np.column_stack([np.ones(N * T), x])
    b = np.linalg.lstsq(X, y, rcond=None)[0]
    e = y - X @ b
    p = pd.Series(b, index=["const", "x"])
    res = SpatialResults("OLS", ModelSpec("ols", ("const", "x")), p, pd.DataFrame(np.eye(2), p.index, p.index),
                         float(e @ e / len(e)), None, len(e), pd.Series(y, idx), pd.Series(X @ b, idx),
                         pd.Series(e, idx), pd.DataFrame(X, idx, ["const", "x"]), ids, sp.csr_matrix(W),
                         n_periods=T, time_ids=times)
    return res, W, T


def test_panel_lm_uses_kron(ols):
    res_tm, W, T = _panel_ols_result(True)
    big = sp.kron(sp.identity(T), sp.csr_matrix(W), format="csr")  # time-major stacking
    flat = SpatialResults("OLS", res_tm.spec, res_tm.params, res_tm.cov, res_tm.sigma2, None, res_tm.nobs,
                          res_tm.y.reset_index(drop=True), res_tm.fitted.reset_index(drop=True),
                          res_tm.resid.reset_index(drop=True), res_tm.exog.reset_index(drop=True),
                          pd.RangeIndex(res_tm.nobs), big)
    ref = lm_tests(flat)
    got = lm_tests(res_tm)
    for key in ref:
        assert got[key].stat == pytest.approx(ref[key].stat, rel=1e-10)
    assert moran_residuals(res_tm).I == pytest.approx(moran_residuals(flat).I, rel=1e-10)
    assert "panel" in got["lm_lag"].name
    # the same observations stacked region-major give the same statistics
    order = np.lexsort((res_tm.resid.index.get_level_values(1), res_tm.resid.index.get_level_values(0)))
    rm = SpatialResults("OLS", res_tm.spec, res_tm.params, res_tm.cov, res_tm.sigma2, None, res_tm.nobs,
                        res_tm.y.iloc[order], res_tm.fitted.iloc[order], res_tm.resid.iloc[order],
                        res_tm.exog.iloc[order], res_tm.ids, res_tm.W, n_periods=T, time_ids=res_tm.time_ids)
    assert not rm.resid.index.equals(res_tm.resid.index)
    for key in ref:
        assert lm_tests(rm)[key].stat == pytest.approx(ref[key].stat, rel=1e-10)


def test_lm_requires_ols(columbus):
    df, g = columbus
    r = se.SAR(df["CRIME"], df[["INC", "HOVAL"]], g).fit()
    with pytest.raises(OptionError):
        lm_tests(r, g)


def test_lr_wald_common_factor(columbus):
    df, g = columbus
    y, X = df["CRIME"], df[["INC", "HOVAL"]]
    ols = se.OLS(y, X).fit()
    sar = se.SAR(y, X, g).fit()
    sem = se.SEM(y, X, g).fit()
    sdm = se.SDM(y, X, g).fit()
    lr = lr_test(ols, sar)
    assert lr.df == 1
    assert lr.stat == pytest.approx(2 * (sar.loglik - ols.loglik))
    w = wald_test(sdm, "W_*")
    assert w.df == 2
    b = sdm.params[["W_INC", "W_HOVAL"]].to_numpy()
    V = sdm.cov.loc[["W_INC", "W_HOVAL"], ["W_INC", "W_HOVAL"]].to_numpy()
    assert w.stat == pytest.approx(b @ np.linalg.solve(V, b), rel=1e-12)
    assert wald_test(sar, ["rho"]).stat == pytest.approx(sar.tvalues["rho"] ** 2, rel=1e-12)
    cf = common_factor_test(sdm, sem)
    assert cf.df == 2 and cf.stat == pytest.approx(2 * (sdm.loglik - sem.loglik))
    with pytest.raises(OptionError):
        lr_test(sar, ols)
    with pytest.raises(OptionError):
        wald_test(sdm, ["nope"])
    # general linear restriction: W_INC + W_HOVAL = 0.1
    R = np.zeros((1, len(sdm.params)))
    R[0, [sdm.params.index.get_loc("W_INC"), sdm.params.index.get_loc("W_HOVAL")]] = 1.0
    wr = wald_test(sdm, R=R, r=[0.1])
    diff = sdm.params["W_INC"] + sdm.params["W_HOVAL"] - 0.1
    var = sdm.cov.loc[["W_INC", "W_HOVAL"], ["W_INC", "W_HOVAL"]].to_numpy().sum()
    assert wr.df == 1 and wr.stat == pytest.approx(diff ** 2 / var, rel=1e-10)


def test_hausman_formula():
    i = ["x", "z"]
    fe = type("R", (), {"params": pd.Series([1.0, 2.0], i), "cov": pd.DataFrame([[.04, .01], [.01, .05]], i, i)})
    re = type("R", (), {"params": pd.Series([.8, 2.1], i), "cov": pd.DataFrame([[.02, .0], [.0, .03]], i, i)})
    d = np.array([.2, -.1])
    V = np.array([[.02, .01], [.01, .02]])
    h = hausman(fe, re)
    assert h.df == 2 and h.stat == pytest.approx(d @ np.linalg.solve(V, d), rel=1e-10)


@pytest.fixture(scope="module")
def panel_fe(columbus):
    df, g = columbus
    rng = np.random.default_rng(5)
    T = 4
    idx = pd.MultiIndex.from_product([df.index, range(2001, 2001 + T)], names=["id", "year"])
    X = pd.DataFrame({"x": rng.normal(size=len(idx)), "z": rng.normal(size=len(idx))}, index=idx)
    alpha = pd.Series(rng.normal(size=len(df)) * 3, index=df.index).reindex(idx.get_level_values(0)).to_numpy()
    y = pd.Series(alpha + X["x"] - X["z"] + rng.normal(size=len(idx)), index=idx, name="y")
    return y, X, g, T


@pytest.mark.parametrize("effects", ["region", "twoways"])
def test_panel_fe_moran_moments_explicit_dummies(panel_fe, effects):
    """Moran moments of within residuals equal Cliff-Ord moments with M from [dummies, X] written out."""
    y, X, g, T = panel_fe
    res = se.OLS(y, X, g, effects=effects).fit()
    m = moran_residuals(res, g)
    idx = y.index
    reg = pd.get_dummies(idx.get_level_values(0)).to_numpy(float)
    Z = [reg, X.to_numpy()]
    if effects == "twoways":
        Z.insert(1, pd.get_dummies(idx.get_level_values(1)).to_numpy(float)[:, 1:])
    Z = np.hstack(Z)
    n = len(idx)
    M = np.eye(n) - Z @ np.linalg.pinv(Z.T @ Z) @ Z.T
    from spatialecon.weights import align
    Wn = align(g, res.ids).toarray()
    r_of = pd.Index(res.ids).get_indexer(idx.get_level_values(0))
    t_of = idx.get_level_values(1).to_numpy()
    Wb = Wn[np.ix_(r_of, r_of)] * (t_of[:, None] == t_of[None, :])  # I_T (x) W in this row order
    MW = M @ Wb
    dfree = np.trace(M)
    c = n / Wb.sum()
    EI = c * np.trace(MW) / dfree
    VI = c ** 2 * (np.trace(MW @ M @ Wb.T) + np.trace(MW @ MW) + np.trace(MW) ** 2) / (dfree * (dfree + 2)) - EI ** 2
    e = M @ y.to_numpy()
    I_ref = c * e @ Wb @ e / (e @ e)
    assert m.I == pytest.approx(I_ref, rel=1e-8)
    assert m.expectation == pytest.approx(EI, rel=1e-8)
    assert m.variance == pytest.approx(VI, rel=1e-8)
    lm = lm_tests(res, g)
    assert "panel" in lm["lm_error"].name
    s2 = e @ e / n
    Tw = np.trace(Wb.T @ Wb + Wb @ Wb)
    assert lm["lm_error"].stat == pytest.approx((e @ Wb @ e / s2) ** 2 / Tw, rel=1e-8)


def test_hausman_panel_models(panel_fe):
    y, X, g, _ = panel_fe
    fe = se.SAR(y, X, g, effects="region").fit()
    re = se.SAR(y, X, g, effects="random").fit()
    names = ["x", "z"]
    d = (fe.params[names] - re.params[names]).to_numpy()
    V = (fe.cov.loc[names, names] - re.cov.loc[names, names]).to_numpy()
    h = hausman(fe, re, names=names)
    assert h.df == 2
    assert h.stat == pytest.approx(d @ np.linalg.solve(V, d), rel=1e-8)
