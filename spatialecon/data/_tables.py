"""Helpers of RegionalPanel: user price tables and chained index levels."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import DataError

__all__ = ["as_index_series", "chain_levels"]


def as_index_series(table, regions: pd.Index, *, harmonised: bool) -> pd.Series:
    """A price table as a float Series indexed by year or by (code, year).

    ``table``: a Series (year or (region, year) index), a one-column DataFrame,
    or a wide DataFrame (rows regions, columns years). Region labels are
    harmonised when the panel's are and they are not all panel codes already.
    """
    if isinstance(table, pd.DataFrame):
        if table.shape[1] == 1:
            table = table.iloc[:, 0]
        else:
            from .builder import _year_of

            years = [_year_of(c) for c in table.columns]
            if any(y is None for y in years):
                raise DataError("a deflator DataFrame must have one column, or one column per year "
                                f"(rows = regions); got columns {list(table.columns)[:10]}")
            wide = table.copy()
            wide.columns = years
            table = wide.stack()
    s = pd.Series(table)
    try:
        s = s.astype(float)
    except (TypeError, ValueError) as exc:
        raise DataError(f"deflator values must be numeric: {exc}") from exc
    if isinstance(s.index, pd.MultiIndex):
        labels = pd.Index(s.index.get_level_values(0))
        codes = labels.astype(str)
        if harmonised and not set(codes) <= set(regions):
            from ..regions import harmonise

            codes = pd.Index(harmonise(list(labels)).to_numpy())
        s.index = pd.MultiIndex.from_arrays([codes, s.index.get_level_values(1).astype(int)])
    else:
        s.index = s.index.astype(int)
    if s.index.duplicated().any():
        raise DataError(f"deflator has duplicate keys: {s.index[s.index.duplicated()].tolist()[:10]}")
    return s


def chain_levels(x: pd.Series, base_year: int) -> pd.Series:
    """Levels (100 in ``base_year``) of a previous-year = 100 index, per region; gaps break the chain."""
    out = pd.Series(np.nan, index=x.index)
    for code in x.index.get_level_values(0).unique():
        s = x.xs(code, level=0)
        if base_year not in s.index:
            continue
        level = {base_year: 100.0}
        y = base_year
        while (y + 1) in s.index and np.isfinite(s.loc[y + 1]):
            level[y + 1] = level[y] * s.loc[y + 1] / 100.0
            y += 1
        y = base_year
        while (y - 1) in s.index and np.isfinite(s.loc[y]):
            level[y - 1] = level[y] * 100.0 / s.loc[y]
            y -= 1
        for yy, v in level.items():
            out.loc[(code, yy)] = v
    return out
