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


if __name__ == "__main__":
    main()
