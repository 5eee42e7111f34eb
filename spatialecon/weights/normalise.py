"""Normalisation of spatial weights and the record of which one was applied.

A :class:`libpysal.graph.Graph` is immutable and records libpysal's own
transformations in ``Graph.transformation`` (``"O"`` original, ``"R"`` row,
``"B"`` binary, ...). Spectral and min-max scaling are not libpysal
transformations, so a Graph scaled here is built with
``transformation="C"`` (custom) and carries the attribute
``_spatialecon_normalisation`` (``"spectral"`` or ``"minmax"``).
:func:`normalisation_of` reads the record back; derived Graphs (e.g. the result
of ``Graph.subgraph``) lose the attribute and report libpysal's code.

Normalisations
--------------
``"row"``
    each non-zero row sums to one (libpysal ``transform("r")``); islands keep a zero row.
``"spectral"``
    divide every weight by the spectral radius (largest absolute eigenvalue),
    Stata ``spmatrix`` default; keeps symmetry.
``"minmax"``
    divide by ``min(max row sum, max column sum)`` (Kelejian & Prucha 2010,
    *J. Econometrics* 157(1), 53-67); keeps symmetry.
``"none"``
    leave the weights as they are.

Examples
--------
>>> import numpy as np
>>> from spatialecon.weights import from_matrix, normalise, normalisation_of
>>> w = from_matrix(np.array([[0, 1.0], [1.0, 0]]), ids=["a", "b"], transform="none")
>>> normalisation_of(normalise(w, "spectral"))
'spectral'
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla
from libpysal.graph import Graph

from .._options import Normalisation, validate
from ..errors import WeightsError

__all__ = ["normalise", "normalisation_of", "spectral_radius", "DENSE_EIGEN_MAX"]


def _start(n: int) -> np.ndarray:
    """Fixed ARPACK starting vector: the default is random, so repeated calls could differ in the
    last digits (same inputs must give the same numbers)."""
    return np.random.default_rng(0).standard_normal(n)

DENSE_EIGEN_MAX = 2000
"""Largest N for which eigenvalues are computed with dense ``numpy.linalg.eigvals``."""

_ALIASES = {"r": "row", "R": "row", "o": "none", "O": "none"}
_LIBPYSAL_CODES = {"R": "row", "O": "none", "B": "binary", "D": "double",
                   "V": "variance", "C": "custom"}
_ATTR = "_spatialecon_normalisation"


def _canonical(how: str) -> str:
    how = _ALIASES.get(how, how)
    return validate("how", how, Normalisation)


def _record(g: Graph, name: str) -> Graph:
    setattr(g, _ATTR, name)
    return g


def normalisation_of(w: Graph) -> str:
    """Name of the normalisation applied to ``w``.

    Returns one of ``"row"``, ``"spectral"``, ``"minmax"``, ``"none"`` or, for
    other libpysal transformations, ``"binary"``, ``"double"``,
    ``"variance"``, ``"custom"``.

    Examples
    --------
    >>> import numpy as np
    >>> from spatialecon.weights import from_matrix
    >>> normalisation_of(from_matrix(np.array([[0, 1.0], [1.0, 0]]), ids=["a", "b"]))
    'row'
    """
    rec = getattr(w, _ATTR, None)
    if rec is not None:
        return rec
    return _LIBPYSAL_CODES.get(w.transformation, str(w.transformation))


def spectral_radius(m: sp.spmatrix | np.ndarray) -> float:
    """Largest absolute eigenvalue of a square matrix (dense for N <= 2000, ARPACK otherwise).

    Examples
    --------
    >>> round(spectral_radius(np.array([[0, 2.0], [2.0, 0]])), 12)
    2.0
    """
    n = m.shape[0]
    if n == 0:
        raise WeightsError("empty weights matrix")
    if n <= DENSE_EIGEN_MAX:
        dense = m.toarray() if sp.issparse(m) else np.asarray(m, dtype=float)
        return float(np.max(np.abs(np.linalg.eigvals(dense))))
    vals = spla.eigs(sp.csr_matrix(m, dtype=float), k=1, which="LM",
                     return_eigenvectors=False, v0=_start(n), maxiter=n * 50)
    return float(np.abs(vals).max())


def _from_matrix_like(g: Graph, mat: sp.csr_matrix) -> Graph:
    base = Graph.from_sparse(sp.csr_array(mat), ids=g.unique_ids)
    return Graph(base.adjacency, transformation="C", is_sorted=True)


def _unit_sparse(g: Graph) -> sp.csr_matrix:
    m = sp.csr_matrix(g.sparse, dtype=float)
    m.eliminate_zeros()
    return m


def normalise(w: Graph, how: str = "row") -> Graph:
    """Return a normalised copy of ``w`` and record the method on it.

    Parameters
    ----------
    w : libpysal.graph.Graph
    how : {"row", "spectral", "minmax", "none"}
        ``"r"`` is accepted for ``"row"`` and ``"o"`` for ``"none"``.

    Returns
    -------
    libpysal.graph.Graph
        Same ids in the same order; see :func:`normalisation_of`.

    Examples
    --------
    >>> import numpy as np
    >>> from spatialecon.weights import from_matrix
    >>> w = from_matrix(np.array([[0, 2.0], [2.0, 0]]), ids=["a", "b"], transform="none")
    >>> normalise(w, "minmax").sparse.toarray().tolist()
    [[0.0, 1.0], [1.0, 0.0]]
    """
    if not isinstance(w, Graph):
        raise WeightsError(f"normalise expects a libpysal Graph, got {type(w).__name__}")
    how = _canonical(how)
    if how == "none":
        return _record(w.copy(), normalisation_of(w))
    if how == "row":
        return _record(w.transform("r"), "row")
    m = _unit_sparse(w)
    if m.nnz == 0:
        raise WeightsError("cannot normalise a weights matrix with no links")
    if how == "spectral":
        scale = spectral_radius(m)
    else:  # minmax
        scale = min(float(np.abs(m).sum(axis=1).max()), float(np.abs(m).sum(axis=0).max()))
    if not np.isfinite(scale) or scale <= 0:
        raise WeightsError(f"{how} normalisation: scale {scale} is not positive")
    return _record(_from_matrix_like(w, m / scale), how)
