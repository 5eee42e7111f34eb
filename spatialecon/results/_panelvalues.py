"""Shared helpers: pull one variable out of a (region, year) panel as a year x region table."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import DataError, PanelError

__all__ = ["as_frame", "wide", "group_map", "missing_cells"]


def as_frame(panel) -> pd.DataFrame:
    """Return the DataFrame behind a panel (a ``RegionalPanel`` or a DataFrame)."""
    data = getattr(panel, "data", panel)
    if not isinstance(data, pd.DataFrame):
        raise DataError(f"expected a DataFrame or RegionalPanel, got {type(panel).__name__}")
    if not isinstance(data.index, pd.MultiIndex) or data.index.nlevels != 2:
        raise PanelError("the panel must have a 2-level (region, year) MultiIndex")
    if data.index.duplicated().any():
        dup = data.index[data.index.duplicated()].unique().tolist()[:10]
        raise PanelError(f"duplicate (region, year) keys: {dup}")
    return data


def wide(panel, variable: str) -> pd.DataFrame:
    """Year x region table of ``variable`` (NaN where the panel has no value)."""
    data = as_frame(panel)
    if variable not in data.columns:
        raise DataError(f"variable {variable!r} is not in the panel; columns are {list(data.columns)}")
    col = data[variable]
    if not pd.api.types.is_numeric_dtype(col):
        raise DataError(f"variable {variable!r} is not numeric (dtype {col.dtype})")
    return col.unstack(level=0).sort_index()


def missing_cells(table: pd.DataFrame) -> list[tuple]:
    """(region, year) cells that are NaN in a year x region table."""
    rows, cols = np.nonzero(table.isna().to_numpy())
    return [(table.columns[c], table.index[r]) for r, c in zip(rows, cols)]


def group_map(groups, regions: pd.Index) -> pd.Series:
    """Resolve ``groups`` (a grouping name or a Series code -> group) over ``regions``.

    Raises
    ------
    DataError
        If some regions have no group (they are listed).
    """
    if isinstance(groups, str):
        from ..regions import groups as region_groups

        mapping = region_groups(groups)
    elif isinstance(groups, pd.Series):
        mapping = groups
    elif isinstance(groups, dict):
        mapping = pd.Series(groups)
    else:
        raise DataError("groups must be a grouping name (e.g. 'region4') or a Series region -> group")
    mapping = mapping.copy()
    mapping.index = mapping.index.astype(str) if regions.dtype == object else mapping.index
    uncovered = [r for r in regions if r not in mapping.index or pd.isna(mapping.get(r))]
    if uncovered:
        raise DataError(f"{len(uncovered)} region(s) have no group: {uncovered}")
    return mapping.reindex(regions)


def require_positive(table: pd.DataFrame, what: str) -> None:
    vals = table.to_numpy(dtype=float)
    rows, cols = np.nonzero(vals <= 0)
    if len(rows):
        cells = [(table.columns[c], table.index[r], float(vals[r, c])) for r, c in zip(rows, cols)][:10]
        raise DataError(f"{what} needs strictly positive values; non-positive cells (region, year, value): {cells}")


def check_missing(table: pd.DataFrame, missing: str, variable: str) -> None:
    if missing not in ("raise", "drop"):
        raise DataError(f"missing={missing!r} is not valid; choose 'raise' or 'drop'")
    if missing == "raise" and table.isna().to_numpy().any():
        cells = missing_cells(table)
        raise PanelError(
            f"{len(cells)} missing (region, year) cell(s) of {variable!r}, e.g. {cells[:8]}; "
            "pass missing='drop' to compute each year over the regions that have a value "
            "(the count used is reported in column 'n')"
        )


def finite(values: np.ndarray) -> np.ndarray:
    return np.isfinite(values)
