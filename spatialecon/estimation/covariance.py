"""Analytic information matrices of the ML spatial models (and a numerical check).

With ``A = I - rho W``, ``B = I - lambda W``, ``G_A = W A^{-1}``,
``G_B = W B^{-1}`` and ``mu = A^{-1} X beta`` the Gaussian information matrix
(Anselin 1988, ch. 6; as R spatialreg's ``"asymptotic"`` covariance) is, for
parameters ``(beta, rho, lambda, sigma2)`` of the SAC model,

* ``I_bb = (BX)'(BX) / s2``
* ``I_b,rho = (BX)'(B W mu) / s2``, ``I_rho,rho = |B W mu|^2 / s2 + tr(K K) + tr(K'K)``,
  ``K = B G_A B^{-1}`` (``tr(K K) = tr(G_A G_A)``)
* ``I_lam,lam = tr(G_B G_B) + tr(G_B' G_B)``,
  ``I_rho,lam = tr(G_A G_B) + tr(K' G_B)``
* ``I_rho,s2 = tr(G_A)/s2``, ``I_lam,s2 = tr(G_B)/s2``, ``I_s2,s2 = n / (2 s2^2)``.

SAR/SDM (``lambda = 0``, ``B = I``) and SEM/SDEM (``rho = 0``) are special
cases; in SEM the beta block is uncorrelated with (lambda, sigma2).

The covariance functions take the trace quantities as inputs (a dict with
``tr_G``, ``tr_GG``, ``tr_GtG``), so panels pass their own
(``PanelDesign.traces``); :func:`lag_traces` computes them for a
cross-section W.

Examples
--------
>>> import numpy as np
>>> W = np.array([[0, .5, .5], [.5, 0, .5], [.5, .5, 0]])
>>> t = lag_traces(W, 0.0)
>>> round(t["tr_G"], 12), round(t["tr_GG"], 12)
(0.0, 1.5)
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from .._options import TraceMethod, validate
from ..errors import EstimationError, SingularDesignError
from .bounds import as_csr

__all__ = [
    "DENSE_TRACE_MAX",
    "lag_traces",
    "sac_traces",
    "cov_lag",
    "cov_error",
    "cov_sac",
    "solve_A",
    "numerical_hessian",
    "inverse_information",
]

#: Largest N for which the traces are computed from a dense ``W A^{-1}``.
DENSE_TRACE_MAX = 2000
#: ``sac_traces(method="auto")`` forms dense matrices up to this N: its cross terms have no
#: accurate sparse estimator (plain Hutchinson, 200 probes, moves SEs by ~1e-3 relative; seen
#: against R sacsarlm at N = 2500), so dense algebra is used as far as it is affordable.
SAC_DENSE_TRACE_MAX = 3000


def _dense_G(W: sp.csr_matrix, rho: float) -> np.ndarray:
    Wd = W.toarray()
    n = Wd.shape[0]
    # G = W A^{-1}  <=>  G A = W  <=>  A' G' = W'
    return np.linalg.solve((np.eye(n) - rho * Wd).T, Wd.T).T


def lag_traces(W, rho: float, *, method: str = "auto", n_vectors: int = 100, seed=None, solver=None,
               logdet_at_rho: float | None = None, sparse_logdet=None, bounds=None, guide=None,
               known_logdets=None) -> dict:
    """Traces ``tr(G)``, ``tr(G G)``, ``tr(G'G)`` with ``G = W (I - rho W)^{-1}``.

    Parameters
    ----------
    W : sparse matrix or ndarray (N x N)
    rho : float
    method : {"auto", "exact", "stochastic", "series"}
        ``"exact"`` forms G densely (N <= 2000 under ``"auto"``); otherwise
        :func:`spatialecon.estimation.traces.info_traces` is used (stochastic
        or series estimates, with ``se`` in the result).
    solver : object with ``solve(b, trans=...)``, optional
        A sparse LU of ``I - rho W`` to reuse (stochastic traces).
    logdet_at_rho : float, optional
        Known exact ``log|I - rho W|`` (saves one factorisation of the
        stochastic method's difference stencil).
    sparse_logdet : SparseLogDet, optional
        Reused by the stochastic method (one symbolic analysis).
    bounds : (float, float), optional
        An interval inside the admissible one (the estimation interval): sets
        the step of the stochastic method's difference stencil
        (:func:`spatialecon.estimation.traces.info_traces`).
    guide : callable, optional
        Cheap approximation of the log-determinant (the search's guide): the
        stochastic method's stencil then needs two factorisations, not four.
    known_logdets : tuple of three (x, logdet) pairs, optional
        The guided search's first three exact log-determinants (its stencil),
        reused by the stochastic method (see ``info_traces``).

    Returns
    -------
    dict with ``tr_G``, ``tr_GG``, ``tr_GtG``, ``method`` (and ``se`` if estimated).

    Examples
    --------
    >>> W = np.array([[0, 1.], [1., 0]])
    >>> lag_traces(W, 0.5)["method"]
    'exact'
    """
    validate("trace method", method, TraceMethod)
    W = as_csr(W)
    n = W.shape[0]
    if method == "exact" or (method == "auto" and n <= DENSE_TRACE_MAX):
        if n > 20_000:
            raise EstimationError(f"exact traces need a dense {n} x {n} matrix; use method='stochastic'.")
        G = _dense_G(W, rho)
        return {"tr_G": float(np.trace(G)), "tr_GG": float(np.sum(G * G.T)), "tr_GtG": float(np.sum(G * G)),
                "method": "exact"}
    try:
        from . import traces as _tr
    except ImportError as exc:
        raise EstimationError(
            f"traces for N={n} > {DENSE_TRACE_MAX} need spatialecon.estimation.traces (not available); "
            "pass trace_method='exact' to form the dense matrix."
        ) from exc
    kw = {"solver": solver} if solver is not None else {}
    if method in ("auto", "stochastic"):
        if logdet_at_rho is not None:
            kw["logdet_at_rho"] = logdet_at_rho
        if sparse_logdet is not None:
            kw["sparse_logdet"] = sparse_logdet
        if bounds is not None:
            kw["bounds"] = bounds
        if guide is not None:
            kw["guide"] = guide
        if known_logdets is not None:
            kw["known_logdets"] = known_logdets
    out = dict(_tr.info_traces(W, rho, method=method, n_vectors=n_vectors, seed=seed, **kw))
    return out


#: below this |rho - lambda|, tr(G_A G_B) is the mean of tr(GG) at rho and lambda, not (tr G_A - tr G_B) / (rho - lambda)
SAC_SPLIT_MIN = 1e-2


def sac_traces(W, rho: float, lam: float, *, method: str = "auto", n_vectors: int = 200, seed=None,
               sparse_logdet=None, logdets=None, guide=None, bounds=None) -> dict:
    """Trace terms of the SAC information matrix.

    Parameters
    ----------
    W : sparse matrix or ndarray (N x N)
    rho, lam : float
    method : {"auto", "exact", "stochastic"}
        ``"exact"`` forms the N x N matrices (``"auto"`` for N <= 3000);
        ``"stochastic"``: the single-parameter traces from
        :func:`lag_traces` (at rho and at lambda). Because A, B and W
        commute, ``K = G_A`` and ``tr(K'K)`` is ``tr(G'G)`` at rho;
        ``tr(G_A G_B) = (tr G_A - tr G_B) / (rho - lambda)`` (when
        ``|rho - lambda| < 0.01``, the mean of ``tr(GG)`` at both ends, with
        half their distance as its error); ``tr(K'G_B)`` adds a Hutchinson estimate of
        the small difference ``tr(G_A'G_B) - tr(G_A G_B)`` with ``n_vectors``
        Rademacher probes (standard errors in ``se``).
    sparse_logdet : SparseLogDet, optional
        Stochastic method: the design's sparse log-determinant, whose symbolic
        analysis then serves both factorisations (``A`` at rho, ``B`` at
        lambda), the stencils of the single-parameter traces and the probes.
    logdets : (float, float), optional
        Known exact ``log|I - rho W|`` and ``log|I - lambda W|`` (the
        optimiser's last evaluation): the stencils' centres.
    guide : callable, optional
        Cheap smooth approximation of the log-determinant (the search's guide):
        each stencil then needs two factorisations instead of four.
    bounds : (float, float), optional
        The estimation interval (sets the stencils' steps).

    Returns
    -------
    dict with ``tr_GA``, ``tr_GAGA``, ``tr_KtK``, ``tr_GB``, ``tr_GBGB``,
    ``tr_GBtGB``, ``tr_GAGB``, ``tr_KtGB`` and ``method``.

    Examples
    --------
    >>> W = np.array([[0, 1.], [1., 0]])
    >>> round(sac_traces(W, 0.0, 0.0)["tr_GAGA"], 12)
    2.0
    """
    validate("trace method", method, TraceMethod)
    W = as_csr(W)
    n = W.shape[0]
    if method == "exact" or (method == "auto" and n <= SAC_DENSE_TRACE_MAX):
        if n > 20_000:
            raise EstimationError(f"exact SAC traces need dense {n} x {n} matrices; use method='stochastic'.")
        GA = _dense_G(W, rho)
        GB = _dense_G(W, lam)
        Bd = np.eye(n) - lam * W.toarray()
        # K = B GA B^{-1}:  K B = B GA  <=>  B' K' = (B GA)'
        K = np.linalg.solve(Bd.T, (Bd @ GA).T).T
        return {
            "tr_GA": float(np.trace(GA)), "tr_GAGA": float(np.sum(GA * GA.T)), "tr_KtK": float(np.sum(K * K)),
            "tr_GB": float(np.trace(GB)), "tr_GBGB": float(np.sum(GB * GB.T)), "tr_GBtGB": float(np.sum(GB * GB)),
            "tr_GAGB": float(np.sum(GA * GB.T)), "tr_KtGB": float(np.sum(K * GB)), "method": "exact",
        }
    sub = "stochastic" if method in ("auto", "series") else method
    from .sparse import SparseLogDet

    # one symbolic analysis for everything (the design's when given); each solver is an independent factor
    ld = SparseLogDet(W) if sparse_logdet is None else sparse_logdet
    luA, luB = ld.solver(rho), ld.solver(lam)
    fA, fB = (None, None) if logdets is None else logdets
    kw = {"sparse_logdet": ld, "guide": guide, "bounds": bounds}
    ta = lag_traces(W, rho, method=sub, n_vectors=n_vectors, seed=seed, solver=luA, logdet_at_rho=fA, **kw)
    tb = lag_traces(W, lam, method=sub, n_vectors=n_vectors, seed=None if seed is None else seed + 1,
                    solver=luB, logdet_at_rho=fB, **kw)
    # A = I - rho W, B = I - lam W and W commute, so K = B G_A B^{-1} = G_A: tr(K'K) = tr(G_A'G_A)
    # is the lag traces' tr(G'G) at rho; for rho != lam, G_A G_B = (G_A - G_B) / (rho - lam)
    # (partial fractions), so tr(G_A G_B) follows from the two tr(G); tr(K'G_B) = tr(G_A'G_B) is
    # tr(G_A G_B) plus a Hutchinson estimate of the small difference E[z'(G_A'G_B - G_A G_B)z]
    rng = np.random.default_rng(seed)
    Z = rng.choice([-1.0, 1.0], size=(n, n_vectors))
    GAz = W @ luA.solve(Z)                # G_A z
    GBz = W @ luB.solve(Z)                # G_B z
    out = {"tr_GA": ta["tr_G"], "tr_GAGA": ta["tr_GG"], "tr_KtK": ta["tr_GtG"], "tr_GB": tb["tr_G"],
           "tr_GBGB": tb["tr_GG"], "tr_GBtGB": tb["tr_GtG"], "method": "stochastic"}
    sa, sb = ta.get("se", {}), tb.get("se", {})
    se = {"tr_GA": float(sa.get("tr_G", 0.0)), "tr_GAGA": float(sa.get("tr_GG", 0.0)),
          "tr_KtK": float(sa.get("tr_GtG", 0.0)), "tr_GB": float(sb.get("tr_G", 0.0)),
          "tr_GBGB": float(sb.get("tr_GG", 0.0)), "tr_GBtGB": float(sb.get("tr_GtG", 0.0))}
    gap = rho - lam
    if abs(gap) >= SAC_SPLIT_MIN:
        GAGBz = (GAz - GBz) / gap         # G_A G_B z
        out["tr_GAGB"] = float((ta["tr_G"] - tb["tr_G"]) / gap)
        se["tr_GAGB"] = float(np.hypot(sa.get("tr_G", 0.0), sb.get("tr_G", 0.0)) / abs(gap))
    else:
        # rho close to lam: the divided difference (f(rho) - f(lam)) / (rho - lam), f = tr G, is
        # f'(xi) for some xi between them, f' = tr(GG): the mean of f' at the two ends, with half
        # their distance as the error (the identity itself would lose digits)
        GAGBz = W @ luA.solve(GBz)
        out["tr_GAGB"] = float(0.5 * (ta["tr_GG"] + tb["tr_GG"]))
        se["tr_GAGB"] = float(0.5 * abs(ta["tr_GG"] - tb["tr_GG"]) + np.hypot(sa.get("tr_GG", 0.0),
                                                                              sb.get("tr_GG", 0.0)))
    d = np.sum(GAz * GBz, axis=0) - np.sum(Z * GAGBz, axis=0)
    out["tr_KtGB"] = out["tr_GAGB"] + float(d.mean())
    se["tr_KtGB"] = float(np.hypot(se["tr_GAGB"], d.std(ddof=1) / np.sqrt(len(d))))
    out["se"] = se
    out["n_vectors"] = int(n_vectors)
    return out


def solve_A(W, rho: float, v: np.ndarray) -> np.ndarray:
    """``(I - rho W)^{-1} v`` by sparse LU.

    Examples
    --------
    >>> W = np.array([[0, 1.], [1., 0]])
    >>> solve_A(W, 0.5, np.array([1., 1.])).round(12).tolist()
    [2.0, 2.0]
    """
    W = as_csr(W)
    A = sp.csc_matrix(sp.identity(W.shape[0], format="csc") - rho * sp.csc_matrix(W))
    return spla.splu(A).solve(np.asarray(v, dtype=float))


def inverse_information(info: np.ndarray) -> np.ndarray:
    """Inverse of an information matrix, symmetrised.

    Raises
    ------
    SingularDesignError
        If the information matrix is singular or not positive definite.

    Examples
    --------
    >>> inverse_information(np.diag([4.0, 2.0])).round(12).tolist()
    [[0.25, 0.0], [0.0, 0.5]]
    """
    info = 0.5 * (info + info.T)
    try:
        c = np.linalg.cholesky(info)
    except np.linalg.LinAlgError as exc:
        raise SingularDesignError(
            "the information matrix is not positive definite; parameters are not identified "
            "(collinear regressors, or WX collinear with X)."
        ) from exc
    ci = np.linalg.inv(c)
    cov = ci.T @ ci
    return 0.5 * (cov + cov.T)


def _sar_info(X, GXb, sigma2, n, tr) -> np.ndarray:
    k = X.shape[1]
    s2 = sigma2
    I = np.zeros((k + 2, k + 2))
    I[:k, :k] = X.T @ X / s2
    I[:k, k] = I[k, :k] = X.T @ GXb / s2
    I[k, k] = tr["tr_GG"] + tr["tr_GtG"] + float(GXb @ GXb) / s2
    I[k, k + 1] = I[k + 1, k] = tr["tr_G"] / s2
    I[k + 1, k + 1] = n / (2.0 * s2 * s2)
    return I


def cov_lag(X, GXb, sigma2: float, n: int, traces: dict) -> np.ndarray:
    """Covariance of ``(beta, rho, sigma2)`` of the lag model (SAR, SDM).

    Parameters
    ----------
    X : ndarray (n_rows, k)
    GXb : ndarray (n_rows,)
        ``W (I - rho W)^{-1} X beta`` (use :func:`solve_A` and the lag operator).
    sigma2 : float
    n : int
        Observations in the likelihood.
    traces : dict
        ``tr_G``, ``tr_GG``, ``tr_GtG`` at rho (:func:`lag_traces`).

    Returns
    -------
    ndarray (k + 2, k + 2), order beta, rho, sigma2.

    Examples
    --------
    >>> W = np.array([[0, .5, .5], [.5, 0, .5], [.5, .5, 0]])
    >>> X = np.column_stack([np.ones(3), [1., 2., 4.]])
    >>> cov_lag(X, W @ X @ [1., 1.], 1.0, 3, lag_traces(W, 0.0)).shape
    (4, 4)
    """
    X = np.asarray(X, dtype=float)
    return inverse_information(_sar_info(X, np.asarray(GXb, dtype=float), sigma2, n, traces))


def cov_error(X, WX, lam: float, sigma2: float, n: int, traces: dict) -> np.ndarray:
    """Covariance of ``(beta, lambda, sigma2)`` of the error model (SEM, SDEM).

    ``traces`` are those of ``G = W (I - lambda W)^{-1}`` (:func:`lag_traces` at
    lambda). The beta block is ``sigma2 ((BX)'(BX))^{-1}``; (lambda, sigma2)
    come from their 2 x 2 block.

    Examples
    --------
    >>> W = np.array([[0, .5, .5], [.5, 0, .5], [.5, .5, 0]])
    >>> X = np.column_stack([np.ones(3), [1., 2., 4.]])
    >>> cov_error(X, W @ X, 0.0, 1.0, 3, lag_traces(W, 0.0)).shape
    (4, 4)
    """
    X = np.asarray(X, dtype=float)
    BX = X - lam * np.asarray(WX, dtype=float)
    k = X.shape[1]
    s2 = sigma2
    I = np.zeros((k + 2, k + 2))
    I[:k, :k] = BX.T @ BX / s2
    I[k, k] = traces["tr_GG"] + traces["tr_GtG"]
    I[k, k + 1] = I[k + 1, k] = traces["tr_G"] / s2
    I[k + 1, k + 1] = n / (2.0 * s2 * s2)
    return inverse_information(I)


def cov_sac(X, WX, BWmu, sigma2: float, lam: float, n: int, traces: dict) -> np.ndarray:
    """Covariance of ``(beta, rho, lambda, sigma2)`` of the SAC model.

    Parameters
    ----------
    X, WX : ndarray (n_rows, k)
    BWmu : ndarray (n_rows,)
        ``B W A^{-1} X beta``.
    traces : dict
        From :func:`sac_traces`.

    Examples
    --------
    >>> W = (np.roll(np.eye(6), 1, 1) + np.roll(np.eye(6), -1, 1)) / 2
    >>> X = np.column_stack([np.ones(6), [1., 2., 4., 3., 0., 5.]])
    >>> BWmu = W @ np.linalg.solve(np.eye(6) - .3 * W, X @ [1., 1.])
    >>> cov_sac(X, W @ X, BWmu, 1.0, 0.0, 6, sac_traces(W, 0.3, 0.0)).shape
    (5, 5)
    """
    X = np.asarray(X, dtype=float)
    BX = X - lam * np.asarray(WX, dtype=float)
    BWmu = np.asarray(BWmu, dtype=float)
    t = traces
    k = X.shape[1]
    s2 = sigma2
    r, l, s = k, k + 1, k + 2
    I = np.zeros((k + 3, k + 3))
    I[:k, :k] = BX.T @ BX / s2
    I[:k, r] = I[r, :k] = BX.T @ BWmu / s2
    I[r, r] = float(BWmu @ BWmu) / s2 + t["tr_GAGA"] + t["tr_KtK"]
    I[l, l] = t["tr_GBGB"] + t["tr_GBtGB"]
    I[r, l] = I[l, r] = t["tr_GAGB"] + t["tr_KtGB"]
    I[r, s] = I[s, r] = t["tr_GA"] / s2
    I[l, s] = I[s, l] = t["tr_GB"] / s2
    I[s, s] = n / (2.0 * s2 * s2)
    return inverse_information(I)


def numerical_hessian(f: Callable[[np.ndarray], float], x, *, step: float | np.ndarray | None = None) -> np.ndarray:
    """Central-difference Hessian of a scalar function (internal check of the analytic SEs).

    Parameters
    ----------
    f : callable ndarray -> float
    x : array_like
        Point of evaluation.
    step : float or ndarray, optional
        Default ``1e-4 * max(|x_i|, 0.1)``.

    Examples
    --------
    >>> H = numerical_hessian(lambda z: z[0] ** 2 + 3 * z[0] * z[1], np.array([1.0, 2.0]))
    >>> np.round(H, 6).tolist()
    [[2.0, 3.0], [3.0, 0.0]]
    """
    x = np.asarray(x, dtype=float)
    p = x.size
    h = np.full(p, step, dtype=float) if np.isscalar(step) else (
        1e-4 * np.maximum(np.abs(x), 0.1) if step is None else np.asarray(step, dtype=float))
    H = np.zeros((p, p))
    for i in range(p):
        for j in range(i, p):
            ei = np.zeros(p)
            ej = np.zeros(p)
            ei[i] = h[i]
            ej[j] = h[j]
            v = (f(x + ei + ej) - f(x + ei - ej) - f(x - ei + ej) + f(x - ei - ej)) / (4.0 * h[i] * h[j])
            H[i, j] = H[j, i] = v
    return H
