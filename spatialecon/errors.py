"""Typed errors and warnings of spatialecon, all derived from one root.

Every error the package raises on purpose is a :class:`SpatialEconError`, so a
replication script can catch the package's own failures with one ``except``
clause and let programming errors through.

Examples
--------
>>> import spatialecon as se
>>> issubclass(se.errors.RegionMatchError, se.errors.SpatialEconError)
True
"""

from __future__ import annotations

__all__ = [
    "SpatialEconError",
    "OptionError",
    "RegionMatchError",
    "PanelError",
    "WeightsError",
    "EstimationError",
    "SingularDesignError",
    "NonConvergenceError",
    "ParameterBoundError",
    "DataError",
    "SpatialEconWarning",
    "IslandWarning",
    "DisconnectedWarning",
    "BoundaryWarning",
    "ApproximationWarning",
    "DataWarning",
]


class SpatialEconError(Exception):
    """Root of every error raised by spatialecon."""


class OptionError(SpatialEconError, ValueError):
    """An option (keyword argument) takes a value outside its documented set."""


class DataError(SpatialEconError, ValueError):
    """Input data are malformed: NaNs, non-numeric values, wrong shapes."""


class RegionMatchError(SpatialEconError, KeyError):
    """Region labels could not be matched to the registry (or are ambiguous).

    Attributes
    ----------
    unmatched : dict
        Maps each unmatched label to a list of close suggestions.
    """

    def __init__(self, message: str, unmatched: dict | None = None):
        super().__init__(message)
        self.unmatched = dict(unmatched or {})

    def __str__(self) -> str:  # KeyError would repr() the message
        return str(self.args[0]) if self.args else ""


class PanelError(SpatialEconError, ValueError):
    """A panel is not valid for the requested operation (duplicates, gaps, ...)."""


class WeightsError(SpatialEconError, ValueError):
    """A spatial weights object is invalid or does not match the data."""


class EstimationError(SpatialEconError, RuntimeError):
    """Estimation cannot proceed or failed."""


class SingularDesignError(EstimationError):
    """The design matrix is rank deficient (collinear regressors)."""


class NonConvergenceError(EstimationError):
    """The optimiser did not converge."""


class ParameterBoundError(EstimationError):
    """A spatial parameter sits on (or outside) its admissible bound."""


class SpatialEconWarning(UserWarning):
    """Root of every warning issued by spatialecon."""


class IslandWarning(SpatialEconWarning):
    """Some units have no neighbours."""


class DisconnectedWarning(SpatialEconWarning):
    """The weights graph has several connected components."""


class BoundaryWarning(SpatialEconWarning):
    """An estimate lies on (or very near) the boundary of its parameter space."""


class ApproximationWarning(SpatialEconWarning):
    """An approximation (e.g. of a log-determinant or trace) may be inaccurate."""


class DataWarning(SpatialEconWarning):
    """Data issues worth knowing (vintage breaks, back-cast values, coverage)."""
