"""Formula parsing (formulaic) into labelled ``y`` and ``X``.

``"y ~ a + b"`` gives the response Series and the regressor DataFrame on the
data's index (rows are never dropped: missing values raise
:class:`~spatialecon.errors.DataError`). The intercept is not a column of the
returned X; it is reported as the ``constant`` flag (``"y ~ a - 1"`` or
``"y ~ 0 + a"`` give ``constant=False``) and the models add ``const``.

Examples
--------
>>> import pandas as pd
>>> df = pd.DataFrame({"y": [1.0, 2, 4], "a": [1.0, 3, 2]}, index=["p", "q", "r"])
>>> y, X, const = parse_formula("y ~ a", df)
>>> list(X.columns), const, list(y.index)
(['a'], True, ['p', 'q', 'r'])
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .errors import DataError

__all__ = ["parse_formula", "durbin_names"]


def parse_formula(formula: str, data: pd.DataFrame) -> tuple[pd.Series, pd.DataFrame, bool]:
    """Parse ``formula`` against ``data``.

    Parameters
    ----------
    formula : str
        Wilkinson formula with a left-hand side, e.g. ``"g ~ lny0 + inv"``;
        transformations (``np.log(x)``) and categoricals (``C(x)``) are
        evaluated by formulaic.
    data : pandas.DataFrame

    Returns
    -------
    y : pandas.Series
        Named after the left-hand side.
    X : pandas.DataFrame
        Regressors without the intercept, on ``data.index``.
    constant : bool
        Whether the formula has an intercept.

    Raises
    ------
    DataError
        Missing values, no left-hand side, or a term formulaic cannot evaluate.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"y": [1.0, 2, 4, 3], "a": [1.0, 3, 2, 5]})
    >>> parse_formula("y ~ np.log(a) - 1", df)[1].columns.tolist()
    ['np.log(a)']
    """
    import formulaic
    from formulaic.errors import FormulaicError

    if not isinstance(data, pd.DataFrame):
        raise DataError(f"data must be a pandas DataFrame, got {type(data).__name__}.")
    if "~" not in formula:
        raise DataError(f"formula {formula!r} has no left-hand side ('y ~ x').")
    try:
        mm = formulaic.model_matrix(formula, data, na_action="raise", ensure_full_rank=True)
    except (FormulaicError, ValueError, KeyError, NameError, TypeError, SyntaxError) as exc:
        raise DataError(f"cannot evaluate formula {formula!r}: {exc}") from exc
    lhs, rhs = pd.DataFrame(mm.lhs), pd.DataFrame(mm.rhs)
    if lhs.shape[1] != 1:
        raise DataError(f"formula {formula!r} must have exactly one response, got {list(lhs.columns)}.")
    y = lhs.iloc[:, 0].astype(float)
    y.name = str(lhs.columns[0])
    constant = "Intercept" in rhs.columns
    X = rhs.drop(columns=["Intercept"], errors="ignore").astype(float)
    X.columns = [str(c) for c in X.columns]
    y.index = data.index
    X.index = data.index
    return y, X, constant


def durbin_names(durbin, regressors) -> tuple[str, ...]:
    """Resolve the ``durbin=`` option into the regressors that get a ``W_<x>`` term.

    Parameters
    ----------
    durbin : bool or sequence of str
        ``True``: every non-constant regressor; ``False``: none; a list: those.
    regressors : sequence of str
        Non-constant regressor names, in order.

    Raises
    ------
    DataError
        If a listed name is not a regressor.

    Examples
    --------
    >>> durbin_names(True, ["a", "b"]), durbin_names(["b"], ["a", "b"]), durbin_names(False, ["a"])
    (('a', 'b'), ('b',), ())
    """
    regs = [str(r) for r in regressors if str(r) != "const"]
    if durbin is True:
        return tuple(regs)
    if durbin is False or durbin is None:
        return ()
    if isinstance(durbin, str):
        durbin = [durbin]
    names = [str(d) for d in np.atleast_1d(np.asarray(list(durbin), dtype=object))]
    bad = [d for d in names if d not in regs]
    if bad:
        raise DataError(f"durbin names {bad} are not regressors; regressors are {regs}.")
    return tuple(r for r in regs if r in names)
