"""Base results object shared by every model (cross-section and panel).

The contract here is what downstream code (diagnostics, impacts, spillovers,
convergence, report) relies on. Fields are set once by the estimation code and
never changed; derived quantities are cached properties.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy import stats

__all__ = ["ModelSpec", "TestResult", "SpatialResults"]

_LAG_KINDS = ("sar", "sdm", "sac")
_ERROR_KINDS = ("sem", "sdem", "sac")


@dataclass(frozen=True)
class ModelSpec:
    """What was estimated.

    Parameters
    ----------
    kind : {"ols", "slx", "sar", "sem", "sdm", "sdem", "sac"}
    exog_names : tuple of str
        Columns of X as given (including ``"const"`` when a constant is used).
    durbin_names : tuple of str
        Regressors ``x`` for which a spatial lag ``W_x`` is in the model.
    constant : bool
        Whether ``"const"`` is among ``exog_names``.
    effects : str or None
        Panel effects (``None`` for cross-section or pooled).
    lee_yu : bool
        Whether the Lee-Yu correction was applied.

    Examples
    --------
    >>> spec = ModelSpec(kind="sdm", exog_names=("const", "x"), durbin_names=("x",))
    >>> spec.has_lag, spec.has_error, spec.regressors
    (True, False, ('x',))
    """

    kind: str
    exog_names: tuple[str, ...]
    durbin_names: tuple[str, ...] = ()
    constant: bool = True
    effects: str | None = None
    lee_yu: bool = False

    @property
    def has_lag(self) -> bool:
        return self.kind in _LAG_KINDS

    @property
    def has_error(self) -> bool:
        return self.kind in _ERROR_KINDS

    @property
    def regressors(self) -> tuple[str, ...]:
        """Non-constant regressors (the variables impacts are computed for)."""
        return tuple(n for n in self.exog_names if n != "const")


@dataclass(frozen=True)
class TestResult:
    """A test statistic with its p-value.

    Examples
    --------
    >>> TestResult(stat=3.84, pvalue=0.05, df=1, null="rho = 0", name="LR").stat
    3.84
    """

    stat: float
    pvalue: float
    df: float | None = None
    null: str = ""
    name: str = ""
    distribution: str = "chi2"

    def __repr__(self) -> str:
        df = "" if self.df is None else f", df={self.df:g}"
        return f"TestResult({self.name}: stat={self.stat:.4f}, pvalue={self.pvalue:.4g}{df}; H0: {self.null})"


@dataclass(frozen=True, eq=False)
class SpatialResults:
    """Results of a fitted model.

    Core fields (set by the estimator): see the attribute list in
    ``docs/design.md``. ``params`` and ``cov`` are labelled with ``const``, the
    regressor names, ``W_<name>`` Durbin terms, ``rho`` and ``lambda``;
    ``sigma2`` is an attribute, not a parameter.

    Examples
    --------
    >>> import geopandas as gpd, libpysal
    >>> from libpysal.graph import Graph
    >>> import spatialecon as se
    >>> df = gpd.read_file(libpysal.examples.get_path("columbus.shp"))
    >>> df.index = df["POLYID"].astype(str)
    >>> w = Graph.build_contiguity(df, rook=False).transform("r")
    >>> res = se.SAR(df["CRIME"], df[["INC", "HOVAL"]], w).fit()
    >>> res.params.round(4)
    const    45.6032
    INC      -1.0487
    HOVAL    -0.2663
    rho       0.4233
    Name: params, dtype: float64
    >>> round(res.loglik, 3), res.logdet_method
    (-182.674, 'eigen')
    """

    model_name: str
    spec: ModelSpec
    params: pd.Series
    cov: pd.DataFrame
    sigma2: float
    loglik: float | None
    nobs: int
    y: pd.Series
    fitted: pd.Series
    resid: pd.Series
    exog: pd.DataFrame
    ids: pd.Index
    W: sp.csr_matrix | None
    n_periods: int = 1
    time_ids: pd.Index | None = None
    method: str = "ML"
    logdet_method: str | None = None
    options: dict = field(default_factory=dict)
    info: dict = field(default_factory=dict)
    version: str = ""

    # ---- derived ---------------------------------------------------------
    @property
    def rho(self) -> float:
        return float(self.params["rho"]) if "rho" in self.params.index else 0.0

    @property
    def lam(self) -> float:
        return float(self.params["lambda"]) if "lambda" in self.params.index else 0.0

    @property
    def n_regions(self) -> int:
        return len(self.ids)

    @cached_property
    def bse(self) -> pd.Series:
        return pd.Series(np.sqrt(np.clip(np.diag(self.cov.to_numpy()), 0, None)), index=self.params.index, name="bse")

    @cached_property
    def tvalues(self) -> pd.Series:
        return (self.params / self.bse).rename("z")

    @cached_property
    def pvalues(self) -> pd.Series:
        return pd.Series(2 * stats.norm.sf(np.abs(self.tvalues.to_numpy())), index=self.params.index, name="pvalue")

    def conf_int(self, level: float = 0.95) -> pd.DataFrame:
        """Wald confidence intervals (normal) at ``level``."""
        q = stats.norm.ppf(0.5 + level / 2)
        return pd.DataFrame({"lower": self.params - q * self.bse, "upper": self.params + q * self.bse})

    @property
    def k_params(self) -> int:
        """Parameters counted in AIC/BIC: ``params`` plus sigma2 (the R spatialreg convention).

        Random-effects panels also count the variance ratio phi = sigma_mu^2 / sigma_e^2.
        """
        return len(self.params) + 1 + (1 if self.spec.effects == "random" else 0)

    @property
    def aic(self) -> float:
        return -2.0 * self.loglik + 2.0 * self.k_params

    @property
    def bic(self) -> float:
        return -2.0 * self.loglik + np.log(self.nobs) * self.k_params

    # ---- methods implemented in sibling modules ---------------------------
    def summary(self, **kwargs):
        """Summary table object (``as_text``, ``as_latex``, ``as_html``, ``as_markdown``).

        See :func:`spatialecon.results.summary.summary` for the options.
        """
        from .summary import summary

        return summary(self, **kwargs)

    def impacts(self, **kwargs):
        """Direct, indirect and total impacts (LeSage-Pace) per regressor.

        See :func:`spatialecon.results.impacts.impacts` for the options.
        """
        from .impacts import impacts

        return impacts(self, **kwargs)

    def spillovers(self, **kwargs):
        """Region-specific spillovers from source regions (growth poles).

        See :func:`spatialecon.results.spillovers.spillovers` for the options.
        """
        from .spillovers import spillovers

        return spillovers(self, **kwargs)
