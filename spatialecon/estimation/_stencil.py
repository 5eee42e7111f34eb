"""Derivative traces ``tr(G) = -F'(rho)``, ``tr(GG) = -F''(rho)`` from difference stencils of exact
log-determinants ``F(rho) = log|I - rho W|`` (split from :mod:`.traces`, which uses them).

Three routes, in order of preference: the guided search's own first points (no factorisation),
the search's Chebyshev guide corrected by two exact factorisations, five-point differences of
exact values (four factorisations). See ``docs/scale.md``.

Examples
--------
>>> round(stencil_step(1.0, 0.5), 6)
0.0005
"""

from __future__ import annotations

import numpy as np

from ..errors import EstimationError

__all__ = ["stencil_step", "SHARED_STENCIL_RTOL"]


def stencil_step(radius: float, rho: float, bounds=None) -> float:
    """Step of the log-determinant difference stencil at ``rho``.

    ``1e-3`` of the distance to the nearest singular point, bounded below by
    ``1/radius - |rho|`` (radius bounds the spectral radius of W) and by the
    distance to the ends of ``bounds`` (an interval inside the admissible
    one), clipped to ``[1e-6, 1e-3]``.

    Examples
    --------
    >>> stencil_step(1.0, 0.5)
    0.0005
    """
    room = (1.0 / radius - abs(rho)) if radius > 0 else 1.0
    if bounds is not None:
        room = max(room, min(rho - float(bounds[0]), float(bounds[1]) - rho))
    return 1e-3 * float(np.clip(room, 1e-3, 1.0))


#: largest relative error estimate for which the search's stencil replaces two factorisations
SHARED_STENCIL_RTOL = 1e-5


def _rules(v: dict, h: float) -> tuple[float, float, float, float]:
    """First and second derivatives from values ``v[k]`` at ``x + k h``: five-point (needs
    ``k = -2..2``, else nan) and three-point rules, ``(d1_5, d2_5, d1_3, d2_3)``."""
    d1_3, d2_3 = (v[1] - v[-1]) / (2 * h), (v[1] - 2 * v[0] + v[-1]) / (h * h)
    if -2 not in v:
        return np.nan, np.nan, d1_3, d2_3
    d1 = (v[-2] - 8 * v[-1] + 8 * v[1] - v[2]) / (12 * h)
    d2 = (-v[-2] + 16 * v[-1] - 30 * v[0] + 16 * v[1] - v[2]) / (12 * h * h)
    return d1, d2, d1_3, d2_3


def _guide_at(guide, rho: float, h: float) -> dict | None:
    """The guide at ``rho + k h``, ``k = -2..2`` (None if not finite there)."""
    with np.errstate(all="ignore"):
        g = {k: float(guide(rho + k * h)) for k in (-2, -1, 0, 1, 2)}
    return g if all(np.isfinite(v) for v in g.values()) else None


def _shared_stencil(rho, f_rho, h, known, guide, rounding):
    """Derivatives from the search's own stencil ``known = ((x0 - h, f), (x0, f), (x0 + h, f))``.

    The correction ``c = F - guide`` is interpolated by the cubic through
    ``x0 - h, x0, x0 + h`` and rho itself (where ``f_rho``, the exact value, is
    known too) and differentiated at rho; for ``|rho - x0| < 1e-3 h`` the
    quadratic through the first three (the cubic term's share is then below
    rounding). Truncation errors ``~h^2 |c^(3)| / 6`` and ``~h^2 |c^(4)| / 12``
    are bounded with ``|c^(k)| <= |F^(k)| + |guide^(k)| ~ 2 |guide^(k)|``, each
    guide term estimated by the distance between its three- and five-point
    rules; rounding is added.
    """
    (xm, fm), (x0, f0), (xp, fp) = known
    delta = rho - x0
    g = _guide_at(guide, rho, h)
    with np.errstate(all="ignore"):
        gc = [float(guide(x)) for x in (xm, x0, xp)]
    if g is None or not all(np.isfinite(v) for v in gc):
        return None
    cm, c0, cp = fm - gc[0], f0 - gc[1], fp - gc[2]
    a, b = (cp - cm) / (2 * h), (cp - 2 * c0 + cm) / (2 * h * h)  # c(x0 + u) ~ c0 + a u + b u^2
    k3 = 0.0  # + k3 u (u - h) (u + h) through the fourth point (rho, f_rho)
    if abs(delta) >= 1e-3 * h:
        resid = (f_rho - g[0]) - (c0 + a * delta + b * delta**2)
        k3 = resid / (delta * (delta**2 - h**2))
    g1, g2, g1_3, g2_3 = _rules(g, h)
    d1 = g1 + a + 2 * b * delta + k3 * (3 * delta**2 - h**2)
    d2 = g2 + 2 * b + 6 * k3 * delta
    near = 2 * rounding / max(abs(delta), 1e-3 * h)  # the cubic term's rounding in the slope
    err = {"tr_G": 2 * abs(g1 - g1_3) + 4 * rounding / h + near,
           "tr_GG": 2 * abs(g2 - g2_3) + 8 * rounding / h**2}
    return {"tr_G": -d1, "tr_GG": -d2}, err


def _derivative_traces(ld, rho: float, f0: float, bounds=None, guide=None, known=None) -> tuple[dict, dict, str]:
    """``tr(G) = -F'(rho)`` and ``tr(GG) = -F''(rho)`` of ``F = log|I - rho W|``.

    Five-point central differences of exact sparse-LU log-determinants
    (truncation error O(h^4)); the error estimate returned is the distance to
    the three-point rule (O(h^2), so conservative) plus a rounding bound.

    With a cheap smooth approximation ``guide`` of F (the Chebyshev guide of
    the search), two exact factorisations suffice: ``F = guide + c``, with the
    derivatives of ``guide`` by five-point differences (no factorisation) and
    those of the small, smooth correction ``c = F - guide`` by three-point
    differences of exact values. The truncation error of the second
    derivative, ``h^2 c^(4) / 12``, is at most ``h^2 (|F^(4)| + |guide^(4)|) / 12``;
    the returned error is that bound (each term estimated by the distance
    between the three- and five-point rules of F and of the guide) plus
    rounding, as conservative as the plain rule's.

    ``known``, the exact log-determinants at ``x0 - h, x0, x0 + h`` that the
    guided search evaluated first (with ``h`` this function's step at
    ``x0``), replaces those two factorisations when ``|rho - x0| <= h``: the
    cubic through the corrections at these three points and at rho (where F
    is known exactly too) is differentiated at rho (``_shared_stencil``); the
    result is kept when both error estimates are below
    ``SHARED_STENCIL_RTOL`` (1e-5) relative, else the two-factorisation route
    is taken.
    The step is 1e-3 of the distance to the nearest singular point, bounded
    below by ``1/s - |rho|`` (s bounds the spectral radius) and by the distance
    to the ends of ``bounds`` (an interval inside the admissible one), which
    is what keeps the step large for ``rho < -1/s`` (e.g. rho < -1 with a
    row-standardised W, found after the retry on the exact interval).
    """
    n = ld.n
    h = stencil_step(ld.radius, rho, bounds)
    rounding = 64 * np.finfo(float).eps * (abs(f0) + n)
    if guide is not None and known is not None:
        hk = known[2][0] - known[1][0]
        if hk > 0 and abs(rho - known[1][0]) <= hk:
            out = _shared_stencil(rho, float(f0), hk, known, guide, rounding)
            # kept only when its error estimate is small (else two new factorisations below)
            if out is not None and all(out[1][k] <= SHARED_STENCIL_RTOL * abs(out[0][k]) for k in out[0]):
                return out[0], out[1], "search stencil, no factorisation"
    g = _guide_at(guide, rho, h) if guide is not None else None
    f = {0: float(f0)}
    for k in ((-1, 1) if g is not None else (-2, -1, 1, 2)):
        f[k] = ld(rho + k * h)
        if not np.isfinite(f[k]):
            raise EstimationError(f"I - rho W is singular near rho={rho}.")
    d1, d2, d1_3, d2_3 = _rules(f, h)
    if g is None:
        err = {"tr_G": abs(d1 - d1_3) + rounding / h, "tr_GG": abs(d2 - d2_3) + rounding / h**2}
        return {"tr_G": -d1, "tr_GG": -d2}, err, "five-point, four factorisations"
    g1, g2, g1_3, g2_3 = _rules(g, h)
    # the guide's five-point derivatives plus the three-point derivatives of the correction F - guide
    d1, d2 = g1 + d1_3 - g1_3, g2 + d2_3 - g2_3
    err = {"tr_G": abs(d1 - d1_3) + abs(g1 - g1_3) + 2 * rounding / h,
           "tr_GG": abs(d2 - d2_3) + abs(g2 - g2_3) + 2 * rounding / h**2}
    return {"tr_G": -d1, "tr_GG": -d2}, err, "guide + two factorisations"
