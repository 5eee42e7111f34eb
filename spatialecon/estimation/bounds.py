"""Eigenvalue bounds of W and the symmetric form of W (pure numpy/scipy).

The admissible interval of rho (or lambda) is ``(1/omega_min, 1/omega_max)``
with ``omega_min < 0 < omega_max`` the extreme real eigenvalues of W
(LeSage and Pace 2009, sec. 4.3). For a row-standardised W, ``omega_max = 1``.

Examples
--------
>>> import numpy as np, scipy.sparse as sp
>>> W = sp.csr_matrix(np.array([[0, 1.0], [1.0, 0]]))
>>> rho_interval(W)
(-1.0, 1.0)
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from ..errors import EstimationError, WeightsError

__all__ = ["DENSE_EIGEN_MAX", "as_csr", "is_row_stochastic", "symmetric_form", "eigen_range", "rho_interval"]


def _start(n: int) -> np.ndarray:
    """Fixed ARPACK starting vector: the default is random, so repeated calls could differ in the
    last digits (same inputs must give the same numbers)."""
    return np.random.default_rng(0).standard_normal(n)

#: Largest N for which dense eigenvalues are computed.
DENSE_EIGEN_MAX = 2000


def as_csr(W) -> sp.csr_matrix:
    """W as a square float CSR matrix (explicit zeros removed).

    Examples
    --------
    >>> as_csr(np.eye(2)).shape
    (2, 2)
    """
    m = sp.csr_matrix(W, dtype=float) if sp.issparse(W) else sp.csr_matrix(np.asarray(W, dtype=float))
    if m.ndim != 2 or m.shape[0] != m.shape[1]:
        raise WeightsError(f"W must be square, got shape {m.shape}.")
    m.eliminate_zeros()
    return m


def is_row_stochastic(W) -> bool:
    """Whether W is non-negative with every row summing to 1 (eigenvalues then in [-1, 1], largest 1).

    Examples
    --------
    >>> is_row_stochastic(np.array([[0, 1.0], [0.5, 0.5]])), is_row_stochastic(np.eye(2) * 2)
    (True, False)
    """
    W = as_csr(W)
    if W.nnz == 0 or W.data.min() < 0:
        return False
    return bool(np.allclose(np.asarray(W.sum(axis=1)).ravel(), 1.0, rtol=0, atol=1e-12))


def symmetric_form(W) -> tuple[sp.csr_matrix, np.ndarray] | None:
    """Symmetric matrix similar to W, if W is a scaled symmetric matrix.

    Detects a symmetric W, or ``W = D^{-1} C`` with ``C`` symmetric binary and
    ``d_i`` the number of neighbours of unit i (row standardisation of a
    symmetric contiguity or k-nearest-neighbour-symmetrised matrix), and returns
    ``(S, d)`` with ``S = D^{1/2} W D^{-1/2}`` symmetric; ``None`` otherwise.
    A symmetric W itself gives ``d = 1``.

    Examples
    --------
    >>> W = sp.csr_matrix(np.array([[0, 1.0, 0], [0.5, 0, 0.5], [0, 1.0, 0]]))
    >>> S, d = symmetric_form(W)
    >>> bool(abs(S - S.T).max() < 1e-12)
    True
    """
    W = as_csr(W)
    scale = abs(W).max() if W.nnz else 1.0
    tol = 1e-12 * max(scale, 1.0)
    if W.nnz == 0:
        return None
    if abs(W - W.T).max() <= tol:
        return W, np.ones(W.shape[0])
    # candidate: C = D W with d_i = number of neighbours (row-standardised binary)
    for d in (np.diff(W.indptr).astype(float),):
        d = np.where(d <= 0, 1.0, d)
        C = sp.diags(d) @ W
        if abs(C - C.T).max() <= tol * max(d.max(), 1.0):
            sq = np.sqrt(d)
            S = sp.csr_matrix(sp.diags(sq) @ W @ sp.diags(1.0 / sq))
            S = (S + S.T) * 0.5
            return sp.csr_matrix(S), d
    return None


def eigen_range(W, *, tol: float = 1e-8) -> tuple[float, float]:
    """Smallest and largest real eigenvalue of W.

    Dense eigenvalues for ``N <= DENSE_EIGEN_MAX`` (of the symmetric form when
    W has one, else ``numpy.linalg.eigvals``, ignoring eigenvalues with
    non-negligible imaginary part); ARPACK otherwise.

    Examples
    --------
    >>> eigen_range(np.array([[0, 2.0], [2.0, 0]]))
    (-2.0, 2.0)
    """
    W = as_csr(W)
    n = W.shape[0]
    if W.nnz == 0:
        raise WeightsError("W has no links; eigenvalue bounds are undefined.")
    sym = symmetric_form(W)
    if n <= DENSE_EIGEN_MAX:
        if sym is not None:
            ev = np.linalg.eigvalsh(sym[0].toarray())
            return float(ev[0]), float(ev[-1])
        ev = np.linalg.eigvals(W.toarray())
        real = ev.real[np.abs(ev.imag) <= tol * max(np.abs(ev).max(), 1.0)]
        return float(real.min()), float(real.max())
    stochastic = is_row_stochastic(W)
    try:
        if sym is not None:
            S = sym[0]
            lo = spla.eigsh(S, k=1, which="SA", return_eigenvectors=False, v0=_start(n), maxiter=n * 20, tol=1e-10)[0]
            # a non-negative row-stochastic W has largest eigenvalue exactly 1 (Perron-Frobenius)
            hi = 1.0 if stochastic else spla.eigsh(S, k=1, which="LA", return_eigenvectors=False, v0=_start(n),
                                                   maxiter=n * 20, tol=1e-10)[0]
        else:
            lo = spla.eigs(W, k=1, which="SR", return_eigenvectors=False, v0=_start(n), maxiter=n * 20, tol=1e-10)[0].real
            hi = 1.0 if stochastic else spla.eigs(W, k=1, which="LR", return_eigenvectors=False, v0=_start(n),
                                                  maxiter=n * 20, tol=1e-10)[0].real
    except spla.ArpackNoConvergence as exc:
        raise EstimationError(f"sparse eigen-solver did not converge for N={n}: {exc}") from exc
    return float(lo), float(hi)


def rho_interval(W) -> tuple[float, float]:
    """Admissible interval ``(1/omega_min, 1/omega_max)`` for rho or lambda.

    Parameters
    ----------
    W : scipy sparse matrix or ndarray (N x N)

    Returns
    -------
    (lo, hi) : tuple of float

    Raises
    ------
    WeightsError
        If W has no negative or no positive real eigenvalue.

    Examples
    --------
    >>> W = np.array([[0, .5, .5], [.5, 0, .5], [.5, .5, 0]])
    >>> tuple(round(v, 12) for v in rho_interval(W))
    (-2.0, 1.0)
    """
    lo, hi = eigen_range(W)
    if lo >= 0 or hi <= 0:
        raise WeightsError(f"W has real eigenvalue range [{lo}, {hi}] that does not straddle 0.")
    return 1.0 / lo, 1.0 / hi
