"""Simulation for spatial panels (seeded): the Lee-Yu small-T bias of the direct approach.

The fits go through ``prepare_panel`` and the textbook concentrated likelihood in
tests/reference/panel_data.py. The N = 500, T = 10 two-way SDM recovery (with SEs) runs through
the model classes in test_panel_models.py; the DGP helpers here are shared.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp
import scipy.sparse.linalg as spla
from libpysal.graph import Graph
from scipy.spatial import cKDTree

sys.path.insert(0, str(Path(__file__).resolve().parent / "reference"))

from panel_data import conc_fit  # noqa: E402

from spatialecon.estimation.panel import demean  # noqa: E402
from spatialecon.models._panel import prepare_panel  # noqa: E402


def _same_w(d0, y, X):
    """The design of new data on the same W (shares the log-determinant cache of ``d0``)."""
    from dataclasses import replace

    yv = y.reindex(d0.index).to_numpy()
    Xv = X.reindex(d0.index).to_numpy()
    return replace(d0, y=demean(yv, d0.N, d0.T, d0.effects), X=demean(Xv, d0.N, d0.T, d0.effects), y_raw=yv, X_raw=Xv)


def knn_graph(n, k, rng):
    pts = rng.random((n, 2))
    _, nn = cKDTree(pts).query(pts, k + 1)
    ids = [f"u{i:04d}" for i in range(n)]
    adj = pd.DataFrame({"focal": np.repeat(ids, k), "neighbor": [ids[j] for j in nn[:, 1:].ravel()], "weight": 1.0})
    return Graph.from_adjacency(adj).transform("r"), ids


def simulate_sdm(n, t, rho, beta, theta, *, seed, sigma=1.0, effects="twoways", graph=None):
    rng = np.random.default_rng(seed)
    g, ids = knn_graph(n, 5, rng) if graph is None else graph
    W = sp.csr_matrix(g.sparse)  # ids sorted = order of ids
    A = spla.splu(sp.csc_matrix(sp.identity(n) - rho * W))
    mu = rng.normal(size=n) * 2.0
    alpha = rng.normal(size=t) * 2.0 if effects == "twoways" else np.zeros(t)
    k = len(beta)
    X = np.empty((t, n, k))
    y = np.empty((t, n))
    for s in range(t):
        X[s] = rng.normal(size=(n, k)) + 0.5 * mu[:, None]  # regressors correlated with the effects
        rhs = X[s] @ beta + (W @ X[s]) @ theta + mu + alpha[s] + sigma * rng.normal(size=n)
        y[s] = A.solve(rhs)
    idx = pd.MultiIndex.from_product([range(t), ids]).swaplevel().set_names(["region", "year"])
    cols = [f"x{j}" for j in range(k)]
    Xdf = pd.DataFrame(X.reshape(t * n, k), index=idx, columns=cols).sort_index()
    ys = pd.Series(y.ravel(), index=idx, name="y").sort_index()
    return ys, Xdf, g


def test_lee_yu_removes_small_T_sigma2_bias():
    """Region FE SAR with T = 3: direct sigma2 ~ (T-1)/T = 0.67, Lee-Yu ~ 1."""
    reps, n, t = 40, 60, 3
    graph = knn_graph(n, 5, np.random.default_rng(99))
    direct, corrected, designs = [], [], {}
    for rep in range(reps):
        y, X, g = simulate_sdm(n, t, 0.3, np.array([1.0]), np.array([0.0]), seed=1000 + rep, effects="region",
                               graph=graph)
        for ly, store in ((False, direct), (True, corrected)):
            if ly not in designs:
                designs[ly] = prepare_panel(y, X, g, effects="region", lee_yu=ly)
            store.append(conc_fit(_same_w(designs[ly], y, X), "lag")[2])
    direct, corrected = np.mean(direct), np.mean(corrected)
    se = 0.02  # Monte Carlo s.e. of the mean is about 0.015 here
    assert abs(direct - (t - 1) / t) < 3 * se and direct < 0.8
    assert abs(corrected - 1.0) < 3 * se
    np.testing.assert_allclose(corrected / direct, t / (t - 1), rtol=1e-6)


def test_lee_yu_twoways_sigma2_and_rho():
    """Two-way FE, small T (N=100, T=4): the direct approach biases sigma2 by ~(T-1)/T and rho
    downwards; the transformation approach (Lee-Yu) removes both (to Monte Carlo error)."""
    reps, n, t = 25, 100, 4
    graph = knn_graph(n, 5, np.random.default_rng(98))
    res, designs = [], {}
    for rep in range(reps):
        y, X, g = simulate_sdm(n, t, 0.3, np.array([1.0]), np.array([0.0]), seed=5000 + rep, graph=graph)
        row = []
        for ly in (False, True):
            if ly not in designs:
                designs[ly] = prepare_panel(y, X, g, effects="twoways", lee_yu=ly)
            _, r, s2, _ = conc_fit(_same_w(designs[ly], y, X), "lag")
            row += [r, s2]
        res.append(row)
    r0, s0, r1, s1 = np.asarray(res).T
    mcse = lambda a: a.std(ddof=1) / np.sqrt(len(a))  # noqa: E731
    assert abs(s0.mean() - (t - 1) / t) < 4 * mcse(s0)
    assert abs(s1.mean() - 1.0) < 3 * mcse(s1)
    assert abs(r1.mean() - 0.3) < 3 * mcse(r1)
    # the correction moves rho up in every replication (paired), towards the truth
    assert np.all(r1 > r0) and (r1 - r0).mean() > 5 * mcse(r1 - r0)
