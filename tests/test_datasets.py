"""Bundled datasets: the China provincial panel, US state income, Mexican states.

Traceability tests compare the loader's output with the raw CSV text of the
compiled source folder (``../shared/data/china_provincial``, read with the csv
module, not pandas) when it is present, and always with the bundled copy.
"""

from __future__ import annotations

import csv
import importlib.util
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import spatialecon as se
from spatialecon._paths import bundled
from spatialecon.errors import DataError

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data" / "china_provincial"

COLUMN_OF = {
    "grp_100m_cny": "grp", "pop_10k": "pop", "gdp_pc_cny": "gdppc_official", "grp_index_prev100": "grp_index",
    "fai_100m_cny": "fai", "disp_income_pc_cny": "disp_income", "va_secondary_100m_cny": "va_secondary",
    "va_tertiary_100m_cny": "va_tertiary", "trade_1000usd": "trade", "budget_exp_100m_cny": "budget_exp",
    "cpi_prev100": "cpi",
}


@pytest.fixture(scope="module")
def panel():
    return se.datasets.china_panel()


def _raw_rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_shape_index_and_columns(panel):
    assert panel.shape[0] == 31 * 46
    assert list(panel.index.names) == ["code", "year"]
    assert panel.index.is_unique and panel.index.is_monotonic_increasing
    codes = panel.index.get_level_values(0).unique()
    assert len(codes) == 31 and all(isinstance(c, str) and len(c) == 6 for c in codes)
    years = panel.index.get_level_values(1).unique()
    assert years.min() == 1978 and years.max() == 2023 and len(years) == 46
    for col in ("grp", "pop", "gdppc", "gdppc_official", "grp_source", "pop_source", "grp_vintage", "pop_basis",
                "backcast", "grp_index", "budget_exp"):
        assert col in panel.columns
    assert panel["grp"].notna().all() and panel["pop"].notna().all()


def test_gdppc_is_derived_and_labelled(panel):
    expected = panel["grp"] * 1e8 / (panel["pop"] * 1e4)
    np.testing.assert_allclose(panel["gdppc"].to_numpy(), expected.to_numpy(), rtol=1e-14)
    assert "gdppc" in panel.attrs["derived"]
    assert "derived" in panel.attrs["units"]["gdppc"]
    assert "gdppc" not in panel.attrs["derived"].get("gdppc_official", "")
    # official per capita is only where published, and not copied into gdppc
    off = panel["gdppc_official"].dropna()
    assert set(off.index.get_level_values(1)) == {2001, 2003, 2007, 2012, 2013}
    assert len(off) == 31 + 17 + 30 + 21 + 21
    assert not np.allclose(panel.loc[off.index, "gdppc"].to_numpy(), off.to_numpy())


def _lookup(panel) -> dict:
    """{(column, (code, year)): value} for the sourced columns and their source ids."""
    out = {}
    for col in COLUMN_OF.values():
        for name in (col, f"{col}_source"):
            for key, val in panel[name].items():
                out[(name, key)] = val
    return out


def test_every_value_traces_to_bundled_values(panel):
    rows = _raw_rows(bundled("panels", "china_provincial_values.csv"))
    cell = _lookup(panel)
    seen = set()
    for r in rows:
        col = COLUMN_OF[r["variable"]]
        key = (r["code"], int(r["year"]))
        assert cell[(col, key)] == float(r["value"]), (key, col)
        assert cell[(f"{col}_source", key)] == r["source_id"], (key, col)
        seen.add((key, col))
    # nothing else is non-missing: no value was filled or invented
    for col in COLUMN_OF.values():
        nonnull = panel[col].dropna().index
        assert all((k, col) in seen for k in nonnull), col
        src = panel[f"{col}_source"]
        assert src.notna().sum() == len(nonnull)


@pytest.mark.skipif(not SHARED.exists(), reason="compiled source folder ../shared not present")
def test_every_value_traces_to_the_compiled_source(panel):
    rows = _raw_rows(SHARED / "values.csv")
    cell = _lookup(panel)
    n = 0
    for r in rows:
        col = COLUMN_OF[r["variable"]]
        key = (r["code"], int(r["year"]))
        assert math.isclose(cell[(col, key)], float(r["value"]), rel_tol=0, abs_tol=0)
        assert cell[(f"{col}_source", key)] == r["source_id"]
        n += 1
    total = sum(int(panel[c].notna().sum()) for c in COLUMN_OF.values())
    assert n == total == 7715


@pytest.mark.skipif(not SHARED.exists(), reason="compiled source folder ../shared not present")
def test_build_script_is_deterministic(tmp_path):
    spec = importlib.util.spec_from_file_location("build_panels", ROOT / "panels" / "build_panels.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    mod.build(SHARED, tmp_path)
    for name in ("china_provincial_values.csv", "china_provincial_all_sources.csv",
                 "china_provincial_crosscheck.csv", "sources.csv", "PROVENANCE.md"):
        assert (tmp_path / name).read_bytes() == (ROOT / "panels" / name).read_bytes(), name


def test_vintages_breaks_and_backcast(panel):
    v = panel["grp_vintage"]
    years = panel.index.get_level_values(1)
    assert set(v[years <= 1992]) == {"1978-1992"}
    assert set(v[(years >= 1993) & (years <= 2005)]) == {"1993-2005"}
    assert set(v[years >= 2006]) == {"2006-2023"}
    src = panel["grp_source"]
    assert set(src[years <= 1992]) == {"G_GCAM_GDP"} and set(src[years >= 2006]) == {"G_REN_GRP"}
    assert set(panel["pop_source"][years < 2000]) == {"G_GCAM_COMP_POP"}
    assert "registered" in panel.loc[("310000", 1995), "pop_basis"]
    bc = panel["backcast"]
    assert bc.loc[("500000", 1996)] and not bc.loc[("500000", 1997)]
    assert bc.loc[("460000", 1987)] and not bc.loc[("460000", 1988)]
    assert int(bc.sum()) == (1997 - 1978) + (1988 - 1978)
    assert any("1992/1993" in n for n in panel.attrs["notes"])


def test_sources_known_and_value_source(panel):
    src = se.datasets.china_sources()
    used = set(pd.unique(panel.filter(like="_source").stack().dropna()))
    assert used <= set(src.index)
    info = se.datasets.china_value_source("广东", 2020, "grp")
    assert info["source_id"] == "G_REN_GRP" and info["value"] == panel.loc[("440000", 2020), "grp"]
    assert info["url"].startswith("https://")
    with pytest.raises(DataError, match="derived"):
        se.datasets.china_value_source("440000", 2020, "gdppc")
    with pytest.raises(DataError, match="missing in the sources"):
        se.datasets.china_value_source("440000", 1990, "cpi")


def test_coverage(panel):
    cov = se.datasets.china_panel_coverage()
    assert (cov["grp"] == 31).all() and (cov["pop"] == 31).all()
    assert cov.loc[2003, "gdppc_official"] == 17 and cov.loc[2002, "gdppc_official"] == 0
    assert cov.loc[1999, "grp_index"] == 0 and cov.loc[2000, "grp_index"] == 31
    assert cov.loc[2018, "fai"] == 0 and cov.loc[2017, "fai"] == 31
    assert panel.attrs["coverage"]["grp"] == 1426


def test_options_and_copy():
    lean = se.datasets.china_panel(vintage_notes=False, sources=False)
    assert "grp_vintage" not in lean.columns and "grp_source" not in lean.columns
    a = se.datasets.china_panel()
    a.iloc[0, 0] = -1.0
    assert se.datasets.china_panel().iloc[0, 0] != -1.0


def test_china_panel_builds_into_regional_panel(panel):
    p = se.build_panel(panel[["grp", "pop"]].reset_index(), region="code", year="year")
    assert p.is_balanced and len(p) == 1426
    rel = p.per_capita("grp", "pop", scale=1e4, name="gdppc").relative("gdppc", to="national", weights="pop")
    # population-weighted mean of relative income is 1 in every year
    d = rel.data
    wmean = (d["gdppc_rel"] * d["pop"]).groupby(level="year").sum() / d["pop"].groupby(level="year").sum()
    np.testing.assert_allclose(wmean.to_numpy(), 1.0, rtol=1e-12)


def test_us_income_matches_raw_file():
    df = se.datasets.us_income()
    assert df.shape == (48 * 81, 2)
    assert list(df.index.names) == ["code", "year"]
    assert df.index.get_level_values(1).min() == 1929 and df.index.get_level_values(1).max() == 2009
    from libpysal.examples import get_path

    with open(get_path("usjoin.csv"), newline="") as fh:
        rows = list(csv.reader(fh))
    header = rows[0]
    income, name = df["income"].to_dict(), df["name"].to_dict()
    for r in rows[1:]:
        code = f"{int(r[1]):02d}"
        for y, v in zip(header[2:], r[2:]):
            assert income[(code, int(y))] == float(v)
        assert name[(code, 1929)] == r[0]
    p = se.datasets.us_income(as_panel=True)
    assert isinstance(p, se.RegionalPanel) and p.is_balanced


def test_mexico():
    df = se.datasets.mexico()
    assert df.shape == (32 * 7, 2)
    assert sorted(df.index.get_level_values(1).unique()) == list(range(1940, 2001, 10))
    assert df.index.get_level_values(0).unique().tolist() == [f"{i:02d}" for i in range(1, 33)]
    assert df.loc[("09", 1940), "name"] == "Distrito Federal"
    assert df.loc[("01", 1940), "gdppc"] == 10384.0  # Aguascalientes in libpysal mexico.csv
    assert se.datasets.mexico(as_panel=True).is_balanced


def test_china_provinces_facade():
    try:
        gdf = se.datasets.china_provinces()
    except DataError:  # pragma: no cover - geometry layer not built yet
        pytest.skip("bundled province layer not available")
    assert gdf.shape[0] == 31 and gdf.index.name == "code"
    assert list(gdf.index) == sorted(se.regions.codes())


def test_china_panel_as_regional_panel(panel):
    p = se.datasets.china_panel(as_panel=True)
    assert isinstance(p, se.RegionalPanel) and p.is_balanced and len(p) == 1426
    assert "gdppc" in p.derived and p.units["grp"].startswith("100 million yuan")
    pd.testing.assert_frame_equal(p.data, panel[p.variables], check_like=False, check_flags=False)
    assert p.report["sources"].loc[("440000", 2020), "grp_source"] == "G_REN_GRP"
    assert p.coverage().loc[2001, "gdppc_official"] == 31
