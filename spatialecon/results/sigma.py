"""Sigma-convergence and the spatial distribution by year.

Conventions (stated because papers differ):

* ``sd_log`` is the cross-sectional standard deviation of ln(y) with ``ddof=0``:
  the regions are the whole population of interest, not a sample.  ``sd_log_ddof1``
  is given as well, because part of the literature uses it.
* ``cv`` is the unweighted coefficient of variation sd(y)/mean(y) (``ddof=0``).
* ``cv_weighted`` is Williamson's (1965) population-weighted coefficient of
  variation sqrt(sum_i p_i (y_i - ybar)^2) / ybar with p_i population shares and
  ybar = sum_i p_i y_i (the population-weighted mean).
* ``max_min`` is max(y) / min(y).

Examples
--------
>>> import pandas as pd
>>> idx = pd.MultiIndex.from_product([["a", "b"], [2000, 2001]], names=["code", "year"])
>>> df = pd.DataFrame({"y": [1.0, 2.0, 4.0, 4.0]}, index=idx)
>>> round(sigma_convergence(df, "y").loc[2001, "max_min"], 6)
2.0
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._panelvalues import check_missing, require_positive, wide
from dataclasses import dataclass

__all__ = ["sigma_convergence", "sigma_trend", "moran_by_year", "TrendTest"]


@dataclass(frozen=True)
class TrendTest:
    """Linear trend of a dispersion series: slope per year, HAC standard error, z and p.

    Examples
    --------
    >>> from spatialecon.results.sigma import TrendTest
    >>> TrendTest(slope=-0.01, se=0.002, stat=-5.0, pvalue=5.7e-07, maxlags=2, column="sd_log").slope
    -0.01
    """

    slope: float
    se: float
    stat: float
    pvalue: float
    maxlags: int
    column: str
    null: str = "no linear trend"


def sigma_convergence(panel, variable: str, population: str | None = None, *, missing: str = "raise") -> pd.DataFrame:
    """Dispersion of ``variable`` across regions, by year.

    Parameters
    ----------
    panel : DataFrame or RegionalPanel
        (region, year) MultiIndex.
    variable : str
        Positive variable (e.g. GDP per capita).
    population : str, optional
        Population column for the Williamson weighted CV.
    missing : {"raise", "drop"}
        ``"drop"`` uses the regions with values in each year; ``n`` reports how many.

    Returns
    -------
    DataFrame
        Indexed by year: ``n``, ``mean``, ``sd_log``, ``sd_log_ddof1``, ``cv``,
        ``max_min`` and, with population, ``cv_weighted``.

    Examples
    --------
    >>> import spatialecon as se
    >>> s = se.sigma_convergence(se.datasets.us_income(), "income")
    >>> s.loc[[1929, 2009], ["n", "sd_log", "cv", "max_min"]].round(4)
           n  sd_log      cv  max_min
    year
    1929  48  0.3655  0.3554   4.2509
    2009  48  0.1376  0.1440   1.7988
    """
    table = wide(panel, variable)
    check_missing(table, missing, variable)
    require_positive(table, f"sigma-convergence of {variable!r}")
    pop = None
    if population is not None:
        pop = wide(panel, population).reindex(index=table.index, columns=table.columns)
        check_missing(pop, missing, population)
    rows = {}
    for year, values in table.iterrows():
        ok = values.notna()
        if pop is not None:
            ok &= pop.loc[year].notna()
        y = values[ok].to_numpy(dtype=float)
        if len(y) < 2:
            continue
        logy = np.log(y)
        row = {
            "n": int(len(y)),
            "mean": float(y.mean()),
            "sd_log": float(logy.std(ddof=0)),
            "sd_log_ddof1": float(logy.std(ddof=1)),
            "cv": float(y.std(ddof=0) / y.mean()),
            "max_min": float(y.max() / y.min()),
        }
        if pop is not None:
            p = pop.loc[year][ok].to_numpy(dtype=float)
            p = p / p.sum()
            ybar = float(np.sum(p * y))
            row["cv_weighted"] = float(np.sqrt(np.sum(p * (y - ybar) ** 2)) / ybar)
        rows[year] = row
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index.name = "year"
    return out


def sigma_trend(table: pd.DataFrame, column: str = "sd_log", *, maxlags: int | None = None) -> TrendTest:
    """Linear trend of a dispersion series, with a Newey-West (HAC) standard error.

    The null is "no trend"; a significantly negative slope is evidence of
    sigma-convergence.

    Parameters
    ----------
    table : DataFrame
        Output of :func:`sigma_convergence` (indexed by year).
    column : str
        Which dispersion measure.
    maxlags : int, optional
        HAC lags; default floor(4 (T/100)^(2/9)) (Newey-West 1994 rule).

    Returns
    -------
    TrendTest
        ``slope`` (per year), its HAC ``se``, ``stat`` (z) and two-sided ``pvalue``.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"sd_log": [0.5, 0.45, 0.41, 0.38, 0.35, 0.33]}, index=range(2000, 2006))
    >>> bool(sigma_trend(t).slope < 0)
    True
    """
    import statsmodels.api as sm

    s = table[column].dropna()
    x = sm.add_constant(np.asarray(s.index, dtype=float))
    T = len(s)
    if maxlags is None:
        maxlags = int(np.floor(4 * (T / 100.0) ** (2.0 / 9.0)))
    fit = sm.OLS(s.to_numpy(dtype=float), x).fit(cov_type="HAC", cov_kwds={"maxlags": maxlags})
    return TrendTest(
        slope=float(fit.params[1]), se=float(fit.bse[1]), stat=float(fit.tvalues[1]),
        pvalue=float(fit.pvalues[1]), maxlags=maxlags, column=column, null=f"no linear trend in {column}",
    )


def moran_by_year(
    panel,
    variable: str,
    w,
    *,
    permutations: int = 999,
    seed: int | None = 0,
    log: bool = False,
    missing: str = "raise",
) -> pd.DataFrame:
    """Global Moran's I of ``variable`` in every year (via ``esda.Moran``).

    Parameters
    ----------
    panel : DataFrame or RegionalPanel
    variable : str
    w : libpysal.graph.Graph
        Weights whose ids are the panel's region ids (aligned by id, not order).
    permutations : int
        Permutations for the pseudo p-value (esda's conditional randomisation).
    seed : int or None
        Seed for the permutations; the global numpy random state is restored afterwards.
    log : bool
        Use ln(variable).
    missing : {"raise"}
        Moran's I needs every region each year; missing cells raise ``PanelError``.

    Returns
    -------
    DataFrame
        Indexed by year: ``I``, ``EI``, ``z_norm``, ``p_norm``, ``p_sim``.
        ``z_norm``/``p_norm`` assume normality; ``p_norm`` is two-sided (R
        ``spdep::moran.test(randomisation = FALSE, alternative = "two.sided")``).

    Examples
    --------
    >>> import spatialecon as se
    >>> prov = se.datasets.china_provinces()
    >>> w = se.weights.contiguity(prov, islands="nearest")
    >>> panel = se.datasets.china_panel().loc[(slice(None), slice(2022, 2023)), :]
    >>> se.moran_by_year(panel, "gdppc", w, permutations=99, seed=0)[["I", "EI"]].round(3)
              I     EI
    year
    2022  0.327 -0.033
    2023  0.324 -0.033
    """
    import esda

    from ..errors import WeightsError

    table = wide(panel, variable)
    check_missing(table, "raise" if missing == "raise" else missing, variable)
    ids = [str(i) for i in w.unique_ids]
    cols = [str(c) for c in table.columns]
    if sorted(ids) != sorted(cols):
        only_w = sorted(set(ids) - set(cols))
        only_p = sorted(set(cols) - set(ids))
        raise WeightsError(f"weights ids and panel regions differ: only in W {only_w}; only in panel {only_p}")
    table.columns = cols
    table = table[ids]
    w_old = w.to_W()
    state = np.random.get_state()
    rows = {}
    try:
        if seed is not None:
            np.random.seed(seed)
        for year, values in table.iterrows():
            y = values.to_numpy(dtype=float)
            if log:
                require_positive(values.to_frame().T, "log Moran's I")
                y = np.log(y)
            m = esda.Moran(y, w_old, transformation="o", permutations=permutations)
            rows[year] = {"I": m.I, "EI": m.EI, "z_norm": m.z_norm, "p_norm": m.p_norm, "p_sim": m.p_sim if permutations else np.nan}
    finally:
        np.random.set_state(state)
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index.name = "year"
    return out
