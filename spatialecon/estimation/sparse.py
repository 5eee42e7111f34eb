"""Exact sparse log-determinants that reuse the fill-reducing analysis across rho.

A spatial ML fit evaluates ``log|I - rho W|`` twenty to fifty times. The
sparsity pattern of ``I - rho W`` is the same for every ``rho != 0``, so the
fill-reducing ordering (and, for Cholesky, the whole symbolic factorisation)
is computed once here and only the numeric factorisation is repeated.

Backends
--------
``"cholmod"``
    When W is similar to a symmetric matrix S (W symmetric, or a
    row-standardised symmetric binary matrix; see
    :func:`spatialecon.estimation.bounds.symmetric_form`),
    ``|I - rho W| = |I - rho S|`` and ``I - rho S`` is symmetric positive
    definite inside the admissible interval of rho. CHOLMOD (optional
    dependency ``scikit-sparse``) analyses the pattern once
    (``cholmod.analyze``) and refactorises numerically per rho
    (``Factor.cholesky_inplace``), like R's Matrix package used by spatialreg
    ``method="Matrix"``. Outside the positive-definite range (rho beyond the
    admissible interval) the SuperLU route is used for that evaluation.
``"superlu"``
    SciPy's SuperLU. The column ordering (``MMD_AT_PLUS_A``) of the first
    factorisation is kept, W is permuted symmetrically once, and later calls
    use ``permc_spec="NATURAL"``; while ``I - rho W`` is strictly diagonally
    dominant (``|rho| max_i sum_j |w_ij| < 1`` and a zero diagonal) no
    pivoting is needed, so the symmetric ordering is preserved and
    ``diag_pivot_thresh=0`` is used. ``log|det| = sum log|diag(U)|``.
``"auto"``
    ``"cholmod"`` when scikit-sparse imports and W has a symmetric form,
    ``"superlu"`` otherwise.

Both are exact (to rounding): the log-determinants agree with dense
``numpy.linalg.slogdet`` to about 1e-12 relative in ``tests/test_approx.py``.

Examples
--------
>>> import numpy as np, scipy.sparse as sp
>>> W = sp.csr_matrix(np.array([[0, 1.0], [1.0, 0]]))
>>> ld = SparseLogDet(W)
>>> bool(abs(ld(0.5) - np.log(0.75)) < 1e-12)
True
"""

from __future__ import annotations

import importlib
import warnings

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from ..errors import EstimationError
from .bounds import as_csr, symmetric_form

__all__ = ["SparseLogDet", "cholmod_available"]


def _cholmod():
    """The optional ``sksparse.cholmod`` module, or None.

    Imported by name at run time: scikit-sparse is an *optional* accelerator
    (the estimation core itself needs only numpy/scipy), see the report to the
    lead about listing it as an extra.
    """
    try:
        return importlib.import_module("sksparse.cholmod")
    except ImportError:
        return None


def cholmod_available() -> bool:
    """Whether the optional CHOLMOD backend (scikit-sparse) can be imported.

    Examples
    --------
    >>> isinstance(cholmod_available(), bool)
    True
    """
    return _cholmod() is not None


#: SuperLU panel size: 4 instead of SuperLU's 10 made the factorisation of I - rho W on rook
#: lattices 35% faster at N = 10,000 and 18% at N = 100,000 (scipy 1.17, 2 cores); same factors
SUPERLU_PANEL = 4


def _logabsdet(lu) -> float:
    """``log|det|`` of a SuperLU factor: ``sum log|diag(U)|`` (L has a unit diagonal)."""
    d = lu.U.diagonal()
    return -np.inf if np.any(d == 0) else float(np.sum(np.log(np.abs(d))))


def _superlu(M: sp.csc_matrix, permc_spec: str, dominant: bool):
    """SuperLU of ``M``; no pivoting while it is strictly diagonally dominant (keeps the order)."""
    kw = {"diag_pivot_thresh": 0.0, "options": {"SymmetricMode": True}} if dominant else {}
    try:
        return spla.splu(M, permc_spec=permc_spec, panel_size=SUPERLU_PANEL, **kw)
    except RuntimeError as exc:  # "Factor is exactly singular"
        raise EstimationError(f"I - rho W is singular: {exc}") from exc


class _PermutedLU:
    """Solves with ``A`` from a SuperLU factor of ``P'AP`` (``Ap = A[p][:, p]``): ``x[p] = Ap^{-1} b[p]``;
    ``p = None``: the factor of ``A`` itself."""

    def __init__(self, lu, p: np.ndarray):
        self._lu = lu
        self._p = p

    def logdet(self) -> float:
        """``log|det A|`` from the diagonal of U."""
        return _logabsdet(self._lu)

    def solve(self, b: np.ndarray, trans: str = "N") -> np.ndarray:
        b = np.asarray(b, dtype=float)
        if self._p is None:  # the factor of A itself (SuperLU's own column order)
            return self._lu.solve(b, trans=trans)
        out = np.empty_like(b)
        out[self._p] = self._lu.solve(np.ascontiguousarray(b[self._p]), trans=trans)
        return out


#: from this N on, CHOLMOD orders with METIS (nested dissection) instead of AMD
METIS_MIN_N = 50_000


def _analyse(M: sp.csc_matrix):
    """Symbolic analysis for a *simplicial* LDL' with a fill-reducing ordering.

    Measured on this project's benchmark machine (2 cores, Debian SuiteSparse,
    benchmarks/RESULTS.md), the simplicial factorisation of ``I - rho S`` was
    1.4-3x faster than CHOLMOD's default choice (supernodal) on rook lattices
    and k-nearest-neighbour graphs with N = 10,000-100,000 (the supernodal
    method wins only for much denser factors than spatial weights produce);
    METIS cut the factor's fill by about 20% at N = 100,000 and costs about
    0.3 s of analysis, so it is used from ``METIS_MIN_N`` on, AMD below. The
    choice depends on N only, so the same inputs give the same numbers.
    """
    mod = _cholmod()
    ordering = "metis" if M.shape[0] >= METIS_MIN_N else "amd"
    try:
        return mod.analyze(M, mode="simplicial", ordering_method=ordering), ordering
    except mod.CholmodError:  # a CHOLMOD built without METIS
        return mod.analyze(M, mode="simplicial", ordering_method="amd"), "amd"


class SparseLogDet:
    """Exact ``rho -> log|I - rho W|`` with the symbolic analysis done once.

    Parameters
    ----------
    W : scipy sparse matrix or ndarray (N x N)
    backend : {"auto", "cholmod", "superlu"}
        See the module docstring. ``"cholmod"`` raises
        :class:`~spatialecon.errors.EstimationError` when scikit-sparse is not
        installed or W has no symmetric form.

    Attributes
    ----------
    backend : str
        Backend used.
    method : str
        ``"cholesky"`` (CHOLMOD) or ``"lu"`` (SuperLU), for
        :class:`~spatialecon.estimation.logdet.LogDet`.
    n : int
    n_calls : int
        Number of evaluations so far.

    Examples
    --------
    >>> import numpy as np
    >>> W = np.array([[0, .5, .5], [.5, 0, .5], [.5, .5, 0]])
    >>> ld = SparseLogDet(W, backend="superlu")
    >>> exact = np.linalg.slogdet(np.eye(3) - 0.3 * W)[1]
    >>> ld.method, bool(abs(ld(0.3) - exact) < 1e-12)
    ('lu', True)
    """

    def __init__(self, W, *, backend: str = "auto"):
        if backend not in ("auto", "cholmod", "superlu"):
            raise EstimationError(f"backend={backend!r} is not valid; choose 'auto', 'cholmod' or 'superlu'.")
        W = as_csr(W)
        self.n = W.shape[0]
        self.n_calls = 0
        self._W = W
        sym = None
        if backend in ("auto", "cholmod"):
            sym = symmetric_form(W)
            have = cholmod_available()
            if backend == "cholmod" and (sym is None or not have):
                why = "scikit-sparse is not installed" if not have else "W has no symmetric form"
                raise EstimationError(f"backend='cholmod' is not available: {why}.")
            if sym is None or not have:
                backend = "superlu"
            else:
                backend = "cholmod"
        self.backend = backend
        self.method = "cholesky" if backend == "cholmod" else "lu"
        self._eye = sp.identity(self.n, format="csc")
        if backend == "cholmod":
            self._S = sp.csc_matrix(sym[0])
            self._d = np.asarray(sym[1], dtype=float)
            self._S.sort_indices()
            # the pattern of I - rho S is that of I + |S| for every rho != 0
            self._factor, self.ordering = _analyse(sp.csc_matrix(self._eye + abs(self._S)))
        else:
            self._perm = None
            self._Wp = sp.csc_matrix(W)
            self.ordering = "MMD_AT_PLUS_A"
        self._rowsum = float(abs(W).sum(axis=1).max()) if W.nnz else 0.0
        #: upper bound of the spectral radius, min(||W||_inf, ||W||_1)
        self.radius = min(self._rowsum, float(abs(W).sum(axis=0).max())) if W.nnz else 0.0
        self._zero_diag = bool(W.nnz == 0 or np.all(W.diagonal() == 0))

    def _superlu(self, rho: float) -> float:
        dominant = abs(rho) * self._rowsum < 1.0 - 1e-8 and self._zero_diag
        M = sp.csc_matrix(self._eye - rho * self._Wp)
        if self._perm is None:
            lu = _superlu(M, "MMD_AT_PLUS_A", dominant)
            # permute W symmetrically once (det(P'AP) = det(A)) so that the natural
            # order of the permuted matrix is SuperLU's fill-reducing order
            self._perm = np.argsort(lu.perm_c)
            self._Wp = sp.csc_matrix(self._Wp[self._perm][:, self._perm])
            self._last = (rho, _PermutedLU(lu, None))
        else:
            lu = _superlu(M, "NATURAL", dominant)
            self._last = (rho, _PermutedLU(lu, self._perm))
        return _logabsdet(lu)

    def __call__(self, rho: float) -> float:
        rho = float(rho)
        self.n_calls += 1
        self._last = None
        if rho == 0.0:
            return 0.0
        if self.backend == "cholmod":
            not_pd = _cholmod().CholmodNotPositiveDefiniteError
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")  # CHOLMOD 'not positive definite' (handled below)
                    self._at = None
                    self._factor.cholesky_inplace(sp.csc_matrix(self._eye - rho * self._S))
                    value = float(self._factor.logdet())
                if np.isfinite(value):
                    self._at = rho  # the numeric factor now holds I - rho S (reused by solver(rho))
                    return value
            except not_pd:
                pass
            # outside the positive-definite range (beyond the admissible interval): |det| by LU
        if self.backend == "cholmod" and not hasattr(self, "_perm"):
            self._perm = None
            self._Wp = sp.csc_matrix(self._W)
        return self._superlu(rho)

    def solver(self, rho: float):
        """A factorisation of ``I - rho W`` with ``solve(b, trans="N" | "T")``.

        CHOLMOD backend: ``A = D^{-1/2} (I - rho S) D^{1/2}``, so
        ``A^{-1} b = D^{-1/2} (I - rho S)^{-1} D^{1/2} b`` and
        ``A^{-T} b = D^{1/2} (I - rho S)^{-1} D^{-1/2} b`` with one Cholesky
        factor (block solves for many right-hand sides); when the last
        log-determinant was computed at the same rho, a copy of its numeric
        factor is used instead of a new factorisation. SuperLU backend:
        ``scipy.sparse.linalg.splu`` of ``I - rho W``.

        Examples
        --------
        >>> import numpy as np
        >>> W = np.array([[0, 1.0, 0], [0.5, 0, 0.5], [0, 1.0, 0]])
        >>> b = np.array([1.0, 2.0, 3.0])
        >>> x = SparseLogDet(W).solver(0.4).solve(b)
        >>> bool(np.allclose((np.eye(3) - 0.4 * W) @ x, b))
        True
        """
        rho = float(rho)
        if self.backend == "cholmod" and getattr(self, "_at", None) == rho:
            # the last log-determinant factorised this rho (the optimiser's final evaluation):
            # a copy of that numeric factor saves a factorisation
            return _SimilarCholesky(self._factor.copy(), self._d)
        if self.backend == "cholmod":
            mod = _cholmod()
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    # a new numeric factor on the symbolic analysis done once in __init__
                    factor = self._factor.cholesky(sp.csc_matrix(self._eye - rho * self._S))
                return _SimilarCholesky(factor, self._d)
            except mod.CholmodNotPositiveDefiniteError:
                pass
        last = getattr(self, "_last", None)
        if last is not None and last[0] == rho:  # the last log-determinant's LU, kept for this rho
            return last[1]
        if self.backend == "superlu":
            # a factorisation with the kept ordering (it also holds log|A|, see _PermutedLU.logdet)
            self._superlu(rho)
            return self._last[1]
        try:
            return spla.splu(sp.csc_matrix(self._eye - rho * sp.csc_matrix(self._W)), permc_spec="MMD_AT_PLUS_A")
        except RuntimeError as exc:
            raise EstimationError(f"I - rho W is singular at rho={rho}: {exc}") from exc

    def __repr__(self) -> str:
        return f"SparseLogDet(backend={self.backend!r}, n={self.n})"


class _SimilarCholesky:
    """Solves with ``A = D^{-1/2} (I - rho S) D^{1/2}`` from a Cholesky factor of ``I - rho S``."""

    def __init__(self, factor, d: np.ndarray):
        self._factor = factor
        self._sq = np.sqrt(d)

    def logdet(self) -> float:
        """``log|A| = log|I - rho S|`` from the factor."""
        return float(self._factor.logdet())

    def solve(self, b: np.ndarray, trans: str = "N") -> np.ndarray:
        b = np.asarray(b, dtype=float)
        sq = self._sq if b.ndim == 1 else self._sq[:, None]
        if trans == "N":
            return self._factor(b * sq) / sq
        return self._factor(b / sq) * sq
