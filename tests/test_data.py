"""Panel builder and RegionalPanel: validation, balance, derivations, readers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import spatialecon as se
from spatialecon.data import RegionalPanel, build_panel, read_table
from spatialecon.errors import DataError, OptionError, PanelError, RegionMatchError


def _long():
    # deliberately unsorted, mixed label styles
    return pd.DataFrame({
        "省份": ["广东省", "Beijing", "Guangdong", "北京市", "Shǎnxī", "陕西"],
        "年份": [2001, 2000, 2000, 2001, 2000, 2001],
        "grp": [12039.25, 3161.66, 10741.25, 3707.96, 1804.0, 2010.62],
        "pop": [7783.0, 1364.0, 7707.0, 1385.0, 3644.0, 3653.0],
    })


def _wide_stacked():
    return pd.DataFrame({
        "省份": ["Beijing", "Beijing", "广东", "广东", "Shaanxi", "Shaanxi"],
        "指标": ["grp", "pop", "grp", "pop", "grp", "pop"],
        "2000": [3161.66, 1364.0, 10741.25, 7707.0, 1804.0, 3644.0],
        "2001年": [3707.96, 1385.0, 12039.25, 7783.0, 2010.62, 3653.0],
    })


def test_long_panel_index_sorted_and_nothing_dropped():
    df = _long()
    p = build_panel(df, region="省份", year="年份")
    assert isinstance(p, RegionalPanel)
    assert len(p) == len(df)
    idx = p.data.index
    assert idx.names == ["code", "year"]
    assert idx.tolist() == [("110000", 2000), ("110000", 2001), ("440000", 2000), ("440000", 2001),
                            ("610000", 2000), ("610000", 2001)]
    assert p.report["sorted_by_code_year"] is True
    # the original row of every key is kept
    assert p.report["row_of"].loc[("440000", 2001)] == 0
    assert p.report["row_of"].loc[("110000", 2000)] == 1
    assert p.data.loc[("440000", 2001), "grp"] == 12039.25
    assert p.is_balanced and p.missing() == []


def test_wide_and_long_give_identical_panels():
    p_long = build_panel(_long(), region="省份", year="年份")
    p_wide = build_panel(_wide_stacked(), region="省份", variable="指标")
    assert p_wide.report["format"] == "wide"
    pd.testing.assert_frame_equal(p_long.data, p_wide.data[["grp", "pop"]])
    # one variable, integer year columns
    one = pd.DataFrame({"prov": ["Beijing", "Guangdong", "Shaanxi"], 2000: [3161.66, 10741.25, 1804.0],
                        2001: [3707.96, 12039.25, 2010.62]})
    p_one = build_panel(one, region="prov", variable="grp")
    pd.testing.assert_frame_equal(p_one.data, p_long.data[["grp"]])


def test_auto_detect_and_forced_format():
    wide = pd.DataFrame({"r": ["11"], "1999": [1.0], "2000": [2.0]})
    assert build_panel(wide, region="r").report["format"] == "wide"
    with pytest.raises(DataError, match="year column"):
        build_panel(wide, region="r", wide=False)
    with pytest.raises(PanelError, match="non-year columns"):
        build_panel(pd.DataFrame({"r": ["11"], "note": ["x"], "2000": [1.0]}), region="r")
    with pytest.raises(PanelError, match="several columns for one year"):
        build_panel(pd.DataFrame({"r": ["11"], "2000": [1.0], "2000年": [1.0]}), region="r")


def test_duplicate_keys_after_harmonisation_raise():
    df = pd.DataFrame({"p": ["广东", "Guangdong", "Beijing", "北京", "Hebei"], "y": [2000, 2000, 2001, 2001, 2000],
                       "v": [1.0, 2.0, 3.0, 4.0, 5.0]})
    with pytest.raises(PanelError, match="2 duplicate") as exc:
        build_panel(df, region="p", year="y")
    msg = str(exc.value)
    assert "'广东' (row 0)" in msg and "'Guangdong' (row 1)" in msg and "440000" in msg and "110000" in msg
    wide = _wide_stacked()
    wide.loc[5, "指标"] = "grp"
    with pytest.raises(PanelError, match="duplicate"):
        build_panel(wide, region="省份", variable="指标")


def test_unknown_regions_listed_with_suggestions():
    df = pd.DataFrame({"p": ["Guangdongg", "Beijing", "Atlantis"], "y": [2000] * 3, "v": [1.0] * 3})
    with pytest.raises(RegionMatchError) as exc:
        build_panel(df, region="p", year="y")
    assert set(exc.value.unmatched) == {"Guangdongg", "Atlantis"}
    assert any("440000" in s for s in exc.value.unmatched["Guangdongg"])


def test_non_numeric_values_raise_naming_column():
    df = pd.DataFrame({"p": ["Beijing", "Hebei", "Tianjin"], "y": [2000] * 3, "v": ["1.5", "n/a", "3,000"],
                       "w": [1.0, 2.0, 3.0]})
    with pytest.raises(DataError, match=r"column 'v' has 2 non-numeric") as exc:
        build_panel(df, region="p", year="y")
    assert "n/a" in str(exc.value) and "3,000" in str(exc.value)
    # declared missing markers are accepted and stay missing
    df["v"] = ["1.5", "n/a", ""]
    p = build_panel(df, region="p", year="y", na_values=("n/a",))
    assert p.data["v"].isna().sum() == 2 and len(p) == 3
    with pytest.raises(DataError, match="boolean"):
        build_panel(pd.DataFrame({"p": ["Beijing"], "y": [2000], "b": [True]}), region="p", year="y")


def test_years_validated():
    df = pd.DataFrame({"p": ["Beijing", "Hebei"], "y": [2000, 3000], "v": [1.0, 2.0]})
    with pytest.raises(DataError, match="outside the allowed range 1900-2100: \\[3000\\]"):
        build_panel(df, region="p", year="y")
    assert len(build_panel(df, region="p", year="y", years=(1900, 3000))) == 2
    df = pd.DataFrame({"p": ["Beijing", "Hebei"], "y": ["2000", "twenty"], "v": [1.0, 2.0]})
    with pytest.raises(DataError, match="not integer years"):
        build_panel(df, region="p", year="y")
    df = pd.DataFrame({"p": ["Beijing"], "y": [2000.5], "v": [1.0]})
    with pytest.raises(DataError, match="not integer years"):
        build_panel(df, region="p", year="y")


def test_missing_columns_raise():
    df = _long()
    with pytest.raises(DataError, match="region column"):
        build_panel(df, region="province", year="年份")
    with pytest.raises(DataError, match="value_vars not in the table"):
        build_panel(df, region="省份", year="年份", value_vars=["gdp"])
    with pytest.raises(DataError, match="DataFrame"):
        build_panel([1, 2], region="x")


def test_nan_reported_not_dropped_and_balance():
    df = pd.DataFrame({"p": ["Beijing", "Beijing", "Beijing", "Hebei", "Hebei", "Tianjin"],
                       "y": [2000, 2001, 2002, 2000, 2002, 2000],
                       "v": [1.0, np.nan, 3.0, 4.0, 5.0, 6.0]})
    p = build_panel(df, region="p", year="y")
    assert len(p) == 6
    assert p.nan_cells() == [("110000", 2001, "v")]
    assert p.report["nan_cells"] == 1
    assert not p.is_balanced
    assert p.missing() == [("120000", 2001), ("120000", 2002), ("130000", 2001)]
    assert p.report["missing"] == p.missing()
    cov = p.coverage()
    assert cov.loc[2000].tolist() == [3, 3] and cov.loc[2001].tolist() == [1, 0]
    assert "unbalanced" in repr(p)

    b = p.balanced("drop_regions")
    assert b.report["balanced"]["dropped_regions"] == ["120000", "130000"]
    assert b.report["balanced"]["dropped_rows"] == 3 and b.is_balanced and len(b) == 3
    b = p.balanced("drop_years")
    assert b.report["balanced"]["dropped_years"] == [2001, 2002] and len(b) == 3
    assert b.regions.tolist() == ["110000", "120000", "130000"]
    b = p.balanced("intersect")
    assert b.is_balanced and b.report["balanced"]["how"] == "intersect"
    # Tianjin (2 of 3 years missing) goes first, then 2001 (Beijing NaN row exists; Hebei has none)
    assert b.report["balanced"]["dropped_regions"] == ["120000"]
    assert b.report["balanced"]["dropped_years"] == [2001]
    assert b.report["balanced"]["years_contiguous"] is False and b.missing() == []
    assert len(b) + b.report["balanced"]["dropped_rows"] == len(p)
    # NaN cells count as missing when variables= is given: Beijing 2001 is NaN
    with pytest.raises(PanelError, match="no data"):
        p.balanced("drop_regions", variables=["v"])
    with pytest.raises(OptionError, match="how="):
        p.balanced("everything")
    # the original panel is unchanged
    assert len(p) == 6


def test_balanced_on_variables_and_empty():
    df = pd.DataFrame({"p": ["Beijing", "Beijing", "Hebei", "Hebei"], "y": [2000, 2001, 2000, 2001],
                       "v": [1.0, np.nan, 2.0, 3.0]})
    p = build_panel(df, region="p", year="y")
    assert p.is_balanced
    b = p.balanced("drop_regions", variables="v")
    assert b.regions.tolist() == ["130000"]
    b = p.balanced("drop_years", variables="v")
    assert b.years.tolist() == [2000]
    q = build_panel(pd.DataFrame({"p": ["Beijing", "Hebei"], "y": [2000, 2001], "v": [1.0, 2.0]}),
                    region="p", year="y")
    with pytest.raises(PanelError, match="no data"):
        q.balanced("drop_regions")


def test_relative():
    df = pd.DataFrame({"p": ["Beijing", "Hebei", "Beijing", "Hebei"], "y": [2000, 2000, 2001, 2001],
                       "x": [30.0, 10.0, 60.0, 20.0], "pop": [1.0, 3.0, 1.0, 3.0]})
    p = build_panel(df, region="p", year="y")
    r = p.relative("x")
    np.testing.assert_allclose(r["x_rel"].to_numpy(), [1.5, 1.5, 0.5, 0.5])
    assert "x_rel" in r.derived and "x_rel" not in p.variables
    w = p.relative("x", weights="pop", name="xw")
    np.testing.assert_allclose(w["xw"].to_numpy(), [2.0, 2.0, 2.0 / 3, 2.0 / 3])  # mean = (30+30)/4 = 15
    nat = p.relative("x", to="national", weights="pop")
    np.testing.assert_allclose(nat["x_rel"].to_numpy(), w["xw"].to_numpy())
    given = p.relative("x", to="national", national=pd.Series({2000: 20.0, 2001: 40.0}))
    np.testing.assert_allclose(given["x_rel"].to_numpy(), [1.5, 1.5, 0.5, 0.5])
    with pytest.raises(DataError, match="no value for years \\[2001\\]"):
        p.relative("x", to="national", national=pd.Series({2000: 20.0}))
    with pytest.raises(DataError, match="already exists"):
        r.relative("x")
    with pytest.raises(DataError, match="not in the panel"):
        p.relative("gdp")
    with pytest.raises(OptionError):
        p.relative("x", to="world")


def test_relative_missing_rules():
    df = pd.DataFrame({"p": ["Beijing", "Hebei", "Tianjin"], "y": [2000] * 3, "x": [30.0, np.nan, 10.0]})
    p = build_panel(df, region="p", year="y")
    with pytest.raises(PanelError, match="missing in years \\[2000\\]"):
        p.relative("x")
    r = p.relative("x", missing="skip")
    # sorted by code: Beijing 110000, Tianjin 120000, Hebei 130000; mean of 30 and 10 is 20
    np.testing.assert_allclose(r["x_rel"].to_numpy(), [1.5, 0.5, np.nan])
    with pytest.raises(DataError, match="needs national= .* or weights="):
        p.relative("x", to="national", missing="skip")
    unbal = build_panel(pd.DataFrame({"p": ["Beijing", "Hebei", "Beijing"], "y": [2000, 2000, 2001],
                                      "x": [1.0, 2.0, 3.0]}), region="p", year="y")
    with pytest.raises(PanelError, match="every region in every year"):
        unbal.relative("x", to="national", weights="x")


def test_per_capita_deflate_growth():
    df = pd.DataFrame({"p": ["Beijing"] * 4, "y": [2000, 2001, 2002, 2004],
                       "grp": [100.0, 121.0, 133.1, 200.0], "pop": [10.0, 10.0, 11.0, 10.0]})
    p = build_panel(df, region="p", year="y")
    pc = p.per_capita("grp", "pop", scale=1e4)
    np.testing.assert_allclose(pc["grp_per_pop"].to_numpy(), [1e5, 1.21e5, 1.21e5, 2e5])
    assert pc.derived["grp_per_pop"].startswith("grp / pop")
    g = p.growth("grp")
    np.testing.assert_allclose(g["grp_g1"].to_numpy(), [np.nan, np.log(1.21), np.log(1.1), np.nan])
    g2 = p.growth("grp", span=2, log=False)
    np.testing.assert_allclose(g2["grp_g2"].to_numpy(), [np.nan, np.nan, np.sqrt(1.331) - 1, np.sqrt(200 / 133.1) - 1])
    with pytest.raises(DataError):
        p.growth("grp", span=0)
    defl = pd.Series({2000: 100.0, 2001: 110.0, 2002: 121.0, 2004: 125.0})
    d = p.deflate("grp", defl)
    np.testing.assert_allclose(d["grp_real"].to_numpy(), [100.0, 110.0, 110.0, 160.0])
    d = p.deflate("grp", defl, base_year=2001, name="grp01")
    np.testing.assert_allclose(d["grp01"].to_numpy(), [110.0, 121.0, 121.0, 176.0])
    regional = pd.Series([100.0, 110.0, 121.0, 125.0],
                         index=pd.MultiIndex.from_tuples([("110000", y) for y in (2000, 2001, 2002, 2004)]))
    np.testing.assert_allclose(p.deflate("grp", regional)["grp_real"].to_numpy(), [100.0, 110.0, 110.0, 160.0])
    with pytest.raises(DataError, match="no value for \\[2004\\]"):
        p.deflate("grp", defl.drop(2004))
    with pytest.raises(DataError, match="base year 1999"):
        p.deflate("grp", defl, base_year=1999)
    zero = build_panel(pd.DataFrame({"p": ["Beijing"], "y": [2000], "a": [1.0], "b": [0.0]}), region="p", year="y")
    with pytest.raises(DataError, match="zero"):
        zero.per_capita("a", "b")


def test_select_and_views():
    p = build_panel(_long(), region="省份", year="年份")
    s = p.select(years=(2001, 2001), regions=["440000"])
    assert s.data.index.tolist() == [("440000", 2001)]
    assert p.variables == ["grp", "pop"] and p.years.tolist() == [2000, 2001]
    w = p.wide("grp")
    assert w.index.tolist() == [2000, 2001] and w.columns.tolist() == ["110000", "440000", "610000"]
    assert w.loc[2001, "440000"] == 12039.25
    d = p.data
    d.iloc[0, 0] = -1.0  # a copy
    assert p.data.iloc[0, 0] != -1.0


def test_regionalpanel_guards():
    idx = pd.MultiIndex.from_tuples([("2", 2000), ("1", 2000)], names=["code", "year"])
    with pytest.raises(PanelError, match="sorted"):
        RegionalPanel(pd.DataFrame({"v": [1.0, 2.0]}, index=idx))
    idx = pd.MultiIndex.from_tuples([("1", 2000), ("1", 2000)], names=["code", "year"])
    with pytest.raises(PanelError, match="duplicate"):
        RegionalPanel(pd.DataFrame({"v": [1.0, 2.0]}, index=idx))
    with pytest.raises(PanelError):
        RegionalPanel(pd.DataFrame({"v": [1.0]}))


def test_harmonise_false_for_other_countries():
    df = pd.DataFrame({"state": ["01", "02"], "year": [2000, 2000], "v": [1.0, 2.0]})
    p = build_panel(df, region="state", year="year", harmonise=False)
    assert p.regions.tolist() == ["01", "02"]
    with pytest.raises(DataError, match="missing labels"):
        build_panel(pd.DataFrame({"s": [None], "year": [2000], "v": [1.0]}), region="s", year="year",
                    harmonise=False)


def test_read_table(tmp_path):
    f = tmp_path / "t.csv"
    _long().to_csv(f, index=False)
    back = read_table(f)
    p = build_panel(back, region="省份", year="年份")
    pd.testing.assert_frame_equal(p.data, build_panel(_long(), region="省份", year="年份").data)
    g = tmp_path / "g.csv"
    g.write_bytes(_long().to_csv(index=False).encode("gb18030"))
    with pytest.raises(DataError, match="gb18030"):
        read_table(g)
    assert read_table(g, encoding="gb18030")["省份"].iloc[0] == "广东省"
    t = tmp_path / "t.tsv"
    _long().to_csv(t, index=False, sep="\t")
    assert read_table(t).shape == _long().shape
    with pytest.raises(DataError, match="not found"):
        read_table(tmp_path / "none.csv")
    (tmp_path / "x.parquet").write_text("")
    with pytest.raises(DataError, match="unknown table format"):
        read_table(tmp_path / "x.parquet")


def test_read_excel_needs_optional_package(tmp_path):
    x = tmp_path / "t.xlsx"
    x.write_bytes(b"")
    try:
        import openpyxl  # noqa: F401
    except ImportError:
        with pytest.raises(DataError, match="openpyxl"):
            read_table(x)
    else:  # pragma: no cover - depends on the environment
        pytest.skip("openpyxl installed")


def test_top_level_names():
    assert se.build_panel is build_panel
    assert se.RegionalPanel is RegionalPanel


def test_geometry_join():
    pytest.importorskip("geopandas")
    try:
        se.geo.read_provinces()
    except DataError:  # pragma: no cover - geometry layer not built yet
        pytest.skip("bundled province layer not available")
    p = build_panel(_long(), region="省份", year="年份")
    g = p.to_geodataframe(2000)
    assert list(g.index) == ["110000", "440000", "610000"] and "geometry" in g.columns
    gg = p.with_geometry()
    assert len(gg) == len(p) and gg.geometry.notna().all()
    with pytest.raises(DataError, match="year 1990"):
        p.to_geodataframe(1990)


def test_year_step_for_decennial_data():
    df = pd.DataFrame({"r": ["11", "11", "12", "12"], "y": [1940, 1950, 1940, 1960], "v": [1.0, 2, 3, 4]})
    annual = build_panel(df, region="r", year="y")
    assert len(annual.missing()) == 2 * 21 - 4
    dec = build_panel(df, region="r", year="y", year_step=10)
    assert dec.year_step == 10
    assert dec.missing() == [("110000", 1960), ("120000", 1950)]
    assert dec.coverage().index.tolist() == [1940, 1950, 1960]
    assert dec.balanced("drop_years").year_step == 10
    with pytest.raises(DataError, match="off the 10-year grid"):
        build_panel(pd.DataFrame({"r": ["11", "11"], "y": [1940, 1945], "v": [1.0, 2]}), region="r", year="y",
                    year_step=10)


def test_deflate_with_tables_and_chain():
    df = pd.DataFrame({"p": ["Beijing", "Beijing", "Hebei", "Hebei"], "y": [2000, 2001, 2000, 2001],
                       "grp": [100.0, 121.0, 50.0, 60.0], "cpi": [np.nan, 110.0, np.nan, 120.0]})
    p = build_panel(df, region="p", year="y")
    lv = p.chain("cpi", base_year=2000)
    np.testing.assert_allclose(lv["cpi_level"].to_numpy(), [100.0, 110.0, 100.0, 120.0])
    # chained level from the panel's own column
    d = lv.deflate("grp", "cpi_level")
    np.testing.assert_allclose(d["grp_real"].to_numpy(), [100.0, 110.0, 50.0, 50.0])
    # a wide user table with region names in any spelling gives the same
    wide = pd.DataFrame({"2000": [100.0, 100.0], "2001年": [110.0, 120.0]}, index=["北京", "河北省"])
    np.testing.assert_allclose(p.deflate("grp", wide)["grp_real"].to_numpy(), [100.0, 110.0, 50.0, 50.0])
    with pytest.raises(DataError, match="one column per year"):
        p.deflate("grp", pd.DataFrame({"a": [1.0], "b": [2.0]}))
    # a gap breaks the chain: nothing is bridged
    gap = build_panel(pd.DataFrame({"p": ["Beijing"] * 4, "y": [2000, 2001, 2002, 2003],
                                    "i": [np.nan, 110.0, np.nan, 105.0]}), region="p", year="y")
    np.testing.assert_allclose(gap.chain("i", base_year=2000)["i_level"].to_numpy(),
                               [100.0, 110.0, np.nan, np.nan])


def test_index_levels_accepted():
    df = _long().set_index(["省份", "年份"])
    p = build_panel(df, region="省份", year="年份")
    pd.testing.assert_frame_equal(p.data, build_panel(_long(), region="省份", year="年份").data)


def test_balanced_intersect_drops_worst_share():
    # 4 regions x 5 years; Hebei misses 4 of 5 years (share 0.8); 2004 misses 2 of 4 regions (0.5)
    rows = []
    for code in ("11", "12", "13", "14"):
        for y in range(2000, 2005):
            if code == "13" and y != 2000:
                continue
            if code == "14" and y == 2004:
                continue
            rows.append((code, y, 1.0))
    p = build_panel(pd.DataFrame(rows, columns=["r", "y", "v"]), region="r", year="y")
    b = p.balanced("intersect")
    assert b.report["balanced"]["dropped_regions"] == ["130000"]
    assert b.report["balanced"]["dropped_years"] == [2004]
    assert b.is_balanced and len(b) == 3 * 4
