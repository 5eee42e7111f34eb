"""Region groupings of the 31 mainland provinces and growth-pole presets.

Definitions (see also ``docs/regions.md``):

``region4``
    The National Bureau of Statistics four economic regions (划分东西中部和东北地区,
    NBS, 13 June 2011): East (10: Beijing, Tianjin, Hebei, Shanghai, Jiangsu,
    Zhejiang, Fujian, Shandong, Guangdong, Hainan), Central (6: Shanxi, Anhui,
    Jiangxi, Henan, Hubei, Hunan), West (12: Inner Mongolia, Guangxi,
    Chongqing, Sichuan, Guizhou, Yunnan, Tibet, Shaanxi, Gansu, Qinghai,
    Ningxia, Xinjiang), Northeast (3: Liaoning, Jilin, Heilongjiang).
``coastal``
    "coastal" for the 11 provincial units with a sea coastline (Tianjin, Hebei,
    Liaoning, Shanghai, Jiangsu, Zhejiang, Fujian, Shandong, Guangdong,
    Guangxi, Hainan), "inland" for the other 20. Beijing is inland; studies
    that use an "eastern coastal" group including Beijing should pass their
    own mapping.
National strategy regions (``STRATEGY_REGIONS``)
    Membership of whole provinces, with the year the strategy was launched
    and a ``partial`` flag where the strategy covers only part of a province's
    territory (the whole province is then counted as a member; say so when
    reporting results).
"""

from __future__ import annotations

import pandas as pd

from ..errors import OptionError
from .registry import _table, harmonise

__all__ = ["groups", "members", "strategy_regions", "growth_poles", "STRATEGY_REGIONS", "GROWTH_POLES",
           "GROUPINGS"]

STRATEGY_REGIONS: dict[str, dict] = {
    "jingjinji": {
        "label": "Jing-Jin-Ji",
        "name_zh": "京津冀协同发展",
        "members": ["110000", "120000", "130000"],
        "start_year": 2014,
        "partial": False,
        "note": "Coordinated development of Beijing, Tianjin and Hebei, raised to a national strategy in "
                "February 2014; Outline Plan adopted April 2015. Covers the three units in full.",
    },
    "yangtze_delta": {
        "label": "Yangtze River Delta",
        "name_zh": "长江三角洲区域一体化发展",
        "members": ["310000", "320000", "330000", "340000"],
        "start_year": 2018,
        "partial": False,
        "note": "Regional integration of the Yangtze River Delta, announced as a national strategy in "
                "November 2018; Outline Plan December 2019. Planning area: Shanghai, Jiangsu, Zhejiang, "
                "Anhui in full (the 27-city central area is a subset). Earlier plans (2010 regional plan, "
                "16 cities; 2016 city-cluster plan, 26 cities) covered parts of these provinces only.",
    },
    "greater_bay": {
        "label": "Greater Bay Area (mainland part)",
        "name_zh": "粤港澳大湾区",
        "members": ["440000"],
        "start_year": 2019,
        "partial": True,
        "note": "Guangdong-Hong Kong-Macao Greater Bay Area, Outline Development Plan February 2019 "
                "(framework agreement July 2017). The mainland part is 9 of Guangdong's 21 prefecture-level "
                "cities (Guangzhou, Shenzhen, Zhuhai, Foshan, Huizhou, Dongguan, Zhongshan, Jiangmen, "
                "Zhaoqing); Hong Kong and Macao are outside the registry. Province-level membership "
                "(all of Guangdong) overstates the area.",
    },
    "chengyu": {
        "label": "Chengdu-Chongqing",
        "name_zh": "成渝地区双城经济圈",
        "members": ["500000", "510000"],
        "start_year": 2020,
        "partial": True,
        "note": "Chengdu-Chongqing economic circle, national strategy since January 2020; Outline Plan "
                "October 2021 (an earlier Chengyu city-cluster plan dates from 2016). Covers 27 districts "
                "and counties of Chongqing plus parts of two more and 15 of Sichuan's 21 prefecture-level "
                "divisions, so both provinces are partial members.",
    },
    "yangtze_belt": {
        "label": "Yangtze River Economic Belt",
        "name_zh": "长江经济带",
        "members": ["310000", "320000", "330000", "340000", "360000", "420000", "430000", "500000",
                    "510000", "520000", "530000"],
        "start_year": 2014,
        "partial": False,
        "note": "Yangtze River Economic Belt: State Council Guiding Opinions of September 2014 (Guofa "
                "[2014] No. 39); Development Plan Outline 2016. Eleven provincial units in full: Shanghai, "
                "Jiangsu, Zhejiang, Anhui, Jiangxi, Hubei, Hunan, Chongqing, Sichuan, Guizhou, Yunnan.",
    },
    "yellow_river": {
        "label": "Yellow River basin",
        "name_zh": "黄河流域生态保护和高质量发展",
        "members": ["630000", "510000", "620000", "640000", "150000", "140000", "610000", "410000",
                    "370000"],
        "start_year": 2019,
        "partial": True,
        "note": "Ecological protection and high-quality development of the Yellow River basin, national "
                "strategy since the Zhengzhou symposium of September 2019; Outline Plan October 2021. The "
                "nine provinces the river flows through (Qinghai, Sichuan, Gansu, Ningxia, Inner Mongolia, "
                "Shanxi, Shaanxi, Henan, Shandong); the basin covers only part of most of them (Sichuan "
                "marginally).",
    },
}

GROWTH_POLES: dict[str, list[str]] = {
    "beijing_shanghai_guangdong": ["110000", "310000", "440000"],
    "beijing": ["110000"],
    "shanghai": ["310000"],
    "guangdong": ["440000"],
    "municipalities": ["110000", "120000", "310000", "500000"],
    "jingjinji": STRATEGY_REGIONS["jingjinji"]["members"],
    "yangtze_delta": STRATEGY_REGIONS["yangtze_delta"]["members"],
    "greater_bay": STRATEGY_REGIONS["greater_bay"]["members"],
    "chengyu": STRATEGY_REGIONS["chengyu"]["members"],
}

GROUPINGS = ("region4", "coastal", *STRATEGY_REGIONS)

OTHER = "Other"


def _check(name: str, allowed, what: str) -> None:
    if name not in allowed:
        raise OptionError(f"{what}={name!r} is not known; choose one of {', '.join(map(repr, allowed))}")


def groups(name: str = "region4") -> pd.Series:
    """Group label of each of the 31 provinces under a named grouping.

    Parameters
    ----------
    name : str, default "region4"
        ``"region4"`` (NBS 2011: East, Central, West, Northeast), ``"coastal"``
        ("coastal"/"inland"), or a strategy region in :data:`STRATEGY_REGIONS`
        (``"jingjinji"``, ``"yangtze_delta"``, ``"greater_bay"``, ``"chengyu"``,
        ``"yangtze_belt"``, ``"yellow_river"``): members get the region's label,
        the others ``"Other"``.

    Returns
    -------
    pandas.Series
        Index ``code`` (all 31 adcodes, str), values the group labels, named
        ``name``. For strategy regions ``attrs`` holds ``start_year``,
        ``partial`` and ``note``.

    Examples
    --------
    >>> from spatialecon.regions import groups
    >>> g = groups("region4")
    >>> g.value_counts().to_dict() == {"West": 12, "East": 10, "Central": 6, "Northeast": 3}
    True
    >>> groups("jingjinji").loc["130000"]
    'Jing-Jin-Ji'
    """
    _check(name, GROUPINGS, "name")
    reg = _table()
    if name in ("region4", "coastal"):
        out = reg[name].copy()
    else:
        meta = STRATEGY_REGIONS[name]
        out = pd.Series(OTHER, index=reg.index, dtype=object)
        out.loc[meta["members"]] = meta["label"]
        out.attrs.update({k: meta[k] for k in ("start_year", "partial", "note")})
    out.name = name
    out.index.name = "code"
    return out


def members(name: str) -> list[str]:
    """Codes of the provinces in a strategy region (or a ``region4``/``coastal`` label).

    Examples
    --------
    >>> from spatialecon.regions import members
    >>> members("jingjinji")
    ['110000', '120000', '130000']
    >>> len(members("Northeast"))
    3
    """
    if name in STRATEGY_REGIONS:
        return sorted(STRATEGY_REGIONS[name]["members"])
    reg = _table()
    for col in ("region4", "coastal"):
        if name in set(reg[col]):
            return list(reg.index[reg[col] == name])
    allowed = [*STRATEGY_REGIONS, *sorted(set(reg["region4"])), "coastal", "inland"]
    raise OptionError(f"name={name!r} is not known; choose one of {', '.join(map(repr, allowed))}")


def strategy_regions() -> pd.DataFrame:
    """Metadata of the national strategy regions, one row each.

    Examples
    --------
    >>> from spatialecon.regions import strategy_regions
    >>> int(strategy_regions().loc["yangtze_belt", "n_members"])
    11
    """
    rows = []
    for key, meta in STRATEGY_REGIONS.items():
        rows.append({"name": key, "label": meta["label"], "name_zh": meta["name_zh"],
                     "start_year": meta["start_year"], "partial": meta["partial"],
                     "n_members": len(meta["members"]), "members": ",".join(sorted(meta["members"])),
                     "note": meta["note"]})
    return pd.DataFrame(rows).set_index("name")


def growth_poles(name="beijing_shanghai_guangdong") -> list[str]:
    """Codes of a growth-pole preset, or of a list of region labels.

    Parameters
    ----------
    name : str or list, default "beijing_shanghai_guangdong"
        A preset in :data:`GROWTH_POLES` (``"beijing_shanghai_guangdong"``,
        ``"beijing"``, ``"shanghai"``, ``"guangdong"``, ``"municipalities"``,
        and the strategy-region cores ``"jingjinji"``, ``"yangtze_delta"``,
        ``"greater_bay"``, ``"chengyu"``), or a list of labels passed to
        :func:`~spatialecon.regions.harmonise`.

    Returns
    -------
    list of str
        Adcodes.

    Raises
    ------
    OptionError
        Unknown preset name (the presets are listed).

    Examples
    --------
    >>> from spatialecon.regions import growth_poles
    >>> growth_poles("beijing_shanghai_guangdong")
    ['110000', '310000', '440000']
    >>> growth_poles(["Beijing", "粤"])
    ['110000', '440000']
    """
    if isinstance(name, str):
        _check(name, tuple(GROWTH_POLES), "name")
        return list(GROWTH_POLES[name])
    return list(harmonise(list(name)))
