"""Regional inequality: Theil T and L, and Gini, with exact decompositions by region groups.

Definitions (for one year, regions i = 1..n with values y_i > 0 and weights p_i
summing to one: population shares when ``population`` is given, 1/n otherwise;
income shares s_i = p_i y_i / sum_j p_j y_j):

* Theil T:  T = sum_i s_i ln(s_i / p_i); between = sum_g s_g ln(s_g / p_g);
  within = sum_g s_g T_g, where T_g is the Theil T of group g with shares taken
  within the group.  ``total = between + within`` exactly.
* Theil L (mean log deviation): L = sum_i p_i ln(p_i / s_i); between =
  sum_g p_g ln(p_g / s_g); within = sum_g p_g L_g.  Exact as well.
* Gini: G = sum_i sum_j p_i p_j abs(y_i - y_j) / (2 mu), mu = sum_i p_i y_i.  The
  group decomposition (Dagum 1997) is within = sum_g p_g s_g G_g, between = the
  Gini of the between-group differences (pairs from different groups whose order
  agrees with the group means), and overlap = the rest (pairs from different groups
  that "cross").  The three sum to the total exactly.

Unweighted Theil T and Gini agree with the ``inequality`` package
(``inequality.theil.TheilD`` and ``inequality.gini.Gini``), which has no population
weights; tests check this.

Examples
--------
>>> import pandas as pd
>>> idx = pd.MultiIndex.from_product([["a", "b", "c"], [2000]], names=["code", "year"])
>>> df = pd.DataFrame({"y": [1.0, 2.0, 4.0]}, index=idx)
>>> t = theil(df, "y", groups=pd.Series({"a": "g1", "b": "g1", "c": "g2"}))
>>> bool(abs(t.loc[2000, "total"] - t.loc[2000, "between"] - t.loc[2000, "within"]) < 1e-15)
True
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

from .._options import validate
from ._panelvalues import check_missing, group_map, require_positive, wide

__all__ = ["theil", "gini", "theil_cross_section", "gini_cross_section"]

TheilIndex = Literal["T", "L"]


def _weights(y: np.ndarray, pop: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    p = np.full(y.shape, 1.0 / len(y)) if pop is None else pop / pop.sum()
    s = p * y / np.sum(p * y)
    return p, s


def theil_cross_section(y, population=None, groups=None, *, index: TheilIndex = "T") -> dict:
    """Theil index of one cross-section with its group decomposition.

    Parameters
    ----------
    y : array-like of positive floats
    population : array-like, optional
        Population weights (same length as ``y``).
    groups : array-like, optional
        Group label of each unit.
    index : {"T", "L"}
        Theil T (income-share weighted) or Theil L (mean log deviation).

    Returns
    -------
    dict
        ``total``, and with groups ``between``, ``within`` and ``within_<g>``
        (each group's contribution to ``within``).

    Examples
    --------
    >>> round(theil_cross_section([1.0, 1.0])["total"], 12)
    0.0
    """
    validate("index", index, TheilIndex)
    y = np.asarray(y, dtype=float)
    pop = None if population is None else np.asarray(population, dtype=float)
    p, s = _weights(y, pop)
    if index == "T":
        total = float(np.sum(s * np.log(s / p)))
    else:
        total = float(np.sum(p * np.log(p / s)))
    out = {"total": total}
    if groups is None:
        return out
    g = np.asarray(groups)
    between = 0.0
    within = 0.0
    for label in pd.unique(g):
        m = g == label
        pg, sg = p[m].sum(), s[m].sum()
        pw, sw = p[m] / pg, s[m] / sg
        if index == "T":
            between += sg * np.log(sg / pg)
            contrib = sg * float(np.sum(sw * np.log(sw / pw)))
        else:
            between += pg * np.log(pg / sg)
            contrib = pg * float(np.sum(pw * np.log(pw / sw)))
        within += contrib
        out[f"within_{label}"] = contrib
    out["between"] = float(between)
    out["within"] = float(within)
    return out


def gini_cross_section(y, population=None, groups=None) -> dict:
    """Gini coefficient of one cross-section, with Dagum's decomposition when grouped.

    Examples
    --------
    >>> round(gini_cross_section([1.0, 3.0])["total"], 12)
    0.25
    """
    y = np.asarray(y, dtype=float)
    pop = None if population is None else np.asarray(population, dtype=float)
    p, s = _weights(y, pop)
    mu = float(np.sum(p * y))
    diff = np.abs(y[:, None] - y[None, :])
    pp = p[:, None] * p[None, :]
    total = float(np.sum(pp * diff) / (2.0 * mu))
    out = {"total": total}
    if groups is None:
        return out
    g = np.asarray(groups)
    labels = list(pd.unique(g))
    within = 0.0
    between = 0.0
    overlap = 0.0
    means = {lab: np.sum(p[g == lab] * y[g == lab]) / p[g == lab].sum() for lab in labels}
    for a in labels:
        ma = g == a
        pa = p[ma].sum()
        ga = float(np.sum(pp[np.ix_(ma, ma)] * diff[np.ix_(ma, ma)]) / (2.0 * mu * pa * pa) * pa * pa)
        # ga is the group's contribution: pairs inside the group, scaled by the overall mean
        within += ga
        out[f"within_{a}"] = ga
        for b in labels:
            if a == b:
                continue
            mb = g == b
            if means[a] < means[b]:
                continue  # each unordered pair of groups once, richer group first
            if means[a] == means[b] and labels.index(a) > labels.index(b):
                continue
            d = y[ma][:, None] - y[mb][None, :]
            w = p[ma][:, None] * p[mb][None, :]
            pos = float(np.sum(w * np.clip(d, 0, None)))
            neg = float(np.sum(w * np.clip(-d, 0, None)))
            # both orders of the pair (i in a, j in b) and (j in b, i in a) enter the double sum
            between += 2.0 * (pos - neg) / (2.0 * mu)
            overlap += 2.0 * (2.0 * neg) / (2.0 * mu)
    out["between"] = float(between)
    out["within"] = float(within)
    out["overlap"] = float(overlap)
    return out


def _by_year(panel, variable, groups, population, missing, func, **kw) -> pd.DataFrame:
    table = wide(panel, variable)
    check_missing(table, missing, variable)
    pop_table = None
    if population is not None:
        pop_table = wide(panel, population).reindex(index=table.index, columns=table.columns)
        check_missing(pop_table, missing, population)
        require_positive(pop_table.dropna(how="all"), f"population column {population!r}")
    require_positive(table, f"inequality of {variable!r}")
    gmap = None if groups is None else group_map(groups, table.columns)
    rows = {}
    for year, values in table.iterrows():
        ok = values.notna()
        if pop_table is not None:
            ok &= pop_table.loc[year].notna()
        if ok.sum() < 2:
            continue
        y = values[ok].to_numpy(dtype=float)
        pop = None if pop_table is None else pop_table.loc[year][ok].to_numpy(dtype=float)
        grp = None if gmap is None else gmap[ok].to_numpy()
        res = func(y, pop, grp, **kw)
        res["n"] = int(ok.sum())
        rows[year] = res
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index.name = "year"
    first = ["total", "between", "within", "overlap", "n"]
    cols = [c for c in first if c in out.columns] + [c for c in out.columns if c not in first]
    return out[cols]


def theil(
    panel,
    variable: str,
    groups=None,
    population: str | None = None,
    *,
    index: TheilIndex = "T",
    missing: str = "raise",
) -> pd.DataFrame:
    """Theil index by year with an exact between/within decomposition.

    Parameters
    ----------
    panel : DataFrame or RegionalPanel
        (region, year) MultiIndex.
    variable : str
        Column with positive values (e.g. GDP per capita).
    groups : str or Series, optional
        A grouping name known to :func:`spatialecon.regions.groups` (``"region4"``,
        ``"coastal"``, ...) or a Series region -> group covering every region.
    population : str, optional
        Column of population; when given the index is population weighted.
    index : {"T", "L"}
        Theil T (default) or Theil L (mean log deviation).
    missing : {"raise", "drop"}
        What to do with missing cells; ``"drop"`` computes each year over the regions
        with values and reports the count in ``n``.

    Returns
    -------
    DataFrame
        Indexed by year: ``total``, ``between``, ``within``, ``n`` and the
        ``within_<group>`` contributions.

    Examples
    --------
    >>> import pandas as pd
    >>> idx = pd.MultiIndex.from_product([["a", "b"], [2000, 2001]], names=["code", "year"])
    >>> df = pd.DataFrame({"y": [1.0, 1.0, 2.0, 1.0]}, index=idx)
    >>> theil(df, "y").loc[2001, "total"]
    0.0
    """
    validate("index", index, TheilIndex)
    return _by_year(panel, variable, groups, population, missing, theil_cross_section, index=index)


def gini(panel, variable: str, groups=None, population: str | None = None, *, missing: str = "raise") -> pd.DataFrame:
    """Gini coefficient by year; with groups, Dagum's within/between/overlap decomposition.

    Parameters are as in :func:`theil`.

    Returns
    -------
    DataFrame
        Indexed by year: ``total`` (and ``between``, ``within``, ``overlap`` with
        groups, summing to ``total``), ``n``.

    Examples
    --------
    >>> import pandas as pd
    >>> idx = pd.MultiIndex.from_product([["a", "b"], [2000]], names=["code", "year"])
    >>> gini(pd.DataFrame({"y": [1.0, 3.0]}, index=idx), "y").loc[2000, "total"]
    0.25
    """
    return _by_year(panel, variable, groups, population, missing, gini_cross_section)
