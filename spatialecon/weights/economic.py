"""Economic-distance and nested (geographic x economic) weights.

Economic distance
-----------------
``w_ij = 1 / |x_i - x_j|`` for ``i != j`` on a user-chosen indicator ``x``
(typically the period mean of GDP per capita), so regions with similar levels
weigh more. Weights of this form go back to Case, Rosen & Hines (1993,
"Budget spillovers and fiscal policy interdependence", *J. Public Economics*
52(3), 285-307), who weighted US states by the inverse of per-capita income
differences; in Chinese provincial convergence studies they were popularised by
Lin, Long & Wu (林光平, 龙志和, 吴梅 2005, 经济学(季刊) 4(增刊)), using the
mean real GDP per capita over the sample period.

Tie guard: identical values would give an infinite weight. By default
(``min_diff=None``) ties raise :class:`WeightsError` naming the pairs; with
``min_diff=d`` every absolute difference is floored at ``d`` before inverting
(``w_ij = 1 / max(|x_i - x_j|, d)``), which caps each weight at ``1/d``.

Nested weights
--------------
:func:`nested` multiplies a geographic and an economic W element by element
(``w_ij = g_ij * e_ij``) and renormalises. This element-wise product is one of
several "economic-geographic nested" matrices in the Chinese applied literature
(others post-multiply a distance W by ``diag(xbar_i / xbar)``, which is not
implemented here). Under row normalisation the result does not depend on
whether the inputs were row-normalised (row scalings cancel).

Examples
--------
>>> import pandas as pd
>>> from spatialecon.weights import economic_distance
>>> x = pd.Series([1.0, 2.0, 4.0], index=["a", "b", "c"])
>>> economic_distance(x, transform="none").sparse.toarray().round(3).tolist()
[[0.0, 1.0, 0.333], [1.0, 0.0, 0.5], [0.333, 0.5, 0.0]]
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp
from libpysal.graph import Graph

from ..errors import WeightsError
from .builders import graph_from_sparse
from .normalise import normalise

__all__ = ["economic_distance", "nested"]


def economic_distance(values: pd.Series, *, min_diff: float | None = None,
                      transform: str = "row") -> Graph:
    """Economic-distance weights ``w_ij = 1/|x_i - x_j|`` (see module docstring for the tie guard).

    Parameters
    ----------
    values : pandas.Series
        Indicator indexed by region code (e.g. mean GDP per capita per province).
    min_diff : float, optional
        Floor for ``|x_i - x_j|``; ``None`` raises on exact ties.
    transform : {"row", "spectral", "minmax", "none"}, default "row"

    Examples
    --------
    >>> import pandas as pd
    >>> w = economic_distance(pd.Series([1.0, 2.0, 4.0], index=["a", "b", "c"]))
    >>> round(float(w["a"]["b"]), 4)
    0.75
    """
    if isinstance(values, pd.DataFrame):
        if values.shape[1] != 1:
            raise WeightsError("economic_distance needs one indicator (a Series), "
                               f"got a DataFrame with columns {list(values.columns)}")
        values = values.iloc[:, 0]
    if not isinstance(values, pd.Series):
        raise WeightsError("values must be a pandas Series indexed by region code")
    if values.index.has_duplicates:
        raise WeightsError(f"duplicate ids in values: {list(values.index[values.index.duplicated()].unique())}")
    try:
        x = pd.to_numeric(values, errors="raise").to_numpy(dtype=float)
    except (TypeError, ValueError) as exc:
        raise WeightsError(f"values must be numeric: {exc}") from exc
    bad = ~np.isfinite(x)
    if bad.any():
        raise WeightsError(f"values are missing/non-finite for ids {list(values.index[bad])}")
    if len(x) < 2:
        raise WeightsError("economic_distance needs at least two regions")
    diff = np.abs(x[:, None] - x[None, :])
    off = ~np.eye(len(x), dtype=bool)
    if min_diff is None:
        ties = np.argwhere((diff == 0) & off)
        if len(ties):
            pairs = sorted({tuple(sorted((str(values.index[i]), str(values.index[j])))) for i, j in ties})
            raise WeightsError(f"tied values give infinite economic-distance weights for pairs {pairs}; "
                               "pass min_diff= to floor the differences")
    else:
        if not np.isfinite(min_diff) or min_diff <= 0:
            raise WeightsError(f"min_diff must be positive, got {min_diff!r}")
        diff = np.maximum(diff, float(min_diff))
    w = np.zeros_like(diff)
    w[off] = 1.0 / diff[off]
    return graph_from_sparse(w, values.index, transform=transform)


def nested(w_geo: Graph, w_econ: Graph, *, transform: str = "row") -> Graph:
    """Element-wise product of a geographic and an economic W, renormalised.

    The ids of ``w_econ`` are aligned to those of ``w_geo`` by label (never by
    position); the sets must be equal.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from spatialecon.weights import from_matrix, economic_distance
    >>> g = from_matrix(np.array([[0, 1, 1], [1, 0, 0], [1, 0, 0.]]), ids=["a", "b", "c"])
    >>> e = economic_distance(pd.Series([1.0, 2.0, 4.0], index=["a", "b", "c"]))
    >>> nested(g, e).sparse.toarray().round(3).tolist()
    [[0.0, 0.75, 0.25], [1.0, 0.0, 0.0], [1.0, 0.0, 0.0]]
    """
    from .properties import align

    for name, w in (("w_geo", w_geo), ("w_econ", w_econ)):
        if not isinstance(w, Graph):
            raise WeightsError(f"{name} must be a libpysal Graph, got {type(w).__name__}")
    ids = w_geo.unique_ids
    g = align(w_geo, ids)
    e = align(w_econ, ids)
    prod = sp.csr_matrix(g.multiply(e))
    prod.eliminate_zeros()
    out = graph_from_sparse(prod, ids, transform="none")
    return normalise(out, transform)
