"""spatialecon: spatial econometrics of regional development.

Panels of regions, spatial weights on libpysal's ``Graph``, spatial
maximum-likelihood models (cross-section and panel) on one estimation core,
convergence and inequality measures, and spillovers from growth-pole regions.

Public names are loaded lazily so that ``import spatialecon`` stays cheap.

Examples
--------
>>> import spatialecon as se
>>> se.__version__
'0.1.0'
"""

from __future__ import annotations

import importlib

from . import errors

__version__ = "0.1.0"

# public name -> (module, attribute or None for the module itself)
_LAZY = {
    "regions": ("spatialecon.regions", None),
    "datasets": ("spatialecon.datasets", None),
    "weights": ("spatialecon.weights", None),
    "geo": ("spatialecon.geo", None),
    "diagnostics": ("spatialecon.results.diagnostics", None),
    "report": ("spatialecon.report", None),
    "build_panel": ("spatialecon.data", "build_panel"),
    "RegionalPanel": ("spatialecon.data", "RegionalPanel"),
    "OLS": ("spatialecon.models", "OLS"),
    "SLX": ("spatialecon.models", "SLX"),
    "SAR": ("spatialecon.models", "SAR"),
    "SEM": ("spatialecon.models", "SEM"),
    "SDM": ("spatialecon.models", "SDM"),
    "SDEM": ("spatialecon.models", "SDEM"),
    "SAC": ("spatialecon.models", "SAC"),
    "beta_convergence": ("spatialecon.results.convergence", "beta_convergence"),
    "sigma_convergence": ("spatialecon.results.convergence", "sigma_convergence"),
    "moran_by_year": ("spatialecon.results.convergence", "moran_by_year"),
    "club_convergence": ("spatialecon.results.clubs", "club_convergence"),
    "theil": ("spatialecon.results.inequality", "theil"),
    "gini": ("spatialecon.results.inequality", "gini"),
    "compare": ("spatialecon.report.compare", "compare"),
}

__all__ = ["__version__", "errors", *sorted(_LAZY)]


def __getattr__(name: str):
    try:
        module_name, attr = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'spatialecon' has no attribute {name!r}") from None
    module = importlib.import_module(module_name)
    value = module if attr is None else getattr(module, attr)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_LAZY))
