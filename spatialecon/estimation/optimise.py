"""Bounded maximisation of the concentrated likelihoods.

* 1-D (rho or lambda): a coarse grid over the admissible interval first (to
  avoid local optima), then Brent's bounded search
  (``scipy.optimize.minimize_scalar(method="bounded")``) in the bracket
  around the best grid point.
* 1-D with a cheap *guide* (large N, where each exact log-determinant is a
  sparse factorisation): :func:`maximise_scalar_guided` maximises the guide
  (the likelihood with an approximate log-determinant), then corrects it with
  a few exact evaluations (a quadratic model of ``exact - guide`` through the
  exact points), so that the optimum is that of the *exact* likelihood after
  typically 4-5 factorisations instead of 15-20; it falls back to the grid and
  Brent search on the exact function when the corrections do not settle.
* 2-D (SAC): L-BFGS-B inside the box, from the given starting points (the
  models pass the SAR and SEM estimates and the origin); the best is kept.

An optimum within ``bound_tol`` of an end of the interval is reported with a
:class:`~spatialecon.errors.BoundaryWarning` (``on_bound="warn"``), raised as
:class:`~spatialecon.errors.ParameterBoundError` (``"raise"``) or accepted
silently (``"ignore"``). A failed optimiser raises
:class:`~spatialecon.errors.NonConvergenceError`.

Examples
--------
>>> res = maximise_scalar(lambda r: -(r - 0.3) ** 2, (-1.0, 1.0))
>>> round(res["x"], 6), res["at_bound"]
(0.3, False)
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence

import numpy as np
from scipy import optimize

from ..errors import BoundaryWarning, NonConvergenceError, OptionError, ParameterBoundError

__all__ = ["maximise_scalar", "maximise_scalar_guided", "maximise_2d", "maximise_2d_guided", "check_bound", "ON_BOUND"]

ON_BOUND = ("warn", "raise", "ignore")


def _validate_on_bound(on_bound: str) -> None:
    if on_bound not in ON_BOUND:
        raise OptionError(f"on_bound={on_bound!r} is not valid; choose one of {', '.join(map(repr, ON_BOUND))}.")


def _interior(bounds: Sequence[float], eps: float) -> tuple[float, float]:
    lo, hi = float(bounds[0]), float(bounds[1])
    if not lo < hi:
        raise OptionError(f"bounds must satisfy lo < hi, got {bounds}.")
    width = hi - lo
    return lo + eps * width, hi - eps * width


def check_bound(x: float, bounds: Sequence[float], *, name: str, bound_tol: float, on_bound: str) -> bool:
    """Report an estimate within ``bound_tol * (hi - lo)`` of a bound.

    Returns whether the estimate is at a bound.

    Examples
    --------
    >>> check_bound(0.2, (-1, 1), name="rho", bound_tol=1e-4, on_bound="warn")
    False
    """
    _validate_on_bound(on_bound)
    lo, hi = float(bounds[0]), float(bounds[1])
    tol = bound_tol * (hi - lo)
    at = (x - lo) <= tol or (hi - x) <= tol
    if at:
        msg = (f"{name} = {x:.6g} is at the bound of its admissible interval ({lo:.6g}, {hi:.6g}); "
               "the estimate and its standard error are unreliable.")
        if on_bound == "raise":
            raise ParameterBoundError(msg)
        if on_bound == "warn":
            warnings.warn(msg, BoundaryWarning, stacklevel=3)
    return bool(at)


def maximise_scalar(f: Callable[[float], float], bounds: Sequence[float], *, name: str = "rho",
                    n_grid: int | None = 11, tol: float = 1e-8, eps: float = 1e-7, bound_tol: float = 1e-4,
                    on_bound: str = "warn", maxiter: int = 500) -> dict:
    """Maximise ``f`` over the open interval ``bounds``.

    Parameters
    ----------
    f : callable float -> float
        Concentrated log-likelihood.
    bounds : (lo, hi)
        Admissible interval (e.g. eigenvalue bounds); the search is inside
        ``(lo + eps (hi - lo), hi - eps (hi - lo))``.
    n_grid : int
        Points of the coarse grid (0 disables it).
    tol : float
        ``xatol`` of the bounded Brent search.
    bound_tol : float
        Relative distance from a bound that counts as "at the bound".
    on_bound : {"warn", "raise", "ignore"}

    Returns
    -------
    dict with ``x``, ``fun`` (maximum), ``nfev``, ``success``, ``at_bound``, ``bounds``.

    Raises
    ------
    NonConvergenceError
        If the optimiser fails or the maximum is not finite.

    Examples
    --------
    >>> round(maximise_scalar(lambda r: -abs(r - 0.5), (-1, 1))["x"], 5)
    0.5
    """
    _validate_on_bound(on_bound)
    a, b = _interior(bounds, eps)
    nfev = 0
    with np.errstate(all="ignore"):
        if n_grid and n_grid > 2:
            grid = np.linspace(a, b, n_grid)
            vals = np.array([f(float(g)) for g in grid])
            nfev += n_grid
            vals = np.where(np.isfinite(vals), vals, -np.inf)
            if not np.isfinite(vals).any():
                raise NonConvergenceError(f"the likelihood is not finite anywhere on the grid of {name}.")
            i = int(np.argmax(vals))
            a2, b2 = grid[max(i - 1, 0)], grid[min(i + 1, n_grid - 1)]
        else:
            a2, b2 = a, b

        def neg(x):
            v = f(float(x))
            return -v if np.isfinite(v) else np.inf

        res = optimize.minimize_scalar(neg, bounds=(a2, b2), method="bounded",
                                       options={"xatol": tol, "maxiter": maxiter})
    nfev += int(getattr(res, "nfev", 0))
    if not res.success or not np.isfinite(res.fun):
        raise NonConvergenceError(f"optimisation of {name} failed: {getattr(res, 'message', '')}")
    x = float(res.x)
    at = check_bound(x, bounds, name=name, bound_tol=bound_tol, on_bound=on_bound)
    return {"x": x, "fun": float(-res.fun), "nfev": nfev, "success": True, "at_bound": at,
            "bounds": (float(bounds[0]), float(bounds[1])), "optimiser": "grid+bounded Brent"}


def _argmax_cheap(g: Callable[[float], float], a: float, b: float, n_grid: int = 201) -> float:
    """Maximiser of a cheap function on [a, b]: dense grid, then Brent in the best bracket.

    ``g.many(grid)``, when ``g`` has it, evaluates the grid in one vectorised call."""
    grid = np.linspace(a, b, n_grid)
    many = getattr(g, "many", None)
    vals = np.asarray(many(grid), dtype=float) if many is not None else np.array([g(float(x)) for x in grid])
    vals = np.where(np.isfinite(vals), vals, -np.inf)
    if not np.isfinite(vals).any():
        return float("nan")
    i = int(np.argmax(vals))
    lo, hi = grid[max(i - 1, 0)], grid[min(i + 1, n_grid - 1)]

    def neg(x):
        v = g(float(x))
        return -v if np.isfinite(v) else np.inf

    r = optimize.minimize_scalar(neg, bounds=(lo, hi), method="bounded", options={"xatol": 1e-12})
    return float(r.x) if r.success and r.fun <= -vals[i] else float(grid[i])


def maximise_scalar_guided(f: Callable[[float], float], guide: Callable[[float], float],
                           bounds: Sequence[float], *, name: str = "rho", tol: float = 1e-8,
                           eps: float = 1e-7, bound_tol: float = 1e-4, on_bound: str = "warn",
                           max_exact: int = 10, n_grid: int | None = None, maxiter: int = 500,
                           stencil_step: Callable[[float], float | None] | None = None) -> dict:
    """Maximise an expensive ``f`` with the help of a cheap approximation ``guide``.

    ``f`` is the exact concentrated log-likelihood; ``guide`` the same with an
    approximate log-determinant (whose error ``c = f - guide`` is smooth and
    small). Steps: (1) ``x0`` maximises ``guide`` (dense grid, then Brent);
    (2) ``f`` is evaluated at ``x0`` and ``x0 + h`` (``h`` about one standard
    error from the guide's curvature); (3) the next point maximises
    ``guide + c_hat`` with ``c_hat`` the least-squares polynomial (degree <= 2,
    <= 3 points nearest the best one) through the exact evaluations of ``c``;
    repeated until two successive points differ by less than ``tol`` (or than
    the distance the rounding of ``f`` can resolve near its maximum,
    ``4 sqrt(2 eps |f| / f'')``, if larger: under 1e-7 on the benchmark lattices). The
    answer is the exact evaluation with the largest ``f``: it is a maximiser of
    the exact likelihood to ``tol``; the guide only decides where to look.
    With ``stencil_step`` (a function of ``x0`` returning a step ``s`` or
    None), step (2) evaluates ``f`` at ``x0 - s`` and ``x0 + s`` instead of
    ``x0 + h``: one more evaluation, placed where the caller's difference
    stencil needs it (the traces of the information matrix reuse these three
    log-determinants); the result then has ``stencil = (x0, s)``.
    If the corrections have not settled after ``max_exact`` evaluations, or
    the exact function is not finite at the guided point, the search falls back
    to :func:`maximise_scalar` (grid and Brent on ``f``) and says so in the
    returned ``optimiser``.

    Returns
    -------
    dict as :func:`maximise_scalar`, with ``nfev`` the number of exact
    evaluations and ``optimiser`` ``"guided exact search"`` (or the fallback).

    Examples
    --------
    >>> f = lambda r: -(r - 0.31) ** 2 * 100 + 0.5 * r ** 3      # "exact"
    >>> g = lambda r: -(r - 0.30) ** 2 * 100                     # guide, slightly off
    >>> res = maximise_scalar_guided(f, g, (-1.0, 1.0))
    >>> round(res["x"], 6), res["optimiser"]
    (0.310724, 'guided exact search')
    """
    _validate_on_bound(on_bound)
    a, b = _interior(bounds, eps)
    width = b - a

    def fallback(reason: str, nfev: int) -> dict:
        res = maximise_scalar(f, bounds, name=name, n_grid=11 if n_grid is None else n_grid, tol=tol, eps=eps,
                              bound_tol=bound_tol, on_bound=on_bound, maxiter=maxiter)
        res["nfev"] += nfev
        res["optimiser"] = f"grid+bounded Brent (guided search fell back: {reason})"
        return res

    with np.errstate(all="ignore"):
        x0 = _argmax_cheap(guide, a, b)
        if not np.isfinite(x0):
            return fallback("the guide is not finite", 0)
        # step from the guide's curvature (about one standard error), kept inside the interval
        d = 1e-4 * width
        g0, gp, gm = guide(x0), guide(min(x0 + d, b)), guide(max(x0 - d, a))
        curv = -(gp - 2 * g0 + gm) / d**2
        h = 1.0 / np.sqrt(curv) if np.isfinite(curv) and curv > 0 else 1e-2 * width
        h = float(np.clip(h, 1e-5 * width, 2e-2 * width))
        x1 = x0 + h if x0 + h < b else x0 - h
        xs, cs, fs = [], [], []

        def add(x):
            v = f(float(x))
            xs.append(float(x))
            fs.append(float(v))
            cs.append(float(v - guide(float(x))) if np.isfinite(v) else np.nan)
            return v

        s_step = stencil_step(x0) if stencil_step is not None else None
        stencil = None
        if s_step is not None and a < x0 - s_step and x0 + s_step < b:
            first = (x0, x0 - s_step, x0 + s_step)
            stencil = (float(x0), float(s_step))
        else:
            first = (x0, x1)
        if not all(np.isfinite(add(x)) for x in first):
            return fallback("the exact likelihood is not finite near the guided optimum", len(xs))
        prev = x0
        converged = False
        # below this distance the likelihood cannot tell points apart (rounding of f near its maximum,
        # |f| eps ~ curv dx^2 / 2), so asking for more only makes the steps jitter
        tol_x = max(tol, 4.0 * np.sqrt(2.0 * np.finfo(float).eps * max(abs(fs[0]), 1.0) / curv)
                    if np.isfinite(curv) and curv > 0 else tol)
        while len(xs) < max_exact:
            best = xs[int(np.argmax(fs))]
            order_ = np.argsort(np.abs(np.asarray(xs) - best))[:3]
            px, pc = np.asarray(xs)[order_], np.asarray(cs)[order_]
            deg = min(len(px) - 1, 2)
            u = (px - best) / h
            coef = np.polyfit(u, pc, deg)

            def corrected(x, coef=coef, best=best):
                return guide(x) + np.polyval(coef, (x - best) / h)

            if hasattr(guide, "many"):
                corrected.many = lambda xs, coef=coef, best=best: guide.many(xs) + np.polyval(coef, (xs - best) / h)

            # local window: a far-off optimum is approached 8 h per evaluation (or the search falls back)
            lo_, hi_ = max(a, best - 8 * h), min(b, best + 8 * h)
            xn = _argmax_cheap(corrected, lo_, hi_, n_grid=33)
            if not np.isfinite(xn):
                break
            step = abs(xn - prev)
            if step <= tol_x or min(abs(xn - x) for x in xs) <= tol_x:
                converged = True
                if min(abs(xn - x) for x in xs) > tol_x:
                    add(xn)
                break
            prev = xn
            if not np.isfinite(add(xn)):
                break
        if not converged:
            return fallback(f"no convergence in {max_exact} exact evaluations", len(xs))
        i = int(np.argmax(fs))
        x = xs[i]
        # the guide must be defined on both sides of the answer (else its domain, not the
        # likelihood, stopped the search)
        probe = 1e-3 * width
        if not all(np.isfinite(guide(z)) for z in (x - probe, x + probe) if a < z < b):
            return fallback("the optimum is at the edge of the guide's domain", len(xs))
    at = check_bound(x, bounds, name=name, bound_tol=bound_tol, on_bound=on_bound)
    return {"x": float(x), "fun": float(fs[i]), "nfev": len(xs), "success": True, "at_bound": at,
            "bounds": (float(bounds[0]), float(bounds[1])), "optimiser": "guided exact search",
            "guide_start": float(x0), "evaluated": list(xs), "stencil": stencil}


def maximise_2d(f: Callable[[float, float], float], bounds: Sequence[Sequence[float]],
                starts: Sequence[Sequence[float]], *, names=("rho", "lambda"), tol: float = 1e-10,
                eps: float = 1e-7, bound_tol: float = 1e-4, on_bound: str = "warn", maxiter: int = 1000) -> dict:
    """Maximise ``f(x1, x2)`` in a box with L-BFGS-B from several starting points.

    Returns
    -------
    dict with ``x`` (array of 2), ``fun``, ``nfev``, ``success``, ``at_bound``, ``bounds``.

    Raises
    ------
    NonConvergenceError
        If no start converges to a finite maximum.

    Examples
    --------
    >>> r = maximise_2d(lambda a, b: -(a - .2) ** 2 - (b + .1) ** 2, [(-1, 1), (-1, 1)], [(0, 0)])
    >>> np.round(r["x"], 5).tolist()
    [0.2, -0.1]
    """
    _validate_on_bound(on_bound)
    box = [_interior(bd, eps) for bd in bounds]
    best = None
    nfev = 0
    messages = []

    def neg(z):
        v = f(float(z[0]), float(z[1]))
        return -v if np.isfinite(v) else 1e300

    with np.errstate(all="ignore"):
        for s in starts:
            x0 = np.clip(np.asarray(s, dtype=float), [b[0] for b in box], [b[1] for b in box])
            res = optimize.minimize(neg, x0, method="L-BFGS-B", bounds=box,
                                    options={"ftol": tol, "gtol": 1e-8, "maxiter": maxiter})
            nfev += int(res.nfev)
            messages.append(str(res.message))
            if np.isfinite(res.fun) and res.fun < 1e299 and (best is None or res.fun < best.fun):
                best = res
    if best is None:
        raise NonConvergenceError(f"optimisation of ({', '.join(names)}) failed: {messages}")
    x = np.asarray(best.x, dtype=float)
    at = False
    for xi, bd, nm in zip(x, bounds, names):
        at = check_bound(float(xi), bd, name=nm, bound_tol=bound_tol, on_bound=on_bound) or at
    return {"x": x, "fun": float(-best.fun), "nfev": nfev, "success": bool(best.success), "at_bound": at,
            "bounds": [tuple(map(float, b)) for b in bounds], "optimiser": "L-BFGS-B",
            "message": str(best.message)}


def _local_quadratic(points: dict, guide: Callable[[float], float], centre: float):
    """Least-squares polynomial (degree <= 2) of ``c = exact - guide`` through the 3 known points
    nearest ``centre``; returns a callable."""
    xs = np.array(sorted(points, key=lambda x: abs(x - centre))[:3])
    cs = np.array([points[x] - guide(float(x)) for x in xs])
    scale = max(float(np.max(np.abs(xs - centre))), 1e-6)
    coef = np.polyfit((xs - centre) / scale, cs, min(len(xs) - 1, 2))
    return lambda x: float(np.polyval(coef, (x - centre) / scale))


def maximise_2d_guided(without: Callable[[float, float], float], exact: Callable[[float], float],
                       guide: Callable[[float], float], bounds: Sequence[Sequence[float]],
                       starts: Sequence[Sequence[float]], *, known: Sequence[float] = (),
                       names=("rho", "lambda"), tol: float = 1e-8, eps: float = 1e-7, bound_tol: float = 1e-4,
                       on_bound: str = "warn", max_exact: int = 12) -> dict | None:
    """Maximise ``f(a, b) = without(a, b) + exact(a) + exact(b)`` (SAC) with a cheap guide for ``exact``.

    Both spatial parameters enter through the same log-determinant ``exact``, whose error against the
    cheap ``guide`` is a smooth function of one variable. Each step maximises
    ``without + (guide + c_hat)(a) + (guide + c_hat)(b)`` (cheap; L-BFGS-B, then Nelder-Mead), where
    ``c_hat`` are quadratics of ``exact - guide`` fitted through the known exact values nearest ``a``
    and ``b``; then ``exact`` is evaluated at the new point. The search stops when two successive
    points differ by less than ``max(tol, 1e-7)`` in each coordinate. The answer is the iterate with the
    largest exact ``f``. Returns None when the steps do not settle within ``max_exact`` iterations
    (the caller then runs the plain search).

    Examples
    --------
    >>> ex = lambda x: np.log1p(-0.5 * x) + 0.01 * x ** 3
    >>> gd = lambda x: np.log1p(-0.5 * x)
    >>> wo = lambda a, b: -50 * (a - 0.3) ** 2 - 50 * (b + 0.2) ** 2 - 10 * (a - 0.3) * (b + 0.2)
    >>> r = maximise_2d_guided(wo, ex, gd, [(-1, 1), (-1, 1)], [(0.0, 0.0)], known=[0.0, 0.1, -0.1])
    >>> ref = maximise_2d(lambda a, b: wo(a, b) + ex(a) + ex(b), [(-1, 1), (-1, 1)], [(0.0, 0.0)])
    >>> bool(np.allclose(r["x"], ref["x"], atol=1e-6))
    True
    """
    _validate_on_bound(on_bound)
    box = [_interior(bd, eps) for bd in bounds]
    lo = np.array([b[0] for b in box])
    hi = np.array([b[1] for b in box])
    tol_x = max(tol, 1e-7)
    pts: dict = {}

    def ex(x: float) -> float:
        x = float(x)
        if x not in pts:
            pts[x] = float(exact(x))
        return pts[x]

    def f(z) -> float:
        return float(without(float(z[0]), float(z[1])) + ex(z[0]) + ex(z[1]))

    with np.errstate(all="ignore"):
        for x in known:
            ex(x)
        cand = [np.clip(np.asarray(s, dtype=float), lo, hi) for s in starts]
        for z in cand:
            ex(z[0])
            ex(z[1])
        if len(pts) < 2 or not all(np.isfinite(v) for v in pts.values()):
            return None
        evaluated = []
        cur = max(cand, key=f)
        nfev = 0
        for it in range(max_exact):
            ca = _local_quadratic(pts, guide, float(cur[0]))
            cb = _local_quadratic(pts, guide, float(cur[1]))

            def neg(z, ca=ca, cb=cb):
                a, b = float(z[0]), float(z[1])
                v = without(a, b) + guide(a) + ca(a) + guide(b) + cb(b)
                return -v if np.isfinite(v) else 1e300

            best = None
            for s in ([cur] + cand if it == 0 else [cur]):
                r = optimize.minimize(neg, s, method="L-BFGS-B", bounds=box, options={"ftol": 1e-15, "gtol": 1e-10})
                if best is None or r.fun < best.fun:
                    best = r
            nm = optimize.minimize(neg, best.x, method="Nelder-Mead", bounds=box,
                                   options={"xatol": 1e-11, "fatol": 1e-14, "maxiter": 4000})
            new = np.clip(nm.x if nm.fun <= best.fun else best.x, lo, hi)
            fn = f(new)
            nfev += 1
            evaluated.append((new.copy(), fn))
            if not np.isfinite(fn):
                return None
            if np.max(np.abs(new - cur)) <= tol_x:
                break
            cur = new
        else:
            return None
    x, fun = max(evaluated, key=lambda t: t[1])
    at = False
    for xi, bd, nm_ in zip(x, bounds, names):
        at = check_bound(float(xi), bd, name=nm_, bound_tol=bound_tol, on_bound=on_bound) or at
    return {"x": np.asarray(x, dtype=float), "fun": float(fun), "nfev": len(pts), "success": True, "at_bound": at,
            "bounds": [tuple(map(float, b)) for b in bounds], "optimiser": "guided exact search (2-D)",
            "iterations": nfev}
