"""Builders of spatial weights: contiguity, k nearest neighbours, distance band, inverse distance.

Every builder returns a :class:`libpysal.graph.Graph` whose ids are the region
codes (the index of the GeoDataFrame, or of the points), row-standardised unless
``transform`` says otherwise (see :mod:`spatialecon.weights.normalise`).

Distances are great-circle kilometres (haversine, radius 6371.0088 km) between
equal-area centroids (:func:`spatialecon.geo.centroids`) or between
user-given points (a DataFrame with ``lon``/``lat`` columns indexed by code,
e.g. provincial capitals). Degrees are never used as kilometres.

Examples
--------
>>> from spatialecon import geo, weights
>>> prov = geo.read_provinces()
>>> w = weights.contiguity(prov, islands="nearest")
>>> sorted(w["460000"].index)
['440000']
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping

import geopandas as gpd
import numpy as np
import pandas as pd
import scipy.sparse as sp
from libpysal.graph import Graph
from scipy.spatial import cKDTree

from .. import geo
from .._options import IslandRule, validate
from ..errors import DataError, DisconnectedWarning, IslandWarning, SpatialEconError, WeightsError
from .normalise import normalise

__all__ = ["contiguity", "knn", "distance_band", "inverse_distance", "graph_from_sparse"]


# ----------------------------------------------------------------------------- helpers
def _check_gdf(gdf, *, require_crs: bool = True) -> gpd.GeoDataFrame:
    try:
        geo.check_geometries(gdf, require_crs=require_crs)
    except DataError as exc:
        raise WeightsError(str(exc)) from exc
    if isinstance(gdf, gpd.GeoSeries):
        gdf = gpd.GeoDataFrame(geometry=gdf)
    return gdf


def graph_from_sparse(mat, ids, *, transform: str = "row") -> Graph:
    """Graph from a sparse/dense non-negative matrix with the given ids, then normalised.

    Zero rows become islands (libpysal stores them as a zero self-weight).

    Examples
    --------
    >>> import numpy as np
    >>> g = graph_from_sparse(np.array([[0, 1.0], [1.0, 0]]), ["a", "b"])
    >>> list(g.unique_ids)
    ['a', 'b']
    """
    m = sp.csr_array(mat, dtype=float)
    m.eliminate_zeros()
    g = Graph.from_sparse(m, ids=np.asarray(list(ids), dtype=object))
    return normalise(g, transform)


def _points_for(gdf, points) -> pd.DataFrame:
    """lon/lat points indexed like ``gdf`` (centroids when ``points`` is None)."""
    if points is None:
        if gdf is None:
            raise WeightsError("give a GeoDataFrame or points=")
        gdf = _check_gdf(gdf)
        return geo.centroids(gdf)
    try:
        pts = geo.as_points(points)
    except DataError as exc:
        raise WeightsError(str(exc)) from exc
    if gdf is not None:
        gids, pids = set(map(str, gdf.index)), set(map(str, pts.index))
        if gids != pids:
            raise WeightsError(
                f"points and gdf ids differ: only in gdf {sorted(gids - pids)}, "
                f"only in points {sorted(pids - gids)}")
        if set(gdf.index) == set(pts.index):
            pts = pts.loc[list(gdf.index)]
        else:  # same ids as text (e.g. int codes on one side)
            pts = pts.set_axis([str(i) for i in pts.index]).loc[[str(i) for i in gdf.index]]
            pts.index = gdf.index
    return pts


def _unit_xyz(pts: pd.DataFrame) -> np.ndarray:
    lon, lat = np.radians(pts["lon"].to_numpy()), np.radians(pts["lat"].to_numpy())
    return np.column_stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)])


def _chord_to_km(c):
    return 2.0 * geo.EARTH_RADIUS_KM * np.arcsin(np.clip(np.asarray(c) / 2.0, 0.0, 1.0))


def _km_to_chord(d):
    return 2.0 * np.sin(min(float(d) / geo.EARTH_RADIUS_KM, np.pi) / 2.0)


def _pairs_within(pts: pd.DataFrame, threshold_km: float) -> sp.coo_matrix:
    """Sparse matrix of great-circle km for all pairs i != j within threshold (scipy KD-tree)."""
    xyz = _unit_xyz(pts)
    tree = cKDTree(xyz)
    pairs = tree.query_pairs(_km_to_chord(threshold_km) * (1 + 1e-12), output_type="ndarray")
    n = len(pts)
    if len(pairs) == 0:
        return sp.coo_matrix((n, n))
    i, j = pairs[:, 0], pairs[:, 1]
    d = geo.great_circle_km(pts.to_numpy()[i], pts.to_numpy()[j])
    keep = d <= threshold_km
    i, j, d = i[keep], j[keep], d[keep]
    return sp.coo_matrix((np.r_[d, d], (np.r_[i, j], np.r_[j, i])), shape=(n, n))


def _warn_islands(ids, what: str):
    if len(ids):
        warnings.warn(f"{what}: units without neighbours (islands): {list(ids)}",
                      IslandWarning, stacklevel=3)


def _warn_components(g: Graph, islands=()):
    labels = pd.Series(np.asarray(g.component_labels), index=g.unique_ids)
    labels = labels.drop(list(islands), errors="ignore")
    if labels.nunique() > 1:
        comps = [sorted(map(str, grp.index)) for _, grp in labels.groupby(labels)]
        comps.sort(key=len, reverse=True)
        sizes = [len(c) for c in comps]
        shown = comps if sum(sizes) <= 60 else comps[1:]
        what = "components" if shown is comps else "components other than the largest"
        ids = [c if len(c) <= 20 else c[:20] + ["..."] for c in shown[:20]]
        more = f" (+{len(shown) - 20} more)" if len(shown) > 20 else ""
        warnings.warn(f"weights graph has {len(comps)} disconnected components of sizes {sizes[:20]}"
                      f"{'...' if len(sizes) > 20 else ''}; {what}: {ids}{more}",
                      DisconnectedWarning, stacklevel=3)


def _resolve_codes(labels, ids: pd.Index) -> list:
    """Map labels (codes or names) to ids; names via spatialecon.regions.harmonise when available."""
    idset = {str(i): i for i in ids}
    unknown = [lab for lab in labels if str(lab) not in idset]
    matched: dict = {}
    if unknown:
        try:
            from ..regions import harmonise  # H1's registry
        except ImportError:
            raise WeightsError(f"island mapping labels not among the ids: {unknown}") from None
        try:
            codes = list(harmonise(list(unknown)))
        except SpatialEconError as exc:
            raise WeightsError(f"island mapping labels could not be matched: {unknown} ({exc})") from exc
        missing = [lab for lab, c in zip(unknown, codes) if str(c) not in idset]
        if missing:
            raise WeightsError(f"island mapping labels not among the ids: {missing}")
        matched = {lab: idset[str(c)] for lab, c in zip(unknown, codes)}
    return [idset[str(lab)] if str(lab) in idset else matched[lab] for lab in labels]


# ----------------------------------------------------------------------------- contiguity
def contiguity(gdf: gpd.GeoDataFrame, rook: bool = False, *, islands="raise",
               transform: str = "row") -> Graph:
    """Queen (default) or rook contiguity, with an explicit rule for islands.

    Parameters
    ----------
    gdf : GeoDataFrame
        Polygons indexed by region code (e.g. :func:`spatialecon.geo.read_provinces`).
    rook : bool, default False
        Rook (shared edge) instead of queen (shared edge or vertex).
    islands : {"raise", "nearest", "keep"} or mapping
        What to do with units without contiguous neighbours:

        - ``"raise"``: raise :class:`WeightsError` naming them;
        - ``"nearest"``: link each island to the unit at the smallest *boundary*
          distance (computed in the equal-area CRS EPSG:6933), symmetrically
          (Hainan -> Guangdong across the Qiongzhou Strait; a centroid rule would
          pick Guangxi);
        - ``"keep"``: keep a zero row and warn (:class:`IslandWarning`) naming them;
        - mapping ``{island: neighbour}`` (codes, or names matched with
          :func:`spatialecon.regions.harmonise`), linked symmetrically; every
          island must be covered.
    transform : {"row", "spectral", "minmax", "none"}, default "row"

    Warns
    -----
    DisconnectedWarning
        If the graph (islands excluded) has several components; names them.

    Examples
    --------
    >>> from spatialecon import geo
    >>> w = contiguity(geo.read_provinces(), islands={"460000": "440000"})
    >>> int(w.n), sorted(w["110000"].index)
    (31, ['120000', '130000'])
    """
    # contiguity is topological: a CRS is needed only to measure boundary distances for islands
    gdf = _check_gdf(gdf, require_crs=False)
    rule = islands if isinstance(islands, Mapping) else validate("islands", islands, IslandRule)
    base = Graph.build_contiguity(gdf.geometry, rook=rook)
    isl = list(base.isolates)
    ids = base.unique_ids
    extra: list[tuple] = []
    if isl:
        if rule == "raise":
            raise WeightsError(
                f"units without contiguous neighbours (islands): {[str(i) for i in isl]}; choose "
                "islands='nearest', 'keep' or a mapping such as {'460000': '440000'}")
        if rule == "keep":
            _warn_islands([str(i) for i in isl], "contiguity")
        elif rule == "nearest":
            if gdf.geometry.crs is None:
                raise WeightsError("islands='nearest' measures boundary distances and needs a CRS; set one "
                                   "(e.g. gdf.set_crs('EPSG:4326')) or give an explicit island mapping")
            proj = gdf.geometry.to_crs(geo.EQUAL_AREA_CRS)
            for i in isl:
                d = proj.distance(proj.loc[i])
                d = d.drop(i)
                extra.append((i, d.idxmin()))
        else:
            keys = _resolve_codes(list(rule.keys()), ids)
            vals = _resolve_codes(list(rule.values()), ids)
            extra = [(a, b) for a, b in zip(keys, vals) if a != b]
            uncovered = [str(i) for i in isl if i not in set(keys) | set(vals)]
            if uncovered:
                raise WeightsError(f"islands not covered by the mapping: {uncovered}")
    m = sp.lil_matrix(sp.csr_matrix(base.sparse, dtype=float))
    pos = {k: n for n, k in enumerate(ids)}
    for a, b in extra:
        m[pos[a], pos[b]] = 1.0
        m[pos[b], pos[a]] = 1.0
    g = graph_from_sparse(m.tocsr(), ids, transform="none")
    _warn_components(g, islands=g.isolates)
    return normalise(g, transform)


# ----------------------------------------------------------------------------- distance based
def knn(gdf: gpd.GeoDataFrame | None, k: int, *, points=None, transform: str = "row") -> Graph:
    """k nearest neighbours by great-circle distance between centroids (or ``points``).

    The neighbour search is libpysal's (``Graph.build_knn(..., metric="haversine")``,
    which needs scikit-learn); without scikit-learn a scipy KD-tree on unit-sphere
    coordinates is used (chord length is monotone in great-circle distance, so the
    ranking is identical). Ties at the k-th distance are broken by the tree.
    Weights are binary before ``transform``; the graph is not symmetric in general.

    Examples
    --------
    >>> import pandas as pd
    >>> pts = pd.DataFrame({"lon": [0.0, 0.0, 0.0], "lat": [0.0, 1.0, 3.0]}, index=["a", "b", "c"])
    >>> sorted(map(str, knn(None, 1, points=pts)["c"].index))
    ['b']
    """
    pts = _points_for(gdf, points)
    n = len(pts)
    if not isinstance(k, (int, np.integer)) or k < 1 or k >= n:
        raise WeightsError(f"k must be an integer in 1..{n - 1}, got {k!r}")
    if pts.duplicated().any():
        raise WeightsError(f"coincident points make kNN ill-defined: {list(pts.index[pts.duplicated(keep=False)])}")
    ids = pts.index
    try:
        g = Graph.build_knn(pts[["lon", "lat"]].to_numpy(), k=int(k), metric="haversine")
        head = np.asarray(g.adjacency.index.get_level_values(0), dtype=int)
        tail = np.asarray(g.adjacency.index.get_level_values(1), dtype=int)
    except ImportError:
        _, ix = cKDTree(_unit_xyz(pts)).query(_unit_xyz(pts), k=int(k) + 1)
        head = np.repeat(np.arange(n), k)
        tail = ix[:, 1:].ravel()
    m = sp.coo_matrix((np.ones(len(head)), (head, tail)), shape=(n, n))
    return graph_from_sparse(m, ids, transform=transform)


def distance_band(gdf: gpd.GeoDataFrame | None, threshold_km: float, *, binary: bool = True,
                  power: float = 1.0, points=None, islands: str = "keep",
                  transform: str = "row") -> Graph:
    """Units within ``threshold_km`` great-circle km are neighbours.

    Parameters
    ----------
    threshold_km : float
        Inclusive cut-off in km.
    binary : bool, default True
        Weight 1 within the band; otherwise ``d_ij ** -power``.
    islands : {"keep", "raise"}
        Units with nobody within the band: keep (zero row, :class:`IslandWarning`) or raise.

    Examples
    --------
    >>> import pandas as pd
    >>> pts = pd.DataFrame({"lon": [0.0, 0.0, 0.0], "lat": [0.0, 1.0, 3.0]}, index=["a", "b", "c"])
    >>> sorted(map(str, distance_band(None, 250, points=pts, transform="none")["b"].index))
    ['a', 'c']
    """
    if not np.isfinite(threshold_km) or threshold_km <= 0:
        raise WeightsError(f"threshold_km must be positive, got {threshold_km!r}")
    if islands not in ("keep", "raise"):
        raise WeightsError(f"islands={islands!r} is not valid for distance_band; use 'keep' or 'raise'")
    pts = _points_for(gdf, points)
    d = _pairs_within(pts, threshold_km).tocsr()
    if (d.data == 0).any() and not binary:
        raise WeightsError("coincident points (distance 0) cannot get inverse-distance weights")
    w = d.copy()
    w.data = np.ones_like(w.data) if binary else w.data ** (-float(power))
    zero = np.asarray(d.getnnz(axis=1)) == 0 if d.nnz else np.ones(len(pts), bool)
    iso = [str(i) for i in pts.index[zero]]
    if iso:
        if islands == "raise":
            raise WeightsError(f"units with no neighbour within {threshold_km} km: {iso}")
        _warn_islands(iso, f"distance_band({threshold_km} km)")
    g = graph_from_sparse(w, pts.index, transform="none")
    _warn_components(g, islands=g.isolates)
    return normalise(g, transform)


def inverse_distance(gdf: gpd.GeoDataFrame | None, power: float = 1.0, cutoff_km: float | None = None,
                     *, points=None, transform: str = "row") -> Graph:
    """Inverse-distance weights ``w_ij = d_ij ** -power`` (great-circle km), optionally cut off.

    Without ``cutoff_km`` the matrix is dense (all pairs); with it, pairs farther
    than ``cutoff_km`` get weight 0 (see :func:`distance_band`).

    Examples
    --------
    >>> import pandas as pd
    >>> pts = pd.DataFrame({"lon": [0.0, 0.0], "lat": [0.0, 1.0]}, index=["a", "b"])
    >>> round(float(inverse_distance(None, points=pts, transform="none")["a"]["b"]), 6)
    0.008993
    """
    if not np.isfinite(power) or power <= 0:
        raise WeightsError(f"power must be positive, got {power!r}")
    if cutoff_km is not None:
        return distance_band(gdf, cutoff_km, binary=False, power=power, points=points,
                             transform=transform)
    pts = _points_for(gdf, points)
    d = geo.distance_matrix_km(pts).to_numpy()
    off = ~np.eye(len(pts), dtype=bool)
    if (d[off] == 0).any():
        raise WeightsError("coincident points (distance 0) cannot get inverse-distance weights")
    w = np.zeros_like(d)
    w[off] = d[off] ** (-float(power))
    return graph_from_sparse(w, pts.index, transform=transform)
