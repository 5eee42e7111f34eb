"""Export the extra weights of the H10 cross-checks (run once; see README "Extra cross-checks").

Data: ``data/columbus.csv`` (written by ``cross_section_export.py``). Weights built here
from the planar (X, Y) centroid coordinates with plain numpy, written to files that R
(``crosscheck_extra.R``), spreg (``crosscheck_extra.py``) and our tests all read:

* ``data/columbus_knn6.gal``: 6 nearest neighbours (Euclidean; asymmetric). Ties at the 6th
  neighbour, if any, are broken by a stable sort on distance then row order.
* ``data/columbus_idw.csv``: inverse distance 1/d_ij for pairs with d_ij <= the largest
  nearest-neighbour distance (every unit has a neighbour), columns ``from,to,weight``
  (17 significant digits), symmetric, NOT normalised.

Run from the repository root: ``python tests/reference/crosscheck_extra_export.py``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

OUT = Path(__file__).resolve().parent / "data"


def main() -> None:
    d = pd.read_csv(OUT / "columbus.csv", dtype={"id": str}).set_index("id")
    ids = list(d.index)
    xy = d[["X", "Y"]].to_numpy()
    dist = np.sqrt(((xy[:, None, :] - xy[None, :, :]) ** 2).sum(-1))
    np.fill_diagonal(dist, np.inf)
    # kNN, k = 6
    order = np.argsort(dist, axis=1, kind="stable")[:, :6]
    lines = [f"0 {len(ids)} columbus_knn6 id"]
    for i, row in enumerate(order):
        kth = np.sort(dist[i])[5:7]
        if np.isclose(kth[0], kth[1]):
            print(f"tie at 6th neighbour for {ids[i]}")
        nb = [ids[j] for j in sorted(row)]
        lines += [f"{ids[i]} {len(nb)}", " ".join(nb)]
    (OUT / "columbus_knn6.gal").write_text("\n".join(lines) + "\n")
    # inverse distance within the max nearest-neighbour distance
    band = dist.min(axis=1).max()
    rows = []
    for i in range(len(ids)):
        for j in range(len(ids)):
            if i != j and dist[i, j] <= band:
                rows.append((ids[i], ids[j], 1.0 / dist[i, j]))
    pd.DataFrame(rows, columns=["from", "to", "weight"]).to_csv(
        OUT / "columbus_idw.csv", index=False, float_format="%.17g")
    print(f"knn6 written; idw band {band:.6f}, {len(rows)} directed links")




def lattice() -> None:
    """A 50 x 50 rook lattice (N = 2500, above the exact-trace threshold N <= 2000) with data
    simulated once from a SAR process (seed 1): y = (I - 0.5 W)^-1 (1 + x1 - x2 + e), W
    row-standardised. Written to ``data/lattice50.csv`` and ``data/lattice50_rook.gal``."""
    import scipy.sparse as sp
    import scipy.sparse.linalg as spla

    n1 = 50
    N = n1 * n1
    ids = [f"r{i}" for i in range(N)]
    nbrs = {}
    for r in range(n1):
        for c in range(n1):
            nb = [(r + dr) * n1 + (c + dc) for dr, dc in ((-1, 0), (0, -1), (0, 1), (1, 0))
                  if 0 <= r + dr < n1 and 0 <= c + dc < n1]
            nbrs[r * n1 + c] = nb
    lines = [f"0 {N} lattice50_rook id"]
    rows, cols = [], []
    for i in range(N):
        lines += [f"{ids[i]} {len(nbrs[i])}", " ".join(ids[j] for j in nbrs[i])]
        rows += [i] * len(nbrs[i])
        cols += nbrs[i]
    (OUT / "lattice50_rook.gal").write_text("\n".join(lines) + "\n")
    B = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(N, N))
    Wr = sp.csr_matrix(B.multiply(1.0 / B.sum(axis=1)))
    rng = np.random.default_rng(1)
    x1, x2, e = rng.normal(size=N), rng.normal(size=N), rng.normal(size=N)
    y = spla.spsolve(sp.identity(N, format="csc") - 0.5 * Wr, 1 + x1 - x2 + e)
    pd.DataFrame({"id": ids, "y": y, "x1": x1, "x2": x2}).to_csv(OUT / "lattice50.csv", index=False,
                                                                  float_format="%.17g")
    print(f"lattice: {N} units, {len(rows) // 2} rook joins")



def panel_knn6() -> None:
    """Balanced panel on the asymmetric columbus kNN(6) W (row-standardised): N = 49, T = 6, data
    simulated once (seed 7): y_t = (I - 0.4 W)^-1 (mu + 0.8 x1 - 0.5 x2 + e_t), mu ~ N(0, 1) per
    region. Written to ``data/panel_knn6.csv`` (id, year, y, x1, x2)."""
    d = pd.read_csv(OUT / "columbus.csv", dtype={"id": str}).set_index("id")
    ids = list(d.index)
    pos = {c: i for i, c in enumerate(ids)}
    lines = (OUT / "columbus_knn6.gal").read_text().splitlines()[1:]
    N, T = len(ids), 6
    W = np.zeros((N, N))
    for head, nb in zip(lines[0::2], lines[1::2]):
        i = pos[head.split()[0]]
        for j in nb.split():
            W[i, pos[j]] = 1.0
    W /= W.sum(axis=1, keepdims=True)
    rng = np.random.default_rng(7)
    mu = rng.normal(size=N)
    A_inv = np.linalg.inv(np.eye(N) - 0.4 * W)
    rows = []
    for t in range(T):
        x1, x2, e = rng.normal(size=N), rng.normal(size=N), rng.normal(size=N)
        y = A_inv @ (mu + 0.8 * x1 - 0.5 * x2 + e)
        rows.append(pd.DataFrame({"id": ids, "year": 2000 + t, "y": y, "x1": x1, "x2": x2}))
    pd.concat(rows).to_csv(OUT / "panel_knn6.csv", index=False, float_format="%.17g")
    print(f"panel_knn6: N = {N}, T = {T}")


def mexico() -> None:
    """Mexican states (libpysal example ``mexico``, ``mexicojoin.shp``; Esquivel 1999): per capita GDP
    1940 and 2000 (columns PCGDP1940, PCGDP2000) keyed by the state code without the "MX" prefix, and
    libpysal queen contiguity on the polygons. Written to ``data/mexico.csv`` and ``data/mexico_queen.gal``."""
    import geopandas as gpd
    import libpysal

    g = gpd.read_file(libpysal.examples.get_path("mexicojoin.shp"))
    g["code"] = g["CODE"].str.replace("MX", "", regex=False)
    g = g.sort_values("code").reset_index(drop=True)
    g[["code", "PCGDP1940", "PCGDP2000"]].to_csv(OUT / "mexico.csv", index=False, float_format="%.17g")
    q = libpysal.weights.Queen.from_dataframe(g, ids=list(g["code"]), use_index=False)
    lines = [f"0 {len(g)} mexico_queen code"]
    for c in g["code"]:
        nb = sorted(str(j) for j in q.neighbors[c])
        lines += [f"{c} {len(nb)}", " ".join(nb)]
    (OUT / "mexico_queen.gal").write_text("\n".join(lines) + "\n")
    print(f"mexico: {len(g)} states, {q.s0 / 2:.0f} queen joins")


if __name__ == "__main__":
    main()
    lattice()
    panel_knn6()
    mexico()
