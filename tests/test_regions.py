"""Region registry: harmonisation of messy labels, groups, growth poles, names.

The expected codes below were written by hand from the official list of
provincial-level administrative division codes (GB/T 2260, as published by the
Ministry of Civil Affairs), not from the package's own tables.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from spatialecon import regions
from spatialecon.errors import OptionError, RegionMatchError, SpatialEconError

# (label, expected adcode)
MESSY = [
    # full / short / traditional / abbreviated Chinese
    ("北京市", "110000"), ("北京", "110000"), ("天津市", "120000"), ("河北省", "130000"),
    ("山西省", "140000"), ("山西", "140000"), ("内蒙古自治区", "150000"), ("内蒙古", "150000"),
    ("內蒙古自治區", "150000"), ("辽宁省", "210000"), ("遼寧", "210000"), ("吉林省", "220000"),
    ("黑龙江", "230000"), ("上海", "310000"), ("江苏省", "320000"), ("浙江", "330000"),
    ("安徽省", "340000"), ("福建", "350000"), ("江西省", "360000"), ("山东", "370000"),
    ("河南省", "410000"), ("湖北", "420000"), ("湖南省", "430000"), ("广东省", "440000"),
    ("广东", "440000"), ("廣東省", "440000"), ("粤", "440000"), ("广西壮族自治区", "450000"),
    ("广西", "450000"), ("海南省", "460000"), ("重庆市", "500000"), ("重庆", "500000"),
    ("四川省", "510000"), ("贵州", "520000"), ("云南省", "530000"), ("西藏自治区", "540000"),
    ("西藏", "540000"), ("陕西省", "610000"), ("陕西", "610000"), ("陝西", "610000"),
    ("甘肃省", "620000"), ("青海", "630000"), ("宁夏回族自治区", "640000"), ("宁夏", "640000"),
    ("新疆维吾尔自治区", "650000"), ("新疆", "650000"), (" 沪 ", "310000"), ("京", "110000"),
    # pinyin, with/without tones, spaces, case
    ("Guangdong", "440000"), ("guang dong", "440000"), ("GUANGDONG", "440000"), ("Guǎngdōng", "440000"),
    ("guang3dong1", "440000"), ("Nei Menggu", "150000"), ("Nei Mongol", "150000"), ("Neimenggu", "150000"),
    ("Hei Long Jiang", "230000"), ("heilongjiang", "230000"), ("Xīzàng", "540000"), ("Xizang", "540000"),
    ("Chong-qing", "500000"), ("Chóngqìng", "500000"), ("Ning Xia", "640000"), ("Xin jiang", "650000"),
    ("Zhèjiāng", "330000"), ("Ānhuī", "340000"), ("Jílín", "220000"), ("Sìchuān", "510000"),
    # Shaanxi vs Shanxi
    ("Shaanxi", "610000"), ("Shanxi", "140000"), ("SHANXI", "140000"), ("Shǎnxī", "610000"),
    ("Shānxī", "140000"), ("shan3xi1", "610000"), ("shan1xi1", "140000"), ("Shaanxi Province", "610000"),
    ("Shanxi Province", "140000"), ("Shaan xi", "610000"),
    # English variants
    ("Inner Mongolia", "150000"), ("Inner Mongolia Autonomous Region", "150000"), ("Tibet", "540000"),
    ("Tibet Autonomous Region", "540000"), ("Guangxi Zhuang Autonomous Region", "450000"),
    ("Guangxi Zhuang", "450000"), ("Ningxia Hui Autonomous Region", "640000"),
    ("Xinjiang Uygur Autonomous Region", "650000"), ("Xinjiang Uyghur", "650000"),
    ("Beijing Shi", "110000"), ("Beijing Municipality", "110000"), ("Beijing City", "110000"),
    ("Shanghai Municipality", "310000"), ("Guangdong Province", "440000"), ("Guangdong Sheng", "440000"),
    ("Heilongjiang Province", "230000"), ("Peking", "110000"), ("Szechwan", "510000"),
    ("Kwangtung", "440000"), ("Shensi", "610000"), ("Shansi", "140000"),
    ("Xinjiang Uygur Zizhiqu", "650000"), ("Guangxi Zhuangzu Zizhiqu", "450000"), ("Anhui Sheng", "340000"),
    ("Beijing\u3000", "110000"), ("Shǎnxī Shěng", "610000"),
    # codes
    ("44", "440000"), (44, "440000"), (440000, "440000"), ("440000", "440000"), (np.int64(110000), "110000"),
    (11, "110000"), ("11", "110000"), (650000.0, "650000"), ("540000", "540000"), (" 500000 ", "500000"),
    (61, "610000"), (14, "140000"), ("４４００００", "440000"),
]


def test_messy_table_is_large_enough():
    assert len(MESSY) >= 60
    # every province is hit at least once
    assert set(c for _, c in MESSY) == set(regions.codes())


@pytest.mark.parametrize("label,code", MESSY, ids=[repr(m[0]) for m in MESSY])
def test_harmonise_one(label, code):
    out = regions.harmonise([label])
    assert out.tolist() == [code]
    assert isinstance(out.iloc[0], str)


def test_harmonise_vectorised_and_aligned():
    labels = [m[0] for m in MESSY]
    out = regions.harmonise(labels)
    assert out.tolist() == [m[1] for m in MESSY]
    assert out.name == "code"
    assert list(out.index) == list(range(len(labels)))
    s = pd.Series(["Guangdong", "Tibet"], index=["a", "b"])
    out = regions.harmonise(s)
    assert list(out.index) == ["a", "b"] and out.tolist() == ["440000", "540000"]
    assert regions.harmonise("Beijing").tolist() == ["110000"]
    assert regions.harmonise(pd.Index(["Hebei"])).tolist() == ["130000"]


def test_design_example():
    codes = regions.harmonise(["广东省", "Guangdong", "Nei Mongol", "Tibet", "440000", "重庆市"])
    assert codes.tolist() == ["440000", "440000", "150000", "540000", "440000", "500000"]


@pytest.mark.parametrize("label", ["Shan xi", "shan-xi", "Shan Xi", "Shanxī", "shan2xi1", "Shàn xī"])
def test_shanxi_ambiguous_raises(label):
    with pytest.raises(RegionMatchError, match="ambiguous") as exc:
        regions.harmonise([label])
    sugg = exc.value.unmatched[label]
    assert any("140000" in s for s in sugg) and any("610000" in s for s in sugg)


@pytest.mark.parametrize("label", ["Hong Kong", "香港", "Macau", "Macao SAR", "澳门特别行政区", "Taiwan", "台湾省",
                                   810000, "820000", "71", "全国", "China"])
def test_not_mainland_province_raises(label):
    with pytest.raises(RegionMatchError, match="not one of the 31 mainland") as exc:
        regions.harmonise(["Beijing", label])
    assert list(exc.value.unmatched) == [label]


def test_unmatched_lists_every_label_with_suggestions():
    with pytest.raises(RegionMatchError) as exc:
        regions.harmonise(["Guangdongg", "Beijing", "Sichaun", "Atlantis", "广栋省"])
    err = exc.value
    assert isinstance(err, SpatialEconError) and isinstance(err, KeyError)
    assert set(err.unmatched) == {"Guangdongg", "Sichaun", "Atlantis", "广栋省"}
    assert any("440000" in s for s in err.unmatched["Guangdongg"])
    assert any("510000" in s for s in err.unmatched["Sichaun"])
    assert err.unmatched["Atlantis"] == []
    msg = str(err)
    assert "4 region label(s)" in msg and "Guangdongg" in msg and "did you mean" in msg


@pytest.mark.parametrize("label", ["440100", 440300, "4400", "99", "990000", "", None, np.nan, 44.5, True,
                                   "xyz", ("Beijing",)])
def test_bad_codes_and_values_raise(label):
    with pytest.raises(RegionMatchError):
        regions.harmonise([label])


def test_prefecture_code_suggests_province():
    with pytest.raises(RegionMatchError, match="not a provincial code") as exc:
        regions.harmonise(["440100"])
    assert exc.value.unmatched["440100"] == ["Guangdong (440000)"]


def test_errors_coerce_and_option_check():
    out = regions.harmonise(["Beijing", "Hong Kong", "Shan xi"], errors="coerce")
    assert out.iloc[0] == "110000" and out.iloc[1] is None and out.iloc[2] is None
    with pytest.raises(OptionError, match="errors="):
        regions.harmonise(["Beijing"], errors="ignore")


def test_registry():
    reg = regions.registry()
    assert reg.shape[0] == 31 and reg.index.name == "code"
    assert reg.index.is_unique and list(reg.index) == sorted(reg.index)
    assert all(len(c) == 6 and c.endswith("0000") for c in reg.index)
    assert reg.loc["610000", "name_en"] == "Shaanxi" and reg.loc["140000", "name_en"] == "Shanxi"
    reg.loc["110000", "name_en"] = "changed"  # a copy: the registry is not modified
    assert regions.registry().loc["110000", "name_en"] == "Beijing"


def test_region4_nbs_2011():
    g = regions.groups("region4")
    assert len(g) == 31 and g.name == "region4"
    expected = {
        "East": {"110000", "120000", "130000", "310000", "320000", "330000", "350000", "370000", "440000",
                 "460000"},
        "Central": {"140000", "340000", "360000", "410000", "420000", "430000"},
        "West": {"150000", "450000", "500000", "510000", "520000", "530000", "540000", "610000", "620000",
                 "630000", "640000", "650000"},
        "Northeast": {"210000", "220000", "230000"},
    }
    for label, codes in expected.items():
        assert set(g.index[g == label]) == codes
        assert set(regions.members(label)) == codes


def test_coastal():
    g = regions.groups("coastal")
    coastal = {"120000", "130000", "210000", "310000", "320000", "330000", "350000", "370000", "440000",
               "450000", "460000"}
    assert set(g.index[g == "coastal"]) == coastal
    assert (g.drop(list(coastal)) == "inland").all()


@pytest.mark.parametrize("name,members,start,partial", [
    ("jingjinji", {"110000", "120000", "130000"}, 2014, False),
    ("yangtze_delta", {"310000", "320000", "330000", "340000"}, 2018, False),
    ("greater_bay", {"440000"}, 2019, True),
    ("chengyu", {"500000", "510000"}, 2020, True),
    ("yangtze_belt", {"310000", "320000", "330000", "340000", "360000", "420000", "430000", "500000", "510000",
                      "520000", "530000"}, 2014, False),
    ("yellow_river", {"630000", "510000", "620000", "640000", "150000", "140000", "610000", "410000", "370000"},
     2019, True),
])
def test_strategy_regions(name, members, start, partial):
    g = regions.groups(name)
    assert len(g) == 31
    assert set(g.index[g != "Other"]) == members
    assert g.attrs["start_year"] == start and g.attrs["partial"] is partial
    assert g.attrs["note"]
    meta = regions.strategy_regions()
    assert meta.loc[name, "start_year"] == start
    assert regions.members(name) == sorted(members)


def test_unknown_group_raises():
    with pytest.raises(OptionError, match="region4"):
        regions.groups("region5")
    with pytest.raises(OptionError):
        regions.members("nowhere")


def test_growth_poles():
    assert regions.growth_poles() == ["110000", "310000", "440000"]
    assert regions.growth_poles("beijing_shanghai_guangdong") == ["110000", "310000", "440000"]
    assert regions.growth_poles("beijing") == ["110000"]
    assert regions.growth_poles("municipalities") == ["110000", "120000", "310000", "500000"]
    assert regions.growth_poles(["Shanghai", "沪", 44]) == ["310000", "310000", "440000"]
    with pytest.raises(OptionError, match="beijing_shanghai_guangdong"):
        regions.growth_poles("paris")
    with pytest.raises(RegionMatchError):
        regions.growth_poles(["Paris"])


def test_name_of():
    assert regions.name_of(["440000", 11, "Tibet"], lang="en").tolist() == ["Guangdong", "Beijing", "Tibet"]
    assert regions.name_of(["440000", "610000"], lang="zh").tolist() == ["广东省", "陕西省"]
    assert regions.name_of(["150000"], lang="zh_short").tolist() == ["内蒙古"]
    out = regions.name_of(["610000", "140000"], lang="pinyin")
    assert out.tolist() == ["Shaanxi", "Shanxi"] and list(out.index) == ["610000", "140000"]
    with pytest.raises(OptionError):
        regions.name_of(["110000"], lang="fr")
    with pytest.raises(RegionMatchError):
        regions.name_of(["999999"])


def test_round_trip_every_name_column():
    reg = regions.registry()
    for col in ("name_zh", "short_zh", "pinyin", "name_en"):
        assert regions.harmonise(reg[col].tolist()).tolist() == list(reg.index)


def _variants():
    from hypothesis import strategies as st

    reg = regions.registry()
    names = [(n, c) for c, row in reg.iterrows() for n in (row["pinyin"], row["name_en"])
             if c not in ("140000",)]  # bare "Shanxi" with inserted spaces is ambiguous by design
    return st.sampled_from(names)


def test_pinyin_and_english_spelling_noise_is_ignored():
    hyp = pytest.importorskip("hypothesis")
    from hypothesis import strategies as st

    @hyp.given(_variants(), st.data())
    @hyp.settings(max_examples=150, deadline=None, derandomize=True)
    def check(pair, data):
        name, code = pair
        chars = []
        for ch in name:
            ch = ch.upper() if data.draw(st.booleans()) else ch.lower()
            chars.append(ch + data.draw(st.sampled_from(["", "", " ", "-"])))
        noisy = "".join(chars).strip(" -")
        suffix = data.draw(st.sampled_from(["", " Province", " sheng", " Shi", " Autonomous Region"]))
        assert regions.harmonise([noisy + suffix]).tolist() == [code], noisy + suffix

    check()
