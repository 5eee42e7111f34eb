"""Tests of spatialecon.weights: builders, island rules, normalisation, alignment, bounds, I/O."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from libpysal.graph import Graph

from spatialecon import geo, weights
from spatialecon.errors import (
    DisconnectedWarning,
    IslandWarning,
    OptionError,
    WeightsError,
)

R = geo.EARTH_RADIUS_KM


@pytest.fixture(scope="module")
def prov():
    return geo.read_provinces()


@pytest.fixture(scope="module")
def queen(prov):
    return weights.contiguity(prov, islands="nearest", transform="none")


def _pairs(w):
    m = weights.align(w, w.unique_ids)
    ids = list(w.unique_ids)
    r, c = m.nonzero()
    return {tuple(sorted((ids[i], ids[j]))) for i, j in zip(r, c) if i != j}


# ----------------------------------------------------------------------------- contiguity
def test_queen_pairs_and_named(prov):
    with pytest.warns(IslandWarning, match="460000"):
        w = weights.contiguity(prov, islands="keep", transform="none")
    pairs = _pairs(w)
    assert len(pairs) == 68
    for a, b in [("110000", "120000"), ("340000", "370000"), ("500000", "610000")]:
        assert (a, b) in pairs
    assert list(w.unique_ids) == list(prov.index)
    assert w.n == 31


def test_rook_subset_of_queen(prov):
    with pytest.warns(IslandWarning):
        rook = weights.contiguity(prov, rook=True, islands="keep")
        queen = weights.contiguity(prov, rook=False, islands="keep")
    assert _pairs(rook) <= _pairs(queen)


def test_island_raise(prov):
    with pytest.raises(WeightsError, match="460000"):
        weights.contiguity(prov)


def test_island_keep_zero_row(prov):
    with pytest.warns(IslandWarning, match="460000"):
        w = weights.contiguity(prov, islands="keep")
    m = weights.align(w, prov.index)
    i = prov.index.get_loc("460000")
    assert m[i].nnz == 0 and m[:, i].nnz == 0
    s = weights.summary(w)
    assert s["islands"] == ["460000"] and s["components"] == 2


def test_island_nearest_is_guangdong_symmetric(prov, queen):
    assert dict(queen["460000"]) == {"440000": 1.0}
    assert queen["440000"]["460000"] == 1.0
    assert len(_pairs(queen)) == 69
    # the centroid rule would choose differently (Guangxi): boundary distance is what we use
    c = geo.centroids(prov)
    d = geo.distance_matrix_km(c).loc["460000"].drop("460000")
    assert d.idxmin() == "450000"
    wr = weights.contiguity(prov, islands="nearest")
    assert wr["460000"].to_dict() == {"440000": 1.0}
    assert wr["440000"].sum() == pytest.approx(1.0)
    assert weights.normalisation_of(wr) == "row"


def test_island_mapping_codes_and_names(prov, queen):
    w = weights.contiguity(prov, islands={"460000": "440000"}, transform="none")
    assert w.equals(queen)
    with pytest.raises(WeightsError, match="not covered"):
        weights.contiguity(prov, islands={"110000": "440000"})
    with pytest.raises(WeightsError, match="ZZZ"):
        weights.contiguity(prov, islands={"ZZZ": "440000"})
    try:
        from spatialecon.regions import harmonise  # noqa: F401
    except ImportError:
        pytest.skip("regions.harmonise not available yet")
    w2 = weights.contiguity(prov, islands={"Hainan": "广东省"}, transform="none")
    assert w2.equals(queen)


def test_island_bad_option(prov):
    with pytest.raises(OptionError, match="islands"):
        weights.contiguity(prov, islands="drop")


def test_disconnected_warning_names_components(prov):
    sub = prov.loc[["110000", "120000", "650000", "540000"]]
    with pytest.warns(DisconnectedWarning, match="110000"):
        w = weights.contiguity(sub)
    assert w.n == 4


def test_rho_bounds_row_standardised(queen):
    w = weights.normalise(queen, "row")
    lo, hi = weights.rho_bounds(w)
    assert hi == pytest.approx(1.0, abs=1e-10)
    # independent: eigenvalues of D^-1/2 A D^-1/2 (symmetric, similar to row-standardised A)
    a = weights.align(queen, queen.unique_ids).toarray()
    dinv = 1 / np.sqrt(a.sum(1))
    ev = np.linalg.eigvalsh(dinv[:, None] * a * dinv[None, :])
    assert lo == pytest.approx(1 / ev.min(), rel=1e-10)


def test_rho_bounds_sparse_lattice():
    # 50 x 50 rook lattice (N = 2500 > dense limit): eigenvalues are 2cos(pi i/51) + 2cos(pi j/51)
    n = 50
    t = sp.diags([np.ones(n - 1), np.ones(n - 1)], [-1, 1])
    a = sp.kron(sp.eye(n), t) + sp.kron(t, sp.eye(n))
    w = weights.from_matrix(sp.csr_matrix(a), ids=[f"u{i}" for i in range(n * n)], transform="none")
    lam = 4 * np.cos(np.pi / (n + 1))
    lo, hi = weights.rho_bounds(w)
    assert lo == pytest.approx(-1 / lam, rel=1e-8)
    assert hi == pytest.approx(1 / lam, rel=1e-8)


# ----------------------------------------------------------------------------- distance based
def _equator_points(lons, ids):
    return pd.DataFrame({"lon": lons, "lat": np.zeros(len(lons))}, index=ids)


LONS = np.array([0.0, 0.7, 2.1, 2.6, 5.3, 9.0])
IDS = list("abcdef")


def test_knn_hand_computed():
    pts = _equator_points(LONS, IDS)
    w = weights.knn(None, 2, points=pts, transform="none")
    d = np.abs(LONS[:, None] - LONS[None, :])
    np.fill_diagonal(d, np.inf)
    for i, a in enumerate(IDS):
        expect = {IDS[j] for j in np.argsort(d[i])[:2]}
        assert set(w[a].index) == expect
    assert set(w["a"].index) == {"b", "c"} and set(w["f"].index) == {"e", "d"}


def test_knn_and_inverse_distance_vs_libpysal_planar():
    # On the equator great-circle km = R * |dlon| in radians: libpysal's planar builders
    # on x = R * lon_rad must give the same graphs.
    pts = _equator_points(LONS, IDS)
    xy = np.column_stack([R * np.radians(LONS), np.zeros(len(LONS))])
    ref = Graph.build_knn(xy, k=3).transform("r")
    ours = weights.knn(None, 3, points=pts)
    np.testing.assert_allclose(weights.align(ours, IDS).toarray(), ref.sparse.toarray())
    with np.errstate(divide="ignore"):  # libpysal evaluates 0 ** alpha on the diagonal
        ref_id = Graph.build_distance_band(xy, threshold=1e9, binary=False, alpha=-1.5)
    ours_id = weights.inverse_distance(None, power=1.5, points=pts, transform="none")
    np.testing.assert_allclose(weights.align(ours_id, IDS).toarray(), ref_id.sparse.toarray(), rtol=1e-10)
    ref_db = Graph.build_distance_band(xy, threshold=450.0)
    ours_db = weights.distance_band(None, 450.0, points=pts, transform="none")
    np.testing.assert_array_equal(weights.align(ours_db, IDS).toarray(), ref_db.sparse.toarray())


def test_inverse_distance_hand_small_case():
    pts = pd.DataFrame({"lon": [0.0, 0.0, 1.0], "lat": [0.0, 1.0, 0.0]}, index=["a", "b", "c"])
    w = weights.inverse_distance(None, points=pts, transform="none")
    deg = np.pi * R / 180.0  # km per degree of arc
    dbc = R * np.arccos(np.cos(np.radians(1.0)) ** 2)  # spherical law of cosines
    m = weights.align(w, ["a", "b", "c"]).toarray()
    np.testing.assert_allclose(m, [[0, 1 / deg, 1 / deg], [1 / deg, 0, 1 / dbc], [1 / deg, 1 / dbc, 0]],
                               rtol=1e-10)
    wr = weights.inverse_distance(None, points=pts)
    assert wr["a"]["b"] == pytest.approx(0.5)
    wc = weights.inverse_distance(None, points=pts, cutoff_km=112.0, transform="none")
    assert set(wc["b"].index) == {"a"}
    assert wc["a"]["b"] == pytest.approx(1 / deg)


def test_distance_in_km_not_degrees(prov):
    c = geo.centroids(prov)
    with pytest.warns(IslandWarning):
        w = weights.distance_band(prov, 150.0, transform="none")
    d = geo.distance_matrix_km(c)
    pairs = _pairs(w)
    expect = {tuple(sorted((a, b))) for a in d.index for b in d.columns if a != b and d.loc[a, b] <= 150.0}
    assert pairs == expect and ("110000", "120000") in pairs


def test_knn_provinces_with_user_points(prov):
    c = geo.centroids(prov)
    w1 = weights.knn(prov, 4)
    w2 = weights.knn(prov, 4, points=c.iloc[::-1])
    np.testing.assert_array_equal(weights.align(w1, prov.index).toarray(), weights.align(w2, prov.index).toarray())
    assert (w1.cardinalities == 4).all()
    with pytest.raises(WeightsError, match="only in gdf"):
        weights.knn(prov, 4, points=c.iloc[:-1])
    with pytest.raises(WeightsError, match="k must"):
        weights.knn(prov, 31)


# ----------------------------------------------------------------------------- economic / nested
def test_economic_distance_elementwise():
    x = pd.Series([10.0, 12.0, 15.0, 20.0], index=["a", "b", "c", "d"])
    w = weights.economic_distance(x, transform="none")
    m = weights.align(w, x.index).toarray()
    for i in range(4):
        for j in range(4):
            expect = 0.0 if i == j else 1.0 / abs(x.iloc[i] - x.iloc[j])
            assert m[i, j] == pytest.approx(expect)
    wr = weights.align(weights.economic_distance(x), x.index).toarray()
    np.testing.assert_allclose(wr, m / m.sum(1, keepdims=True))


def test_economic_distance_ties_and_bad_values():
    x = pd.Series([1.0, 1.0, 3.0], index=["a", "b", "c"])
    with pytest.raises(WeightsError, match=r"\('a', 'b'\)"):
        weights.economic_distance(x)
    w = weights.economic_distance(x, min_diff=0.5, transform="none")
    assert w["a"]["b"] == pytest.approx(2.0) and w["a"]["c"] == pytest.approx(0.5)
    with pytest.raises(WeightsError, match="missing"):
        weights.economic_distance(pd.Series([1.0, np.nan], index=["a", "b"]))
    with pytest.raises(WeightsError, match="numeric"):
        weights.economic_distance(pd.Series(["x", "y"], index=["a", "b"]))
    with pytest.raises(WeightsError, match="duplicate"):
        weights.economic_distance(pd.Series([1.0, 2.0], index=["a", "a"]))


def test_nested_elementwise_label_aligned():
    g = weights.from_matrix(np.array([[0, 1, 1, 0], [1, 0, 1, 0], [1, 1, 0, 1], [0, 0, 1, 0.]]),
                            ids=list("abcd"), transform="none")
    x = pd.Series([20.0, 15.0, 12.0, 10.0], index=list("dcba"))  # different order on purpose
    e = weights.economic_distance(x, transform="none")
    out = weights.nested(g, e, transform="none")
    gm = weights.align(g, list("abcd")).toarray()
    xv = x.loc[list("abcd")].to_numpy()
    em = np.where(np.eye(4, dtype=bool), 0.0, 1 / np.where(np.eye(4, dtype=bool), 1, np.abs(xv[:, None] - xv)))
    np.testing.assert_allclose(weights.align(out, list("abcd")).toarray(), gm * em)
    row = weights.nested(weights.normalise(g, "row"), weights.economic_distance(x))
    expect = gm * em / (gm * em).sum(1, keepdims=True)
    np.testing.assert_allclose(weights.align(row, list("abcd")).toarray(), expect)
    with pytest.raises(WeightsError, match="only in"):
        weights.nested(g, weights.economic_distance(x.iloc[:3]))


# ----------------------------------------------------------------------------- user matrices
def test_from_matrix_dataframe_aligns_columns_by_label():
    df = pd.DataFrame([[0, 2.0, 0], [1.0, 0, 3.0], [0, 4.0, 0]], index=list("abc"), columns=list("abc"))
    shuffled = df[["c", "a", "b"]]
    w = weights.from_matrix(shuffled, transform="none")
    np.testing.assert_array_equal(weights.align(w, list("abc")).toarray(), df.to_numpy())


@pytest.mark.parametrize("bad, msg", [
    (np.ones((2, 3)), "square"),
    (np.array([["a", "b"], ["c", "d"]]), "non-numeric"),
    (np.array([[0, -1.0], [1.0, 0]]), "negative"),
    (np.array([[0, np.nan], [1.0, 0]]), "NaN"),
    (np.array([[1.0, 1.0], [1.0, 0]]), "self-weights"),
])
def test_from_matrix_bad_input(bad, msg):
    with pytest.raises(WeightsError, match=msg):
        weights.from_matrix(bad, ids=["a", "b"] if bad.shape[0] == 2 else None)


def test_from_matrix_bad_ids():
    with pytest.raises(WeightsError, match="duplicate"):
        weights.from_matrix(np.array([[0, 1.0], [1.0, 0]]), ids=["a", "a"])
    with pytest.raises(WeightsError, match="2 ids"):
        weights.from_matrix(np.zeros((3, 3)), ids=["a", "b"])
    df = pd.DataFrame([[0, 1.0], [1.0, 0]], index=["a", "b"], columns=["a", "x"])
    with pytest.raises(WeightsError, match="labels differ"):
        weights.from_matrix(df)
    df = pd.DataFrame({"a": [0, "x"], "b": [1.0, 0]}, index=["a", "b"])
    with pytest.raises(WeightsError, match="non-numeric"):
        weights.from_matrix(df)
    w = weights.from_matrix(np.array([[1.0, 1.0], [1.0, 0]]), ids=["a", "b"], allow_self=True, transform="none")
    assert w["a"]["a"] == 1.0


def test_from_edges():
    e = pd.DataFrame({"o": ["a", "b", "b"], "d": ["b", "c", "a"], "flow": [2.0, 1.0, 3.0]})
    with pytest.warns(IslandWarning, match="c"):  # c has no outgoing link: zero row
        w = weights.from_edges(e, "o", "d", "flow", transform="none")
    np.testing.assert_array_equal(weights.align(w, list("abc")).toarray(),
                                  [[0, 2, 0], [3, 0, 1], [0, 0, 0]])
    e = pd.concat([e, pd.DataFrame({"o": ["c"], "d": ["a"], "flow": [1.0]})], ignore_index=True)
    with pytest.raises(WeightsError, match="duplicate"):
        weights.from_edges(pd.concat([e, e.iloc[:1]]), "o", "d", "flow")
    with pytest.raises(WeightsError, match="negative"):
        weights.from_edges(e.assign(flow=[-1.0, 1.0, 1.0, 1.0]), "o", "d", "flow")
    with pytest.raises(WeightsError, match="self-links"):
        weights.from_edges(pd.DataFrame({"o": ["a"], "d": ["a"]}), "o", "d")
    with pytest.raises(WeightsError, match="not in ids"):
        weights.from_edges(e, "o", "d", ids=["a", "b"])
    with pytest.warns(IslandWarning, match="z"):
        weights.from_edges(e, "o", "d", ids=["a", "b", "c", "z"])


# ----------------------------------------------------------------------------- normalisation
def test_normalisations_recorded_and_correct():
    a = np.array([[0, 1, 2], [1, 0, 0], [2, 0, 0.]])
    w = weights.from_matrix(a, ids=list("xyz"), transform="none")
    assert weights.normalisation_of(w) == "none"
    ev = np.abs(np.linalg.eigvalsh(a)).max()
    ws = weights.normalise(w, "spectral")
    np.testing.assert_allclose(weights.align(ws, list("xyz")).toarray(), a / ev)
    assert weights.normalisation_of(ws) == "spectral"
    wm = weights.normalise(w, "minmax")
    np.testing.assert_allclose(weights.align(wm, list("xyz")).toarray(), a / 3.0)
    assert weights.normalisation_of(wm) == "minmax"
    wr = weights.normalise(w, "row")
    np.testing.assert_allclose(weights.align(wr, list("xyz")).toarray(), a / a.sum(1, keepdims=True))
    assert weights.summary(wr)["normalisation"] == "row"
    assert weights.normalisation_of(weights.normalise(ws, "none")) == "spectral"
    with pytest.raises(OptionError, match="how"):
        weights.normalise(w, "column")


# ----------------------------------------------------------------------------- align
def test_align_reordered_index_gives_permuted_matrix(queen):
    ids = list(queen.unique_ids)
    base = weights.align(queen, ids).toarray()
    perm = np.random.default_rng(1).permutation(len(ids))
    new = [ids[i] for i in perm]
    np.testing.assert_array_equal(weights.align(queen, pd.Index(new)).toarray(), base[np.ix_(perm, perm)])
    assert not np.array_equal(weights.align(queen, new).toarray(), base)


def test_align_multiindex_and_int_codes(queen):
    ids = list(queen.unique_ids)[::-1]
    mi = pd.MultiIndex.from_product([ids, [2000, 2001]], names=["code", "year"])
    np.testing.assert_array_equal(weights.align(queen, mi).toarray(), weights.align(queen, ids).toarray())
    ints = pd.Index([int(i) for i in ids])
    np.testing.assert_array_equal(weights.align(queen, ints).toarray(), weights.align(queen, ids).toarray())


def test_align_mismatch_lists_both_sides(queen):
    ids = list(queen.unique_ids)
    with pytest.raises(WeightsError, match=r"only in index \['999999'\].*only in W \['110000'\]"):
        weights.align(queen, ids[1:] + ["999999"])
    with pytest.raises(WeightsError, match="only in W"):
        weights.align(queen, ids[:-1])
    with pytest.raises(WeightsError, match="duplicate"):
        weights.align(queen, ids + ids[:1])


# ----------------------------------------------------------------------------- summary, time-varying, io
def test_summary(queen):
    s = weights.summary(queen)
    assert s["n"] == 31 and s["links"] == 138 and s["islands"] == []
    assert s["components"] == 1 and s["symmetric"] is True
    card = weights.align(queen, queen.unique_ids).getnnz(axis=1)
    assert s["mean_neighbours"] == pytest.approx(card.mean())
    assert s["min_neighbours"] == 1 and s["max_neighbours"] == card.max()
    assert weights.summary(weights.knn(geo.read_provinces(), 3))["symmetric"] is False


def test_time_varying():
    x0 = pd.Series([1.0, 2.0, 4.0], index=list("abc"))
    tv = weights.time_varying({2001: weights.economic_distance(x0 + 1), 2000: weights.economic_distance(x0)})
    assert tv.years == [2000, 2001] and list(tv) == [2000, 2001] and len(tv) == 2
    mi = pd.MultiIndex.from_product([list("cab"), [2000, 2001]], names=["code", "year"])
    mats = tv.align(mi)
    np.testing.assert_array_equal(mats[2000].toarray(), weights.align(tv[2000], list("cab")).toarray())
    with pytest.raises(WeightsError, match="only in 2001"):
        weights.time_varying({2000: weights.economic_distance(x0),
                              2001: weights.economic_distance(pd.Series([1.0, 2.0, 5.0], index=list("abd")))})
    with pytest.raises(WeightsError, match="Graph"):
        weights.time_varying({2000: np.eye(3)})
    with pytest.raises(WeightsError, match="2002"):
        tv.align(mi, years=[2002])


def test_gal_roundtrip_identical(prov, queen, tmp_path):
    w = weights.normalise(queen, "row")
    p = tmp_path / "prov.gal"
    weights.write_gal(w, p)
    back = weights.read_gal(p)
    assert list(back.unique_ids) == list(w.unique_ids)
    assert all(isinstance(i, str) for i in back.unique_ids)
    assert back.equals(w)
    # with an island (zero row) too
    with pytest.warns(IslandWarning):
        wk = weights.contiguity(prov, islands="keep")
    weights.write_gal(wk, tmp_path / "k.gal")
    back = weights.read_gal(tmp_path / "k.gal")
    np.testing.assert_array_equal(weights.align(back, prov.index).toarray(), weights.align(wk, prov.index).toarray())
    # libpysal reads our file (ids come back as int there)
    from libpysal.graph import read_gal as lp_read_gal
    lp = lp_read_gal(p)
    assert lp.n == 31 and sum(len(v) for v in lp.neighbors.values()) == 138


def test_gwt_roundtrip_exact_weights(prov, tmp_path):
    w = weights.inverse_distance(prov, cutoff_km=1500.0)
    p = tmp_path / "prov.gwt"
    weights.write_gwt(w, p)
    back = weights.read_gwt(p)
    np.testing.assert_array_equal(weights.align(back, prov.index).toarray(), weights.align(w, prov.index).toarray())


def test_bad_geometry_inputs(prov):
    empty = prov.copy()
    import shapely
    empty.loc["120000", "geometry"] = shapely.Polygon()
    with pytest.raises(WeightsError, match="120000"):
        weights.contiguity(empty, islands="nearest")
    mixed = prov.copy()
    mixed["other"] = prov.geometry.to_crs(3857)
    with pytest.raises(WeightsError, match="mixes"):
        weights.knn(mixed, 3)
    dup = pd.concat([prov, prov.iloc[:1]])
    with pytest.raises(WeightsError, match="duplicate"):
        weights.contiguity(dup, islands="nearest")


@pytest.mark.parametrize("rook", [False, True])
def test_contiguity_matches_legacy_libpysal_weights(prov, rook):
    from libpysal.weights import Queen, Rook

    cls = Rook if rook else Queen
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # legacy W warns about the island itself
        legacy = cls.from_dataframe(prov, use_index=True)
    with pytest.warns(IslandWarning):
        ours = weights.contiguity(prov, rook=rook, islands="keep", transform="none")
    expect = {tuple(sorted((str(a), str(b)))) for a, nbs in legacy.neighbors.items() for b in nbs}
    assert _pairs(ours) == expect


def test_island_mapping_names_via_registry_hook(prov, queen, monkeypatch):
    """Names in the mapping go through spatialecon.regions.harmonise (stubbed here)."""
    import spatialecon.regions as regions
    from spatialecon.errors import RegionMatchError

    table = {"Hainan": "460000", "Guangdong": "440000"}

    def fake(names):
        bad = [n for n in names if n not in table]
        if bad:
            raise RegionMatchError(f"unmatched {bad}", {b: [] for b in bad})
        return pd.Series([table[n] for n in names])

    monkeypatch.setattr(regions, "harmonise", fake, raising=False)
    w = weights.contiguity(prov, islands={"Hainan": "Guangdong"}, transform="none")
    assert w.equals(queen)
    with pytest.raises(WeightsError, match="Atlantis"):
        weights.contiguity(prov, islands={"Atlantis": "440000"})


def test_rho_bounds_sparse_row_standardised_lattice():
    # row-standardised 45 x 50 rook lattice (N = 2250, sparse path) vs dense eigenvalues
    t1 = sp.diags([np.ones(44), np.ones(44)], [-1, 1])
    t2 = sp.diags([np.ones(49), np.ones(49)], [-1, 1])
    a = sp.csr_matrix(sp.kron(sp.eye(50), t1) + sp.kron(t2, sp.eye(45)))
    w = weights.from_matrix(a, ids=[f"u{i}" for i in range(a.shape[0])])
    lo, hi = weights.rho_bounds(w)
    d = np.asarray(a.sum(1)).ravel()
    ev = np.linalg.eigvalsh((a.toarray() / np.sqrt(d)[:, None]) / np.sqrt(d)[None, :])
    assert hi == pytest.approx(1.0, abs=1e-8)
    assert lo == pytest.approx(1 / ev.min(), rel=1e-8)


def test_contiguity_needs_no_crs_but_nearest_islands_do():
    import spatialecon as se
    import geopandas as gpd
    import libpysal

    df = gpd.read_file(libpysal.examples.get_path("columbus.shp"))
    df.index = df["POLYID"].astype(str)
    assert df.crs is None
    w = se.weights.contiguity(df)
    ref = libpysal.graph.Graph.build_contiguity(df, rook=False)
    assert w.n_edges == ref.n_edges
    prov = se.datasets.china_provinces()
    with pytest.raises(WeightsError, match="needs a CRS"):
        se.weights.contiguity(prov.set_crs(None, allow_override=True), islands="nearest")
