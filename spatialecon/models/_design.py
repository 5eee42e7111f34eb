"""Input validation and the cross-section design (the counterpart of ``PanelDesign``).

:class:`CrossDesign` exposes the same interface as
:class:`spatialecon.models._panel.PanelDesign` (``y``, ``X``, ``names``,
``lag``, ``logdet``, ``n_eff``, ``traces``, ``solve``), so the fitting code
in :mod:`spatialecon.models._fit` is shared by cross-sections and panels.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp
import scipy.sparse.linalg as spla
from scipy import linalg

from ..errors import DataError, SingularDesignError, WeightsError
from ..estimation.bounds import is_row_stochastic, rho_interval
from ..estimation.covariance import DENSE_TRACE_MAX, lag_traces
from ..estimation.logdet import AUTO_EIGEN_MAX, make_logdet

__all__ = ["CrossDesign", "check_y", "check_X", "check_rank", "align_w", "stacked_solve", "w_bounds", "quick_bounds"]


def check_y(y) -> pd.Series:
    """Response as a float Series (a one-column DataFrame or 1-d array is accepted)."""
    if isinstance(y, pd.DataFrame):
        if y.shape[1] != 1:
            raise DataError(f"y must be one column, got {y.shape[1]} columns.")
        y = y.iloc[:, 0]
    if not isinstance(y, pd.Series):
        arr = np.asarray(y)
        if arr.ndim != 1:
            raise DataError(f"y must be 1-d, got shape {arr.shape}.")
        y = pd.Series(arr, name="y")
    if not pd.api.types.is_numeric_dtype(y):
        raise DataError(f"y must be numeric, got dtype {y.dtype}.")
    y = y.astype(float)
    if y.index.has_duplicates:
        raise DataError(f"y has duplicate index labels, e.g. {list(y.index[y.index.duplicated()][:5])}.")
    bad = y.index[~np.isfinite(y.to_numpy())]
    if len(bad):
        raise DataError(f"y has missing or infinite values at rows {list(bad[:10])}"
                        f"{' ...' if len(bad) > 10 else ''} ({len(bad)} in all).")
    if y.name is None:
        y = y.rename("y")
    return y


def check_X(X, index: pd.Index) -> pd.DataFrame:
    """Regressors as a float DataFrame aligned (by label) to ``index``."""
    if X is None:
        return pd.DataFrame(index=index)
    if isinstance(X, pd.Series):
        X = X.to_frame(X.name if X.name is not None else "x")
    if not isinstance(X, pd.DataFrame):
        arr = np.asarray(X, dtype=float)
        if arr.ndim == 1:
            arr = arr[:, None]
        if arr.shape[0] != len(index):
            raise DataError(f"X has {arr.shape[0]} rows but y has {len(index)}.")
        X = pd.DataFrame(arr, index=index, columns=[f"x{j + 1}" for j in range(arr.shape[1])])
    X = X.copy()
    X.columns = [str(c) for c in X.columns]
    if len(set(X.columns)) != X.shape[1]:
        raise DataError(f"X has duplicate column names: {list(X.columns)}.")
    if "const" in X.columns:
        raise DataError("X has a column named 'const'; the constant is added by the model (constant=True).")
    non_num = [c for c in X.columns if not pd.api.types.is_numeric_dtype(X[c])]
    if non_num:
        raise DataError(f"X has non-numeric columns {non_num}; encode them (e.g. through a formula with C(x)).")
    if not X.index.equals(index):
        missing, extra = index.difference(X.index), X.index.difference(index)
        if len(missing) or len(extra) or X.index.has_duplicates:
            raise DataError(f"X and y rows differ: in y only {list(missing[:10])}, in X only {list(extra[:10])}.")
        X = X.loc[index]
    X = X.astype(float)
    vals = X.to_numpy()
    bad = ~np.isfinite(vals)
    if bad.any():
        rows = list(X.index[bad.any(axis=1)][:10])
        cols = list(X.columns[bad.any(axis=0)])
        raise DataError(f"X has missing or infinite values in columns {cols} at rows {rows} "
                        f"({int(bad.any(axis=1).sum())} rows in all).")
    return X


def check_rank(X: np.ndarray, names, *, rtol: float = 1e-10) -> None:
    """Raise :class:`SingularDesignError` naming the collinear columns (pivoted QR)."""
    if X.shape[1] == 0:
        return
    if X.shape[0] <= X.shape[1]:
        raise SingularDesignError(f"{X.shape[0]} observations for {X.shape[1]} columns {list(names)}.")
    scale = np.sqrt((X * X).sum(axis=0))
    zero = [names[j] for j in np.flatnonzero(scale == 0)]
    if zero:
        raise SingularDesignError(f"columns {zero} are identically zero.")
    _, R, piv = linalg.qr(X / scale, mode="economic", pivoting=True)
    d = np.abs(np.diag(R))
    rank = int(np.sum(d > rtol * max(X.shape) * d[0]))
    if rank < X.shape[1]:
        dep = [names[j] for j in piv[rank:]]
        raise SingularDesignError(
            f"the design is rank deficient (rank {rank} of {X.shape[1]}): columns {dep} are linear "
            f"combinations of the others (columns: {list(names)}); a regressor constant across units is "
            "collinear with 'const'."
        )


def align_w(w, index: pd.Index, *, allow_islands: bool = False) -> sp.csr_matrix:
    """W as CSR in the order of ``index`` (by id); islands raise unless allowed."""
    if sp.issparse(w) or isinstance(w, np.ndarray):
        raise WeightsError(
            "W given as a bare matrix has no ids; pass a libpysal Graph keyed by the data's index "
            "(e.g. spatialecon.weights.from_matrix(m, ids=...))."
        )
    from ..weights import align

    W = sp.csr_matrix(align(w, index), dtype=float)
    W.eliminate_zeros()
    empty = np.flatnonzero(np.diff(W.indptr) == 0)
    if len(empty) and not allow_islands:
        raise WeightsError(
            f"W has {len(empty)} island(s) (units without neighbours): {list(index[empty][:20])}. "
            "Connect them (e.g. weights.contiguity(..., islands='nearest')) or pass allow_islands=True."
        )
    return W


def w_bounds(mats) -> tuple[float, float]:
    """Intersection of the eigenvalue intervals of one or several W."""
    lo, hi = -np.inf, np.inf
    for M in mats:
        a, b = rho_interval(M)
        lo, hi = max(lo, a), min(hi, b)
    return float(lo), float(hi)


#: Above this N, a non-negative row-stochastic W searches rho in (-1, 1) without eigenvalues.
QUICK_BOUNDS_MIN = 2000

QUICK_BOUNDS_NOTE = ("(-1, 1): W is row-stochastic and non-negative, so its eigenvalues lie in [-1, 1] and "
                     "this interval lies inside the admissible (1/lambda_min, 1); lambda_min was not computed "
                     "(N > 2000). An estimate reaching -1 triggers the exact interval and a new search.")


def quick_bounds(mats) -> tuple[tuple[float, float], str | None]:
    """Search interval for rho: ``(-1, 1)`` with a note when every W is large, non-negative and
    row-stochastic (no eigenvalue computation), else the exact :func:`w_bounds` and ``None``."""
    mats = list(mats)
    if all(M.shape[0] > QUICK_BOUNDS_MIN and is_row_stochastic(M) for M in mats):
        return (-1.0, 1.0), QUICK_BOUNDS_NOTE
    return w_bounds(mats), None


def guide_for(W, bounds, seed):
    """Chebyshev approximation of ``log|I - rho W|`` (order 20, 10 probes) used only to guide a search.

    Its error does not reach the estimates: the guided search corrects it with exact
    evaluations. Warnings about its error band are therefore silenced here.
    """
    import warnings

    from ..estimation.approx import chebyshev_logdet

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return chebyshev_logdet(W, order=20, n_vectors=10, bounds=bounds, seed=seed)


def known_stencil(stencil, memo: dict):
    """``((x0 - h, F), (x0, F), (x0 + h, F))`` from the memoised exact log-determinants of the guided
    search's first points ``stencil = (x0, h)``, or None when they are not all there."""
    if stencil is None:
        return None
    xs = (stencil[0] - stencil[1], stencil[0], stencil[0] + stencil[1])
    return tuple((x, memo[x]) for x in xs) if all(x in memo for x in xs) else None


def stacked_solve(mats, T: int, rho: float, v: np.ndarray) -> np.ndarray:
    """``(I_T kron (I - rho W))^{-1} v`` (or blockdiag(W_t)) by sparse LU per period."""
    v = np.asarray(v, dtype=float)
    N = mats[0].shape[0]
    v2 = v.reshape(T, N, -1)
    out = np.empty_like(v2)
    lus = [spla.splu(sp.csc_matrix(sp.identity(N, format="csc") - rho * sp.csc_matrix(M))) for M in mats]
    for t in range(T):
        out[t] = lus[t if len(lus) > 1 else 0].solve(v2[t])
    return out.reshape(v.shape)


class CrossDesign:
    """Cross-section design for the estimation core."""

    def __init__(self, y: np.ndarray, X: np.ndarray, names: list, W: sp.csr_matrix, index: pd.Index, *,
                 logdet_option: str = "auto", trace_method: str = "auto", seed=None, logdet_opts=None):
        self.y = y
        self.X = X
        self.names = list(names)
        self.W = W
        self.W_t = None
        self.index = index
        self.ids = index
        self.time_ids = None
        self.T = 1
        self.N = W.shape[0]
        self.n_eff = len(y)
        self.effects = None
        self.lee_yu = False
        self.logdet_option = logdet_option
        self.trace_method = trace_method
        self.seed = seed
        self.logdet_opts = dict(logdet_opts or {})
        self._ld = None
        self._bounds = None
        self.bounds_note = None
        self._lu = None
        self._guide = None
        self._ld_memo: dict = {}
        self._sld = None

    def lag(self, v: np.ndarray) -> np.ndarray:
        return self.W @ v

    def bounds(self) -> tuple[float, float]:
        if self._bounds is None:
            eigen = self.logdet_option == "eigen" or (self.logdet_option == "auto" and self.N <= AUTO_EIGEN_MAX)
            if eigen and self._ld is None:
                # the eigenvalues of the log-determinant also give the interval (computed once)
                self._ld = make_logdet(self.W, "eigen")
            ev = getattr(self._ld, "eigenvalues", None)
            if ev is not None:
                ev = np.asarray(ev)
                real = ev.real[np.abs(ev.imag) <= 1e-8 * max(np.abs(ev).max(), 1.0)]
                lo, hi = float(real.min()), float(real.max())
                if lo >= 0 or hi <= 0:
                    raise WeightsError(f"W has real eigenvalue range [{lo}, {hi}] that does not straddle 0.")
                self._bounds = (1.0 / lo, 1.0 / hi)
            else:
                self._bounds, self.bounds_note = quick_bounds([self.W])
        return self._bounds

    def exact_bounds(self) -> tuple[float, float]:
        """The admissible interval from the eigenvalues of W (replaces a quick ``(-1, 1)``)."""
        if self.bounds_note is not None:
            self._bounds, self.bounds_note = w_bounds([self.W]), None
            self._guide = None  # built on the quick interval
            if self._ld is not None and self._ld.method == "chebyshev":  # so was this approximation
                self._ld, self._ld_memo = None, {}
        return self.bounds()

    def logdet(self, rho: float) -> float:
        if self._ld is None:
            approx = self.logdet_option in ("chebyshev", "mc")
            self._ld = make_logdet(self.W, self.logdet_option, bounds=self.bounds() if approx else None,
                                   seed=self.seed, **self.logdet_opts)
        rho = float(rho)
        memo = self._ld_memo
        if rho not in memo:  # a sparse factorisation per value: never compute one twice
            if len(memo) > 256:
                memo.clear()
            memo[rho] = self._ld(rho)
        return memo[rho]

    @property
    def logdet_method(self) -> str | None:
        return None if self._ld is None else self._ld.method

    def logdet_error_band(self, rho: float) -> float | None:
        """Half-width of the error band of an approximate log-determinant at ``rho`` (None if exact)."""
        band = getattr(self._ld, "error_band", None)
        return float(band(rho)) if callable(band) else None

    def guide_logdet(self):
        """Cheap approximation of :meth:`logdet` that guides the 1-D search, or None.

        Only when the log-determinant is an exact sparse factorisation (``"lu"``
        or ``"cholesky"``); see :func:`guide_for`.
        """
        self.logdet(0.0)  # resolves the strategy
        if self.logdet_method not in ("lu", "cholesky"):
            return None
        if self._guide is None:
            self._guide = guide_for(self.W, self.bounds(), self.seed)
        return self._guide

    def sparse_logdet(self):
        """The :class:`~spatialecon.estimation.sparse.SparseLogDet` of W (the log-determinant's own
        when it is one, so that its symbolic analysis serves the traces too)."""
        from ..estimation.sparse import SparseLogDet

        own = getattr(self._ld, "_func", None)
        if isinstance(own, SparseLogDet):
            return own
        if self._sld is None:
            self._sld = SparseLogDet(self.W)
        return self._sld

    def factor(self, rho: float):
        """Sparse factorisation of ``I - rho W`` with ``solve(b, trans=...)`` (cached for the last
        rho: shared by the solve and the traces); above ``DENSE_TRACE_MAX`` (2000) units the design's
        :class:`~spatialecon.estimation.sparse.SparseLogDet` solver (CHOLMOD when installed)."""
        if self.N > DENSE_TRACE_MAX and (self._lu is None or self._lu[0] != rho):
            self._lu = (rho, self.sparse_logdet().solver(rho))
        if self._lu is None or self._lu[0] != rho:
            A = sp.csc_matrix(sp.identity(self.N, format="csc") - rho * sp.csc_matrix(self.W))
            rowsum = float(abs(self.W).sum(axis=1).max())
            if abs(rho) * rowsum < 1.0 - 1e-8 and not self.W.diagonal().any():
                # strictly diagonally dominant: no pivoting needed, symmetric fill-reducing order
                lu = spla.splu(A, permc_spec="MMD_AT_PLUS_A", diag_pivot_thresh=0.0,
                               options={"SymmetricMode": True})
            else:
                lu = spla.splu(A)
            self._lu = (rho, lu)
        return self._lu[1]

    def traces(self, rho: float) -> dict:
        if self.N <= DENSE_TRACE_MAX:
            return lag_traces(self.W, rho, method=self.trace_method, seed=self.seed)
        # the stencil centre is reused only from the same kind of computation (sparse factorisations)
        f0 = self.logdet(rho) if self.logdet_method in ("lu", "cholesky") else None
        return lag_traces(self.W, rho, method=self.trace_method, seed=self.seed, solver=self.factor(rho),
                          logdet_at_rho=f0, sparse_logdet=self.sparse_logdet(), bounds=self.bounds(),
                          guide=self._trace_guide(f0), known_logdets=self._known_stencil())

    def _trace_guide(self, f0):
        """The smooth approximation of the log-determinant that carries the traces' stencil: the
        search's guide after an exact search, the fitted approximation itself (Chebyshev or Monte
        Carlo) otherwise."""
        if f0 is not None:
            return self._guide
        if self.logdet_method in ("chebyshev", "mc"):
            return self._ld
        return None

    def stencil_step(self, rho: float) -> float | None:
        """Step of the trace stencil at rho (:func:`~spatialecon.estimation.traces.stencil_step`), for
        the guided search to evaluate its first points where the traces will need them (N > 2000)."""
        if self.N <= DENSE_TRACE_MAX or self.logdet_method not in ("lu", "cholesky"):
            return None
        from ..estimation.traces import stencil_step

        return stencil_step(self.sparse_logdet().radius, float(rho), self.bounds())

    def remember_stencil(self, stencil) -> None:
        """Keep the guided search's first points ``(x0, h)`` for the traces' stencil."""
        self.search_stencil = stencil

    def _known_stencil(self):
        return known_stencil(getattr(self, "search_stencil", None), self._ld_memo)

    def solve(self, rho: float, v: np.ndarray) -> np.ndarray:
        return self.factor(rho).solve(np.asarray(v, dtype=float))
