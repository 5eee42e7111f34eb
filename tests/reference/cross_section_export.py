"""Export the data and the exact weights of the cross-section references (run once).

Both sides of the comparison (R spatialreg/spdep in ``spatialreg_cross_section.R``,
spreg in ``spreg_cross_section.py``, spatialecon in ``tests/test_vs_r.py`` and
``tests/test_vs_spreg.py``) read the files written here, so data and neighbour sets
are identical by construction.

Sources (libpysal example datasets, BSD-3-Clause licence of libpysal; the data
themselves are the classic teaching sets of Anselin 1988 and Dubin 1992):

* ``columbus``: 49 Columbus (Ohio) neighbourhoods, 1980. ``columbus.dbf`` columns
  POLYID, CRIME, INC, HOVAL, X, Y; queen contiguity exactly as distributed in
  ``columbus.gal`` (ids = POLYID 1..49). Written to ``data/columbus.csv`` and
  ``data/columbus_queen.gal``.
* ``baltim``: 211 house sales in Baltimore (Dubin 1992). ``baltim.dbf`` columns
  STATION, PRICE, NROOM, NBATH, AGE, SQFT, LOTSZ, X, Y; 4 nearest neighbours on
  the (X, Y) planar coordinates (Euclidean; the coordinates are integers, so ties at
  the 4th neighbour are broken by row order, deterministically), asymmetric. Written to ``data/baltimore.csv`` and ``data/baltimore_knn4.gal``.

Run from the repository root: ``python tests/reference/cross_section_export.py``.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import libpysal
import numpy as np

OUT = Path(__file__).resolve().parent / "data"


def _write_gal(path: Path, ids: list[str], nbrs: dict[str, list[str]], name: str) -> None:
    lines = [f"0 {len(ids)} {name} id"]
    for i in ids:
        nb = nbrs[i]
        lines += [f"{i} {len(nb)}", " ".join(nb)]
    path.write_text("\n".join(lines) + "\n")


def columbus() -> None:
    d = gpd.read_file(libpysal.examples.get_path("columbus.shp"))
    d["id"] = d["POLYID"].astype(int).astype(str)
    df = d.set_index("id")[["CRIME", "INC", "HOVAL", "X", "Y"]].astype(float)
    df.to_csv(OUT / "columbus.csv", float_format="%.17g")
    gal = libpysal.io.open(libpysal.examples.get_path("columbus.gal")).read()
    nbrs = {str(k): [str(j) for j in sorted(int(v) for v in gal.neighbors[k])] for k in gal.neighbors}
    ids = list(df.index)
    assert sorted(nbrs, key=int) == sorted(ids, key=int)
    _write_gal(OUT / "columbus_queen.gal", ids, nbrs, "columbus_queen")
    print(f"columbus: {len(df)} rows, {sum(len(v) for v in nbrs.values()) // 2} queen joins")


def baltimore() -> None:
    d = gpd.read_file(libpysal.examples.get_path("baltim.shp"))
    d["id"] = d["STATION"].astype(int).astype(str)
    cols = ["PRICE", "NROOM", "NBATH", "AGE", "SQFT", "LOTSZ", "X", "Y"]
    df = d.set_index("id")[cols].astype(float)
    df.to_csv(OUT / "baltimore.csv", float_format="%.17g")
    xy = df[["X", "Y"]].to_numpy()
    dist = np.sqrt(((xy[:, None, :] - xy[None, :, :]) ** 2).sum(-1))
    np.fill_diagonal(dist, np.inf)
    n = len(xy)
    # ties (integer coordinates) are broken by row order: sort on (distance, row)
    order = np.lexsort((np.broadcast_to(np.arange(n), (n, n)), dist), axis=1)[:, :4]
    ties = int(np.sum(np.isclose(dist[np.arange(n), order[:, 3]], np.sort(dist, axis=1)[:, 4])))
    ids = list(df.index)
    nbrs = {ids[i]: [ids[j] for j in sorted(order[i])] for i in range(n)}
    _write_gal(OUT / "baltimore_knn4.gal", ids, nbrs, "baltimore_knn4")
    print(f"baltimore: {len(df)} rows, k = 4 nearest neighbours ({ties} rows with a tie at the 4th)")


if __name__ == "__main__":
    OUT.mkdir(exist_ok=True)
    columbus()
    baltimore()
