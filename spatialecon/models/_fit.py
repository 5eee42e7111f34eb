"""ML fitting of the model families on a design (cross-section or panel).

A design provides ``y``, ``X``, ``names``, ``lag``, ``logdet``, ``n_eff``,
``traces(rho)``, and ``W``/``W_t``/``T`` (see :mod:`._design` and
:mod:`._panel`). Each ``estimate_*`` function returns the point estimates
(cheap; called repeatedly when random effects profile phi), each
``covariance_*`` the full covariance including sigma2 (last row/column).
"""

from __future__ import annotations

import numpy as np

from ..errors import EstimationError, OptionError
from ..estimation.covariance import (
    SAC_DENSE_TRACE_MAX,
    cov_error,
    cov_lag,
    cov_sac,
    inverse_information,
    numerical_hessian,
    sac_traces,
)
from ..estimation.likelihood import LOG2PI, ErrorProfile, LagProfile, SACProfile, loglik_full, ols
from ..estimation.optimise import (
    check_bound,
    maximise_2d,
    maximise_2d_guided,
    maximise_scalar,
    maximise_scalar_guided,
)
from ._design import stacked_solve, w_bounds

__all__ = ["design_bounds", "estimate_ols", "estimate_lag", "estimate_error", "estimate_sac",
           "covariance_ols", "covariance_lag", "covariance_error", "covariance_sac", "covariance_hessian"]


def _mats(d) -> list:
    return [d.W] if getattr(d, "W_t", None) is None else list(d.W_t)


def design_bounds(d) -> tuple[float, float]:
    """Eigenvalue interval of the design's W (intersection over periods)."""
    if hasattr(d, "bounds") and callable(d.bounds):
        return d.bounds()
    cache = d._ld if isinstance(getattr(d, "_ld", None), dict) else None
    if cache is not None and "bounds" in cache:
        return cache["bounds"]
    b = w_bounds(_mats(d))
    if cache is not None:
        cache["bounds"] = b
    return b


def _search_bounds(d, bounds) -> tuple[float, float]:
    """The admissible interval, or the user's ``bounds`` after checking they lie inside it."""
    adm = design_bounds(d)
    if bounds is None:
        return adm
    lo, hi = float(bounds[0]), float(bounds[1])
    if not (adm[0] <= lo < hi <= adm[1]) and getattr(d, "bounds_note", None) is not None:
        adm = d.exact_bounds()  # the quick (-1, 1) is narrower than the admissible interval
    if not (adm[0] <= lo < hi <= adm[1]):
        raise OptionError(f"bounds={tuple(bounds)} must satisfy lo < hi inside the admissible interval "
                          f"({adm[0]:.6g}, {adm[1]:.6g}) given by the eigenvalues of W.")
    return lo, hi


def _maximise(d, prof, b, name: str, opt: dict) -> dict:
    """Scalar search: guided by an approximate log-determinant when the design offers one
    (large N with an exact sparse log-determinant, ``opt["guided"]``), else grid + Brent.

    When the design searched the quick interval ``(-1, 1)`` (large row-stochastic W, see
    :func:`._design.quick_bounds`) and the estimate reaches -1, the exact eigenvalue interval
    is computed and the search repeated on it.
    """
    note = getattr(d, "bounds_note", None)
    if note is None or tuple(b) != tuple(design_bounds(d)):
        return _maximise_in(d, prof, b, name, opt)
    on_bound = opt.get("on_bound", "warn")
    res = _maximise_in(d, prof, b, name, dict(opt, on_bound="ignore"))
    if res["x"] - b[0] <= opt.get("bound_tol", 1e-4) * (b[1] - b[0]):
        b = d.exact_bounds()
        return _maximise_in(d, prof, b, name, opt)
    res["at_bound"] = check_bound(res["x"], b, name=name, bound_tol=opt.get("bound_tol", 1e-4), on_bound=on_bound)
    res["bounds_note"] = note
    return res


def _maximise_in(d, prof, b, name: str, opt: dict) -> dict:
    opt = dict(opt)
    guided = opt.pop("guided", False)
    guide_ld = d.guide_logdet() if guided and hasattr(d, "guide_logdet") else None
    if guide_ld is None:
        return maximise_scalar(prof, b, name=name, **opt)
    kw = {k: v for k, v in opt.items() if k in ("tol", "eps", "bound_tol", "on_bound", "maxiter")}

    def guide(x: float) -> float:
        return prof.without_logdet(x) + guide_ld(x)

    if hasattr(prof, "without_logdet_many") and hasattr(guide_ld, "many"):
        guide.many = lambda xs: prof.without_logdet_many(xs) + guide_ld.many(xs)
    step = getattr(d, "stencil_step", None)
    res = maximise_scalar_guided(prof, guide, b, name=name, stencil_step=step, **kw)
    if step is not None:  # the first three exact points also serve the traces' difference stencil
        d.remember_stencil(res.get("stencil"))
    return res


def _solve(d, rho: float, v: np.ndarray) -> np.ndarray:
    if hasattr(d, "solve"):
        return d.solve(rho, v)
    return stacked_solve(_mats(d), d.T, rho, v)


# ----------------------------------------------------------------- OLS / SLX
def estimate_ols(d) -> dict:
    """Least squares; ``sigma2 = SSE / n`` (ML), log-likelihood with all constants."""
    beta = ols(d.y, d.X)
    e = d.y - d.X @ beta
    n = d.n_eff
    sse = float(e @ e)
    sigma2 = sse / n
    ll = -0.5 * n * (LOG2PI + np.log(sigma2) + 1.0)
    return {"beta": beta, "sigma2": sigma2, "resid": e, "loglik": float(ll), "sse": sse}


def ols_df_resid(d) -> int:
    """Residual degrees of freedom of least squares on the design.

    ``n - k`` for a cross-section; for fixed-effects panels the absorbed effects
    are subtracted as well (``N`` region, ``T`` time, ``N + T - 1`` two-way
    effects), as R ``plm`` and linearmodels; under Lee-Yu ``n_eff`` already
    excludes them.
    """
    n, k = d.n_eff, d.X.shape[1]
    effects = getattr(d, "effects", None)
    absorbed = 0
    if effects in ("region", "time", "twoways") and not getattr(d, "lee_yu", False):
        absorbed = {"region": d.N, "time": d.T, "twoways": d.N + d.T - 1}[effects]
    return int(n - k - absorbed)


def covariance_ols(d, fit: dict) -> np.ndarray:
    """Classical covariance ``s^2 (X'X)^{-1}`` with ``s^2 = SSE / df_resid`` (as R ``lm`` / ``plm``)."""
    df = ols_df_resid(d)
    if df <= 0:
        raise EstimationError(f"no residual degrees of freedom ({d.n_eff} observations, {d.X.shape[1]} "
                              "parameters and the absorbed effects).")
    s2 = fit["sse"] / df
    fit["df_resid"] = df
    return inverse_information(d.X.T @ d.X / s2)


# ----------------------------------------------------------------- lag (SAR / SDM)
def estimate_lag(d, *, bounds=None, opt: dict | None = None) -> dict:
    """Maximise the concentrated likelihood in rho."""
    opt = dict(opt or {})
    prof = LagProfile(d.y, d.X, d.lag, d.logdet, d.n_eff, Wy=getattr(d, "Wy_fixed", None))
    b = _search_bounds(d, bounds)
    res = _maximise(d, prof, b, "rho", opt)
    est = prof.estimates(res["x"])
    est["optimiser"] = res
    est["Wy"] = prof.Wy
    return est


def covariance_lag(d, fit: dict) -> tuple[np.ndarray, dict]:
    """Covariance of (beta, rho, sigma2) from the analytic information matrix."""
    rho, beta = fit["rho"], fit["beta"]
    if getattr(d, "Wy_fixed", None) is not None:  # time-varying W with region/two-way effects
        GXb = d.mean_lag(rho, beta, fit["resid"])
    else:
        GXb = d.lag(_solve(d, rho, d.X @ beta))
    tr = d.traces(rho)
    return cov_lag(d.X, GXb, fit["sigma2"], d.n_eff, tr), tr


# ----------------------------------------------------------------- error (SEM / SDEM)
def estimate_error(d, *, bounds=None, opt: dict | None = None) -> dict:
    """Maximise the concentrated likelihood in lambda."""
    opt = dict(opt or {})
    if getattr(d, "Wy_fixed", None) is not None:
        raise EstimationError(getattr(d, "error_model_message", "error models need a constant W with these effects."))
    prof = ErrorProfile(d.y, d.X, d.lag, d.logdet, d.n_eff)
    b = _search_bounds(d, bounds)
    res = _maximise(d, prof, b, "lambda", opt)
    est = prof.estimates(res["x"])
    est["optimiser"] = res
    est["WX"] = prof.WX
    return est


def covariance_error(d, fit: dict) -> tuple[np.ndarray, dict]:
    """Covariance of (beta, lambda, sigma2)."""
    lam = fit["lam"]
    WX = fit.get("WX")
    if WX is None:
        WX = np.asarray(d.lag(d.X)).reshape(d.X.shape)
    tr = d.traces(lam)
    return cov_error(d.X, WX, lam, fit["sigma2"], d.n_eff, tr), tr


# ----------------------------------------------------------------- SAC
def estimate_sac(d, *, bounds=None, bounds_lam=None, opt: dict | None = None, starts=None) -> dict:
    """Maximise the concentrated likelihood in (rho, lambda).

    Starting points: the SAR estimate of rho with the SEM estimate of lambda,
    the origin, and any given ``starts``. Large N with an exact sparse
    log-determinant: the guided 2-D search
    (:func:`spatialecon.estimation.optimise.maximise_2d_guided`); otherwise, or if
    that does not settle, L-BFGS-B with a bounded Nelder-Mead polish. On the quick
    interval (-1, 1) of a large row-stochastic W, an estimate reaching -1 triggers
    the exact eigenvalue interval and a new search.
    """
    opt = dict(opt or {})
    design_bounds(d)  # sets the design's bounds_note when it uses the quick interval
    note = getattr(d, "bounds_note", None)
    if note is None or bounds is not None or bounds_lam is not None:
        return _estimate_sac_in(d, bounds=bounds, bounds_lam=bounds_lam, opt=opt, starts=starts)
    est = _estimate_sac_in(d, opt=dict(opt, on_bound="ignore"), starts=starts)
    used = [tuple(map(float, bd)) for bd in est["optimiser"]["bounds"]]  # the box the search ran in
    near = [opt.get("bound_tol", 1e-4) * (bd[1] - bd[0]) for bd in used]
    if est["rho"] - used[0][0] <= near[0] or est["lam"] - used[1][0] <= near[1]:
        lo_exact = d.exact_bounds()[0]
        if lo_exact < min(used[0][0], used[1][0]):
            return _estimate_sac_in(d, opt=opt, starts=starts)
    at = False
    for name, bd in zip(("rho", "lam"), used):
        at = check_bound(float(est[name]), bd, name={"lam": "lambda"}.get(name, name),
                         bound_tol=opt.get("bound_tol", 1e-4), on_bound=opt.get("on_bound", "warn")) or at
    extra = {"bounds_note": note} if getattr(d, "bounds_note", None) is not None else {}
    est["optimiser"] = dict(est["optimiser"], at_bound=at, **extra)
    return est


def _estimate_sac_in(d, *, bounds=None, bounds_lam=None, opt: dict, starts=None) -> dict:
    from scipy import optimize

    b = _search_bounds(d, bounds)
    bl = b if bounds_lam is None else bounds_lam
    quiet = {k: v for k, v in opt.items() if k not in ("on_bound",)}
    quiet["on_bound"] = "ignore"
    lag_fit = estimate_lag(d, bounds=b, opt=quiet)
    err_fit = estimate_error(d, bounds=bl, opt=quiet)
    r0, l0 = lag_fit["rho"], err_fit["lam"]
    prof = SACProfile(d.y, d.X, d.lag, d.logdet, d.logdet, d.n_eff)
    st = [(r0, l0), (0.0, 0.0)] + [tuple(s) for s in (starts or [])]
    kw = {k: v for k, v in opt.items() if k in ("on_bound", "bound_tol", "eps")}
    guide_ld = d.guide_logdet() if opt.get("guided") and hasattr(d, "guide_logdet") else None
    if guide_ld is not None and bl == b:
        # both parameters enter through the same log-determinant: a guided 2-D search (few factorisations)
        known = list(lag_fit["optimiser"].get("evaluated", [])) + list(err_fit["optimiser"].get("evaluated", []))
        gres = maximise_2d_guided(prof.without_logdet, d.logdet, guide_ld, [b, bl], st, known=known,
                                  names=("rho", "lambda"), tol=opt.get("tol", 1e-8), eps=kw.get("eps", 1e-7),
                                  bound_tol=kw.get("bound_tol", 1e-4), on_bound=opt.get("on_bound", "warn"))
        if gres is not None:
            x = gres["x"]
            est = prof.estimates(float(x[0]), float(x[1]))
            gres["fun"] = est["loglik"]
            est["optimiser"] = gres
            est["WX"] = prof.WX
            return est
    res = maximise_2d(prof, [b, bl], st, names=("rho", "lambda"), on_bound="ignore",
                      **{k: v for k, v in kw.items() if k != "on_bound"})
    eps = kw.get("eps", 1e-7)
    box = [(lo + eps * (hi - lo), hi - eps * (hi - lo)) for lo, hi in (b, bl)]

    def neg(z):
        v = prof(float(z[0]), float(z[1]))
        return -v if np.isfinite(v) else 1e300

    with np.errstate(all="ignore"):
        nm = optimize.minimize(neg, res["x"], method="Nelder-Mead", bounds=box,
                               options={"xatol": 1e-10, "fatol": 1e-13, "maxiter": 4000})
    x = nm.x if nm.fun <= -res["fun"] else res["x"]
    on_bound = opt.get("on_bound", "warn")
    bt = opt.get("bound_tol", 1e-4)
    at = check_bound(float(x[0]), b, name="rho", bound_tol=bt, on_bound=on_bound)
    at = check_bound(float(x[1]), bl, name="lambda", bound_tol=bt, on_bound=on_bound) or at
    est = prof.estimates(float(x[0]), float(x[1]))
    res = dict(res, x=np.asarray(x, dtype=float), fun=est["loglik"], at_bound=at,
               optimiser="L-BFGS-B + Nelder-Mead polish", nfev=res["nfev"] + int(nm.nfev))
    est["optimiser"] = res
    est["WX"] = prof.WX
    return est


def covariance_sac(d, fit: dict) -> tuple[np.ndarray, dict]:
    """Covariance of (beta, rho, lambda, sigma2) (traces exact for N <= 3000, else stochastic)."""
    rho, lam, beta = fit["rho"], fit["lam"], fit["beta"]
    if getattr(d, "W_t", None) is not None or getattr(d, "lee_yu", False) or \
            getattr(d, "effects", None) in ("time", "twoways", "random"):
        raise EstimationError("SAC standard errors are implemented for cross-sections and for panels with "
                              "a constant W and effects None or 'region' (no Lee-Yu).")
    kw = {}
    if hasattr(d, "sparse_logdet") and d.N > SAC_DENSE_TRACE_MAX and d.logdet_method in ("lu", "cholesky"):
        # the design's analysis, its memoised exact log-determinants and the search's guide
        kw = {"sparse_logdet": d.sparse_logdet(), "logdets": (d.logdet(rho), d.logdet(lam)),
              "guide": getattr(d, "_guide", None), "bounds": d.bounds()}
    tr = sac_traces(d.W, rho, lam, method=getattr(d, "trace_method", "auto"), seed=getattr(d, "seed", None), **kw)
    if d.T > 1:
        tr = {k: (v * d.T if isinstance(v, float) else v) for k, v in tr.items()}
    GXb = d.lag(_solve(d, rho, d.X @ beta))
    BWmu = GXb - lam * d.lag(GXb)
    WX = fit.get("WX")
    if WX is None:
        WX = np.asarray(d.lag(d.X)).reshape(d.X.shape)
    return cov_sac(d.X, WX, BWmu, fit["sigma2"], lam, d.n_eff, tr), tr


# ----------------------------------------------------------------- observed information
def covariance_hessian(d, fit: dict, family: str) -> np.ndarray:
    """Inverse of minus the numerical Hessian of the full log-likelihood.

    Parameter order (beta, rho and/or lambda, sigma2), as the analytic covariances.
    """
    k = d.X.shape[1]
    has_rho, has_lam = family in ("lag", "sac"), family in ("error", "sac")
    theta = list(np.asarray(fit["beta"], dtype=float))
    if has_rho:
        theta.append(fit["rho"])
    if has_lam:
        theta.append(fit["lam"])
    theta.append(fit["sigma2"])
    theta = np.asarray(theta, dtype=float)

    Wy = getattr(d, "Wy_fixed", None)

    def ll(t):
        rho = t[k] if has_rho else 0.0
        lam = t[k + int(has_rho)] if has_lam else 0.0
        if Wy is not None and not has_lam:  # precomputed transformed lag of y (time-varying W, FE)
            if t[-1] <= 0:
                raise EstimationError("sigma2 must be positive.")
            e = d.y - rho * Wy - d.X @ t[:k]
            return float(-0.5 * d.n_eff * (LOG2PI + np.log(t[-1])) - e @ e / (2.0 * t[-1]) + d.logdet(rho))
        return loglik_full(t[:k], rho, lam, t[-1], d.y, d.X, d.lag, d.logdet, d.logdet, d.n_eff)

    H = numerical_hessian(ll, theta)
    return inverse_information(-H)
