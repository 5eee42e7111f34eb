"""The model classes: OLS, SLX, SAR, SEM, SDM, SDEM, SAC.

All share :class:`~spatialecon.models.base.SpatialModel` (validation, design,
the one ML core). Equations and conventions: ``docs/models.md``.

Examples
--------
>>> import numpy as np, pandas as pd
>>> from libpysal.graph import Graph
>>> from libpysal.weights import lat2W
>>> w = Graph.from_W(lat2W(5, 5)).transform("r")
>>> rng = np.random.default_rng(0)
>>> X = pd.DataFrame({"x": rng.normal(size=25)}, index=w.unique_ids)
>>> y = pd.Series(1 + 2 * X["x"] + rng.normal(size=25), index=w.unique_ids)
>>> SAR(y, X, w).fit().params.index.tolist()
['const', 'x', 'rho']
"""

from __future__ import annotations

from .base import SpatialModel

__all__ = ["OLS", "SLX", "SAR", "SEM", "SDM", "SDEM", "SAC"]


class OLS(SpatialModel):
    """Linear regression ``y = X b + e`` (no spatial terms; ``w`` optional).

    ``sigma2`` is the ML estimate SSE/n (comparable with the spatial models);
    standard errors use SSE/(n - k) as R ``lm`` (``info["sigma2_unbiased"]``).
    ``w`` may be given so that the result carries W for diagnostics.

    Examples
    --------
    >>> import pandas as pd
    >>> y = pd.Series([1.0, 2.1, 2.9, 4.2], index=list("abcd"))
    >>> X = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0]}, index=y.index)
    >>> round(float(OLS(y, X).fit().params["x"]), 6)
    1.04
    """

    kind = "ols"
    name = "OLS"


class SLX(SpatialModel):
    """Spatial lag of X: ``y = X b + W X t + e`` (least squares, classical SEs as R ``lmSLX``).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from libpysal.graph import Graph
    >>> from libpysal.weights import lat2W
    >>> w = Graph.from_W(lat2W(4, 4)).transform("r")
    >>> X = pd.DataFrame({"x": np.arange(16.0) % 5}, index=w.unique_ids)
    >>> y = pd.Series(np.arange(16.0) % 7, index=w.unique_ids)
    >>> SLX(y, X, w).fit().params.index.tolist()
    ['const', 'x', 'W_x']
    """

    kind = "slx"
    name = "SLX"
    default_durbin = True


class SAR(SpatialModel):
    """Spatial lag model ``y = rho W y + X b + e`` (ML).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from libpysal.graph import Graph
    >>> from libpysal.weights import lat2W
    >>> w = Graph.from_W(lat2W(5, 5)).transform("r")
    >>> rng = np.random.default_rng(1)
    >>> X = pd.DataFrame({"x": rng.normal(size=25)}, index=w.unique_ids)
    >>> y = pd.Series(rng.normal(size=25), index=w.unique_ids)
    >>> r = SAR(y, X, w).fit(logdet="lu")
    >>> r.logdet_method
    'lu'
    """

    kind = "sar"
    name = "SAR"


class SEM(SpatialModel):
    """Spatial error model ``y = X b + u, u = lambda W u + e`` (ML).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from libpysal.graph import Graph
    >>> from libpysal.weights import lat2W
    >>> w = Graph.from_W(lat2W(5, 5)).transform("r")
    >>> rng = np.random.default_rng(2)
    >>> X = pd.DataFrame({"x": rng.normal(size=25)}, index=w.unique_ids)
    >>> y = pd.Series(rng.normal(size=25), index=w.unique_ids)
    >>> SEM(y, X, w).fit().params.index.tolist()
    ['const', 'x', 'lambda']
    """

    kind = "sem"
    name = "SEM"


class SDM(SpatialModel):
    """Spatial Durbin model ``y = rho W y + X b + W X t + e`` (ML; ``durbin=True`` by default).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from libpysal.graph import Graph
    >>> from libpysal.weights import lat2W
    >>> w = Graph.from_W(lat2W(5, 5)).transform("r")
    >>> rng = np.random.default_rng(3)
    >>> X = pd.DataFrame({"x": rng.normal(size=25)}, index=w.unique_ids)
    >>> y = pd.Series(rng.normal(size=25), index=w.unique_ids)
    >>> SDM(y, X, w).fit().params.index.tolist()
    ['const', 'x', 'W_x', 'rho']
    """

    kind = "sdm"
    name = "SDM"
    default_durbin = True


class SDEM(SpatialModel):
    """Spatial Durbin error model ``y = X b + W X t + u, u = lambda W u + e`` (ML).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from libpysal.graph import Graph
    >>> from libpysal.weights import lat2W
    >>> w = Graph.from_W(lat2W(5, 5)).transform("r")
    >>> rng = np.random.default_rng(4)
    >>> X = pd.DataFrame({"x": rng.normal(size=25)}, index=w.unique_ids)
    >>> y = pd.Series(rng.normal(size=25), index=w.unique_ids)
    >>> SDEM(y, X, w).fit().params.index.tolist()
    ['const', 'x', 'W_x', 'lambda']
    """

    kind = "sdem"
    name = "SDEM"
    default_durbin = True


class SAC(SpatialModel):
    """SARAR model ``y = rho W y + X b + u, u = lambda W u + e`` (ML over (rho, lambda)).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from libpysal.graph import Graph
    >>> from libpysal.weights import lat2W
    >>> w = Graph.from_W(lat2W(6, 6)).transform("r")
    >>> rng = np.random.default_rng(5)
    >>> X = pd.DataFrame({"x": rng.normal(size=36)}, index=w.unique_ids)
    >>> y = pd.Series(rng.normal(size=36), index=w.unique_ids)
    >>> SAC(y, X, w).fit(on_bound="ignore").params.index.tolist()
    ['const', 'x', 'rho', 'lambda']
    """

    kind = "sac"
    name = "SAC"
