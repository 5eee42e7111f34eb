"""Loaders for the bundled panels: China provinces, US states, Mexican states.

China (``panels/``, see ``panels/CODEBOOK.md`` and ``panels/PROVENANCE.md``):
published National Bureau of Statistics figures compiled value by value with a
source id each. Nothing is filled or interpolated; the only computed column is
``gdppc`` (GRP / population), labelled as derived.
"""

from __future__ import annotations

import functools

import pandas as pd

from .._paths import bundled
from ..errors import DataError
from .builder import build_panel

__all__ = ["china_panel", "china_panel_values", "china_panel_coverage", "china_sources", "us_income", "mexico",
           "CHINA_VARIABLES", "china_value_source"]

# bundled variable name -> (panel column, unit, definition)
CHINA_VARIABLES: dict[str, tuple[str, str, str]] = {
    "grp_100m_cny": ("grp", "100 million yuan, current prices", "Gross regional product (地区生产总值)"),
    "pop_10k": ("pop", "10,000 persons, year-end", "Year-end population (年末人口; see pop_basis for the definition)"),
    "gdp_pc_cny": ("gdppc_official", "yuan per person, current prices",
                   "Official GRP per capita (人均地区生产总值) as published, 5 years only, first-published vintage"),
    "grp_index_prev100": ("grp_index", "index, previous year = 100, constant prices",
                          "GRP volume index (地区生产总值指数, 上年=100)"),
    "fai_100m_cny": ("fai", "100 million yuan, current prices", "Total investment in fixed assets (全社会固定资产投资)"),
    "disp_income_pc_cny": ("disp_income", "yuan per person per year, current prices",
                           "Per capita disposable income of residents (居民人均可支配收入)"),
    "va_secondary_100m_cny": ("va_secondary", "100 million yuan, current prices",
                              "Value added of the secondary sector (第二产业增加值), G_NV_GRP vintage"),
    "va_tertiary_100m_cny": ("va_tertiary", "100 million yuan, current prices",
                             "Value added of the tertiary sector (第三产业增加值), G_NV_GRP vintage"),
    "trade_1000usd": ("trade", "1,000 US dollars, current prices",
                      "Imports plus exports by location of the trading enterprise (经营单位所在地进出口总额)"),
    "budget_exp_100m_cny": ("budget_exp", "100 million yuan, current prices",
                            "Local general public budget expenditure (地方财政一般公共预算支出)"),
    "cpi_prev100": ("cpi", "index, previous year = 100", "Consumer price index (居民消费价格指数, 上年=100)"),
}

_GRP_VINTAGE = {"G_GCAM_GDP": "1978-1992", "G_TOBBY_GRP": "1993-2005", "G_REN_GRP": "2006-2023"}
_POP_BASIS = {"G_GCAM_COMP_POP": "1978-1999 Compendium (registered population for some provinces)",
              "G_YINTHAN_POP": "2000-2014 NBS year-end (usual residents from 2005; 2000 census-based)",
              "G_LMQ_POP": "2015-2023 NBS year-end usual residents"}

NOTES = (
    "grp: GRP vintage breaks between 1992/1993 and 2005/2006 (different NBS database vintages, census "
    "revisions); see grp_vintage.",
    "pop: before 2000 some provinces report registered (hukou) population (Shanghai, Tianjin, ...); usual "
    "residents from 2000; Beijing 1994/95 definitional jump.",
    "backcast: Chongqing before 1997 and Hainan before 1988 are retrospective estimates for today's boundaries.",
    "gdppc is DERIVED here as grp*1e8/(pop*1e4) yuan per person (year-end population); gdppc_official is the "
    "published figure (first-published vintage, 5 years only) and is never mixed into gdppc.",
    "Values are nominal; no provincial deflator is bundled. Use relative income or a user-supplied deflator.",
)


@functools.lru_cache(maxsize=1)
def _values() -> pd.DataFrame:
    v = pd.read_csv(bundled("panels", "china_provincial_values.csv"),
                    dtype={"code": str, "year": int, "variable": str, "value": float, "unit": str,
                           "source_id": str})
    return v


def china_panel_values() -> pd.DataFrame:
    """The bundled long table: one row per (code, year, variable) with unit and source id.

    Examples
    --------
    >>> v = china_panel_values()
    >>> list(v.columns)
    ['code', 'year', 'variable', 'value', 'unit', 'source_id']
    """
    return _values().copy()


def china_sources() -> pd.DataFrame:
    """Source table (``panels/sources.csv``) indexed by ``source_id``: URL, title, coverage, licence.

    Examples
    --------
    >>> "G_REN_GRP" in china_sources().index
    True
    """
    return pd.read_csv(bundled("panels", "sources.csv"), dtype=str).set_index("source_id")


def china_value_source(code, year: int, column: str) -> dict:
    """Where one value of :func:`china_panel` comes from: value, unit, source id, URL and title.

    Examples
    --------
    >>> china_value_source("440000", 2020, "grp")["source_id"]
    'G_REN_GRP'
    """
    from ..regions import harmonise

    code = harmonise([code]).iloc[0]
    inv = {col: var for var, (col, _, _) in CHINA_VARIABLES.items()}
    if column not in inv:
        raise DataError(f"{column!r} is not a sourced column; choose one of {sorted(inv)} "
                        "(gdppc is derived from grp and pop)")
    v = _values()
    hit = v[(v["code"] == code) & (v["year"] == int(year)) & (v["variable"] == inv[column])]
    if hit.empty:
        raise DataError(f"no value of {column!r} for {code} in {year}: it is missing in the sources")
    row = hit.iloc[0]
    src = china_sources().loc[row["source_id"]]
    return {"code": code, "year": int(year), "column": column, "value": float(row["value"]),
            "unit": row["unit"], "source_id": row["source_id"], "url": src["url"], "title": src["title"]}


def china_panel(*, vintage_notes: bool = True, sources: bool = True, as_panel: bool = False):
    """Bundled panel of China's 31 provinces, 1978-2023 (published NBS figures).

    Parameters
    ----------
    vintage_notes : bool, default True
        Include the columns ``grp_vintage`` (GRP source vintage: "1978-1992",
        "1993-2005", "2006-2023"), ``pop_basis`` (population definition and
        source) and ``backcast`` (True for Chongqing before 1997 and Hainan
        before 1988), and the notes in ``df.attrs["notes"]``.
    sources : bool, default True
        Include ``<column>_source`` with the source id of every value.
    as_panel : bool, default False
        Return a :class:`~spatialecon.data.RegionalPanel` of the numeric
        columns (units in ``.units``, ``gdppc`` in ``.derived``, the source and
        vintage columns in ``.report["sources"]``) instead of a DataFrame.

    Returns
    -------
    pandas.DataFrame
        MultiIndex (``code`` str, ``year`` int), 31 x 46 = 1,426 rows, sorted.
        Columns: ``grp`` (100 million yuan, nominal), ``pop`` (10,000 persons,
        year-end), ``gdppc`` (DERIVED: ``grp * 1e8 / (pop * 1e4)`` yuan per
        person), ``gdppc_official`` (published per capita, 2001, 2003, 2007,
        2012, 2013 only; never mixed with ``gdppc``), ``grp_index``, ``fai``,
        ``disp_income``, ``va_secondary``, ``va_tertiary``, ``trade``,
        ``budget_exp``, ``cpi`` (2000 on, see ``panels/CODEBOOK.md``), source and
        vintage columns. ``attrs``: ``units``, ``derived``, ``notes``,
        ``source_table`` and ``coverage`` (non-missing count per column).
        Missing values stay missing.

    Examples
    --------
    >>> from spatialecon.datasets import china_panel
    >>> df = china_panel()
    >>> df.shape[0], list(df.index.names)
    (1426, ['code', 'year'])
    >>> df.loc[("440000", 2020), "grp_source"]
    'G_REN_GRP'
    >>> df.attrs["derived"]["gdppc"]
    'grp * 1e8 / (pop * 1e4): yuan per person, derived from grp and year-end pop'
    """
    from ..regions import codes as region_codes

    v = _values()
    idx = pd.MultiIndex.from_product([region_codes(), range(1978, 2024)], names=["code", "year"])
    vals = v.pivot(index=["code", "year"], columns="variable", values="value").reindex(idx)
    srcs = v.pivot(index=["code", "year"], columns="variable", values="source_id").reindex(idx)
    df = pd.DataFrame(index=idx)
    units, source_cols = {}, {}
    for var, (col, unit, _) in CHINA_VARIABLES.items():
        if var not in vals.columns:
            raise DataError(f"bundled panel lacks variable {var!r}; rebuild panels/ with build_panels.py")
        df[col] = vals[var].astype(float)
        units[col] = unit
        source_cols[f"{col}_source"] = srcs[var].astype(object).where(srcs[var].notna(), None)
    df.insert(2, "gdppc", df["grp"] * 1e8 / (df["pop"] * 1e4))
    units["gdppc"] = "yuan per person, current prices (derived)"
    if sources:
        for name, s in source_cols.items():
            df[name] = s
    if vintage_notes:
        grp_src = source_cols["grp_source"]
        pop_src = source_cols["pop_source"]
        df["grp_vintage"] = grp_src.map(_GRP_VINTAGE).astype(object)
        df["pop_basis"] = pop_src.map(_POP_BASIS).astype(object)
        codes_ = df.index.get_level_values(0)
        years_ = df.index.get_level_values(1)
        df["backcast"] = ((codes_ == "500000") & (years_ < 1997)) | ((codes_ == "460000") & (years_ < 1988))
        df.attrs["notes"] = list(NOTES)
    df.attrs["units"] = units
    df.attrs["derived"] = {"gdppc": "grp * 1e8 / (pop * 1e4): yuan per person, derived from grp and year-end pop"}
    df.attrs["source_table"] = "panels/china_provincial_values.csv (see panels/PROVENANCE.md, panels/sources.csv)"
    df.attrs["coverage"] = {c: int(df[c].notna().sum()) for c in units}
    if as_panel:
        from .panel import RegionalPanel

        num = df[list(units)].copy()
        num.attrs = {}
        meta = df.drop(columns=list(units))
        meta.attrs = {}
        return RegionalPanel(num, units=units, derived=dict(df.attrs["derived"]),
                             report={"source": df.attrs["source_table"], "sources": meta,
                                     "notes": list(NOTES)})
    return df


def china_panel_coverage() -> pd.DataFrame:
    """Number of provinces with a value, by year (rows) and variable (columns).

    Examples
    --------
    >>> cov = china_panel_coverage()
    >>> int(cov.loc[2001, "gdppc_official"]), int(cov.loc[1978, "grp"])
    (31, 31)
    """
    df = china_panel(vintage_notes=False, sources=False)
    cov = df.notna().groupby(level="year").sum().astype(int)
    return cov


def _libpysal_path(example: str, filename: str) -> str:
    """Path of a file of a libpysal example shipped inside the libpysal package.

    Located with :func:`importlib.util.find_spec` so that libpysal itself (slow
    to import) is not imported.
    """
    import importlib.util
    from pathlib import Path

    spec = importlib.util.find_spec("libpysal")
    if spec is None or not spec.submodule_search_locations:  # pragma: no cover - libpysal is a dependency
        raise DataError("libpysal is needed for this example dataset (pip install libpysal)")
    for root in spec.submodule_search_locations:
        path = Path(root) / "examples" / example / filename
        if path.exists():
            return str(path)
    raise DataError(  # pragma: no cover - shipped with libpysal
        f"libpysal example {example!r} ({filename}) not found in the installed libpysal")


def us_income(*, as_panel: bool = False):
    """US state per capita personal income, 48 contiguous states, 1929-2009.

    Source: libpysal example ``us_income`` (``usjoin.csv``), from the US
    Bureau of Economic Analysis (state personal income, SA1), nominal dollars
    per person. Codes are 2-digit zero-padded state FIPS codes.

    Parameters
    ----------
    as_panel : bool, default False
        Return a :class:`RegionalPanel` instead of a DataFrame.

    Returns
    -------
    pandas.DataFrame or RegionalPanel
        MultiIndex (``code`` FIPS str, ``year`` int); columns ``name`` (state)
        and ``income`` (current dollars per person).

    Examples
    --------
    >>> df = us_income()
    >>> df.shape, float(df.loc[("01", 1929), "income"])
    ((3888, 2), 323.0)
    """
    raw = pd.read_csv(_libpysal_path("us_income", "usjoin.csv"))
    raw["code"] = raw["STATE_FIPS"].astype(int).map(lambda x: f"{x:02d}")
    names = raw.set_index("code")["Name"]
    panel = build_panel(raw.drop(columns=["STATE_FIPS", "Name"]), region="code", variable="income",
                        harmonise=False)
    panel.report["source"] = "libpysal.examples us_income/usjoin.csv (BEA state per capita personal income)"
    panel.units["income"] = "current US dollars per person"
    if as_panel:
        return panel
    df = panel.data
    df.insert(0, "name", names.reindex(df.index.get_level_values(0)).to_numpy().astype(object))
    df.attrs["units"] = dict(panel.units)
    df.attrs["source"] = panel.report["source"]
    return df


def mexico(*, as_panel: bool = False):
    """Mexican state GDP per capita, 32 states, 1940-2000 (every 10 years).

    Source: libpysal example ``mexico`` (attribute table of
    ``mexicojoin.shp``, columns ``PCGDP1940`` ... ``PCGDP2000``): gross domestic
    product per capita by state in constant 1993 pesos, from Esquivel (1999),
    "Convergencia regional en México, 1940-1995", as used by Rey and
    Sastré Gutiérrez (2010), "Interregional inequality dynamics in Mexico",
    Spatial Economic Analysis 5: 277-298. Codes are the 2-digit INEGI state
    codes (``CODE`` "MX01" -> "01"), names as in the shapefile.

    Parameters
    ----------
    as_panel : bool, default False
        Return a :class:`RegionalPanel` instead of a DataFrame.

    Returns
    -------
    pandas.DataFrame or RegionalPanel
        MultiIndex (``code`` str, ``year`` int: 1940, 1950, ..., 2000);
        columns ``name`` and ``gdppc`` (constant 1993 pesos per person).

    Examples
    --------
    >>> df = mexico()
    >>> df.shape, df.loc[("09", 1940), "name"]
    ((224, 2), 'Distrito Federal')
    """
    import geopandas as gpd

    raw = gpd.read_file(_libpysal_path("mexico", "mexicojoin.shp"), ignore_geometry=True)
    ycols = [c for c in raw.columns if c.startswith("PCGDP")]
    if "CODE" not in raw.columns or len(ycols) != 7:
        raise DataError(f"unexpected columns in libpysal mexicojoin: {list(raw.columns)}")
    codes = raw["CODE"].astype(str).str.removeprefix("MX")
    wide = raw[ycols].copy()
    wide.columns = [int(c.removeprefix("PCGDP")) for c in ycols]
    wide.insert(0, "code", codes)
    panel = build_panel(wide, region="code", variable="gdppc", harmonise=False, year_step=10)
    panel.report["source"] = "libpysal.examples mexico/mexicojoin.shp (Esquivel 1999; state GDP per capita)"
    panel.units["gdppc"] = "constant 1993 pesos per person"
    if as_panel:
        return panel
    df = panel.data
    names = pd.Series(raw["NAME"].astype(str).to_numpy(), index=codes.to_numpy())
    df.insert(0, "name", names.reindex(df.index.get_level_values(0)).to_numpy().astype(object))
    df.attrs["units"] = dict(panel.units)
    df.attrs["source"] = panel.report["source"]
    return df
