"""Build a validated :class:`RegionalPanel` from a long or wide table.

Validation, in this order, each raising a typed error that lists the
offending entries: missing columns (DataError), region labels
(RegionMatchError, via :func:`spatialecon.regions.harmonise`), years that are
not integers or out of range (DataError), duplicate (code, year) keys after
harmonisation (PanelError, with the original labels), non-numeric values
(DataError naming the column and examples). Missing values are kept and
reported. No row is dropped; rows are sorted by (code, year) and the original
row labels are kept in ``panel.report["row_of"]``.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import DataError, PanelError
from ..regions import harmonise as _harmonise
from .panel import RegionalPanel

__all__ = ["build_panel", "read_table"]

_YEAR_COL = re.compile(r"^\s*(\d{4})\s*(年)?\s*$")


def _year_of(label):
    if isinstance(label, (int, np.integer)) and not isinstance(label, bool):
        return int(label)
    if isinstance(label, (float, np.floating)) and float(label).is_integer():
        return int(label)
    m = _YEAR_COL.match(str(label))
    return int(m.group(1)) if m else None


def _year_columns(df: pd.DataFrame) -> list:
    return [c for c in df.columns if _year_of(c) is not None]


def read_table(path, **kwargs) -> pd.DataFrame:
    """Read a CSV (``.csv``, ``.txt``, ``.tsv``) or Excel (``.xlsx``, ``.xls``) table.

    Parameters
    ----------
    path : str or pathlib.Path
    **kwargs
        Passed to :func:`pandas.read_csv` or :func:`pandas.read_excel`.
        CSV files are read as UTF-8 (with BOM) unless ``encoding`` is given;
        NBS downloads are often GB18030 (pass ``encoding="gb18030"``).

    Raises
    ------
    DataError
        Unknown extension, missing file, undecodable text, or Excel support
        (``openpyxl``/``xlrd``) not installed.

    Examples
    --------
    >>> from spatialecon._paths import bundled
    >>> read_table(bundled("panels", "sources.csv")).columns[0]
    'source_id'
    """
    path = Path(path)
    if not path.exists():
        raise DataError(f"file not found: {path}")
    ext = path.suffix.lower()
    if ext in (".csv", ".txt", ".tsv"):
        kw = {"encoding": "utf-8-sig"} | ({"sep": "\t"} if ext == ".tsv" else {}) | kwargs
        try:
            return pd.read_csv(path, **kw)
        except UnicodeDecodeError as exc:
            raise DataError(f"cannot decode {path.name} as {kw['encoding']}; NBS exports are often "
                            "GB18030: pass encoding='gb18030'") from exc
    if ext in (".xlsx", ".xlsm", ".xls"):
        engine = "xlrd" if ext == ".xls" else "openpyxl"
        try:
            __import__(engine)
        except ImportError as exc:
            raise DataError(f"reading {ext} files needs the optional package {engine!r} "
                            f"(pip install {engine}); or save the sheet as CSV") from exc
        return pd.read_excel(path, **kwargs)
    raise DataError(f"unknown table format {ext!r} for {path.name}; use .csv, .tsv, .txt, .xlsx or .xls")


def _to_numeric(col: pd.Series, name: str, na_values) -> pd.Series:
    s = col
    if pd.api.types.is_bool_dtype(s):
        raise DataError(f"column {name!r} is boolean, not numeric")
    if pd.api.types.is_numeric_dtype(s):
        return s.astype(float)
    obj = s.astype(object)
    is_na = obj.isna() | obj.map(lambda v: isinstance(v, str) and (v.strip() == "" or v.strip() in na_values))
    conv = pd.to_numeric(obj.where(~is_na), errors="coerce")
    bad = conv.isna() & ~is_na
    if bad.any():
        examples = list(dict.fromkeys(obj[bad].astype(str).tolist()))[:5]
        raise DataError(f"column {name!r} has {int(bad.sum())} non-numeric value(s), e.g. {examples}; "
                        "clean them or list missing-value markers in na_values=")
    return conv.astype(float)


def build_panel(df: pd.DataFrame, region: str | None = None, year: str | None = None, value_vars=None, *,
                wide: bool | None = None, variable: str | None = None, harmonise: bool = True,
                years: tuple[int, int] = (1900, 2100), year_step: int = 1,
                na_values=("NA", "NaN", "nan", "null")) -> RegionalPanel:
    """Validate a long or wide table and key it by (code, year).

    Parameters
    ----------
    df : pandas.DataFrame
        Long: one row per region-year, columns ``region``, ``year`` and
        variables. Wide: one row per region (or per region and variable), one
        column per year (``2001`` or ``"2001"`` or ``"2001年"``).
    region : str
        Column (or index level) with region labels (codes, Chinese, pinyin or
        English names).
    year : str, optional
        Column (or index level) with years (long format). Leave None for wide
        input.
    value_vars : list of str, optional
        Long format: the variables to keep (default every other column).
    wide : bool, optional
        Force wide (True) or long (False); auto-detected when None: wide if
        ``year`` is None and some columns are years.
    variable : str, optional
        Wide format: the name of the variable held in the year columns
        (default ``"value"``), or the name of a column of ``df`` that holds
        variable names (several variables stacked).
    harmonise : bool, default True
        Map labels to Chinese adcodes with :func:`spatialecon.regions.harmonise`.
        Set False for other countries: labels are then used as given (as str).
    years : (int, int), default (1900, 2100)
        Allowed year range, inclusive.
    year_step : int, default 1
        Spacing of the expected years (1 annual; e.g. 10 for decennial data).
        Balance is judged on the years first, first + step, ..., last; years
        off that grid raise a DataError.
    na_values : sequence of str
        Text that means "missing" (besides empty cells); anything else that is
        not a number raises.

    Returns
    -------
    RegionalPanel
        ``report`` holds ``rows_in``, ``format``, ``nan_cells`` count,
        ``missing`` region-years and ``row_of`` (original row label of each key).

    Raises
    ------
    DataError, RegionMatchError, PanelError

    Examples
    --------
    >>> import pandas as pd
    >>> import spatialecon as se
    >>> long = pd.DataFrame({"省份": ["广东省", "广东省", "Beijing"], "年份": [2000, 2001, 2000],
    ...                      "grp": [10741.25, 12039.25, 3161.66]})
    >>> p = se.build_panel(long, region="省份", year="年份")
    >>> p.data.index.tolist()
    [('110000', 2000), ('440000', 2000), ('440000', 2001)]
    >>> wide = pd.DataFrame({"省份": ["广东省", "Beijing"], "2000": [10741.25, 3161.66],
    ...                      "2001": [12039.25, None]})
    >>> q = se.build_panel(wide, region="省份", variable="grp")
    >>> q.data.dropna().equals(p.data)
    True
    """
    if not isinstance(df, pd.DataFrame):
        raise DataError(f"build_panel() needs a DataFrame, got {type(df).__name__}")
    named_levels = [n for n in (region, year) if n is not None and n not in df.columns and n in df.index.names]
    if named_levels:  # region/year given as index levels (e.g. a (code, year) MultiIndex)
        df = df.reset_index(level=named_levels)
    if region is None or region not in df.columns:
        raise DataError(f"region column {region!r} not in the table; columns are {list(df.columns)}")
    ycols = _year_columns(df)
    if wide is None:
        wide = year is None and len(ycols) > 0
    if wide:
        long, fmt = _melt(df, region, ycols, variable), "wide"
        year_col, reg_col = "__year__", region
        value_vars = [c for c in long.columns if c not in (region, "__year__", "__row__")]
    else:
        if year is None or year not in df.columns:
            raise DataError(f"year column {year!r} not in the table; for wide input (years as columns) leave "
                            f"year=None; columns are {list(df.columns)}")
        long, fmt = df.copy(), "long"
        long["__row__"] = df.index
        year_col, reg_col = year, region
        if value_vars is None:
            value_vars = [c for c in df.columns if c not in (region, year)]
        else:
            value_vars = list(np.atleast_1d(value_vars))
            absent = [c for c in value_vars if c not in df.columns]
            if absent:
                raise DataError(f"value_vars not in the table: {absent}")
    if not value_vars:
        raise DataError("no value columns to build a panel from")
    labels = long[reg_col]
    if harmonise:
        codes = _harmonise(labels.reset_index(drop=True)).to_numpy()
    else:
        if labels.isna().any():
            raise DataError(f"region column {region!r} has missing labels in rows "
                            f"{long.loc[labels.isna(), '__row__'].tolist()[:10]}")
        codes = labels.astype(str).to_numpy()
    yrs = _years(long[year_col], long["__row__"], year or "year", years)
    if int(year_step) > 1:
        off = sorted(set(int(y) for y in yrs if (int(y) - int(yrs.min())) % int(year_step)))
        if off:
            raise DataError(f"years {off[:10]} are off the {year_step}-year grid starting in {int(yrs.min())}")
    values = {c: _to_numeric(long[c], str(c), set(na_values)) for c in value_vars}
    out = pd.DataFrame({str(c): v.to_numpy() for c, v in values.items()})
    out.index = pd.MultiIndex.from_arrays([pd.Index(codes, dtype=object), yrs], names=["code", "year"])
    rows = pd.Series(long["__row__"].to_numpy(), index=out.index)
    dup = out.index.duplicated(keep=False)
    if dup.any():
        groups = {}
        for key, lab, row in zip(out.index[dup], labels.to_numpy()[dup], rows.to_numpy()[dup]):
            groups.setdefault(key, []).append(f"{lab!r} (row {row})")
        shown = "; ".join(f"{k}: {', '.join(v)}" for k, v in list(groups.items())[:20])
        raise PanelError(f"{len(groups)} duplicate (code, year) key(s) after harmonising region labels: {shown}")
    order = np.lexsort((out.index.get_level_values(1), out.index.get_level_values(0).astype(str)))
    reordered = bool((order != np.arange(len(order))).any())
    out = out.iloc[order]
    rows = rows.iloc[order]
    panel = RegionalPanel(out, report={"rows_in": len(df), "rows": len(out), "format": fmt,
                                       "sorted_by_code_year": reordered, "row_of": rows,
                                       "harmonised": bool(harmonise)}, year_step=year_step)
    panel.report["nan_cells"] = len(panel.nan_cells())
    panel.report["missing"] = panel.missing()
    return panel


def _years(col: pd.Series, rows: pd.Series, name: str, bounds) -> np.ndarray:
    parsed = col.map(_year_of)
    bad = parsed.isna()
    if bad.any():
        ex = list(zip(rows[bad].tolist()[:5], col[bad].astype(str).tolist()[:5]))
        raise DataError(f"{int(bad.sum())} year value(s) in {name!r} are not integer years, e.g. (row, value) {ex}")
    y = parsed.astype(int).to_numpy()
    lo, hi = bounds
    out = (y < lo) | (y > hi)
    if out.any():
        ex = sorted(set(y[out].tolist()))[:10]
        raise DataError(f"{int(out.sum())} year value(s) in {name!r} outside the allowed range {lo}-{hi}: {ex}; "
                        "pass years=(first, last) if they are right")
    return y


def _melt(df: pd.DataFrame, region: str, ycols: list, variable) -> pd.DataFrame:
    other = [c for c in df.columns if c not in ycols and c != region]
    stacked = variable is not None and variable in df.columns
    extra = [c for c in other if c != variable] if stacked else other
    if extra:
        raise PanelError(f"wide table has non-year columns {extra} besides the region column {region!r}"
                         + ("" if stacked else " (pass variable=<column> if one of them names the variables)"))
    years_of = {c: _year_of(c) for c in ycols}
    if len(set(years_of.values())) != len(ycols):
        seen = {}
        for c, y in years_of.items():
            seen.setdefault(y, []).append(c)
        raise PanelError(f"wide table has several columns for one year: "
                         f"{ {y: cs for y, cs in seen.items() if len(cs) > 1} }")
    base = df.copy()
    base["__row__"] = df.index
    ids = [region, "__row__"] + ([variable] if stacked else [])
    long = base.melt(id_vars=ids, value_vars=ycols, var_name="__year__", value_name="__value__")
    long["__year__"] = long["__year__"].map(years_of)
    if stacked:
        if df[variable].isna().any():
            raise DataError(f"variable column {variable!r} has missing names")
        keys = [region, "__year__"]
        dup = long.duplicated(keys + [variable], keep=False)
        if dup.any():
            shown = long.loc[dup, [region, variable, "__row__"]].drop_duplicates().head(10).values.tolist()
            raise PanelError(f"duplicate (region, variable) rows in the wide table: {shown}")
        wide = long.pivot(index=[region, "__year__"], columns=variable, values="__value__")
        rows = long.groupby([region, "__year__"], sort=False)["__row__"].agg(
            lambda r: r.iloc[0] if len(set(r)) == 1 else tuple(r))
        wide = wide.reset_index()
        wide["__row__"] = rows.reindex(pd.MultiIndex.from_frame(wide[[region, "__year__"]])).to_numpy()
        wide.columns.name = None
        return wide
    name = variable or "value"
    return long.rename(columns={"__value__": name})[[region, "__year__", "__row__", name]]
