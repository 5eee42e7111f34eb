"""Regional panels: builder, validated ``RegionalPanel``, readers and bundled datasets.

Examples
--------
>>> import pandas as pd
>>> import spatialecon as se
>>> df = pd.DataFrame({"province": ["Guangdong", "广东省"], "year": [2000, 2001], "grp": [1.0, 2.0]})
>>> se.build_panel(df, region="province", year="year").data.index.tolist()
[('440000', 2000), ('440000', 2001)]
"""

from __future__ import annotations

from .builder import build_panel, read_table
from .bundled import (
    CHINA_VARIABLES,
    china_panel,
    china_panel_coverage,
    china_panel_values,
    china_sources,
    china_value_source,
    mexico,
    us_income,
)
from .panel import RegionalPanel

__all__ = [
    "build_panel",
    "read_table",
    "RegionalPanel",
    "china_panel",
    "china_panel_coverage",
    "china_panel_values",
    "china_sources",
    "china_value_source",
    "us_income",
    "mexico",
    "CHINA_VARIABLES",
]
