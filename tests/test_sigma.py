"""Sigma-convergence measures and Moran's I by year."""

import geopandas as gpd
import libpysal
import numpy as np
import pandas as pd
import pytest
from libpysal.graph import Graph

import esda
from spatialecon.errors import DataError, PanelError, WeightsError
from spatialecon.results.sigma import moran_by_year, sigma_convergence, sigma_trend


@pytest.fixture(scope="module")
def us():
    """libpysal's US state per-capita income 1929-2009 (real data) in long form."""
    raw = pd.read_csv(libpysal.examples.get_path("usjoin.csv"))
    raw["code"] = raw["STATE_FIPS"].astype(str).str.zfill(2)
    long = raw.drop(columns=["Name", "STATE_FIPS"]).melt(id_vars="code", var_name="year", value_name="income")
    long["year"] = long["year"].astype(int)
    return long.set_index(["code", "year"]).sort_index()


def test_sigma_measures_closed_forms(us):
    out = sigma_convergence(us, "income")
    y1929 = us.xs(1929, level="year")["income"].to_numpy()
    assert out.loc[1929, "n"] == 48
    assert out.loc[1929, "sd_log"] == pytest.approx(np.sqrt(np.mean((np.log(y1929) - np.log(y1929).mean()) ** 2)), rel=1e-12)
    assert out.loc[1929, "sd_log_ddof1"] == pytest.approx(pd.Series(np.log(y1929)).std(), rel=1e-12)
    assert out.loc[1929, "cv"] == pytest.approx(np.std(y1929) / np.mean(y1929), rel=1e-12)
    assert out.loc[1929, "max_min"] == pytest.approx(y1929.max() / y1929.min(), rel=1e-12)
    # the US states converged strongly over the century (Barro & Sala-i-Martin 1992; Rey & Montouri 1999)
    assert out.loc[2009, "sd_log"] < 0.5 * out.loc[1929, "sd_log"]
    trend = sigma_trend(out.loc[1929:1990])
    assert trend.slope < 0 and trend.pvalue < 0.01


def test_williamson_cv_equals_cv_of_expanded_sample():
    rng = np.random.default_rng(3)
    y = rng.lognormal(size=10)
    pop = rng.integers(1, 7, size=10).astype(float)
    idx = pd.MultiIndex.from_product([[f"r{i}" for i in range(10)], [2000]], names=["code", "year"])
    df = pd.DataFrame({"y": y, "pop": pop}, index=idx)
    out = sigma_convergence(df, "y", population="pop")
    e = np.repeat(y, pop.astype(int))
    assert out.loc[2000, "cv_weighted"] == pytest.approx(np.std(e) / np.mean(e), rel=1e-12)


def test_sigma_errors():
    idx = pd.MultiIndex.from_product([["a", "b", "c"], [2000, 2001]], names=["code", "year"])
    df = pd.DataFrame({"y": [1.0, 2.0, 0.0, 3.0, 2.0, np.nan]}, index=idx)
    with pytest.raises(PanelError, match="missing"):
        sigma_convergence(df, "y")
    with pytest.raises(DataError, match="strictly positive"):
        sigma_convergence(df.fillna(1.0), "y")


def test_moran_by_year_matches_esda_and_aligns_by_id(us):
    gdf = gpd.read_file(libpysal.examples.get_path("us48.shp"))
    gdf["code"] = gdf["STATE_FIPS"].astype(str).str.zfill(2)
    gdf = gdf.set_index("code")
    g = Graph.build_contiguity(gdf, rook=False).transform("r")
    shuffled = us.sample(frac=1.0, random_state=1)  # order must not matter
    out = moran_by_year(shuffled, "income", g, permutations=99, seed=7, log=True)
    y = np.log(us.xs(1950, level="year")["income"].reindex(gdf.index).to_numpy())
    wq = libpysal.weights.Queen.from_dataframe(gdf, use_index=True)
    wq.transform = "r"
    ref = esda.Moran(y, wq, permutations=0)
    assert out.loc[1950, "I"] == pytest.approx(ref.I, rel=1e-10)
    assert out.loc[1950, "z_norm"] == pytest.approx(ref.z_norm, rel=1e-8)
    again = moran_by_year(us, "income", g, permutations=99, seed=7, log=True)
    pd.testing.assert_series_equal(out["p_sim"].sort_index(), again["p_sim"].sort_index())
    bad = g.subgraph(g.unique_ids[:-1])
    with pytest.raises(WeightsError, match="only in panel"):
        moran_by_year(us, "income", bad)
