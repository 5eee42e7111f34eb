"""Properties of W that models need: label alignment, eigenvalue bounds for rho, summaries.

Examples
--------
>>> import numpy as np
>>> from spatialecon.weights import from_matrix, rho_bounds
>>> w = from_matrix(np.array([[0, 1.0], [1.0, 0]]), ids=["a", "b"])
>>> tuple(round(b, 6) for b in rho_bounds(w))
(-1.0, 1.0)
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp
import scipy.sparse.linalg as spla
from libpysal.graph import Graph
from scipy.sparse.csgraph import connected_components

from ..errors import WeightsError
from .normalise import DENSE_EIGEN_MAX, normalisation_of

__all__ = ["align", "rho_bounds", "eigen_range", "summary", "region_ids"]


def _start(n: int) -> np.ndarray:
    """Fixed ARPACK starting vector: the default is random, so repeated calls could differ in the
    last digits (same inputs must give the same numbers)."""
    return np.random.default_rng(0).standard_normal(n)


def region_ids(index) -> pd.Index:
    """Region ids in order: an Index as is; for a MultiIndex the unique values of level 0
    (or of the level named ``"code"``/``"region"``) in order of first appearance.

    Examples
    --------
    >>> mi = pd.MultiIndex.from_product([["b", "a"], [2000, 2001]], names=["code", "year"])
    >>> list(region_ids(mi))
    ['b', 'a']
    """
    if isinstance(index, pd.MultiIndex):
        names = list(index.names)
        lev = next((n for n in ("code", "region") if n in names), 0)
        return pd.Index(pd.unique(index.get_level_values(lev)))
    return pd.Index(index)


def _w_ids(w: Graph) -> pd.Index:
    return pd.Index(w.unique_ids)


def align(w: Graph, index) -> sp.csr_matrix:
    """W as a CSR matrix with rows and columns in the order of ``index`` (by label, never position).

    Parameters
    ----------
    w : libpysal.graph.Graph
    index : pandas.Index or MultiIndex or sequence
        Region ids. A (code, year) MultiIndex is reduced with :func:`region_ids`
        (unique codes in order of first appearance), giving an N x N matrix, not
        NT x NT. Ids are matched exactly; if that fails for some ids, they are
        matched on their string form (so int codes match str codes).

    Raises
    ------
    WeightsError
        Listing the ids present on one side only, or duplicate ids in ``index``.

    Examples
    --------
    >>> import numpy as np
    >>> from spatialecon.weights import from_matrix
    >>> w = from_matrix(np.array([[0, 1.0, 0], [1.0, 0, 1.0], [0, 1.0, 0]]), ids=["a", "b", "c"])
    >>> align(w, pd.Index(["c", "b", "a"])).toarray().tolist()
    [[0.0, 1.0, 0.0], [0.5, 0.0, 0.5], [0.0, 1.0, 0.0]]
    """
    if not isinstance(w, Graph):
        raise WeightsError(f"align expects a libpysal Graph, got {type(w).__name__}")
    idx = region_ids(index if isinstance(index, pd.Index) else pd.Index(list(index)))
    if idx.has_duplicates:
        raise WeightsError(f"index has duplicate ids {list(idx[idx.duplicated()].unique())}")
    wid = _w_ids(w)
    pos = wid.get_indexer(idx)
    if (pos < 0).any() or len(idx) != len(wid):
        spos = pd.Index([str(i) for i in wid]).get_indexer([str(i) for i in idx])
        if (spos >= 0).sum() > (pos >= 0).sum():
            pos = spos
    if (pos < 0).any() or len(idx) != len(wid):
        sidx, swid = {str(i) for i in idx}, {str(i) for i in wid}
        raise WeightsError(
            f"ids do not match: only in index {sorted(sidx - swid)}, only in W {sorted(swid - sidx)}")
    m = sp.csr_matrix(w.sparse, dtype=float)
    m.eliminate_zeros()
    out = m[pos][:, pos]
    return sp.csr_matrix(out)


def _as_csr(w) -> sp.csr_matrix:
    if isinstance(w, Graph):
        m = sp.csr_matrix(w.sparse, dtype=float)
    elif sp.issparse(w):
        m = sp.csr_matrix(w, dtype=float)
    else:
        arr = np.asarray(w, dtype=float)
        if arr.ndim != 2:
            raise WeightsError(f"W must be 2-d, got shape {arr.shape}")
        m = sp.csr_matrix(arr)
    if m.shape[0] != m.shape[1]:
        raise WeightsError(f"W is not square: {m.shape}")
    m.eliminate_zeros()
    return m


def eigen_range(w, *, tol: float = 1e-8) -> tuple[float, float]:
    """Smallest and largest real eigenvalue of W.

    Dense ``numpy.linalg.eigvals`` for N <= 2000 (eigenvalues with
    ``|imag| > tol * max|lambda|`` are ignored); otherwise ARPACK
    (``scipy.sparse.linalg.eigs``, ``which="SR"``/``"LR"``).

    Examples
    --------
    >>> tuple(round(x, 12) for x in eigen_range(np.array([[0, 2.0], [2.0, 0]])))
    (-2.0, 2.0)
    """
    m = _as_csr(w)
    n = m.shape[0]
    if m.nnz == 0:
        raise WeightsError("W has no links; eigenvalue bounds are undefined")
    if n <= DENSE_EIGEN_MAX:
        ev = np.linalg.eigvals(m.toarray())
        scale = np.abs(ev).max()
        real = ev.real[np.abs(ev.imag) <= tol * max(scale, 1.0)]
        return float(real.min()), float(real.max())
    sym = abs(m - m.T).max() <= 1e-12 * abs(m).max()
    if not sym:
        # row-standardised symmetric binary pattern: W = D^-1 A is similar to the symmetric
        # D^-1/2 A D^-1/2, whose extreme eigenvalues ARPACK (eigsh) finds reliably
        a = m.copy()
        a.data = np.ones_like(a.data)
        deg = np.asarray(a.sum(axis=1)).ravel()
        if abs(a - a.T).max() == 0 and np.all(deg > 0):
            rs = sp.diags(1.0 / deg) @ a
            if abs(rs - m).max() <= 1e-12:
                dh = sp.diags(1.0 / np.sqrt(deg))
                m = sp.csr_matrix(dh @ a @ dh)
                sym = True
    try:
        if sym:
            lo = spla.eigsh(m, k=1, which="SA", return_eigenvectors=False, v0=_start(n), maxiter=n * 20)[0]
            hi = spla.eigsh(m, k=1, which="LA", return_eigenvectors=False, v0=_start(n), maxiter=n * 20)[0]
        else:
            lo = spla.eigs(m, k=1, which="SR", return_eigenvectors=False, v0=_start(n), maxiter=n * 20)[0].real
            hi = spla.eigs(m, k=1, which="LR", return_eigenvectors=False, v0=_start(n), maxiter=n * 20)[0].real
    except spla.ArpackNoConvergence as exc:
        raise WeightsError(f"sparse eigen-solver did not converge for N={n}: {exc}") from exc
    return float(lo), float(hi)


def rho_bounds(w) -> tuple[float, float]:
    """Admissible interval for rho/lambda: ``(1/lambda_min, 1/lambda_max)``.

    ``lambda_min``/``lambda_max`` are the smallest and largest real eigenvalues
    of W (:func:`eigen_range`). For a row-standardised W, ``lambda_max = 1``.

    Parameters
    ----------
    w : libpysal.graph.Graph, scipy sparse matrix or ndarray

    Examples
    --------
    >>> from spatialecon import geo, weights
    >>> w = weights.contiguity(geo.read_provinces(), islands="nearest")
    >>> lo, hi = weights.rho_bounds(w)
    >>> round(hi, 10), lo < -1
    (1.0, True)
    """
    lo, hi = eigen_range(w)
    if lo >= 0 or hi <= 0:
        raise WeightsError(f"W has eigenvalue range [{lo}, {hi}] not straddling 0; "
                           "rho bounds need lambda_min < 0 < lambda_max")
    return 1.0 / lo, 1.0 / hi


def summary(w: Graph) -> pd.Series:
    """Summary of a weights graph.

    Returns
    -------
    pandas.Series
        ``n``, ``links`` (directed non-zero off-diagonal weights), ``pct_nonzero``,
        ``mean_neighbours``, ``min_neighbours``, ``max_neighbours``, ``islands``
        (list of ids), ``components`` (weakly connected, islands counted),
        ``symmetric`` (weights, not just pattern), ``normalisation``.

    Examples
    --------
    >>> from spatialecon import geo, weights
    >>> s = weights.summary(weights.contiguity(geo.read_provinces(), islands="nearest", transform="none"))
    >>> int(s["links"]), int(s["components"])
    (138, 1)
    """
    if not isinstance(w, Graph):
        raise WeightsError(f"summary expects a libpysal Graph, got {type(w).__name__}")
    m = _as_csr(w)
    ids = _w_ids(w)
    off = m - sp.diags(m.diagonal())
    off.eliminate_zeros()
    card = np.asarray(off.getnnz(axis=1))
    ncomp, _ = connected_components(m, directed=True, connection="weak")
    diff = abs(m - m.T)
    symmetric = bool(diff.nnz == 0 or diff.max() <= 1e-12 * max(abs(m).max(), 1.0))
    n = m.shape[0]
    return pd.Series({
        "n": n,
        "links": int(off.nnz),
        "pct_nonzero": 100.0 * m.nnz / (n * n),
        "mean_neighbours": float(card.mean()),
        "min_neighbours": int(card.min()),
        "max_neighbours": int(card.max()),
        "islands": [str(i) for i in ids[card == 0]],
        "components": int(ncomp),
        "symmetric": symmetric,
        "normalisation": normalisation_of(w),
    }, dtype=object)
