"""The one set of concentrated Gaussian log-likelihoods (lag, error, SAC).

Every model (cross-section and panel) uses these functions. They are written
against abstract operators so that panels reuse them unchanged.

Estimation core API
-------------------
Inputs common to all functions:

``y`` : ndarray (n_rows,)
    Response (for panels: stacked time-major and already transformed).
``X`` : ndarray (n_rows, k)
    Design (including Durbin columns ``W_<x>`` if any, already transformed).
``lag`` : callable ``v -> W v``
    Spatial lag of a stacked vector or (n_rows, m) matrix (``I_T kron W`` for
    panels, followed by the panel transformation where needed).
``logdet`` : callable ``rho -> float``
    ``log|I - rho W|`` summed over periods (the Jacobian term).
``n`` : int
    Number of observations in the likelihood (``n_eff``; may be smaller than
    ``n_rows`` under the Lee-Yu transformation).

Functions:

``LagProfile(y, X, lag, logdet, n, *, Wy=None)``
    Concentrated likelihood of the lag model (SAR/SDM) (``Wy``: a precomputed
    transformed spatial lag of the response, used instead of ``lag(y)``):
    ``prof(rho) -> loglik``; ``prof.estimates(rho) -> dict(beta, sigma2, resid, loglik, rho)``.
    beta(rho) = b0 - rho bL, e(rho) = e0 - rho eL, sigma2 = e'e/n,
    ``loglik = -n/2 (log(2 pi) + log sigma2 + 1) + logdet(rho)``.
``ErrorProfile(y, X, lag, logdet, n)``
    SEM/SDEM: for lambda, OLS of ``y - lam W y`` on ``X - lam W X``;
    ``prof(lam)``, ``prof.estimates(lam) -> dict(beta, sigma2, resid, loglik, lam)``
    (``resid`` = e = B(lam)(y - X beta), the innovations; ``prof.u(beta)`` = y - X beta).
``SACProfile(y, X, lag, logdet_rho, logdet_lam, n)``
    SAC: ``prof(rho, lam)``; ``prof.estimates(rho, lam)``.
``loglik_full(beta, rho, lam, sigma2, y, X, lag, logdet_rho, logdet_lam, n)``
    The unconcentrated log-likelihood (used by the numerical Hessian check).

The optimiser (:mod:`.optimise`) maximises the profiles inside the eigenvalue
interval; the covariance (:mod:`.covariance`) takes the estimates and the
trace quantities.

Examples
--------
>>> import numpy as np
>>> W = np.array([[0, .5, .5], [.5, 0, .5], [.5, .5, 0]])
>>> X = np.column_stack([np.ones(3), [1., 2., 4.]]); y = np.array([1., 3., 4.])
>>> prof = LagProfile(y, X, lambda v: W @ v, lambda r: np.linalg.slogdet(np.eye(3) - r * W)[1], 3)
>>> bool(np.isfinite(prof(0.2)))
True
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..errors import EstimationError, SingularDesignError

__all__ = ["LagProfile", "ErrorProfile", "SACProfile", "loglik_full", "ols", "LOG2PI"]

LOG2PI = float(np.log(2.0 * np.pi))


def ols(y: np.ndarray, X: np.ndarray) -> np.ndarray:
    """Least-squares coefficients (``numpy.linalg.lstsq``); ``y`` may be 2-d.

    Raises
    ------
    SingularDesignError
        If X is rank deficient.

    Examples
    --------
    >>> ols(np.array([1., 2., 3.]), np.column_stack([np.ones(3), [0., 1., 2.]])).round(10).tolist()
    [1.0, 1.0]
    """
    if X.shape[1] == 0:
        return np.zeros((0,) + y.shape[1:])
    b, _, rank, _ = np.linalg.lstsq(X, y, rcond=None)
    if rank < X.shape[1]:
        raise SingularDesignError(f"design matrix is rank deficient (rank {rank} < {X.shape[1]} columns).")
    return b


def _concentrated(sse: float, n: int) -> float:
    if not np.isfinite(sse) or sse <= 0:
        return -np.inf
    return -0.5 * n * (LOG2PI + np.log(sse / n) + 1.0)


class LagProfile:
    """Concentrated log-likelihood of the lag model in rho (SAR, SDM)."""

    def __init__(self, y, X, lag: Callable, logdet: Callable, n: int, *, Wy=None):
        self.y = np.asarray(y, dtype=float)
        self.X = np.asarray(X, dtype=float)
        # ``Wy`` given: the transformed spatial lag of the response computed on the raw data (panels with
        # a time-varying W and region/two-way effects, where lag(transformed y) would be wrong).
        self.Wy = np.asarray(lag(self.y) if Wy is None else Wy, dtype=float)
        self.logdet = logdet
        self.n = int(n)
        B = ols(np.column_stack([self.y, self.Wy]), self.X)
        self.b0, self.bL = B[:, 0], B[:, 1]
        self.e0 = self.y - self.X @ self.b0
        self.eL = self.Wy - self.X @ self.bL
        self._q = (self.e0 @ self.e0, self.e0 @ self.eL, self.eL @ self.eL)

    def sse(self, rho: float) -> float:
        a, b, c = self._q
        return float(a - 2.0 * rho * b + rho * rho * c)

    def __call__(self, rho: float) -> float:
        return float(_concentrated(self.sse(rho), self.n) + self.logdet(rho))

    def without_logdet(self, rho: float) -> float:
        """The concentrated log-likelihood minus the log-determinant (cheap)."""
        return float(_concentrated(self.sse(rho), self.n))

    def without_logdet_many(self, rhos) -> np.ndarray:
        """:meth:`without_logdet` at each of ``rhos`` (vectorised)."""
        return np.array([self.without_logdet(r) for r in np.asarray(rhos, dtype=float)])

    def estimates(self, rho: float) -> dict:
        """beta, sigma2, residuals and log-likelihood at ``rho``."""
        beta = self.b0 - rho * self.bL
        e = self.e0 - rho * self.eL
        sigma2 = float(e @ e) / self.n
        return {"beta": beta, "rho": float(rho), "sigma2": sigma2, "resid": e, "loglik": self(rho)}


class ErrorProfile:
    """Concentrated log-likelihood of the error model in lambda (SEM, SDEM)."""

    def __init__(self, y, X, lag: Callable, logdet: Callable, n: int):
        self.y = np.asarray(y, dtype=float)
        self.X = np.asarray(X, dtype=float)
        self.Wy = np.asarray(lag(self.y), dtype=float)
        self.WX = np.asarray(lag(self.X), dtype=float).reshape(self.X.shape)
        self.logdet = logdet
        self.n = int(n)

    def _fit(self, lam: float):
        ys = self.y - lam * self.Wy
        Xs = self.X - lam * self.WX
        beta = ols(ys, Xs)
        e = ys - Xs @ beta
        return beta, e

    def __call__(self, lam: float) -> float:
        _, e = self._fit(lam)
        return float(_concentrated(float(e @ e), self.n) + self.logdet(lam))

    def without_logdet(self, lam: float) -> float:
        """The concentrated log-likelihood minus the log-determinant, from cross-product moments.

        O(k^2) per call after one O(N k^2) pass: the GLS normal equations in ``lam`` are quadratic
        forms of the moments of ``(y, Wy, X, WX)``. It squares the condition number of the design,
        so it serves only the guide of the search (:func:`.optimise.maximise_scalar_guided`); the
        likelihood itself (``__call__``) solves least squares on the filtered data.
        """
        sse = self._sse_moments(np.array([float(lam)]))
        if sse is None:
            _, e = self._fit(lam)
            return float(_concentrated(float(e @ e), self.n))
        return float(_concentrated(float(sse[0]), self.n))

    def without_logdet_many(self, lams) -> np.ndarray:
        """:meth:`without_logdet` at each of ``lams`` (the normal equations solved as one batch)."""
        lams = np.asarray(lams, dtype=float)
        sse = self._sse_moments(lams)
        if sse is None:
            return np.array([self.without_logdet(v) for v in lams])
        return np.array([_concentrated(float(v), self.n) for v in sse])

    def _sse_moments(self, lams: np.ndarray):
        if not hasattr(self, "_moments"):
            Z = np.column_stack([self.y, self.X, self.Wy, self.WX])
            self._moments = Z.T @ Z
        k1 = self.X.shape[1] + 1
        M = self._moments
        A, Bm, D = M[:k1, :k1], M[:k1, k1:], M[k1:, k1:]
        # filtered columns [ys, Xs] = Z C(lam), C = [I; -lam I]: C'MC = A - lam (B + B') + lam^2 D
        Q = A[None] - lams[:, None, None] * (Bm + Bm.T)[None] + (lams**2)[:, None, None] * D[None]
        syy, sxy, sxx = Q[:, 0, 0], Q[:, 1:, 0], Q[:, 1:, 1:]
        try:
            beta = np.linalg.solve(sxx, sxy[..., None])[..., 0]
        except np.linalg.LinAlgError:
            return None
        return np.maximum(syy - np.einsum("ij,ij->i", sxy, beta), 0.0)

    def estimates(self, lam: float) -> dict:
        """beta (GLS), sigma2, innovations ``e = B(lam)(y - X beta)`` and log-likelihood."""
        beta, e = self._fit(lam)
        sigma2 = float(e @ e) / self.n
        ll = float(_concentrated(float(e @ e), self.n) + self.logdet(lam))
        return {"beta": beta, "lam": float(lam), "sigma2": sigma2, "resid": e, "loglik": ll}


class _Memo:
    """Memoised ``rho -> logdet(rho)``: the 2-D search revisits each coordinate many times
    (finite-difference gradients move one coordinate at a time)."""

    def __init__(self, f: Callable, maxsize: int = 4096):
        self.f = f
        self.cache: dict = {}
        self.maxsize = maxsize

    def __call__(self, x: float) -> float:
        x = float(x)
        v = self.cache.get(x)
        if v is None:
            v = float(self.f(x))
            if len(self.cache) < self.maxsize:
                self.cache[x] = v
        return v


class SACProfile:
    """Concentrated log-likelihood of the SAC (SARAR) model in (rho, lambda)."""

    def __init__(self, y, X, lag: Callable, logdet_rho: Callable, logdet_lam: Callable, n: int):
        self.y = np.asarray(y, dtype=float)
        self.X = np.asarray(X, dtype=float)
        self.Wy = np.asarray(lag(self.y), dtype=float)
        self.WWy = np.asarray(lag(self.Wy), dtype=float)
        self.WX = np.asarray(lag(self.X), dtype=float).reshape(self.X.shape)
        self.logdet_rho = _Memo(logdet_rho)
        self.logdet_lam = self.logdet_rho if logdet_lam is logdet_rho else _Memo(logdet_lam)
        self.n = int(n)

    def without_logdet(self, rho: float, lam: float) -> float:
        """The concentrated log-likelihood minus both log-determinants, from cross-product moments
        (O(k^2) per call; squares the condition number, so it serves only a search guide)."""
        if not hasattr(self, "_moments"):
            Z = np.column_stack([self.y, self.Wy, self.WWy, self.X, self.WX])
            self._moments = Z.T @ Z
        k = self.X.shape[1]
        C = np.zeros((3 + 2 * k, 1 + k))
        C[:3, 0] = (1.0, -(rho + lam), rho * lam)
        C[3 : 3 + k, 1:] = np.eye(k)
        C[3 + k :, 1:] = -lam * np.eye(k)
        Q = C.T @ self._moments @ C
        try:
            beta = np.linalg.solve(Q[1:, 1:], Q[1:, 0])
        except np.linalg.LinAlgError:
            _, e = self._fit(rho, lam)
            return float(_concentrated(float(e @ e), self.n))
        return float(_concentrated(max(float(Q[0, 0] - Q[1:, 0] @ beta), 0.0), self.n))

    def _fit(self, rho: float, lam: float):
        # B(lam) A(rho) y = y - rho Wy - lam Wy + rho lam WWy
        ys = self.y - (rho + lam) * self.Wy + rho * lam * self.WWy
        Xs = self.X - lam * self.WX
        beta = ols(ys, Xs)
        e = ys - Xs @ beta
        return beta, e

    def __call__(self, rho: float, lam: float) -> float:
        _, e = self._fit(rho, lam)
        return float(_concentrated(float(e @ e), self.n) + self.logdet_rho(rho) + self.logdet_lam(lam))

    def estimates(self, rho: float, lam: float) -> dict:
        """beta, sigma2, innovations ``e = B(lam)(A(rho) y - X beta)`` and log-likelihood."""
        beta, e = self._fit(rho, lam)
        sigma2 = float(e @ e) / self.n
        return {"beta": beta, "rho": float(rho), "lam": float(lam), "sigma2": sigma2, "resid": e,
                "loglik": self(rho, lam)}


def loglik_full(beta, rho: float, lam: float, sigma2: float, y, X, lag: Callable,
                logdet_rho: Callable | None, logdet_lam: Callable | None, n: int) -> float:
    """Unconcentrated log-likelihood of the SAC model (SAR: ``lam=0``; SEM: ``rho=0``).

    ``ln L = -n/2 log(2 pi sigma2) + log|A(rho)| + log|B(lam)| - e'e/(2 sigma2)``
    with ``e = B(lam)(A(rho) y - X beta)``.

    Examples
    --------
    >>> W = np.array([[0, 1.], [1., 0]])
    >>> X = np.ones((2, 1)); y = np.array([1., 2.])
    >>> ll = loglik_full(np.array([1.5]), 0.0, 0.0, 0.25, y, X, lambda v: W @ v, None, None, 2)
    >>> bool(abs(ll - (-np.log(2 * np.pi * 0.25) - 0.5 / 0.5)) < 1e-12)
    True
    """
    if sigma2 <= 0:
        raise EstimationError("sigma2 must be positive.")
    y = np.asarray(y, dtype=float)
    X = np.asarray(X, dtype=float)
    r = y - rho * lag(y) - X @ np.asarray(beta, dtype=float)
    e = r - lam * lag(r)
    ll = -0.5 * n * (LOG2PI + np.log(sigma2)) - float(e @ e) / (2.0 * sigma2)
    if rho != 0.0 and logdet_rho is not None:
        ll += logdet_rho(rho)
    if lam != 0.0 and logdet_lam is not None:
        ll += logdet_lam(lam)
    return float(ll)
