"""Bounded maximisation of the concentrated likelihoods.

* 1-D (rho or lambda): a coarse grid over the admissible interval first (to
  avoid local optima), then Brent's bounded search
  (``scipy.optimize.minimize_scalar(method="bounded")``) in the bracket
  around the best grid point.
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

__all__ = ["maximise_scalar", "maximise_2d", "check_bound", "ON_BOUND"]

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
