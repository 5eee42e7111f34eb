"""Simulation recovery: data from known SAR / SDM / SEM processes on a 50 x 50 rook lattice
(N = 2500) are estimated back within a few standard errors of the truth."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
import scipy.sparse.linalg as spla
from libpysal.graph import Graph
from libpysal.weights import lat2W

from spatialecon.models import SAC, SAR, SDEM, SDM, SEM

SIDE = 50
Z_MAX = 4.0


@pytest.fixture(scope="module")
def grid():
    base = Graph.from_W(lat2W(SIDE, SIDE, rook=True))
    ids = pd.Index([f"r{i:04d}" for i in base.unique_ids])  # string region-like ids
    w = Graph.from_sparse(base.sparse, ids=ids).transform("r")
    W = sp.csr_matrix(w.sparse)
    return w, W, pd.Index(w.unique_ids)


def _draw(W, ids, *, rho=0.0, lam=0.0, beta=(1.0, 2.0, -1.0), theta=(0.0, 0.0), sigma=1.0, seed=0):
    rng = np.random.default_rng(seed)
    n = W.shape[0]
    X = pd.DataFrame({"x1": rng.normal(size=n), "x2": rng.uniform(-2, 2, size=n)}, index=ids)
    eye = sp.identity(n, format="csc")
    u = sigma * rng.normal(size=n)
    if lam:
        u = spla.splu(sp.csc_matrix(eye - lam * W)).solve(u)
    mean = beta[0] + X.to_numpy() @ np.asarray(beta[1:]) + (W @ X.to_numpy()) @ np.asarray(theta)
    y = spla.splu(sp.csc_matrix(eye - rho * W)).solve(mean + u)
    return pd.Series(y, index=ids, name="y"), X


def _check(r, truth: dict):
    for name, value in truth.items():
        z = (r.params[name] - value) / r.bse[name]
        assert abs(z) < Z_MAX, f"{name}: estimate {r.params[name]:.4f}, truth {value}, z = {z:.2f}"


def test_sar_recovery(grid):
    w, W, ids = grid
    y, X = _draw(W, ids, rho=0.6, seed=11)
    r = SAR(y, X, w).fit()
    assert r.logdet_method in ("lu", "cholesky")  # exact sparse route for N > 1000
    _check(r, {"const": 1.0, "x1": 2.0, "x2": -1.0, "rho": 0.6})
    assert abs(r.sigma2 - 1.0) < Z_MAX * np.sqrt(2.0 / len(y))


def test_sdm_recovery(grid):
    w, W, ids = grid
    y, X = _draw(W, ids, rho=0.4, theta=(1.0, -0.5), seed=12)
    r = SDM(y, X, w).fit()
    _check(r, {"const": 1.0, "x1": 2.0, "x2": -1.0, "W_x1": 1.0, "W_x2": -0.5, "rho": 0.4})


def test_sem_recovery(grid):
    w, W, ids = grid
    y, X = _draw(W, ids, lam=0.5, seed=13)
    r = SEM(y, X, w).fit()
    _check(r, {"const": 1.0, "x1": 2.0, "x2": -1.0, "lambda": 0.5})


def test_sdem_recovery(grid):
    w, W, ids = grid
    y, X = _draw(W, ids, lam=0.4, theta=(-1.0, 0.5), seed=14)
    r = SDEM(y, X, w).fit()
    _check(r, {"const": 1.0, "x1": 2.0, "x2": -1.0, "W_x1": -1.0, "W_x2": 0.5, "lambda": 0.4})


def test_sac_recovery(grid):
    w, W, ids = grid
    y, X = _draw(W, ids, rho=0.5, lam=-0.3, seed=15)
    r = SAC(y, X, w).fit()
    _check(r, {"const": 1.0, "x1": 2.0, "x2": -1.0, "rho": 0.5, "lambda": -0.3})


def test_recovery_coverage_small_lattice():
    """Over 40 replications on a 12 x 12 lattice, the 95% Wald interval of rho covers the truth
    in roughly 95% of cases (a check of the standard errors, not only of the point estimates)."""
    w = Graph.from_W(lat2W(12, 12)).transform("r")
    W = sp.csr_matrix(w.sparse)
    ids = pd.Index(w.unique_ids)
    cover = 0
    reps = 40
    for s in range(reps):
        y, X = _draw(W, ids, rho=0.5, seed=100 + s)
        ci = SAR(y, X, w).fit().conf_int().loc["rho"]
        cover += ci["lower"] <= 0.5 <= ci["upper"]
    # binomial(40, 0.95): P(cover <= 32) < 0.01
    assert cover >= 33, cover
