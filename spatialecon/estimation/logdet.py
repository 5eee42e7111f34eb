"""Log-determinant ``log|I - rho W|`` behind one interface.

:func:`make_logdet` returns a :class:`LogDet`: a callable ``ld(rho) -> float``
with attributes ``method`` (the strategy actually used) and ``error_band``
(``None`` for exact methods; for approximations whatever the approximation
module supplies).

Strategies
----------
``"eigen"``
    Eigenvalues of W computed once (dense; of the symmetric form
    ``D^{1/2} W D^{-1/2}`` when W is a row-standardised symmetric matrix, so
    they are real), then ``sum(log|1 - rho * omega_i|)``. Exact.
``"lu"``
    Sparse LU (SuperLU, ``scipy.sparse.linalg.splu``) of ``I - rho W``, with the
    fill-reducing ordering of the first call kept
    (:class:`spatialecon.estimation.sparse.SparseLogDet`);
    ``log|det| = sum(log|diag(U)|)`` (L has a unit diagonal). Exact.
``"cholesky"``
    Sparse Cholesky of the *symmetric* matrix ``I - rho S`` (``S`` similar to
    W: W symmetric, or a row-standardised symmetric binary matrix), positive
    definite inside the admissible interval. Uses CHOLMOD (scikit-sparse,
    optional; symbolic analysis done once) through
    :class:`spatialecon.estimation.sparse.SparseLogDet` when available,
    otherwise SuperLU (as ``"lu"``, the same determinant); the backend is in
    ``ld.info["backend"]``. For a W without a symmetric form ``"lu"`` is
    used and recorded.
``"chebyshev"``, ``"mc"``
    Approximations from :mod:`spatialecon.estimation.approx` (Pace and LeSage
    2004; Barry and Pace 1999), imported when requested.
``"auto"``
    ``"eigen"`` for ``N <= 1000``; for ``1000 < N < 200_000`` ``"cholesky"``
    when W has a symmetric form and scikit-sparse is installed, else
    ``"lu"``; ``"chebyshev"`` for ``N >= 200_000``. All but the last are
    exact (they agree to ~1e-10), and ``ld.method`` records the choice.

Examples
--------
>>> import numpy as np, scipy.sparse as sp
>>> W = sp.csr_matrix(np.array([[0, 1.0], [1.0, 0]]))
>>> ld = make_logdet(W, "lu")
>>> bool(abs(ld(0.5) - np.log(1 - 0.25)) < 1e-12), ld.method
(True, 'lu')
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import scipy.sparse as sp

from .._options import LogDetMethod, validate
from ..errors import EstimationError
from .bounds import as_csr, symmetric_form

__all__ = ["LogDet", "make_logdet", "AUTO_EIGEN_MAX", "AUTO_APPROX_MIN"]

#: ``logdet="auto"`` uses eigenvalues up to this N.
AUTO_EIGEN_MAX = 1000
#: ``logdet="auto"`` switches to the Chebyshev approximation from this N.
AUTO_APPROX_MIN = 200_000


class LogDet:
    """Callable ``rho -> log|I - rho W|`` with the strategy recorded.

    Attributes
    ----------
    method : str
        ``"eigen"``, ``"lu"``, ``"cholesky"``, ``"chebyshev"`` or ``"mc"``.
    error_band : callable or None
        ``None`` for exact methods.
    n : int
        Order of W.
    """

    def __init__(self, func: Callable[[float], float], method: str, n: int, error_band=None, info=None):
        self._func = func
        self.method = method
        self.n = n
        self.error_band = error_band
        self.info = dict(info or {})

    def __call__(self, rho: float) -> float:
        return float(self._func(float(rho)))

    def __repr__(self) -> str:
        return f"LogDet(method={self.method!r}, n={self.n})"


def _eigen(W: sp.csr_matrix) -> LogDet:
    sym = symmetric_form(W)
    if sym is not None:
        ev = np.linalg.eigvalsh(sym[0].toarray())
    else:
        ev = np.linalg.eigvals(W.toarray())
        if np.all(np.abs(ev.imag) < 1e-12 * max(1.0, np.abs(ev).max())):
            ev = ev.real

    def f(rho: float) -> float:
        return float(np.sum(np.log(np.abs(1.0 - rho * ev))))

    out = LogDet(f, "eigen", W.shape[0], info={"symmetric": sym is not None})
    out.eigenvalues = ev
    return out


def _lu(W: sp.csr_matrix) -> LogDet:
    # SuperLU with the fill-reducing ordering computed once and kept (see .sparse); the same
    # object then serves the traces' stencil and probe solves (one analysis, reused factors)
    from .sparse import SparseLogDet

    ld = SparseLogDet(W, backend="superlu")
    return LogDet(ld, "lu", W.shape[0], info={"permc_spec": "MMD_AT_PLUS_A", "ordering": "kept from the first call"})


def _cholmod_logdet():
    """``SparseLogDet`` of :mod:`.sparse` when its CHOLMOD backend (scikit-sparse) is usable, else None."""
    try:
        from .sparse import SparseLogDet, cholmod_available
    except ImportError:
        return None
    return SparseLogDet if cholmod_available() else None


def _cholesky(W: sp.csr_matrix, sym=None) -> LogDet:
    sym = symmetric_form(W) if sym is None else sym
    if sym is None:
        return _lu(W)
    n = W.shape[0]
    backend = _cholmod_logdet()
    if backend is not None:
        ld = backend(W, backend="cholmod")
        return LogDet(ld, "cholesky", n, info={"backend": "CHOLMOD (scikit-sparse) on the symmetric form"})
    from .sparse import SparseLogDet

    # the same determinant |I - rho W| = |I - rho S| by SuperLU of I - rho W with a kept ordering
    ld = SparseLogDet(W, backend="superlu")
    return LogDet(ld, "cholesky", n, info={"backend": "SuperLU, kept ordering (scikit-sparse not installed)"})


def _approx(W: sp.csr_matrix, method: str, bounds, seed, opts) -> LogDet:
    try:
        from . import approx
    except ImportError as exc:
        raise EstimationError(
            f"logdet={method!r} needs spatialecon.estimation.approx, which is not available; "
            "use logdet='lu' or 'eigen'."
        ) from exc
    n = W.shape[0]
    if method == "chebyshev":
        kw = {k: opts[k] for k in ("order", "n_vectors") if k in opts}
        f = approx.chebyshev_logdet(W, bounds=bounds, seed=seed, **kw)
    else:
        kw = {k: opts[k] for k in ("order", "n_vectors") if k in opts}
        f = approx.mc_logdet(W, seed=seed, **kw)
    band = getattr(f, "error_band", None)
    return LogDet(f, method, n, error_band=band, info=dict(kw))


def make_logdet(W, method: str = "auto", *, bounds=None, seed=None, **opts) -> LogDet:
    """Build the log-determinant function ``rho -> log|I - rho W|``.

    Parameters
    ----------
    W : scipy sparse matrix or ndarray (N x N)
    method : {"auto", "eigen", "lu", "cholesky", "chebyshev", "mc"}
        See the module docstring. ``"auto"``: eigen for N <= 1000, sparse
        Cholesky (CHOLMOD, symmetric-form W) or LU below N = 200,000,
        Chebyshev above.
    bounds : (float, float), optional
        Interval of rho (used by the Chebyshev approximation).
    seed : int, optional
        Random seed of the Monte Carlo approximation.
    **opts
        ``order``, ``n_vectors`` for the approximations.

    Returns
    -------
    LogDet
        Callable with ``.method`` (strategy used) and ``.error_band``.

    Examples
    --------
    >>> import numpy as np
    >>> W = np.array([[0, .5, .5], [.5, 0, .5], [.5, .5, 0]])
    >>> ld = make_logdet(W)
    >>> ld.method, bool(abs(ld(0.3) - np.linalg.slogdet(np.eye(3) - 0.3 * W)[1]) < 1e-12)
    ('eigen', True)
    """
    validate("logdet", method, LogDetMethod)
    W = as_csr(W)
    n = W.shape[0]
    if method == "auto":
        if n <= AUTO_EIGEN_MAX:
            method = "eigen"
        elif n >= AUTO_APPROX_MIN:
            method = "chebyshev"
        else:
            sym = symmetric_form(W) if _cholmod_logdet() is not None else None
            if sym is not None:
                return _cholesky(W, sym)
            method = "lu"
    if method == "eigen":
        return _eigen(W)
    if method == "lu":
        return _lu(W)
    if method == "cholesky":
        return _cholesky(W)
    return _approx(W, method, bounds, seed, opts)
