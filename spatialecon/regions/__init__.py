"""Registry of China's 31 mainland provincial units, name harmonisation and groupings.

Examples
--------
>>> import spatialecon as se
>>> se.regions.harmonise(["广东省", "Nei Mongol", 44]).tolist()
['440000', '150000', '440000']
>>> se.regions.groups("coastal").loc["110000"]
'inland'
"""

from __future__ import annotations

from .groups import (
    GROUPINGS,
    GROWTH_POLES,
    STRATEGY_REGIONS,
    groups,
    growth_poles,
    members,
    strategy_regions,
)
from .registry import codes, harmonise, name_of, registry

__all__ = [
    "registry",
    "codes",
    "harmonise",
    "name_of",
    "groups",
    "members",
    "strategy_regions",
    "growth_poles",
    "STRATEGY_REGIONS",
    "GROWTH_POLES",
    "GROUPINGS",
]
