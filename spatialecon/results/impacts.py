"""Direct, indirect and total impacts (LeSage and Pace 2009) of fitted spatial models.

For a regressor ``x_k`` with coefficient ``beta_k`` and (Durbin) coefficient ``theta_k``
on ``W x_k`` the matrix of partial derivatives ``dy/dx_k'`` is

    S_k = (I - rho W)^{-1} (beta_k I + theta_k W)        (SAR, SDM, SAC)
    S_k = beta_k I + theta_k W                           (SLX, SDEM; rho = 0)

and the summary impacts are ``direct = tr(S_k)/N``, ``total = 1'S_k 1/N`` and
``indirect = total - direct``. They are computed from four scalars of ``rho``,

    t1 = tr(A^-1)/N,  t2 = tr(A^-1 W)/N,  s1 = 1'A^-1 1/N,  s2 = 1'A^-1 W 1/N,

so that ``direct = beta t1 + theta t2`` and ``total = beta s1 + theta s2``. The
total is *not* assumed to be ``(beta + theta)/(1 - rho)``: that holds only for
row-standardised W (the trap of R spatialreg issue #23), so ``s1, s2`` are
computed from W itself.

``method="exact"`` uses the eigenvalues of W (``t1 = mean(1/(1 - rho lambda))``)
and an eigen-decomposition or a sparse solve for the sums; ``method="traces"``
uses the series ``sum_k rho^k tr(W^k)/N`` truncated at ``q`` terms (exact
``tr(W^k)`` from eigenvalues for N <= 2000, otherwise stochastic traces from
:mod:`spatialecon.estimation.traces`). Simulation inference draws
``(beta, theta, rho)`` from their estimated asymptotic normal distribution,
rejecting draws of ``rho`` outside the admissible interval, and re-uses the
eigenvalues or trace series (no re-factorisation per draw). The delta method uses
the analytic gradient of each impact with respect to ``(beta, theta, rho)``.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import scipy.sparse as sp
import scipy.sparse.linalg as spla
from scipy import stats

from .._options import ImpactComputation, validate
from ..errors import ApproximationWarning, EstimationError, OptionError

__all__ = ["impacts", "impacts_by_order"]

EXACT_MAX_N = 2000  # above this "auto" uses trace series
EXACT_HARD_MAX = 6000  # "exact" (dense eigen-decomposition) refused above this
_KINDS = ("direct", "indirect", "total")
_SERIES_TOL = 1e-13
_Q_MAX = 5000


# --------------------------------------------------------------------------- kernels
class _EigenKernel:
    """Impact scalars from the eigen-decomposition of a (small) W."""

    method = "exact"

    def __init__(self, W: sp.csr_matrix):
        Wd = W.toarray()
        n = Wd.shape[0]
        self.n = n
        lam, V = np.linalg.eig(Wd)
        self.lam = lam
        ones = np.ones(n)
        self.a_b = None
        try:
            b = np.linalg.solve(V, ones)
            ab = (ones @ V) * b
            # check the decomposition reproduces 1'1 and 1'W1 (ill-conditioned V otherwise)
            ok = (abs(ab.sum().real - n) < 1e-8 * n
                  and abs((ab * lam).sum().real - (Wd @ ones).sum()) < 1e-8 * max(1.0, abs(Wd.sum())))
            if ok:
                self.a_b = ab
        except np.linalg.LinAlgError:
            self.a_b = None
        self.W = W
        self._Wd = Wd

    def bounds(self) -> tuple[float, float]:
        real = self.lam.real[np.abs(self.lam.imag) < 1e-10]
        lo, hi = real.min(), real.max()
        return (1.0 / lo if lo < 0 else -np.inf, 1.0 / hi if hi > 0 else np.inf)

    def scalars(self, rho: np.ndarray, deriv: bool = False) -> np.ndarray:
        """Array (4, len(rho)) of t1, t2, s1, s2 (or their derivatives wrt rho)."""
        rho = np.atleast_1d(np.asarray(rho, dtype=float))
        p = 2 if deriv else 1
        lam = self.lam[None, :]
        d = 1.0 / (1.0 - rho[:, None] * lam) ** p
        if deriv:
            d = d * lam
        t1 = (d.sum(axis=1)).real / self.n
        t2 = ((d * lam).sum(axis=1)).real / self.n
        if self.a_b is not None:
            s1 = (d @ self.a_b).real / self.n
            s2 = (d @ (self.a_b * self.lam)).real / self.n
        else:
            s1, s2 = np.empty_like(t1), np.empty_like(t1)
            ones = np.ones(self.n)
            w1 = self._Wd @ ones
            for i, r in enumerate(rho):
                A = np.eye(self.n) - r * self._Wd
                u = np.linalg.solve(A.T, ones)
                if deriv:  # d/drho 1'A^-1 v = 1'A^-1 W A^-1 v
                    uW = u @ self._Wd
                    s1[i] = uW @ np.linalg.solve(A, ones) / self.n
                    s2[i] = uW @ np.linalg.solve(A, w1) / self.n
                else:
                    s1[i] = u.sum() / self.n
                    s2[i] = u @ w1 / self.n
        return np.vstack([t1, t2, s1, s2])

    def powers(self, m: int) -> tuple[np.ndarray, np.ndarray]:
        """tr(W^k) and 1'W^k 1 for k = 0..m."""
        k = np.arange(m + 1)
        tr = (self.lam[None, :] ** k[:, None]).sum(axis=1).real
        return tr, _sum_powers(self.W, m)


def _sum_powers(W: sp.csr_matrix, m: int) -> np.ndarray:
    """1'W^k 1 for k = 0..m by repeated sparse products (exact)."""
    v = np.ones(W.shape[0])
    out = np.empty(m + 1)
    for k in range(m + 1):
        out[k] = v.sum()
        if k < m:
            v = W @ v
    return out


class _SeriesKernel:
    """Impact scalars from truncated power series of tr(W^k) and 1'W^k 1."""

    method = "traces"

    def __init__(self, W: sp.csr_matrix, q: int, *, seed=None, n_vectors: int = 50):
        self.W = W
        self.n = W.shape[0]
        self.q = q
        if self.n <= EXACT_MAX_N:
            lam = np.linalg.eigvals(W.toarray())
            k = np.arange(q + 2)
            self.tr = (lam[None, :] ** k[:, None]).sum(axis=1).real
            self.trace_method = "exact"
            self._lam = lam
        else:
            self._lam = None
            self.tr, self.trace_method = _stochastic_trace_powers(W, q + 1, seed=seed, n_vectors=n_vectors)
        self.sums = _sum_powers(W, q + 1)

    def bounds(self) -> tuple[float, float]:
        if self._lam is not None:
            real = self._lam.real[np.abs(self._lam.imag) < 1e-10]
            lo, hi = real.min(), real.max()
            return (1.0 / lo if lo < 0 else -np.inf, 1.0 / hi if hi > 0 else np.inf)
        return (-1.0, 1.0)

    def scalars(self, rho: np.ndarray, deriv: bool = False) -> np.ndarray:
        rho = np.atleast_1d(np.asarray(rho, dtype=float))
        q = self.q
        k = np.arange(q + 1)
        if deriv:
            P = k[None, 1:] * rho[:, None] ** (k[None, 1:] - 1)
            P = np.hstack([np.zeros((len(rho), 1)), P])
        else:
            P = rho[:, None] ** k[None, :]
        n = self.n
        return np.vstack([P @ self.tr[: q + 1] / n, P @ self.tr[1: q + 2] / n,
                          P @ self.sums[: q + 1] / n, P @ self.sums[1: q + 2] / n])

    def powers(self, m: int) -> tuple[np.ndarray, np.ndarray]:
        if m + 1 > len(self.tr):
            raise OptionError(f"orders up to {m} need q >= {m}; pass q={m}.")
        return self.tr[: m + 1], self.sums[: m + 1]


def _stochastic_trace_powers(W, m: int, *, seed, n_vectors: int):
    try:
        from ..estimation.traces import trace_powers
    except ImportError:
        trace_powers = None
    if trace_powers is not None:
        tr = np.asarray(trace_powers(W, m, method="stochastic", n_vectors=n_vectors,
                                     seed=0 if seed is None else seed), dtype=float)
        return tr[: m + 1], "stochastic"
    # Hutchinson estimator with Rademacher vectors; tr(W^0), tr(W), tr(W^2) are exact.
    rng = np.random.default_rng(0 if seed is None else seed)
    Z = rng.choice([-1.0, 1.0], size=(W.shape[0], n_vectors))
    tr = np.empty(m + 1)
    tr[0] = W.shape[0]
    tr[1] = W.diagonal().sum()
    V = W @ Z
    for k in range(2, m + 1):
        V = W @ V
        tr[k] = np.mean(np.einsum("ij,ij->j", Z, V))
    if m >= 2:
        tr[2] = W.multiply(W.T).sum()
    warnings.warn(f"impacts use Monte Carlo traces of W^k ({n_vectors} vectors) for N={W.shape[0]}; "
                  "direct/indirect split carries simulation error.", ApproximationWarning, stacklevel=3)
    return tr, "stochastic"


class _StaticKernel:
    """No spatial lag of y (SLX, SDEM, SEM): S = beta I + theta W, exact for any N."""

    method = "exact"

    def __init__(self, W: sp.csr_matrix):
        self.W = W
        self.n = W.shape[0]
        self._c = np.array([1.0, W.diagonal().sum() / self.n, 1.0, W.sum() / self.n])

    def bounds(self):
        return (-np.inf, np.inf)

    def scalars(self, rho, deriv: bool = False):
        rho = np.atleast_1d(np.asarray(rho, dtype=float))
        c = np.zeros(4) if deriv else self._c
        return np.tile(c[:, None], (1, len(rho)))

    def powers(self, m: int):
        tr = np.zeros(m + 1)
        sums = np.zeros(m + 1)
        tr[0], sums[0] = self.n, self.n
        if m >= 1:
            tr[1], sums[1] = self.W.diagonal().sum(), self.W.sum()
        return tr, sums


class _AverageKernel:
    """Average of kernels (time-varying W: one W per period)."""

    def __init__(self, kernels):
        self.kernels = kernels
        self.method = kernels[0].method
        self.n = kernels[0].n

    def bounds(self):
        b = [k.bounds() for k in self.kernels]
        return (max(x[0] for x in b), min(x[1] for x in b))

    def scalars(self, rho, deriv=False):
        return np.mean([k.scalars(rho, deriv) for k in self.kernels], axis=0)

    def powers(self, m):
        p = [k.powers(m) for k in self.kernels]
        return np.mean([x[0] for x in p], axis=0), np.mean([x[1] for x in p], axis=0)


# --------------------------------------------------------------------------- helpers
def _choose_q(rho_abs: float, q) -> int:
    if q is not None:
        q = int(q)
        if q < 1:
            raise OptionError(f"q={q} must be a positive integer.")
        return q
    if rho_abs <= 1e-12:
        return 100
    need = np.log(_SERIES_TOL * max(1.0 - rho_abs, 1e-12)) / np.log(rho_abs)
    return int(min(_Q_MAX, max(100, np.ceil(need))))


def _weights_list(res) -> list:
    Wt = res.info.get("W_t") if isinstance(res.info, dict) else None
    if Wt is not None:
        return [sp.csr_matrix(w) for w in Wt]
    if res.W is None:
        return []
    return [sp.csr_matrix(res.W)]


def _param_layout(res):
    """Regressor names, index of beta, index of theta (or None), index of rho (or None) in params."""
    names = list(res.params.index)
    durbin = set(res.spec.durbin_names)
    regs = [r for r in res.spec.regressors if r in names and not (r.startswith("W_") and r[2:] in durbin)]
    if not regs:
        raise EstimationError("the model has no non-constant regressor to compute impacts for.")
    beta = [names.index(r) for r in regs]
    theta = [names.index(f"W_{r}") if f"W_{r}" in names else None for r in regs]
    rho = names.index("rho") if (res.spec.has_lag and "rho" in names) else None
    return regs, beta, theta, rho


def _build_kernel(res, method: str, q, rho_abs: float, seed, n_vectors: int, *, lag: bool = True):
    Ws = _weights_list(res)
    if not Ws:
        return None
    n = Ws[0].shape[0]
    if not lag:
        ks = [_StaticKernel(W) for W in Ws]
        return ks[0] if len(ks) == 1 else _AverageKernel(ks)
    if method == "auto":
        method = "exact" if n <= EXACT_MAX_N else "traces"
    if method == "exact":
        if n > EXACT_HARD_MAX:
            raise OptionError(f"method='exact' needs a dense eigen-decomposition of the {n} x {n} W; "
                              f"use method='traces' (or 'auto') above N = {EXACT_HARD_MAX}.")
        ks = [_EigenKernel(W) for W in Ws]
    else:
        qq = _choose_q(rho_abs, q)
        ks = [_SeriesKernel(W, qq, seed=seed, n_vectors=n_vectors) for W in Ws]
    return ks[0] if len(ks) == 1 else _AverageKernel(ks)


def _impact_values(sc: np.ndarray, b: np.ndarray, t: np.ndarray) -> np.ndarray:
    """(..., 3) direct, indirect, total from scalars (4, D) and beta/theta arrays (D,)."""
    direct = b * sc[0] + t * sc[1]
    total = b * sc[2] + t * sc[3]
    return np.stack([direct, total - direct, total], axis=-1)


def _exact_sums(W: sp.csr_matrix, rho: float) -> tuple[float, float]:
    n = W.shape[0]
    A = (sp.identity(n, format="csc") - rho * W.T.tocsc())
    u = spla.spsolve(A, np.ones(n))
    return float(u.sum() / n), float(u @ (W @ np.ones(n)) / n)


# --------------------------------------------------------------------------- public
def impacts(res, *, method: str = "auto", draws: int | None = None, seed=None, level: float = 0.95,
            delta: bool = False, orders=None, q: int | None = None, n_vectors: int = 50,
            return_draws: bool = False):
    """Direct, indirect and total impacts (LeSage-Pace) per non-constant regressor.

    Parameters
    ----------
    res : SpatialResults
        A fitted SAR, SDM, SAC, SLX or SDEM model (OLS and SEM give ``direct = beta``,
        ``indirect = 0``; SDEM/SLX give ``beta + theta`` spread over direct/indirect
        through W).
    method : {"auto", "exact", "traces"}
        ``"exact"``: eigenvalues of W (dense; N up to a few thousand); ``"traces"``:
        series of ``tr(W^k)`` truncated at ``q`` terms. ``"auto"`` uses exact for
        N <= 2000.
    draws : int, optional
        Number of simulation draws from the asymptotic distribution of
        ``(beta, theta, rho)``; adds ``<kind>_se``, ``<kind>_lower``,
        ``<kind>_upper`` (percentile interval), ``<kind>_z`` and ``<kind>_p``.
    seed : int or numpy Generator, optional
        Seed of ``numpy.random.default_rng`` for the draws (and stochastic traces).
    level : float, default 0.95
        Confidence level of the intervals.
    delta : bool, default False
        Inference by the delta method (normal intervals) instead of simulation.
    orders : int, optional
        If given, return :func:`impacts_by_order` for orders ``0..orders`` instead.
    q : int, optional
        Truncation order of the trace series (default: until ``|rho|^q/(1-|rho|)``
        is below 1e-13, at least 100, at most 5000).
    n_vectors : int, default 50
        Random vectors for stochastic traces (only for N > 2000 with ``"traces"``);
        they are drawn with ``seed`` (0 when ``seed`` is None, so that point
        estimates are reproducible).

    return_draws : bool, default False
        With ``draws``: also return the simulated impacts as an array of shape
        ``(draws, n_regressors, 3)`` (direct, indirect, total).

    Returns
    -------
    pandas.DataFrame
        Indexed by regressor; ``attrs`` record the method, q, draws, seed and the
        number of rejected draws (scalars only, so frames can be concatenated).
        ``(DataFrame, ndarray)`` when ``return_draws=True``.

    Examples
    --------
    >>> import numpy as np, pandas as pd, scipy.sparse as sp
    >>> from spatialecon.results.base import SpatialResults, ModelSpec
    >>> W = sp.csr_matrix(np.array([[0, 1, 0], [.5, 0, .5], [0, 1, 0]]))
    >>> p = pd.Series({"const": 1.0, "x": 2.0, "rho": 0.5})
    >>> ids = pd.Index(["a", "b", "c"])
    >>> r = SpatialResults("SAR", ModelSpec("sar", ("const", "x")), p, pd.DataFrame(np.eye(3) * .01,
    ...     index=p.index, columns=p.index), 1.0, 0.0, 3, pd.Series(0., ids), pd.Series(0., ids),
    ...     pd.Series(0., ids), pd.DataFrame(), ids, W)
    >>> round(float(impacts(r).loc["x", "total"]), 6)
    4.0
    """
    validate("method", method, ImpactComputation)
    if orders is not None:
        return impacts_by_order(res, orders=orders, q=q)
    if not 0 < level < 1:
        raise OptionError(f"level={level} must lie in (0, 1).")
    if draws is not None and (int(draws) != draws or draws < 2):
        raise OptionError(f"draws={draws!r} must be an integer >= 2.")
    if draws is not None and delta:
        raise OptionError("choose either draws (simulation) or delta=True, not both.")
    if return_draws and draws is None:
        raise OptionError("return_draws=True needs draws.")
    regs, bi, ti, ri = _param_layout(res)
    p = res.params.to_numpy(dtype=float)
    rho_hat = p[ri] if ri is not None else 0.0
    kernel = _build_kernel(res, method, q, abs(rho_hat), seed, n_vectors, lag=ri is not None)
    if kernel is None:  # OLS without W: impacts are the coefficients
        sc = np.array([[1.0], [0.0], [1.0], [0.0]])
        used = "none"
    else:
        sc = kernel.scalars(np.array([rho_hat]))
        used = kernel.method
        if used == "traces" and isinstance(kernel, _SeriesKernel) and ri is not None:
            # totals at the estimate from an exact sparse solve
            sc[2, 0], sc[3, 0] = _exact_sums(kernel.W, rho_hat)
    b = p[bi]
    t = np.array([p[j] if j is not None else 0.0 for j in ti])
    point = _impact_values(sc[:, [0]], b[:, None], t[:, None])[:, 0, :]  # (K, 3)
    out = pd.DataFrame(point, index=pd.Index(regs, name="variable"), columns=list(_KINDS))
    attrs = {"method": used, "level": level, "N": None if kernel is None else kernel.n}
    if isinstance(kernel, _SeriesKernel):
        attrs.update(q=kernel.q, trace_method=kernel.trace_method,
                     truncation_bound=float(abs(rho_hat) ** (kernel.q + 1) / max(1e-12, 1 - abs(rho_hat))))
    sel = bi + [j for j in ti if j is not None] + ([ri] if ri is not None else [])
    V = res.cov.to_numpy(dtype=float)
    if draws is not None:
        sims, rejected = _simulate(p, V, sel, bi, ti, ri, kernel, int(draws), seed, res)
        se = sims.std(axis=0, ddof=1)
        lo = np.quantile(sims, (1 - level) / 2, axis=0)
        hi = np.quantile(sims, (1 + level) / 2, axis=0)
        attrs.update(inference="simulation", draws=int(draws), seed=seed if isinstance(seed, (int, np.integer))
                     else None, rejected=rejected)
        _add_inference(out, point, se, lo, hi)
        out.attrs.update(attrs)
        return (out, sims) if return_draws else out
    if delta:
        se = _delta_se(p, V, bi, ti, ri, kernel, sc)
        zq = stats.norm.ppf(0.5 + level / 2)
        attrs.update(inference="delta")
        _add_inference(out, point, se, point - zq * se, point + zq * se)
    out.attrs.update(attrs)
    return (out, None) if return_draws else out


def _add_inference(out, point, se, lo, hi):
    with np.errstate(divide="ignore", invalid="ignore"):
        z = point / se
    for j, kind in enumerate(_KINDS):
        out[f"{kind}_se"] = se[:, j]
        out[f"{kind}_lower"] = lo[:, j]
        out[f"{kind}_upper"] = hi[:, j]
        out[f"{kind}_z"] = z[:, j]
        out[f"{kind}_p"] = 2 * stats.norm.sf(np.abs(z[:, j]))


def _rho_interval(res, kernel):
    """Admissible interval of rho: the fitted model's bounds (first pair for SAC), else W's eigenvalues."""
    b = res.info.get("bounds") if isinstance(res.info, dict) else None
    if b is not None:
        arr = np.asarray(b, dtype=float).ravel()
        if arr.size >= 2 and np.all(np.isfinite(arr[:2])) and arr[0] < arr[1]:
            return float(arr[0]), float(arr[1])
    return kernel.bounds() if kernel is not None else (-1.0, 1.0)


def _simulate(p, V, sel, bi, ti, ri, kernel, draws, seed, res):
    rng = np.random.default_rng(seed)
    Vs = V[np.ix_(sel, sel)]
    mu = p[sel]
    lo, hi = _rho_interval(res, kernel)
    pos = {j: i for i, j in enumerate(sel)}
    accepted, rejected = [], 0
    need = draws
    for _ in range(50):
        D = rng.multivariate_normal(mu, Vs, size=need, method="eigh")
        if ri is not None:
            r = D[:, pos[ri]]
            ok = (r > lo) & (r < hi)
            rejected += int((~ok).sum())
            D = D[ok]
        accepted.append(D)
        need -= len(D)
        if need <= 0:
            break
    D = np.vstack(accepted)[:draws]
    if len(D) < draws:
        raise EstimationError(f"could not draw {draws} values of rho inside ({lo:.4g}, {hi:.4g}).")
    b = D[:, [pos[j] for j in bi]]  # (D, K)
    t = np.column_stack([D[:, pos[j]] if j is not None else np.zeros(draws) for j in ti])
    rho = D[:, pos[ri]] if ri is not None else np.zeros(draws)
    if kernel is None:
        sc = np.tile(np.array([[1.0], [0.0], [1.0], [0.0]]), (1, draws))
    else:
        sc = kernel.scalars(rho)
        if isinstance(kernel, _SeriesKernel) and ri is not None:
            bound = np.max(np.abs(rho)) ** (kernel.q + 1) / max(1e-12, 1 - np.max(np.abs(rho)))
            if bound > 1e-6:
                warnings.warn(f"trace series truncated at q={kernel.q} leaves an error up to {bound:.2g} "
                              "for the largest simulated rho; raise q.", ApproximationWarning, stacklevel=3)
    direct = b * sc[0][:, None] + t * sc[1][:, None]
    total = b * sc[2][:, None] + t * sc[3][:, None]
    sims = np.stack([direct, total - direct, total], axis=-1)  # (D, K, 3)
    return sims, rejected


def _delta_se(p, V, bi, ti, ri, kernel, sc):
    K = len(bi)
    if kernel is None:
        dsc = np.zeros((4, 1))
    else:
        rho = p[ri] if ri is not None else 0.0
        dsc = kernel.scalars(np.array([rho]), deriv=True)
    sc = sc[:, 0]
    dsc = dsc[:, 0]
    se = np.empty((K, 3))
    for k in range(K):
        b = p[bi[k]]
        t = p[ti[k]] if ti[k] is not None else 0.0
        g = np.zeros((3, len(p)))
        # direct = b t1 + t t2 ; total = b s1 + t s2
        g[0, bi[k]], g[2, bi[k]] = sc[0], sc[2]
        if ti[k] is not None:
            g[0, ti[k]], g[2, ti[k]] = sc[1], sc[3]
        if ri is not None:
            g[0, ri] = b * dsc[0] + t * dsc[1]
            g[2, ri] = b * dsc[2] + t * dsc[3]
        g[1] = g[2] - g[0]
        se[k] = np.sqrt(np.clip(np.einsum("ij,jk,ik->i", g, V, g), 0, None))
    return se


def impacts_by_order(res, *, orders: int = 10, q: int | None = None) -> pd.DataFrame:
    """Impacts decomposed by W-order (LeSage-Pace 2009, section 2.7).

    ``S_k = sum_j rho^j W^j (beta I + theta W)``: the term in ``W^j`` carries
    ``c_j = beta rho^j + theta rho^(j-1)`` (``c_0 = beta``); its direct part is
    ``c_j tr(W^j)/N`` and its total ``c_j 1'W^j 1/N``.

    Parameters
    ----------
    res : SpatialResults
    orders : int, default 10
        Highest order shown (orders ``0..orders``).
    q : int, optional
        Unused unless larger than ``orders`` (kept for symmetry with :func:`impacts`).

    Returns
    -------
    pandas.DataFrame
        MultiIndex (variable, order); columns direct, indirect, total and the
        cumulative share of the full total reached by that order (``cum_share_total``).

    Examples
    --------
    >>> import numpy as np, pandas as pd, scipy.sparse as sp
    >>> from spatialecon.results.base import SpatialResults, ModelSpec
    >>> W = sp.csr_matrix(np.array([[0, 1, 0], [.5, 0, .5], [0, 1, 0]]))
    >>> p = pd.Series({"const": 1.0, "x": 2.0, "rho": 0.5})
    >>> ids = pd.Index(["a", "b", "c"])
    >>> r = SpatialResults("SAR", ModelSpec("sar", ("const", "x")), p, pd.DataFrame(np.eye(3) * .01,
    ...     index=p.index, columns=p.index), 1.0, 0.0, 3, pd.Series(0., ids), pd.Series(0., ids),
    ...     pd.Series(0., ids), pd.DataFrame(), ids, W)
    >>> float(impacts_by_order(r, orders=2).loc[("x", 1), "total"])
    1.0
    """
    if isinstance(orders, (list, tuple, np.ndarray)):
        order_list = [int(o) for o in orders]
    else:
        if int(orders) != orders or orders < 0:
            raise OptionError(f"orders={orders!r} must be a non-negative integer.")
        order_list = list(range(int(orders) + 1))
    m = max(order_list)
    regs, bi, ti, ri = _param_layout(res)
    p = res.params.to_numpy(dtype=float)
    rho = p[ri] if ri is not None else 0.0
    Ws = _weights_list(res)
    if not Ws:
        raise EstimationError("impacts by order need the weights matrix (res.W is None).")
    kernel = _build_kernel(res, "exact" if Ws[0].shape[0] <= EXACT_MAX_N else "traces",
                           max(m, q or 0) if Ws[0].shape[0] > EXACT_MAX_N else q, abs(rho), None, 50,
                           lag=ri is not None)
    tr, sums = kernel.powers(m)
    n = kernel.n
    full = impacts(res, method="exact" if isinstance(kernel, (_EigenKernel, _AverageKernel)) else "traces", q=q)
    rows = []
    j = np.arange(m + 1)
    for k, name in enumerate(regs):
        b = p[bi[k]]
        t = p[ti[k]] if ti[k] is not None else 0.0
        c = b * rho ** j + np.where(j >= 1, t * rho ** np.maximum(j - 1, 0), 0.0)
        d = c * tr / n
        tot = c * sums / n
        cum = np.cumsum(tot) / full.loc[name, "total"] if full.loc[name, "total"] != 0 else np.full(m + 1, np.nan)
        for o in order_list:
            rows.append((name, o, d[o], tot[o] - d[o], tot[o], cum[o]))
    df = pd.DataFrame(rows, columns=["variable", "order", "direct", "indirect", "total", "cum_share_total"])
    return df.set_index(["variable", "order"])
