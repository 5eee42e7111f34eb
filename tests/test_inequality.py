"""Theil and Gini against the `inequality` package and against closed forms.

Population weighting is checked by expansion: the weighted index of regions with
integer populations equals the unweighted index of the sample where each region is
repeated population-many times (computed with `inequality`, an independent code).
"""

import numpy as np
import pandas as pd
import pytest
from inequality.gini import Gini
from inequality.theil import Theil, TheilD

from spatialecon.errors import DataError, PanelError
from spatialecon.results.inequality import gini, gini_cross_section, theil, theil_cross_section


def _panel(values: np.ndarray, years, pop=None):
    n = values.shape[1]
    codes = [f"r{i:02d}" for i in range(n)]
    idx = pd.MultiIndex.from_product([codes, years], names=["code", "year"])
    df = pd.DataFrame({"y": values.T.ravel()}, index=idx)
    if pop is not None:
        df["pop"] = pop.T.ravel()
    return df, codes


@pytest.fixture
def data():
    rng = np.random.default_rng(42)
    y = rng.lognormal(mean=1.0, sigma=0.6, size=(3, 12))
    pop = rng.integers(1, 9, size=(3, 12)).astype(float)
    return y, pop


def test_unweighted_theil_matches_inequality_package(data):
    y, _ = data
    groups = np.array(list("aaaabbbbcccc"))
    df, codes = _panel(y, [2000, 2001, 2002])
    out = theil(df, "y", groups=pd.Series(groups, index=codes))
    for k, year in enumerate([2000, 2001, 2002]):
        ref = TheilD(y[k], groups)
        assert out.loc[year, "total"] == pytest.approx(ref.T, rel=1e-12)
        assert out.loc[year, "between"] == pytest.approx(float(ref.bg[0]), rel=1e-12)
        assert out.loc[year, "within"] == pytest.approx(float(ref.wg[0]), rel=1e-12)
    parts = out["between"] + out["within"]
    np.testing.assert_allclose(parts, out["total"], rtol=0, atol=1e-15)
    np.testing.assert_allclose(out[["within_a", "within_b", "within_c"]].sum(axis=1), out["within"], atol=1e-15)


def test_population_weighted_theil_equals_expanded_sample(data):
    y, pop = data
    groups = np.array(list("aaaabbbbcccc"))
    r = theil_cross_section(y[0], pop[0], groups)
    reps = pop[0].astype(int)
    expanded = np.repeat(y[0], reps)
    eg = np.repeat(groups, reps)
    ref = TheilD(expanded, eg)
    assert r["total"] == pytest.approx(Theil(expanded).T, rel=1e-12)
    assert r["between"] == pytest.approx(float(ref.bg[0]), rel=1e-12)
    assert r["within"] == pytest.approx(float(ref.wg[0]), rel=1e-12)


def test_theil_L_decomposition_and_closed_form(data):
    y, pop = data
    groups = np.array(list("aaaabbbbcccc"))
    r = theil_cross_section(y[1], pop[1], groups, index="L")
    p = pop[1] / pop[1].sum()
    mu = np.sum(p * y[1])
    assert r["total"] == pytest.approx(np.sum(p * np.log(mu / y[1])), rel=1e-12)  # mean log deviation
    assert r["between"] + r["within"] == pytest.approx(r["total"], abs=1e-15)


def test_gini_matches_inequality_and_expansion(data):
    y, pop = data
    assert gini_cross_section(y[2])["total"] == pytest.approx(Gini(y[2]).g, rel=1e-12)
    reps = pop[2].astype(int)
    assert gini_cross_section(y[2], pop[2])["total"] == pytest.approx(Gini(np.repeat(y[2], reps)).g, rel=1e-12)


def test_gini_dagum_components_sum_and_no_overlap_when_groups_separate():
    y = np.array([1.0, 2.0, 3.0, 10.0, 11.0, 12.0])
    g = np.array(list("aaabbb"))
    r = gini_cross_section(y, None, g)
    assert r["between"] + r["within"] + r["overlap"] == pytest.approx(r["total"], abs=1e-15)
    assert r["overlap"] == 0.0
    # fully overlapping identical groups: between is zero
    r2 = gini_cross_section(np.array([1.0, 5.0, 5.0, 1.0]), None, np.array(list("abab")))
    assert r2["between"] == pytest.approx(0.0, abs=1e-15)
    assert r2["overlap"] > 0


def test_single_region_group_has_zero_within(data):
    y, _ = data
    g = np.array(["solo"] + ["rest"] * 11)
    r = theil_cross_section(y[0], None, g)
    assert r["within_solo"] == 0.0


def test_errors_nonpositive_uncovered_missing(data):
    y, _ = data
    df, codes = _panel(y, [2000, 2001, 2002])
    bad = df.copy()
    bad.iloc[3, 0] = -1.0
    with pytest.raises(DataError, match="strictly positive"):
        theil(bad, "y")
    with pytest.raises(DataError, match="have no group"):
        theil(df, "y", groups=pd.Series(["a"] * 5, index=codes[:5]))
    gap = df.copy()
    gap.iloc[4, 0] = np.nan
    with pytest.raises(PanelError, match="missing"):
        gini(gap, "y")
    out = gini(gap, "y", missing="drop")
    assert out["n"].tolist().count(11) == 1
    with pytest.raises(DataError, match="not in the panel"):
        theil(df, "nope")


def test_theil_by_region4_on_china_panel():
    se = pytest.importorskip("spatialecon")
    panel = se.datasets.china_panel()
    t = se.theil(panel, "gdppc", groups="region4", population="pop")
    assert t.index.min() == 1978 and t.index.max() == 2023
    np.testing.assert_allclose(t["between"] + t["within"], t["total"], atol=1e-14)
    assert (t["n"] == 31).all()
