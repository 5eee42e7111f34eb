"""``RegionalPanel``: a validated region x year panel keyed by (code, year).

A ``RegionalPanel`` wraps a DataFrame whose index is a (code, year)
MultiIndex (codes ``str``, years ``int``), sorted by code then year, with
numeric columns. It is created by :func:`spatialecon.build_panel` (which
validates the input) and never changes in place: every method returns a new
object. Missing values stay missing; nothing is filled or interpolated.
Derived columns (``per_capita``, ``relative``, ``deflate``, ``growth``) are
recorded in ``panel.derived`` so that they can be told apart from source data.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._options import BalanceHow, MissingRule, RelativeTo, validate
from ..errors import DataError, PanelError
from ._tables import as_index_series, chain_levels

__all__ = ["RegionalPanel"]


class RegionalPanel:
    """A validated panel of regions by years.

    Parameters
    ----------
    data : pandas.DataFrame
        Index a 2-level MultiIndex named ``("code", "year")``, unique, sorted.
    report : dict, optional
        What the builder did (rows read, reordering, missing values ...).
    derived : dict, optional
        Derived column -> description.
    units : dict, optional
        Column -> unit.
    year_step : int, default 1
        Spacing of the expected years (1 annual, 10 decennial); used by
        :meth:`missing`, :attr:`is_balanced` and :meth:`coverage`.
    expected_years : list of int, optional
        Explicit set of expected years (set by :meth:`balanced` when it drops
        years, so that a dropped interior year is not reported as missing).

    Examples
    --------
    >>> import pandas as pd
    >>> from spatialecon.data import build_panel
    >>> df = pd.DataFrame({"prov": ["Beijing", "Beijing", "Hebei"], "year": [2000, 2001, 2000],
    ...                    "y": [1.0, 2.0, 3.0]})
    >>> p = build_panel(df, region="prov", year="year")
    >>> p.is_balanced, p.missing()
    (False, [('130000', 2001)])
    """

    def __init__(self, data: pd.DataFrame, *, report: dict | None = None, derived: dict | None = None,
                 units: dict | None = None, year_step: int = 1, expected_years=None):
        if not isinstance(data.index, pd.MultiIndex) or data.index.nlevels != 2:
            raise PanelError("RegionalPanel needs a (code, year) MultiIndex")
        if data.index.duplicated().any():
            dup = data.index[data.index.duplicated()].unique().tolist()
            raise PanelError(f"duplicate (code, year) keys: {dup[:20]}")
        if not data.index.is_monotonic_increasing:
            raise PanelError("RegionalPanel data must be sorted by (code, year); use build_panel()")
        if int(year_step) < 1:
            raise PanelError(f"year_step must be a positive integer, got {year_step!r}")
        self._year_step = int(year_step)
        self._expected = None if expected_years is None else sorted(int(y) for y in expected_years)
        self._data = data
        self.report = dict(report or {})
        self.derived = dict(derived or {})
        self.units = dict(units or {})

    # ------------------------------------------------------------------ views
    @property
    def data(self) -> pd.DataFrame:
        """A copy of the underlying DataFrame (index (code, year))."""
        return self._data.copy()

    def to_frame(self) -> pd.DataFrame:
        """The panel as a DataFrame (a copy); same as :attr:`data`."""
        return self.data

    @property
    def regions(self) -> pd.Index:
        """Region codes present, sorted."""
        return self._data.index.get_level_values(0).unique()

    @property
    def years(self) -> pd.Index:
        """Years present, sorted."""
        return pd.Index(sorted(self._data.index.get_level_values(1).unique()), name="year")

    @property
    def variables(self) -> list[str]:
        """Column names."""
        return list(self._data.columns)

    def __len__(self) -> int:
        return len(self._data)

    def __getitem__(self, column):
        return self._data[column].copy()

    def __repr__(self) -> str:
        yrs = self.years
        span = f"{yrs.min()}-{yrs.max()}" if len(yrs) else "no years"
        bal = "balanced" if self.is_balanced else f"unbalanced, {len(self.missing())} region-years missing"
        return (f"RegionalPanel({len(self.regions)} regions x {len(yrs)} years ({span}), {len(self)} rows, "
                f"{bal}; variables {self.variables})")

    def _new(self, data: pd.DataFrame, *, report=None, derived=None, expected_years="same") -> RegionalPanel:
        expected = self._expected if isinstance(expected_years, str) else expected_years
        return RegionalPanel(data, report=self.report if report is None else report,
                             derived=self.derived if derived is None else derived, units=self.units,
                             year_step=self._year_step, expected_years=expected)

    # --------------------------------------------------------------- coverage
    @property
    def year_step(self) -> int:
        """Spacing of the expected years: 1 for annual data, 10 for decennial data (set at build time)."""
        return self._year_step

    def _expected_years(self) -> list[int]:
        if self._expected is not None:
            return list(self._expected)
        yrs = self.years
        return list(range(int(yrs.min()), int(yrs.max()) + 1, self.year_step)) if len(yrs) else []

    def _grid(self) -> pd.MultiIndex:
        full = self._expected_years()
        return pd.MultiIndex.from_product([self.regions, list(full)], names=self._data.index.names)

    def missing(self) -> list[tuple]:
        """Region-years with no row.

        Expected rows are every observed region in every year from the first to
        the last year, in steps of :attr:`year_step` (1 unless set at build time).

        Examples
        --------
        >>> import pandas as pd
        >>> from spatialecon.data import build_panel
        >>> df = pd.DataFrame({"r": ["11", "11", "12"], "year": [2000, 2002, 2000], "y": [1.0, 2, 3]})
        >>> build_panel(df, region="r", year="year").missing()
        [('110000', 2001), ('120000', 2001), ('120000', 2002)]
        """
        grid = self._grid()
        return [tuple(k) for k in grid.difference(self._data.index).tolist()]

    def nan_cells(self, variables=None) -> list[tuple]:
        """(code, year, variable) cells that have a row but a missing value."""
        cols = self.variables if variables is None else list(np.atleast_1d(variables))
        out = []
        for c in cols:
            col = self._data[c]
            out += [(k[0], k[1], c) for k in col.index[col.isna()]]
        return out

    @property
    def is_balanced(self) -> bool:
        """True when every region has a row for every expected year (see :meth:`missing`)."""
        return len(self.missing()) == 0

    def coverage(self) -> pd.DataFrame:
        """Number of regions with a non-missing value, by year (rows) and variable (columns).

        The column ``rows`` counts regions with a row at all.

        Examples
        --------
        >>> import pandas as pd
        >>> from spatialecon.data import build_panel
        >>> df = pd.DataFrame({"r": ["11", "12"], "year": [2000, 2000], "y": [1.0, None]})
        >>> build_panel(df, region="r", year="year").coverage().loc[2000].tolist()
        [2, 1]
        """
        d = self._data
        years = d.index.get_level_values(1)
        out = d.notna().groupby(years).sum()
        out.insert(0, "rows", d.groupby(years).size())
        out = out.reindex(self._expected_years(), fill_value=0)
        out.index.name = "year"
        return out.astype(int)

    # -------------------------------------------------------------- balancing
    def balanced(self, how: str = "drop_regions", *, variables=None) -> RegionalPanel:
        """A balanced sub-panel, made by an explicit, reported removal step.

        Parameters
        ----------
        how : {"drop_regions", "drop_years", "intersect"}, default "drop_regions"
            ``"drop_regions"`` keeps the regions observed in every year;
            ``"drop_years"`` keeps the years in which every region is observed;
            ``"intersect"`` removes, one at a time, the region or year with the
            largest share of missing cells (a region on ties) until the rest is
            balanced.
        variables : list of str, optional
            A cell counts as observed only if its row exists and these
            variables are non-missing. Default: the row exists.

        Returns
        -------
        RegionalPanel
            With ``report["balanced"]`` = dict(how, dropped_regions,
            dropped_years, dropped_rows).

        Raises
        ------
        PanelError
            If nothing would be left.

        Examples
        --------
        >>> import pandas as pd
        >>> from spatialecon.data import build_panel
        >>> df = pd.DataFrame({"r": ["11", "11", "12"], "year": [2000, 2001, 2000], "y": [1.0, 2, 3]})
        >>> b = build_panel(df, region="r", year="year").balanced("drop_regions")
        >>> b.report["balanced"]["dropped_regions"], b.is_balanced
        (['120000'], True)
        """
        validate("how", how, BalanceHow)
        d = self._data
        grid = self._grid()
        obs = pd.Series(True, index=d.index)
        if variables is not None:
            obs = d[list(np.atleast_1d(variables))].notna().all(axis=1)
        table = obs.reindex(grid, fill_value=False).unstack(level=1)  # regions x years
        regions, years = list(table.index), list(table.columns)
        if how == "drop_regions":
            regions = [r for r in regions if table.loc[r].all()]
        elif how == "drop_years":
            years = [y for y in years if table[y].all()]
        else:
            t = table.copy()
            while len(t) and len(t.columns) and not t.to_numpy().all():
                miss_r = (~t).sum(axis=1)
                miss_y = (~t).sum(axis=0)
                # compare shares missing: miss_r / n_years against miss_y / n_regions
                if miss_r.max() * len(t) >= miss_y.max() * len(t.columns):
                    t = t.drop(index=miss_r.idxmax())
                else:
                    t = t.drop(columns=miss_y.idxmax())
            regions, years = list(t.index), list(t.columns)
        if not regions or not years:
            raise PanelError(f"balanced(how={how!r}) would leave no data; coverage:\n{self.coverage()}")
        keep = d.index.get_level_values(0).isin(regions) & d.index.get_level_values(1).isin(years)
        dropped_r = sorted(set(table.index) - set(regions))
        dropped_y = sorted(set(table.columns) - set(years))
        new = d[keep]
        present_years = set(new.index.get_level_values(1))
        gaps = [y for y in years if y not in present_years]
        if gaps:
            raise PanelError(f"balanced(): years {gaps} have no rows at all; select a year range first")
        report = dict(self.report)
        kept = sorted(years)
        report["balanced"] = {"how": how, "dropped_regions": dropped_r, "dropped_years": dropped_y,
                              "years_contiguous": kept == list(range(kept[0], kept[-1] + 1, self._year_step)),
                              "dropped_rows": int((~keep).sum()),
                              "variables": None if variables is None else list(np.atleast_1d(variables))}
        out = self._new(new.copy(), report=report, expected_years=sorted(years))
        return out

    def wide(self, var: str) -> pd.DataFrame:
        """Year x region table of one variable (rows years, columns codes; NaN where missing).

        Examples
        --------
        >>> import pandas as pd
        >>> from spatialecon.data import build_panel
        >>> df = pd.DataFrame({"r": ["11", "12"], "year": [2000, 2000], "y": [1.0, 2.0]})
        >>> build_panel(df, region="r", year="year").wide("y").loc[2000].tolist()
        [1.0, 2.0]
        """
        return self._col(var).unstack(level=0).sort_index()

    def select(self, *, years=None, regions=None) -> RegionalPanel:
        """Sub-panel of some years (``range``/list/(start, end) inclusive) and/or regions (codes).

        Examples
        --------
        >>> import pandas as pd
        >>> from spatialecon.data import build_panel
        >>> df = pd.DataFrame({"r": ["11", "11"], "year": [2000, 2001], "y": [1.0, 2]})
        >>> len(build_panel(df, region="r", year="year").select(years=(2001, 2001)))
        1
        """
        d = self._data
        keep = np.ones(len(d), dtype=bool)
        if years is not None:
            if isinstance(years, tuple) and len(years) == 2:
                years = range(int(years[0]), int(years[1]) + 1)
            keep &= d.index.get_level_values(1).isin(list(years))
        if regions is not None:
            keep &= d.index.get_level_values(0).isin([str(r) for r in regions])
        expected = None
        if self._expected is not None:
            present = set(d[keep].index.get_level_values(1))
            expected = [y for y in self._expected if years is None or y in set(years)] if present else None
        return self._new(d[keep].copy(), expected_years=expected)

    # ----------------------------------------------------------- derivations
    def _col(self, var: str) -> pd.Series:
        if var not in self._data.columns:
            raise DataError(f"variable {var!r} is not in the panel; columns are {self.variables}")
        return self._data[var]

    def _with(self, name: str, values: pd.Series, how: str) -> RegionalPanel:
        if name in self._data.columns:
            raise DataError(f"column {name!r} already exists; pass name= to choose another")
        d = self._data.copy()
        d[name] = values.reindex(d.index).astype(float)
        derived = dict(self.derived)
        derived[name] = how
        return self._new(d, derived=derived)

    def per_capita(self, num: str, den: str, *, scale: float = 1.0, name: str | None = None) -> RegionalPanel:
        """Add ``num / den * scale`` as a derived column.

        For GRP in 100 million yuan and population in 10,000 persons, yuan per
        person is ``scale=1e4``.

        Examples
        --------
        >>> import pandas as pd
        >>> from spatialecon.data import build_panel
        >>> df = pd.DataFrame({"r": ["11"], "year": [2000], "grp": [3161.66], "pop": [1364.0]})
        >>> p = build_panel(df, region="r", year="year").per_capita("grp", "pop", scale=1e4, name="gdppc")
        >>> round(float(p["gdppc"].iloc[0]), 1)
        23179.3
        """
        name = name or f"{num}_per_{den}"
        den_v = self._col(den)
        if (den_v == 0).any():
            raise DataError(f"per_capita(): {den!r} is zero at {den_v.index[den_v == 0].tolist()[:10]}")
        return self._with(name, self._col(num) / den_v * scale, f"{num} / {den} * {scale:g}")

    def relative(self, var: str, *, to: str = "sample_mean", weights: str | None = None,
                 national=None, missing: str = "raise", name: str | None = None) -> RegionalPanel:
        """Add ``var`` relative to a yearly reference (removes any deflator common to all regions).

        Parameters
        ----------
        var : str
            Variable, e.g. ``"gdppc"``.
        to : {"sample_mean", "national"}, default "sample_mean"
            ``"sample_mean"``: divide by the (``weights``-weighted) mean over
            the panel's regions in that year. ``"national"``: divide by
            ``national`` (a Series indexed by year) when given; otherwise by the
            ``weights``-weighted mean over the regions, which must then be the
            complete set of regions in every year (for per-capita income with
            population weights this is the aggregate of the provinces, which
            differs from the published national figure by the NBS provincial
            discrepancy).
        weights : str, optional
            Column with weights (e.g. ``"pop"``); unweighted if None.
        national : pandas.Series, optional
            Reference value by year.
        missing : {"raise", "skip"}, default "raise"
            What to do when a year has missing values: ``"raise"`` a
            PanelError (the reference would rest on a changing sample), or
            ``"skip"`` them (the mean uses the regions observed that year).
        name : str, optional
            Default ``f"{var}_rel"``.

        Examples
        --------
        >>> import pandas as pd
        >>> from spatialecon.data import build_panel
        >>> df = pd.DataFrame({"r": ["11", "12"], "year": [2000, 2000], "y": [3.0, 1.0]})
        >>> build_panel(df, region="r", year="year").relative("y")["y_rel"].tolist()
        [1.5, 0.5]
        """
        validate("to", to, RelativeTo)
        validate("missing", missing, MissingRule)
        x = self._col(var).astype(float)
        years = x.index.get_level_values(1)
        w = pd.Series(1.0, index=x.index) if weights is None else self._col(weights).astype(float)
        bad = x.isna() | w.isna()
        if bad.any() and missing == "raise":
            yrs = sorted(set(years[bad.to_numpy()]))
            raise PanelError(f"relative(): {var!r} (or weights) missing in years {yrs}; the reference mean would "
                             "rest on a changing set of regions. Use balanced() first or pass missing='skip'.")
        ok = ~bad
        if to == "national" and national is not None:
            ref = pd.Series(national, dtype=float)
            lacking = sorted(set(years) - set(ref.index))
            if lacking:
                raise DataError(f"relative(): national reference has no value for years {lacking}")
            refv = ref.reindex(years).to_numpy()
        else:
            if to == "national":
                if weights is None:
                    raise DataError("relative(to='national') needs national= (a Series by year) or weights= "
                                    "(e.g. 'pop' for per-capita variables); an unweighted mean of regions is "
                                    "not a national figure: use to='sample_mean' for that")
                n_all = x.groupby(years).size()
                if (n_all != n_all.max()).any() or not self.is_balanced:
                    raise PanelError("relative(to='national') without national= needs every region in every "
                                     "year; pass national= or use to='sample_mean'")
            num = (x.where(ok) * w.where(ok)).groupby(years).sum()
            den = w.where(ok).groupby(years).sum()
            refv = (num / den).reindex(years).to_numpy()
        how = f"{var} / {'national reference' if to == 'national' else 'sample mean'}" + (
            f" weighted by {weights}" if weights else "")
        return self._with(name or f"{var}_rel", x / refv, how)

    def deflate(self, var: str, deflator, *, base_year: int | None = None,
                name: str | None = None) -> RegionalPanel:
        """Add ``var`` at constant prices using a user-supplied price index.

        No provincial deflator is bundled; pass your own.

        Parameters
        ----------
        var : str
            Nominal variable.
        deflator : pandas.Series, pandas.DataFrame or str
            Price-index *levels*: a Series indexed by year (one national index)
            or by a (region, year) MultiIndex (one index per region); a
            one-column DataFrame with such an index; a wide DataFrame (rows
            regions, columns years); or the name of a column of this panel.
            Region labels are harmonised like the panel's.
        base_year : int, optional
            Express the result in prices of this year: ``var * P_base / P_t``
            (per region for a regional index). If None the index is taken to
            be 100 in its own base: ``var * 100 / P_t``.
        name : str, optional
            Default ``f"{var}_real"``.

        Raises
        ------
        DataError
            If the deflator lacks a (code, year) or year of the panel (listed).

        Examples
        --------
        >>> import pandas as pd
        >>> from spatialecon.data import build_panel
        >>> df = pd.DataFrame({"r": ["11", "11"], "year": [2000, 2001], "y": [100.0, 110.0]})
        >>> p = build_panel(df, region="r", year="year")
        >>> p.deflate("y", pd.Series({2000: 100.0, 2001: 110.0}))["y_real"].tolist()
        [100.0, 100.0]
        """
        x = self._col(var).astype(float)
        defl = self._as_index_series(deflator)
        if isinstance(defl.index, pd.MultiIndex):
            keys = x.index
        else:
            defl.index = defl.index.astype(int)
            keys = x.index.get_level_values(1)
        p_t = defl.reindex(keys)
        lacking = sorted(set(pd.Index(keys)[p_t.isna().to_numpy()].tolist()))
        if lacking:
            raise DataError(f"deflate(): deflator has no value for {lacking[:20]}"
                            f"{' ...' if len(lacking) > 20 else ''}")
        if base_year is None:
            base = 100.0
        elif isinstance(defl.index, pd.MultiIndex):
            regs = x.index.get_level_values(0)
            base = defl.reindex(pd.MultiIndex.from_arrays([regs, np.full(len(regs), int(base_year))])).to_numpy()
            if np.isnan(base).any():
                raise DataError(f"deflate(): deflator has no base-year {base_year} value for some regions")
        else:
            if int(base_year) not in defl.index:
                raise DataError(f"deflate(): deflator has no value for base year {base_year}")
            base = float(defl.loc[int(base_year)])
        real = x * base / p_t.to_numpy()
        return self._with(name or f"{var}_real", real,
                          f"{var} deflated by user index" + (f", prices of {base_year}" if base_year else ""))

    def _as_index_series(self, table) -> pd.Series:
        """A price table as a float Series indexed by year or by (code, year)."""
        if isinstance(table, str):
            return self._col(table).astype(float)
        return as_index_series(table, self.regions, harmonised=bool(self.report.get("harmonised")))

    def chain(self, var: str, *, base_year: int, name: str | None = None) -> RegionalPanel:
        """Add the level series of a previous-year = 100 index, 100 in ``base_year``, per region.

        ``L_base = 100``; forwards ``L_t = L_{t-1} * I_t / 100``; backwards
        ``L_{t-1} = L_t * 100 / I_t``. A missing index value breaks the chain:
        levels beyond the gap stay missing. Use it to turn ``cpi`` or
        ``grp_index`` (previous year = 100) into a price or volume index.

        Examples
        --------
        >>> import pandas as pd
        >>> from spatialecon.data import build_panel
        >>> df = pd.DataFrame({"r": ["11"] * 3, "year": [2000, 2001, 2002], "i": [105.0, 110.0, 102.0]})
        >>> p = build_panel(df, region="r", year="year").chain("i", base_year=2000)
        >>> [round(v, 2) for v in p["i_level"].tolist()]
        [100.0, 110.0, 112.2]
        """
        out = chain_levels(self._col(var).astype(float), int(base_year))
        return self._with(name or f"{var}_level", out, f"chained levels of {var} (previous year = 100), "
                                                        f"{base_year} = 100")

    def growth(self, var: str, span: int = 1, *, log: bool = True, annualise: bool = True,
               name: str | None = None) -> RegionalPanel:
        """Add the growth of ``var`` over ``span`` years ending in each year.

        Uses calendar years, not row positions: a value ``span`` years earlier
        must exist, otherwise the result is missing.

        Parameters
        ----------
        var : str
        span : int, default 1
        log : bool, default True
            Log difference ``ln x_t - ln x_{t-span}``; else the ratio minus one.
        annualise : bool, default True
            Divide the log difference by ``span`` (or take the ``span``-th root of
            the ratio).
        name : str, optional
            Default ``f"{var}_g{span}"``.

        Examples
        --------
        >>> import pandas as pd
        >>> from spatialecon.data import build_panel
        >>> df = pd.DataFrame({"r": ["11", "11"], "year": [2000, 2001], "y": [100.0, 110.0]})
        >>> p = build_panel(df, region="r", year="year").growth("y", log=False)
        >>> [round(v, 3) for v in p["y_g1"].fillna(-1).tolist()]
        [-1.0, 0.1]
        """
        if int(span) < 1:
            raise DataError("growth(): span must be a positive number of years")
        span = int(span)
        x = self._col(var).astype(float)
        if log and (x <= 0).any():
            raise DataError(f"growth(): {var!r} has non-positive values; log growth undefined")
        idx = x.index
        prev_keys = pd.MultiIndex.from_arrays([idx.get_level_values(0), idx.get_level_values(1) - span])
        prev = x.reindex(prev_keys).to_numpy()
        if log:
            g = np.log(x.to_numpy()) - np.log(prev)
            g = g / span if annualise else g
        else:
            ratio = x.to_numpy() / prev
            g = ratio ** (1.0 / span) - 1.0 if annualise else ratio - 1.0
        kind = "log growth" if log else "growth rate"
        return self._with(name or f"{var}_g{span}", pd.Series(g, index=idx),
                          f"{kind} of {var} over {span} year(s){', annualised' if annualise else ''}")

    # --------------------------------------------------------------- geometry
    def with_geometry(self, gdf=None):
        """The panel as a GeoDataFrame (one geometry per row), joined on region codes.

        Parameters
        ----------
        gdf : geopandas.GeoDataFrame, optional
            Geometries indexed by code; default the bundled 31 provinces.

        Raises
        ------
        DataError
            If some region of the panel has no geometry (listed).
        """
        from ..geo import join

        return join(self._data, gdf, how="left")

    def to_geodataframe(self, year: int, gdf=None):
        """Cross-section of one year as a GeoDataFrame indexed by code.

        Examples
        --------
        >>> import spatialecon as se
        >>> p = se.build_panel(se.datasets.china_panel()[["grp"]].reset_index(), region="code", year="year")
        >>> p.to_geodataframe(2020).shape[0]
        31
        """
        from ..geo import join

        if int(year) not in set(self.years):
            raise DataError(f"year {year} not in the panel ({self.years.min()}-{self.years.max()})")
        cross = self._data.xs(int(year), level=1)
        return join(cross, gdf, how="left")
