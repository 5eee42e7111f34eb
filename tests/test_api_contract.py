"""The public API contract of ../shared/DESIGN.md, exercised name by name on the bundled data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import spatialecon as se


@pytest.fixture(scope="module")
def prov():
    return se.datasets.china_provinces()


@pytest.fixture(scope="module")
def panel():
    return se.datasets.china_panel()


@pytest.fixture(scope="module")
def w(prov):
    return se.weights.contiguity(prov, rook=False, islands="nearest")


@pytest.fixture(scope="module")
def cross(panel):
    g = panel["gdppc"].unstack("year")
    df = pd.DataFrame({"g": (np.log(g[2019]) - np.log(g[2006])) / 13, "lny0": np.log(g[2006]),
                       "inv": np.log(panel["fai"].unstack("year")[2006] / panel["grp"].unstack("year")[2006])})
    return df


def test_datasets(prov, panel):
    assert len(prov) == 31 and prov.index.name == "code"
    assert {"name_zh", "name_en", "pinyin", "region4", "geometry"} <= set(prov.columns)
    assert all(isinstance(c, str) and len(c) == 6 for c in prov.index)
    assert list(panel.index.names) == ["code", "year"]
    assert {"grp", "pop", "gdppc"} <= set(panel.columns)


def test_regions():
    codes = se.regions.harmonise(["广东省", "Guangdong", "Nei Mongol", "Tibet", "440000", "重庆市"])
    assert list(codes) == ["440000", "440000", "150000", "540000", "440000", "500000"]
    with pytest.raises(se.errors.RegionMatchError, match="Guangdonk"):
        se.regions.harmonise(["Guangdonk"])
    g = se.regions.groups("region4")
    assert set(g) == {"East", "Central", "West", "Northeast"} and len(g) == 31


def test_build_panel(panel):
    raw = panel[["gdppc"]].reset_index()
    raw["省份"] = se.regions.name_of(raw["code"], lang="zh").to_numpy()
    raw = raw.rename(columns={"year": "年份"}).drop(columns="code")
    sp = se.build_panel(raw, region="省份", year="年份")
    assert list(sp.data.index.names)[:2] == ["code", "year"]
    np.testing.assert_allclose(sp.data["gdppc"].to_numpy(), panel["gdppc"].to_numpy())


def test_weights(prov, w):
    assert set(w.unique_ids) == set(prov.index)
    W = se.weights.align(w, prov.index[::-1])
    assert W.shape == (31, 31)
    np.testing.assert_allclose(np.asarray(W.sum(axis=1)).ravel(), 1.0)
    with pytest.raises(se.errors.WeightsError):
        se.weights.align(w, prov.index[:-1])
    se.weights.knn(prov, k=4)
    se.weights.inverse_distance(prov, power=1.0, cutoff_km=None)
    econ = se.weights.economic_distance(pd.Series(np.arange(31.0) + 1, index=prov.index))
    se.weights.nested(w, econ)


def test_models_results_and_labels(cross, w):
    r = se.SAR(cross["g"], cross[["lny0", "inv"]], w).fit()
    assert list(r.params.index) == ["const", "lny0", "inv", "rho"]
    for attr in ("params", "bse", "pvalues", "cov", "loglik", "aic", "sigma2", "nobs"):
        assert getattr(r, attr) is not None
    assert isinstance(r.cov, pd.DataFrame) and list(r.cov.index) == list(r.params.index)
    assert "sigma2" not in r.params.index
    str(r.summary())
    r2 = se.SDM.from_formula("g ~ lny0 + inv", data=cross, w=w).fit(logdet="eigen")
    assert list(r2.params.index) == ["const", "lny0", "inv", "W_lny0", "W_inv", "rho"]
    r3 = se.SEM(cross["g"], cross[["lny0"]], w).fit()
    assert "lambda" in r3.params.index
    imp = r2.impacts(draws=200, seed=0)
    assert list(imp.index) == ["lny0", "inv"]
    for k in ("direct", "indirect", "total"):
        assert {k, f"{k}_se", f"{k}_lower", f"{k}_upper"} <= set(imp.columns)
    again = r2.impacts(draws=200, seed=0)
    pd.testing.assert_frame_equal(imp, again)
    sp = r2.spillovers(source=["Beijing", "Shanghai", "Guangdong"], variable="inv", by="region4", draws=100, seed=0)
    fr = sp.to_frame()
    assert len(fr) == 3 and {"own", "outward", "total"} <= set(fr.columns)
    assert sp.responses.shape == (31, 3)
    ols = se.OLS(cross["g"], cross[["lny0", "inv"]]).fit()
    lm = se.diagnostics.lm_tests(ols, w)
    assert set(lm) == {"lm_lag", "lm_error", "robust_lm_lag", "robust_lm_error", "sarma"}
    assert all(np.isfinite(t.stat) and 0 <= t.pvalue <= 1 and t.df for t in lm.values())
    tex = se.compare([ols, r, r2]).as_latex()
    assert r"\toprule" in tex


def test_panel_model(panel, w):
    sub = panel.loc[(slice(None), slice(2010, 2019)), :]
    y = np.log(sub["gdppc"]).groupby(level=0).diff().dropna()
    x = np.log(sub["gdppc"]).groupby(level=0).shift(1).reindex(y.index).rename("lny_lag").to_frame()
    r = se.SAR(y, x, w, effects="twoways", lee_yu=True).fit()
    assert r.n_periods == 9 and "rho" in r.params.index and r.spec.effects == "twoways"


def test_convergence_and_inequality(panel, w):
    b = se.beta_convergence(panel, "gdppc", 2006, 2019, model="SDM", w=w)
    for part in (b.beta, b.speed, b.half_life):
        assert np.isfinite(part.estimate) and part.se > 0
    assert b.model_result.model_name == "SDM"
    s = se.sigma_convergence(panel.loc[(slice(None), slice(2006, 2019)), :], "gdppc")
    assert {"sd_log", "cv"} <= set(s.columns) and s.index.name == "year"
    t = se.theil(panel.loc[(slice(None), slice(2006, 2019)), :], "gdppc", groups="region4", population="pop")
    np.testing.assert_allclose(t["between"] + t["within"], t["total"], rtol=0, atol=1e-14)
    gi = se.gini(panel.loc[(slice(None), slice(2006, 2019)), :], "gdppc", groups="region4")
    assert "total" in gi.columns
