"""Randomised cross-check against R spatialreg: generate the inputs (fixed seeds).

Writes, under ``tests/reference/data/fuzz_vs_r/``:

* ``cases.json``: one entry per configuration (N, layout, weights, transform, the data-generating
  model and its true parameters, the models to fit, R's log-determinant method);
* ``<case>.csv``: the data (``y, x1, x2``; row i is unit i, ids 1..N), 10 significant digits;
* ``<case>_w.csv``: W as an edge list ``from,to,weight`` (1-based ids, before normalisation: 1 for
  contiguity/kNN, 1/d for inverse distance with 8 significant digits). Both R and our tests read
  these files, so the data and neighbour sets are identical by construction.

Then run ``Rscript tests/reference/fuzz_vs_r.R`` (writes ``fuzz_vs_r.json``; ~15 min, dominated by
R's dense asymptotic covariance at N ~ 3000 with the reference BLAS). Optional arguments of the R
script restrict it to some cases (the JSON is then updated in place).

Run from the repository root: ``python tests/reference/fuzz_vs_r.py``.

Configurations: lattices (rook/queen) and random points in the unit square; W = row-standardised
contiguity, symmetrised kNN(6), NON-symmetric kNN(5) (complex eigenvalues), inverse distance within a
band, and a binary (not normalised) rook W; N from 49 to 3136; true rho/lambda from -1.2 to 0.9.
Data: x1 ~ N(0, 1), x2 = 0.5 x1 + N(0, 1), beta = (1, 2, -1), theta (W x) = (0.5, -0.3), e ~ N(0, 1),
simulated from the case's model (SAR, SEM, SDM, SDEM, SAC, SLX).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla
from scipy.spatial import cKDTree

OUT = Path(__file__).resolve().parent / "data" / "fuzz_vs_r"
BASE_SEED = 20261124

# name: (N or lattice side, layout, weights, transform, dgp, {true params}, fitted models, R method)
# layout: "lattice" (side x side) or "points" (N random points in the unit square)
# weights: rook | queen | knn5 (not symmetrised) | knnsym6 | idw (1/d within the largest NN distance)
CASES = {
    # small N: R method = "eigen" (dense eigenvalues), ours logdet="auto" -> eigen
    "s1_lat20_queen_sar": (20, "lattice", "queen", "row", "sar", {"rho": 0.6}, ["sar", "sdm"], "eigen"),
    "s2_pts150_knn5_sdm": (150, "points", "knn5", "row", "sdm", {"rho": -0.4}, ["sdm", "sar", "sem"], "eigen"),
    "s3_pts200_idw_sem": (200, "points", "idw", "row", "sem", {"lambda": 0.7}, ["sem", "sdem", "sar"], "eigen"),
    "s4_lat10_rookB_sac": (10, "lattice", "rook", "none", "sac", {"rho": 0.12, "lambda": -0.1},
                           ["sac", "sar", "sem"], "eigen"),
    "s5_pts300_knnsym_sdem": (300, "points", "knnsym6", "row", "sdem", {"lambda": -0.5}, ["sdem", "slx"], "eigen"),
    "s6_pts49_knn5_sac": (49, "points", "knn5", "row", "sac", {"rho": -0.3, "lambda": 0.5}, ["sac", "slx"], "eigen"),
    "s7_pts80_idw_slx": (80, "points", "idw", "row", "slx", {}, ["slx", "sdm"], "eigen"),
    # large N: R sparse methods with the exact eigenvalue interval; ours default fit() (guided search)
    "l1_lat56_rook_sar_neg": (56, "lattice", "rook", "row", "sar", {"rho": -0.6}, ["sar"], "Matrix"),
    "l2_pts2600_knn5_sar_high": (2600, "points", "knn5", "row", "sar", {"rho": 0.9}, ["sar"], "LU"),
    "l3_pts3100_idw_sem": (3100, "points", "idw", "row", "sem", {"lambda": 0.5}, ["sem"], "Matrix"),
    "l4_pts2900_knnsym_sdm": (2900, "points", "knnsym6", "row", "sdm", {"rho": 0.4}, ["sdm"], "Matrix"),
    "l5_lat50_queen_sdem_below1": (50, "lattice", "queen", "row", "sdem", {"lambda": -1.2}, ["sdem"], "Matrix"),
}
BETA = np.array([1.0, 2.0, -1.0])
THETA = np.array([0.5, -0.3])


def _lattice(side: int, kind: str) -> tuple[np.ndarray, sp.csr_matrix]:
    r, c = np.divmod(np.arange(side * side), side)
    coords = np.column_stack([c, r]).astype(float)
    steps = [(0, 1), (1, 0)] + ([(1, 1), (1, -1)] if kind == "queen" else [])
    rows, cols = [], []
    for dr, dc in steps:
        rr, cc = r + dr, c + dc
        ok = (rr >= 0) & (rr < side) & (cc >= 0) & (cc < side)
        i, j = np.flatnonzero(ok), (rr * side + cc)[ok]
        rows += [i, j]
        cols += [j, i]
    i, j = np.concatenate(rows), np.concatenate(cols)
    return coords, sp.csr_matrix((np.ones(len(i)), (i, j)), shape=(side * side,) * 2)


def _points(n: int, kind: str, rng) -> tuple[np.ndarray, sp.csr_matrix]:
    xy = rng.uniform(size=(n, 2))
    tree = cKDTree(xy)
    if kind.startswith("knn"):
        k = int(kind[-1])
        _, idx = tree.query(xy, k=k + 1)
        i, j = np.repeat(np.arange(n), k), idx[:, 1:].ravel()
        b = sp.csr_matrix((np.ones(len(i)), (i, j)), shape=(n, n))
        if kind.startswith("knnsym"):
            b = ((b + b.T) > 0).astype(float)
        return xy, sp.csr_matrix(b)
    # inverse distance within the largest nearest-neighbour distance (no islands)
    dnn, _ = tree.query(xy, k=2)
    band = dnn[:, 1].max() * (1 + 1e-9)
    d = tree.sparse_distance_matrix(tree, band, output_type="coo_matrix")
    keep = d.row != d.col
    w = np.array([float(f"{v:.8g}") for v in 1.0 / d.data[keep]])
    return xy, sp.csr_matrix((w, (d.row[keep], d.col[keep])), shape=(n, n))


def _simulate(dgp: str, W: sp.csr_matrix, params: dict, rng) -> tuple[np.ndarray, np.ndarray]:
    n = W.shape[0]
    x1 = rng.standard_normal(n)
    x2 = 0.5 * x1 + rng.standard_normal(n)
    X = np.column_stack([np.ones(n), x1, x2])
    e = rng.standard_normal(n)
    I = sp.identity(n, format="csc")
    mu = X @ BETA
    if dgp in ("sdm", "sdem", "slx"):
        mu = mu + (W @ X[:, 1:]) @ THETA
    if "lambda" in params:
        e = spla.spsolve(sp.csc_matrix(I - params["lambda"] * W), e)
    v = mu + e
    if "rho" in params:
        v = spla.spsolve(sp.csc_matrix(I - params["rho"] * W), v)
    return v, X


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    manifest = {"generator": "tests/reference/fuzz_vs_r.py", "base_seed": BASE_SEED,
                "beta": BETA.tolist(), "theta": THETA.tolist(), "cases": {}}
    for k, (name, (size, layout, wkind, transform, dgp, params, models, rmethod)) in enumerate(CASES.items()):
        rng = np.random.default_rng(BASE_SEED + k)
        coords, B = _lattice(size, wkind) if layout == "lattice" else _points(size, wkind, rng)
        B.sort_indices()
        n = B.shape[0]
        assert (np.diff(B.indptr) > 0).all(), f"{name}: island"
        W = sp.csr_matrix(B.multiply(1.0 / B.sum(axis=1))) if transform == "row" else B
        y, X = _simulate(dgp, W, params, rng)
        with open(OUT / f"{name}.csv", "w") as fh:
            fh.write("y,x1,x2\n")
            for row in np.column_stack([y, X[:, 1:]]):
                fh.write(",".join(f"{v:.10g}" for v in row) + "\n")
        coo = B.tocoo()
        order = np.lexsort((coo.col, coo.row))
        with open(OUT / f"{name}_w.csv", "w") as fh:
            fh.write("from,to,weight\n")
            for i, j, w in zip(coo.row[order] + 1, coo.col[order] + 1, coo.data[order]):
                fh.write(f"{i},{j},{'1' if w == 1.0 else repr(float(w))}\n")
        symmetric = abs(B - B.T).max() == 0
        manifest["cases"][name] = {"n": int(n), "layout": layout, "weights": wkind, "transform": transform,
                                   "symmetric_B": bool(symmetric), "dgp": dgp, "true": params,
                                   "models": models, "r_method": rmethod, "seed": BASE_SEED + k,
                                   "nnz": int(B.nnz)}
        print(name, n, B.nnz, "symmetric" if symmetric else "asymmetric")
    (OUT / "cases.json").write_text(json.dumps(manifest, indent=1) + "\n")


if __name__ == "__main__":
    main()
