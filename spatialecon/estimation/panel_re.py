"""Random-effects spatial error panel in the Baltagi, Song and Koh (2003) form (pure numpy/scipy).

The model (time-major stacking, row ``t N + i``) is::

    y = X b + u,   u = (iota_T kron I_N) mu + eps,   eps_t = lambda W eps_t + nu_t,

with ``mu_i ~ (0, s2_mu)`` and ``nu ~ (0, s2_nu I)``: the spatial filter acts on the
idiosyncratic error only (in the Kapoor-Kelejian-Prucha form it acts on ``mu`` as
well; that form is the quasi-demeaning of :mod:`spatialecon.estimation.panel`). This is R splm's default
``spml(model="random", spatial.error="b")`` (its ``semREmod``). With ``B = I - lambda W``,
``C = B'B``, ``phi = s2_mu / s2_nu``, ``Jbar = J_T / T`` and ``E = I_T - Jbar``
(Baltagi, Song and Koh 2003, eqs. 2.7-2.9; Wansbeek and Kapteyn 1983)::

    Sigma       = Omega / s2_nu = J_T kron phi I_N + I_T kron C^{-1}
                = Jbar kron (T phi I + C^{-1}) + E kron C^{-1},
    Sigma^{-1}  = Jbar kron M + E kron C,      M = (T phi I + C^{-1})^{-1} = C (I + T phi C)^{-1},
    log|Sigma|  = log|T phi I + C^{-1}| + (T-1) log|C^{-1}| = -T log|C| + log|I + T phi C|.

With ``C = V diag(c) V'`` (one symmetric eigen-decomposition per lambda) ``M = V diag(c /
(1 + T phi c)) V'``, so for a given lambda every function of phi costs ``O(N k^2)``.
With ``Z = [y, X]``, region means ``Zbar`` (N x (k+1)) and within deviations ``Zw``::

    Z' Sigma^{-1} Z = sum_t Zw_t' C Zw_t + T Zbar' M Zbar
                    = S0 - lambda S1 + lambda^2 S2 + T (V'Zbar)' diag(c / (1 + T phi c)) (V'Zbar),

``S0 = sum Zw'Zw``, ``S1 = sum Zw'(W + W')Zw``, ``S2 = sum (W Zw)'(W Zw)``. The log-likelihood
``-NT/2 log(2 pi s2) - log|Sigma|/2 - u' Sigma^{-1} u / (2 s2)`` is concentrated in ``b``
(GLS) and ``s2 = u' Sigma^{-1} u / NT`` and maximised over ``lambda`` (bounded search in the
admissible interval) with ``phi >= 0`` profiled (a grid and Brent on ``log phi``, and
``phi = 0``) for each lambda.

Dense algebra: ``C`` and its eigenvectors are N x N dense, so N is limited to
``BALTAGI_DENSE_MAX`` (3000; an eigen-decomposition takes seconds there, and the search
needs some 20 to 60 of them). For a symmetric W one decomposition of W serves every lambda.

Examples
--------
>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> W = np.array([[0, 1, 0], [0.5, 0, 0.5], [0, 1, 0.0]])
>>> X = np.column_stack([np.ones(12), rng.normal(size=12)])
>>> y = X @ [1.0, 2.0] + rng.normal(size=12)
>>> p = BaltagiProfile(y, X, W, N=3, T=4)
>>> out = p.estimates(0.5, 0.2)
>>> sorted(out)[:3], out["beta"].shape
(['beta', 'lam', 'loglik'], (2,))
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy import linalg, optimize

from ..errors import EstimationError, NonConvergenceError
from .covariance import numerical_hessian
from .optimise import maximise_scalar

__all__ = ["BALTAGI_DENSE_MAX", "BaltagiProfile", "fit_baltagi"]

BALTAGI_DENSE_MAX = 3000
LOG2PI = float(np.log(2.0 * np.pi))
_LOGPHI = (-14.0, 10.0)  # search range of log phi (phi = 0 is checked separately)


class BaltagiProfile:
    """Likelihood of the Baltagi-Song-Koh random-effects spatial error panel.

    Parameters
    ----------
    y : ndarray (NT,)
    X : ndarray (NT, k)
        Time-major stacked (row ``t N + i``), untransformed.
    W : ndarray or sparse (N, N)
        Spatial weights (used densely; ``N <= BALTAGI_DENSE_MAX``).
    N, T : int

    Raises
    ------
    EstimationError
        ``N > BALTAGI_DENSE_MAX``.

    Examples
    --------
    >>> W = np.array([[0, 1.0], [1.0, 0]])
    >>> y = np.array([1.0, 2.0, 1.5, 2.5, 0.5, 3.0])
    >>> p = BaltagiProfile(y, np.ones((6, 1)), W, N=2, T=3)
    >>> p.symmetric, round(p.loglik(0.0, 0.0) - p.loglik_full(p.estimates(0.0, 0.0)["beta"], 0.0, 0.0,
    ...                                                       p.estimates(0.0, 0.0)["sigma2"]), 10)
    (True, 0.0)
    """

    def __init__(self, y, X, W, *, N: int, T: int):
        if N > BALTAGI_DENSE_MAX:
            raise EstimationError(
                f"the Baltagi random-effects error panel uses dense N x N algebra (an eigen-decomposition of "
                f"B'B per lambda) and is limited to N <= {BALTAGI_DENSE_MAX} regions; got N = {N}. Use the "
                "Kapoor-Kelejian-Prucha form (random_error='kkp'), which is sparse."
            )
        self.N, self.T = int(N), int(T)
        self.W = np.asarray(W.toarray() if sp.issparse(W) else W, dtype=float)
        self._Ws = sp.csr_matrix(self.W)
        self.y = np.asarray(y, dtype=float)
        self.X = np.asarray(X, dtype=float).reshape(self.y.shape[0], -1)
        Z3 = np.column_stack([self.y, self.X]).reshape(self.T, self.N, -1)
        self.Zbar = Z3.mean(axis=0)
        Zw = Z3 - self.Zbar
        WZw = np.einsum("ij,tjk->tik", self.W, Zw)
        self.S0 = np.einsum("tik,til->kl", Zw, Zw)
        cross = np.einsum("tik,til->kl", Zw, WZw)
        self.S1 = cross + cross.T
        self.S2 = np.einsum("tik,til->kl", WZw, WZw)
        self.symmetric = bool(np.allclose(self.W, self.W.T, rtol=0, atol=1e-13))
        if self.symmetric:
            self._w, U = linalg.eigh(self.W)
            self._UZ = U.T @ self.Zbar
            self._U = U
        self._spec: dict = {}
        self.n_eigh = 0

    # ---- the spectrum of C = B'B ------------------------------------------------
    def spectrum(self, lam: float) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
        """Eigenvalues ``c`` of ``C = B'B``, ``V'Zbar`` and ``V`` (cached for the last 3 lambdas)."""
        lam = float(lam)
        if lam in self._spec:
            return self._spec[lam]
        if self.symmetric:
            c, VZ, V = (1.0 - lam * self._w) ** 2, self._UZ, self._U
        else:
            B = np.eye(self.N) - lam * self.W
            c, V = linalg.eigh(B.T @ B, driver="evd", check_finite=False)
            self.n_eigh += 1
            VZ = V.T @ self.Zbar
        if c.min() <= 0.0:
            raise EstimationError(f"I - lambda W is singular at lambda = {lam:.6g}; lambda must lie in the "
                                  "admissible interval.")
        if len(self._spec) >= 3:
            self._spec.pop(next(iter(self._spec)))
        self._spec[lam] = (c, VZ, V)
        return c, VZ, V

    def moments(self, phi: float, lam: float) -> tuple[np.ndarray, float]:
        """``Z' Sigma^{-1} Z`` for ``Z = [y, X]`` and ``log|Sigma|`` at ``(phi, lambda)``."""
        c, VZ, _ = self.spectrum(lam)
        d = c / (1.0 + self.T * phi * c)
        S = self.S0 - lam * self.S1 + lam * lam * self.S2 + self.T * (VZ * d[:, None]).T @ VZ
        logdet = -self.T * float(np.log(c).sum()) + float(np.log1p(self.T * phi * c).sum())
        return S, logdet

    # ---- likelihoods -------------------------------------------------------------
    def estimates(self, phi: float, lam: float) -> dict:
        """GLS ``beta``, ``sigma2 = u' Sigma^{-1} u / NT`` and the log-likelihood at ``(phi, lambda)``."""
        S, logdet = self.moments(phi, lam)
        try:
            beta = linalg.solve(S[1:, 1:], S[1:, 0], assume_a="pos")
        except (linalg.LinAlgError, ValueError) as exc:
            raise EstimationError("X' Sigma^-1 X is singular: the regressors are collinear.") from exc
        n = self.N * self.T
        # u' Sigma^-1 u from explicit residuals: S[0, 0] - S[0, 1:] b cancels ~4 digits when the effects are
        # large, and the rounding noise would limit how precisely the flat direction phi is located
        sse = self._quad(beta, lam, phi)
        s2 = sse / n
        ll = -0.5 * n * (LOG2PI + np.log(s2) + 1.0) - 0.5 * logdet if s2 > 0 else -np.inf
        return {"beta": beta, "sigma2": s2, "loglik": float(ll), "phi": float(phi), "lam": float(lam),
                "resid": self.y - self.X @ beta, "sse": sse}

    def _quad(self, beta, lam: float, phi: float) -> float:
        """``u' Sigma^{-1} u`` from explicit residuals ``u = y - X b`` (no cancellation):
        ``sum_t ||B (u_t - ubar)||^2 + T (V'ubar)' diag(c / (1 + T phi c)) (V'ubar)``."""
        c, _, V = self.spectrum(lam)
        u3 = (self.y - self.X @ np.asarray(beta, dtype=float)).reshape(self.T, self.N)
        ubar = u3.mean(axis=0)
        uw = (u3 - ubar).T
        Bu = uw - lam * (self._Ws @ uw)
        vb = V.T @ ubar
        return float((Bu * Bu).sum()) + self.T * float((c / (1.0 + self.T * phi * c) * vb * vb).sum())

    def loglik(self, phi: float, lam: float) -> float:
        """Log-likelihood concentrated in ``beta`` and ``sigma2``."""
        return self.estimates(phi, lam)["loglik"]

    def loglik_full(self, beta, lam: float, phi: float, sigma2: float) -> float:
        """Full Gaussian log-likelihood at ``(beta, lambda, phi, sigma2)``."""
        if sigma2 <= 0 or phi < 0:
            return -np.inf
        c, _, _ = self.spectrum(lam)
        quad = self._quad(beta, lam, phi)
        logdet = -self.T * float(np.log(c).sum()) + float(np.log1p(self.T * phi * c).sum())
        n = self.N * self.T
        return float(-0.5 * n * (LOG2PI + np.log(sigma2)) - 0.5 * logdet - quad / (2.0 * sigma2))

    def profile_phi(self, lam: float, *, n_grid: int = 25) -> tuple[float, float]:
        """``(phi_hat(lambda), loglik)``: grid and bounded Brent on ``log phi``, and ``phi = 0``."""
        self.spectrum(lam)

        def neg(lp: float) -> float:
            v = self.loglik(float(np.exp(lp)), lam)
            return -v if np.isfinite(v) else np.inf

        grid = np.linspace(*_LOGPHI, n_grid)
        vals = np.array([neg(g) for g in grid])
        i = int(np.argmin(vals))
        lo, hi = grid[max(i - 1, 0)], grid[min(i + 1, n_grid - 1)]
        res = optimize.minimize_scalar(neg, bounds=(lo, hi), method="bounded", options={"xatol": 1e-10})
        best_lp, best = (float(res.x), float(res.fun)) if res.fun <= vals[i] else (float(grid[i]), float(vals[i]))
        zero = -self.loglik(0.0, lam)
        if zero <= best:
            return 0.0, -zero
        return float(np.exp(best_lp)), -best

    # ---- information --------------------------------------------------------------
    def information(self, beta, lam: float, phi: float, sigma2: float) -> np.ndarray:
        """Expected information in ``(beta, lambda, phi, sigma2)`` (analytic).

        ``I_ab = tr(Sigma^{-1} Sigma_a Sigma^{-1} Sigma_b) / 2`` for the covariance parameters,
        with ``Sigma_phi = J_T kron I``, ``Sigma_lambda = I_T kron D``,
        ``D = dC^{-1}/dlambda = -C^{-1} C' C^{-1}``, ``C' = -(W + W') + 2 lambda W'W``; the
        traces are evaluated in the eigenbasis of ``C`` (``K = V' C' V``). ``beta`` is
        block-diagonal: ``X' Sigma^{-1} X / sigma2``.
        """
        S, _ = self.moments(phi, lam)
        c, _, V = self.spectrum(lam)
        if V is None:  # pragma: no cover - spectrum always returns V
            raise EstimationError("no eigenvectors")
        T, N = self.T, self.N
        Cp = -(self.W + self.W.T) + 2.0 * lam * (self.W.T @ self.W)
        K = V.T @ Cp @ V
        d = c / (1.0 + T * phi * c)
        K2 = K * K
        g, h = d / c**2, 1.0 / c
        kd = np.diag(K)
        i_ll = 0.5 * (g @ K2 @ g + (T - 1) * (h @ K2 @ h))
        i_lp = -0.5 * T * float((d**2 * kd / c**2).sum())
        i_pp = 0.5 * T * T * float((d**2).sum())
        i_ss = N * T / (2.0 * sigma2**2)
        i_sp = T * float(d.sum()) / (2.0 * sigma2)
        i_sl = (-float((d * kd / c**2).sum()) - (T - 1) * float((kd / c).sum())) / (2.0 * sigma2)
        k = S.shape[0] - 1
        info = np.zeros((k + 3, k + 3))
        info[:k, :k] = S[1:, 1:] / sigma2
        info[k:, k:] = [[i_ll, i_lp, i_sl], [i_lp, i_pp, i_sp], [i_sl, i_sp, i_ss]]
        return info

    def observed_information(self, beta, lam: float, phi: float, sigma2: float) -> np.ndarray:
        """Minus the central-difference Hessian of :meth:`loglik_full` in ``(beta, lambda, phi, sigma2)``.

        Steps ``1e-4 max(|x|, 0.1)`` for beta and lambda and relative steps ``1e-4 sigma2`` (sigma2
        is often small) and ``2e-4 max(phi, 0.01)`` for phi. The likelihood is evaluated from explicit
        residuals (rounding noise ~1e-13 on Produc), so that the flat direction phi is resolved:
        steps from 1e-4 to 3e-4 give the same SE of phi to 6 digits there.
        """
        x = np.concatenate([np.asarray(beta, dtype=float), [lam, phi, sigma2]])
        step = 1e-4 * np.maximum(np.abs(x), 0.1)
        step[-2] = 2e-4 * max(phi, 1e-2)
        step[-1] = 1e-4 * sigma2
        k = len(beta)

        def f(z):
            return self.loglik_full(z[:k], float(z[k]), float(z[k + 1]), float(z[k + 2]))

        return -numerical_hessian(f, x, step=step)


def fit_baltagi(y, X, W, *, N: int, T: int, bounds: tuple[float, float], n_grid: int = 11, tol: float = 1e-8,
                eps: float = 1e-7, bound_tol: float = 1e-4, on_bound: str = "warn", maxiter: int = 500,
                cov: str = "analytic") -> dict:
    """Maximum likelihood for the Baltagi-Song-Koh random-effects spatial error panel.

    Parameters
    ----------
    y, X, W, N, T
        As :class:`BaltagiProfile`.
    bounds : (float, float)
        Admissible interval of lambda (eigenvalue interval of W).
    n_grid, tol, eps, bound_tol, on_bound, maxiter
        Options of the outer search in lambda
        (:func:`spatialecon.estimation.optimise.maximise_scalar`).
    cov : {"analytic", "hessian"}
        Covariance of ``(beta, lambda, phi, sigma2)``: inverse of the expected information
        (:meth:`BaltagiProfile.information`) or of the observed information (numerical
        Hessian of the full log-likelihood).

    Returns
    -------
    dict
        ``beta``, ``lam``, ``phi``, ``sigma2``, ``loglik``, ``resid`` (``u = y - X b``),
        ``cov`` (order ``beta, lambda, phi, sigma2``), ``optimiser`` (dict), ``phi_at_bound``.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> W = np.array([[0, 1, 0], [0.5, 0, 0.5], [0, 1, 0.0]])
    >>> X = np.column_stack([np.ones(15), rng.normal(size=15)])
    >>> y = X @ [1.0, 2.0] + np.repeat(rng.normal(size=(1, 3)), 5, axis=0).ravel() + rng.normal(size=15)
    >>> out = fit_baltagi(y, X, W, N=3, T=5, bounds=(-1.0, 1.0), on_bound="ignore")
    >>> out["cov"].shape
    (5, 5)
    """
    prof = BaltagiProfile(y, X, W, N=N, T=T)
    phis: dict = {}

    def conc(lam: float) -> float:
        phi, ll = prof.profile_phi(lam)
        phis[lam] = phi
        return ll

    res = maximise_scalar(conc, bounds, name="lambda", n_grid=n_grid, tol=tol, eps=eps, bound_tol=bound_tol,
                          on_bound=on_bound, maxiter=maxiter)
    lam = float(res["x"])
    phi = phis.get(lam)
    if phi is None:
        phi = prof.profile_phi(lam)[0]
    est = prof.estimates(phi, lam)
    if not np.isfinite(est["loglik"]):
        raise NonConvergenceError("the Baltagi random-effects likelihood is not finite at the optimum.")
    info = (prof.information if cov == "analytic" else prof.observed_information)(est["beta"], lam, phi,
                                                                                   est["sigma2"])
    if phi == 0.0:  # on the boundary: phi is not a free parameter there
        keep = [i for i in range(info.shape[0]) if i != info.shape[0] - 2]
        Vr = np.linalg.inv(info[np.ix_(keep, keep)])
        V = np.full(info.shape, np.nan)
        V[np.ix_(keep, keep)] = Vr
    else:
        V = np.linalg.inv(info)
    res = dict(res, optimiser="grid+bounded Brent in lambda; phi profiled (grid + Brent on log phi, and phi = 0)",
               n_eigh=prof.n_eigh)
    est.update(cov=V, optimiser=res, phi_at_bound=phi == 0.0 or np.log(phi) > _LOGPHI[1] - 1e-3,
               symmetric_W=prof.symmetric)
    return est
