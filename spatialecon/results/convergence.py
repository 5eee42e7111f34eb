"""Convergence analysis: beta-convergence (plain, conditional, spatial, panel) and sigma-convergence.

This module is the public facade; the computations live in :mod:`.sigma` and
:mod:`.beta`.

Examples
--------
>>> from spatialecon.results.convergence import sigma_convergence
>>> callable(sigma_convergence)
True
"""

from __future__ import annotations

from .sigma import TrendTest, moran_by_year, sigma_convergence, sigma_trend

__all__ = ["sigma_convergence", "sigma_trend", "moran_by_year", "TrendTest", "beta_convergence"]


def __getattr__(name):
    if name in ("beta_convergence", "BetaConvergenceResult"):
        from . import beta

        return getattr(beta, name)
    raise AttributeError(name)
