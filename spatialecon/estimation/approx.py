"""Approximate log-determinants ``log|I - rho W|`` with stated error bands.

Two approximations for very large N, where even a sparse factorisation per
likelihood evaluation is too expensive. Both precompute traces once (a few
dozen sparse matrix-vector products per probe vector), after which every
evaluation costs O(order) scalar operations; both return an
:class:`ApproxLogDet`, a callable with ``.method`` and ``.error_band(rho)``.

:func:`chebyshev_logdet` (Pace and LeSage 2004)
    Maps the eigenvalue interval ``[a, b]`` of W to ``[-1, 1]``
    (``lambda = alpha x + beta``) and expands
    ``f(x) = log(1 - rho (alpha x + beta)) = sum_j c_j(rho) T_j(x)`` in
    Chebyshev polynomials, so ``log|I - rho W| = sum_j c_j(rho) tr(T_j(W~))``
    with ``W~ = (W - beta I)/alpha``. ``c_j(rho)`` are computed by a discrete
    cosine transform at every call (cheap); the traces ``tr(T_j(W~))`` once:
    exactly from eigenvalues for N <= 2000, otherwise ``j <= 2`` exactly and
    ``j >= 3`` by Hutchinson estimation with Rademacher probes and the
    three-term recurrence ``T_{j+1} = 2 W~ T_j - T_{j-1}``.
    *Error band* (half-width): ``N * sum_{j > order} |c_j(rho)|`` (truncation;
    a bound when the eigenvalues of W are real and inside ``[a, b]``, because
    ``|T_j(x)| <= 1`` there) plus ``z_level`` times the Monte Carlo standard
    error of the estimated traces. The coefficients decay like ``r^-j`` with
    ``r = x0 + sqrt(x0^2 - 1)``, ``x0 = (1/rho - beta)/alpha``: order 50 gives
    a truncation error below ``1e-6 N`` for ``|rho| <= 0.95`` on ``[-1, 1]``.

:func:`mc_logdet` (Barry and Pace 1999)
    ``log|I - rho W| = -sum_{k>=1} rho^k tr(W^k) / k`` truncated at ``order``
    with ``tr(W)`` and ``tr(W^2) = sum(W .* W')`` exact and ``tr(W^k)``,
    ``k >= 3``, estimated by Hutchinson's estimator (Rademacher probes, which
    have a smaller variance than Barry and Pace's normal probes).
    *Error band* (half-width): ``z_level`` times the Monte Carlo standard error
    (computed from the per-probe series, so correlations between the powers
    are accounted for) plus the truncation bound
    ``N (|rho| s)^(order+1) / ((order + 1)(1 - |rho| s))`` with ``s`` an upper
    bound of the spectral radius (``min(||W||_inf, ||W||_1)``, 1 for a
    row-standardised W). Barry and Pace's interval, with the deterministic
    bound added instead of neglected. Useful for ``|rho|`` up to about 0.9;
    the truncation bound grows quickly as ``|rho| s -> 1``.

Both approximations are reproducible given ``seed``.

Examples
--------
>>> import numpy as np, scipy.sparse as sp
>>> W = sp.csr_matrix(np.array([[0, 1.0], [1.0, 0]]))
>>> ld = chebyshev_logdet(W, order=20)
>>> bool(abs(ld(0.5) - np.log(0.75)) <= ld.error_band(0.5) + 1e-12)
True
"""

from __future__ import annotations

import warnings

import numpy as np
import scipy.fft
import scipy.sparse as sp
from scipy.stats import norm

from ..errors import ApproximationWarning, EstimationError
from .bounds import as_csr, symmetric_form
from .traces import EXACT_MAX, batch_size, exact_low_traces, rademacher, spectral_radius_bound

__all__ = ["ApproxLogDet", "chebyshev_logdet", "mc_logdet", "chebyshev_coefficients"]


class ApproxLogDet:
    """Callable ``rho -> approximate log|I - rho W|`` with an error band.

    Attributes
    ----------
    method : str
        ``"chebyshev"`` or ``"mc"``.
    n : int
        Order of W.
    order : int
        Truncation order.
    n_vectors : int
        Probe vectors used (0 when the traces are exact).
    level : float
        Coverage of the Monte Carlo part of the band.
    info : dict
        Settings, for the results' ``info``.

    Methods
    -------
    error_band(rho)
        Half-width of the error band at ``rho``.
    standard_error(rho)
        Monte Carlo standard error at ``rho`` (0 when the traces are exact).
    """

    def __init__(self, value, band, se, *, method: str, n: int, order: int, n_vectors: int, level: float, info,
                 many=None):
        self._value = value
        self._many = many
        self._band = band
        self._se = se
        self.method = method
        self.n = n
        self.order = order
        self.n_vectors = n_vectors
        self.level = level
        self.info = dict(info)

    def __call__(self, rho: float) -> float:
        return float(self._value(float(rho)))

    def many(self, rhos) -> np.ndarray:
        """The approximation at each of ``rhos`` (vectorised where the method allows; the same
        values as calling it point by point)."""
        rhos = np.asarray(rhos, dtype=float)
        if self._many is not None:
            return np.asarray(self._many(rhos), dtype=float)
        return np.array([self(r) for r in rhos])

    def error_band(self, rho: float) -> float:
        """Half-width of the error band of the approximation at ``rho``."""
        return float(self._band(float(rho)))

    def standard_error(self, rho: float) -> float:
        """Monte Carlo standard error of the approximation at ``rho``."""
        return float(self._se(float(rho)))

    def __repr__(self) -> str:
        return f"ApproxLogDet(method={self.method!r}, n={self.n}, order={self.order}, n_vectors={self.n_vectors})"


def _zcrit(level: float) -> float:
    if not 0.0 < level < 1.0:
        raise EstimationError(f"level must lie in (0, 1), got {level!r}.")
    return float(norm.ppf(0.5 + level / 2.0))


def _check_order(order) -> int:
    if int(order) != order or order < 1:
        raise EstimationError(f"order must be a positive integer, got {order!r}.")
    return int(order)


# ---------------------------------------------------------------------------
# Chebyshev


def _n_nodes(x0: float, order: int) -> int:
    """Number of Chebyshev nodes so that aliasing is below rounding."""
    r = abs(x0) + np.sqrt(x0 * x0 - 1.0)
    need = 40.0 / np.log(r) if r > 1.0 else np.inf
    m = max(4 * (order + 1), 256, int(need) + 1)
    return int(2 ** np.ceil(np.log2(min(m, 2**18))))


def chebyshev_coefficients(rho: float, alpha: float, beta: float, n_nodes: int) -> np.ndarray:
    """Chebyshev coefficients of ``x -> log(1 - rho (alpha x + beta))`` on ``[-1, 1]``.

    Computed by a type-II discrete cosine transform at ``n_nodes`` Chebyshev
    nodes; the returned array has length ``n_nodes`` (shape ``(len(rho), n_nodes)``
    for an array of rho).

    Examples
    --------
    >>> c = chebyshev_coefficients(0.5, 1.0, 0.0, 64)
    >>> x = 0.3
    >>> bool(abs(np.polynomial.chebyshev.chebval(x, c) - np.log(1 - 0.5 * x)) < 1e-14)
    True
    """
    k = np.arange(n_nodes)
    x = np.cos(np.pi * (k + 0.5) / n_nodes)
    f = np.log(1.0 - np.multiply.outer(rho, alpha * x + beta))  # one row per rho when rho is an array
    c = scipy.fft.dct(f, type=2, axis=-1) / n_nodes
    c[..., 0] *= 0.5
    return c


def _interval(W: sp.csr_matrix, bounds) -> tuple[float, float]:
    if bounds is None:
        s = spectral_radius_bound(W)
        return -s, s
    lo, hi = (float(b) for b in bounds)
    if not (lo < 0.0 < hi):
        raise EstimationError(f"bounds must be a rho interval (lo < 0 < hi), got {bounds!r}.")
    return 1.0 / lo, 1.0 / hi


def _chebyshev_traces(W, a, b, order, traces, n_vectors, rng):
    """Exact traces t_j (j = 0..order) and per-probe values for j >= 3 (or None)."""
    n = W.shape[0]
    alpha, beta = (b - a) / 2.0, (b + a) / 2.0
    t = np.zeros(order + 1)
    if traces == "exact" or (traces == "auto" and n <= EXACT_MAX):
        if n > 3 * EXACT_MAX:
            raise EstimationError(f"exact Chebyshev traces need dense eigenvalues (N={n}); use traces='stochastic'.")
        sym = symmetric_form(W)
        ev = np.linalg.eigvalsh(sym[0].toarray()) if sym is not None else np.linalg.eigvals(W.toarray())
        x = (ev - beta) / alpha
        tp, tc = np.ones_like(x), x
        t[0] = n
        if order >= 1:
            t[1] = np.sum(tc).real
        for j in range(2, order + 1):
            tp, tc = tc, 2.0 * x * tc - tp
            t[j] = np.sum(tc).real
        return t, None, 0
    t1, t2, _ = exact_low_traces(W)
    t[0] = n
    if order >= 1:
        t[1] = (t1 - beta * n) / alpha
    if order >= 2:
        t[2] = 2.0 * (t2 - 2.0 * beta * t1 + beta * beta * n) / alpha**2 - n
    if order < 3:
        return t, None, 0
    p = max(int(n_vectors), 2)
    q = np.zeros((p, order + 1))
    done = 0
    while done < p:
        m = min(batch_size(n), p - done)
        Z = rademacher(n, m, rng)
        plain = beta == 0.0 and alpha == 1.0  # W itself (e.g. a row-standardised W on (-1, 1)): no shifts

        def step(V):
            return W @ V if plain else (W @ V - beta * V) / alpha

        Vp = Z
        Vc = step(Z)
        for j in range(2, order + 1):
            Vn = 2.0 * step(Vc) - Vp
            Vp, Vc = Vc, Vn
            if j >= 3:
                q[done : done + m, j] = np.einsum("ij,ij->j", Z, Vc)
        done += m
    t[3:] = q[:, 3:].mean(axis=0)
    return t, q[:, 3:], p


def chebyshev_logdet(
    W,
    *,
    order: int = 50,
    bounds=None,
    n_vectors: int = 50,
    seed=None,
    traces: str = "auto",
    level: float = 0.95,
) -> ApproxLogDet:
    """Chebyshev approximation of ``log|I - rho W|`` (Pace and LeSage 2004).

    Parameters
    ----------
    W : scipy sparse matrix or ndarray (N x N)
        Should have real eigenvalues (e.g. a row-standardised symmetric
        contiguity matrix); otherwise an
        :class:`~spatialecon.errors.ApproximationWarning` is issued because the
        error band is then not guaranteed.
    order : int, default 50
        Degree of the Chebyshev expansion.
    bounds : (float, float), optional
        Admissible interval of rho ``(1/lambda_min, 1/lambda_max)``; the
        eigenvalues are taken to lie in ``[1/lo, 1/hi]``. Default: ``[-s, s]``
        with ``s = min(||W||_inf, ||W||_1)`` (``[-1, 1]`` when row-standardised).
    n_vectors : int, default 50
        Rademacher probe vectors of the stochastic traces (N > 2000).
    seed : int or numpy Generator, optional
        Seed of the probes.
    traces : {"auto", "exact", "stochastic"}
        ``"auto"``: exact (dense eigenvalues) for N <= 2000.
    level : float, default 0.95
        Coverage of the Monte Carlo part of the error band.

    Returns
    -------
    ApproxLogDet
        ``ld(rho)``, ``ld.error_band(rho)`` (half-width), ``ld.method == "chebyshev"``.
        Outside the interval where ``1 - rho lambda > 0`` for all
        ``lambda`` in ``[a, b]`` it returns ``-inf`` with an infinite band.

    Examples
    --------
    >>> import numpy as np
    >>> W = np.array([[0, .5, .5], [.5, 0, .5], [.5, .5, 0]])
    >>> ld = chebyshev_logdet(W, order=30)
    >>> exact = np.linalg.slogdet(np.eye(3) - 0.4 * W)[1]
    >>> bool(abs(ld(0.4) - exact) <= ld.error_band(0.4))
    True
    """
    if traces not in ("auto", "exact", "stochastic"):
        raise EstimationError(f"traces={traces!r} is not valid; choose 'auto', 'exact' or 'stochastic'.")
    order = _check_order(order)
    z = _zcrit(level)
    W = as_csr(W)
    n = W.shape[0]
    a, b = _interval(W, bounds)
    alpha, beta = (b - a) / 2.0, (b + a) / 2.0
    if alpha <= 0:
        raise EstimationError("the eigenvalue interval of W is empty; is W all zeros?")
    if symmetric_form(W) is None:
        warnings.warn(
            "W is not similar to a symmetric matrix, so its eigenvalues may be complex and the Chebyshev "
            "error band is not guaranteed; compare with logdet='lu' on a subsample.",
            ApproximationWarning,
            stacklevel=2,
        )
    rng = np.random.default_rng(seed)
    t, q, p = _chebyshev_traces(W, a, b, order, traces, n_vectors, rng)

    def admissible(rho: float) -> float | None:
        # singular point of f in x: 1 - rho (alpha x + beta) = 0
        if rho == 0.0:
            return np.inf
        x0 = (1.0 / rho - beta) / alpha
        return x0 if abs(x0) > 1.0 + 1e-12 else None

    def coef(rho: float):
        x0 = admissible(rho)
        if x0 is None:
            return None
        nn = _n_nodes(x0 if np.isfinite(x0) else 2.0, order)
        return chebyshev_coefficients(rho, alpha, beta, nn)

    def value(rho: float) -> float:
        c = coef(rho)
        if c is None:
            return -np.inf
        return float(c[: order + 1] @ t)

    def many(rhos: np.ndarray) -> np.ndarray:
        # one DCT per group of rhos that need the same number of nodes (as value() point by point)
        out = np.full(rhos.shape, -np.inf)
        nns = np.zeros(rhos.shape, dtype=int)
        for i, r in enumerate(rhos):
            x0 = admissible(float(r))
            if x0 is not None:
                nns[i] = _n_nodes(x0 if np.isfinite(x0) else 2.0, order)
        for nn in np.unique(nns[nns > 0]):
            idx = np.flatnonzero(nns == nn)
            out[idx] = chebyshev_coefficients(rhos[idx], alpha, beta, int(nn))[:, : order + 1] @ t
        return out

    def se(rho: float) -> float:
        if q is None:
            return 0.0
        c = coef(rho)
        if c is None:
            return np.inf
        per = q @ c[3 : order + 1]
        return float(per.std(ddof=1) / np.sqrt(p))

    def band(rho: float) -> float:
        c = coef(rho)
        if c is None:
            return np.inf
        return float(n * np.sum(np.abs(c[order + 1 :])) + z * se(rho))

    info = {"interval": (a, b), "traces": "exact" if q is None else "stochastic", "level": level}
    return ApproxLogDet(value, band, se, method="chebyshev", n=n, order=order, n_vectors=p, level=level, info=info,
                        many=many)


# ---------------------------------------------------------------------------
# Barry-Pace Monte Carlo


def mc_logdet(
    W,
    *,
    order: int = 30,
    n_vectors: int = 50,
    seed=None,
    level: float = 0.95,
) -> ApproxLogDet:
    """Monte Carlo log-determinant of Barry and Pace (1999).

    Parameters
    ----------
    W : scipy sparse matrix or ndarray (N x N)
    order : int, default 30
        Truncation order of ``-sum_k rho^k tr(W^k)/k``.
    n_vectors : int, default 50
        Rademacher probe vectors.
    seed : int or numpy Generator, optional
        Seed of the probes.
    level : float, default 0.95
        Coverage of the Monte Carlo part of the error band.

    Returns
    -------
    ApproxLogDet
        ``ld(rho)``, ``ld.error_band(rho)`` (half-width), ``ld.method == "mc"``.
        For ``|rho| s >= 1`` (series not convergent) the band is infinite.

    Examples
    --------
    >>> import numpy as np
    >>> W = np.array([[0, .5, .5], [.5, 0, .5], [.5, .5, 0]])
    >>> ld = mc_logdet(W, order=40, seed=1)
    >>> exact = np.linalg.slogdet(np.eye(3) - 0.4 * W)[1]
    >>> bool(abs(ld(0.4) - exact) <= ld.error_band(0.4))
    True
    """
    order = _check_order(order)
    z = _zcrit(level)
    W = as_csr(W)
    n = W.shape[0]
    s = spectral_radius_bound(W)
    t1, t2, _ = exact_low_traces(W)
    p = max(int(n_vectors), 2)
    rng = np.random.default_rng(seed)
    q = np.zeros((p, max(order - 2, 0)))
    if order >= 3:
        done = 0
        while done < p:
            m = min(batch_size(n), p - done)
            Z = rademacher(n, m, rng)
            V = W @ (W @ Z)
            for k in range(3, order + 1):
                V = W @ V
                q[done : done + m, k - 3] = np.einsum("ij,ij->j", Z, V) / k
            done += m
    tk = q.mean(axis=0)  # estimates of tr(W^k)/k, k = 3..order
    ks = np.arange(3, order + 1)

    def value(rho: float) -> float:
        low = rho * t1 + (rho * rho * t2 / 2.0 if order >= 2 else 0.0)
        return float(-(low + np.sum(rho**ks * tk)))

    def se(rho: float) -> float:
        if order < 3:
            return 0.0
        per = q @ (rho**ks)
        return float(per.std(ddof=1) / np.sqrt(p))

    def band(rho: float) -> float:
        r = abs(rho) * s
        if r >= 1.0:
            return np.inf
        trunc = n * r ** (order + 1) / ((order + 1) * (1.0 - r))
        return float(trunc + z * se(rho))

    info = {"spectral_radius_bound": s, "level": level}
    return ApproxLogDet(value, band, se, method="mc", n=n, order=order, n_vectors=p, level=level, info=info)
