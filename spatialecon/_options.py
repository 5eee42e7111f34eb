"""Option names accepted by spatialecon and the one validator that checks them.

Each option set is a ``typing.Literal``; :func:`validate` checks a value against
it and raises :class:`~spatialecon.errors.OptionError` naming the argument and
listing the valid values.

Examples
--------
>>> from spatialecon._options import validate, LogDetMethod
>>> validate("logdet", "eigen", LogDetMethod)
'eigen'
"""

from __future__ import annotations

import typing
from typing import Literal

from .errors import OptionError

LogDetMethod = Literal["auto", "eigen", "lu", "cholesky", "chebyshev", "mc"]
TraceMethod = Literal["auto", "exact", "stochastic", "series"]
Effects = Literal["region", "time", "twoways", "random"]
# random-effects spatial error panel: Kapoor-Kelejian-Prucha (filter on mu too) or Baltagi-Song-Koh (2003)
RandomError = Literal["kkp", "baltagi"]
Normalisation = Literal["row", "spectral", "minmax", "none"]
IslandRule = Literal["raise", "nearest", "keep"]
ImpactMethod = Literal["simulation", "delta", "none"]
ModelKind = Literal["ols", "slx", "sar", "sem", "sdm", "sdem", "sac"]
ConvergenceModel = Literal["OLS", "SAR", "SEM", "SDM", "SDEM"]
TableFormat = Literal["text", "latex", "html", "markdown"]
Lang = Literal["en", "zh"]


def valid_values(option_type) -> tuple:
    """Return the tuple of valid values of a ``Literal`` option type."""
    return typing.get_args(option_type)


def validate(name: str, value, option_type, *, allow_none: bool = False):
    """Check that ``value`` is one of the values of ``option_type``.

    Parameters
    ----------
    name : str
        Name of the argument, used in the error message.
    value : object
        The value given by the user.
    option_type : typing.Literal
        The option set.
    allow_none : bool, default False
        Whether ``None`` is also accepted.

    Returns
    -------
    object
        ``value`` unchanged.

    Raises
    ------
    OptionError
        If ``value`` is not valid; the message lists the valid values.

    Examples
    --------
    >>> validate("effects", None, Effects, allow_none=True) is None
    True
    """
    if value is None and allow_none:
        return value
    allowed = valid_values(option_type)
    if value not in allowed:
        shown = ", ".join(repr(v) for v in allowed)
        extra = " or None" if allow_none else ""
        raise OptionError(f"{name}={value!r} is not valid; choose one of {shown}{extra}.")
    return value
ImpactComputation = Literal["auto", "exact", "traces"]
CompareStat = Literal["se", "t", "p"]
MatchErrors = Literal["raise", "coerce"]
RegionLang = Literal["en", "zh", "zh_short", "pinyin"]
CovType = Literal["analytic", "hessian"]
BalanceHow = Literal["drop_regions", "drop_years", "intersect"]
RelativeTo = Literal["national", "sample_mean"]
MissingRule = Literal["raise", "skip"]
