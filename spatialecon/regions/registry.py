"""Registry of the 31 mainland provincial-level units and name harmonisation.

The registry (``provinces.csv``) lists each unit's administrative division code
(adcode, GB/T 2260, 6 digits as a string), full and short Chinese names,
Hanyu Pinyin, English name, NBS four-region group and coastal flag.
``aliases.csv`` adds common variants: English forms with "Province",
"Municipality" or "Autonomous Region", Nei Mongol / Nei Menggu, Xizang,
traditional characters, the one-character official abbreviations (粤, 沪, ...)
and Postal/Wade-Giles spellings (Kwangtung, Szechwan, Shensi, ...).

Matching rules of :func:`harmonise` (documented in full in ``docs/regions.md``):

1. Codes: ints or strings, 6-digit adcodes (``440000``, ``"440000"``) or the
   2-digit province prefix (``44``, ``"44"``). Other 6-digit codes (e.g. the
   prefecture code ``440100``) do not match; the containing province is
   suggested.
2. Chinese: full name (广东省, 内蒙古自治区), short name (广东, 内蒙古),
   traditional characters, one-character abbreviation (粤); a trailing 省, 市,
   自治区 (with or without the ethnic designation) is ignored.
3. Latin: case, spaces, hyphens, apostrophes and tone marks (or tone
   numbers) are ignored, as are trailing words such as "Province", "Sheng",
   "Shi", "Municipality", "City", "Autonomous Region", "Zizhiqu".
4. Shanxi / Shaanxi: "Shaanxi" is 陕西 (610000); "Shanxi" written as one word
   is 山西 (140000), the official romanisation convention (GB/T 17693,
   NBS). Tone marks or numbers decide when given: Shǎnxī / shan3xi1 ->
   610000, Shānxī / shan1xi1 -> 140000. A toneless form with a syllable break
   ("Shan xi", "Shan-xi") is ambiguous and raises: it is how a toneless
   pinyin transcription of either province is written, so we never guess.
5. Hong Kong, Macao, Taiwan and the national total (全国, China) are not
   among the 31 units and raise.
"""

from __future__ import annotations

import difflib
import functools
import re
import unicodedata
from pathlib import Path

import numpy as np
import pandas as pd

from .._options import MatchErrors, RegionLang, validate
from ..errors import RegionMatchError

__all__ = ["registry", "harmonise", "name_of", "codes"]

_HERE = Path(__file__).resolve().parent
_LANG_COLUMN = {"en": "name_en", "zh": "name_zh", "zh_short": "short_zh", "pinyin": "pinyin"}

_SEP = re.compile(r"[\s\-_'’‘`.,·・()（）/&]+")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_ZH_SUFFIXES = ("维吾尔自治区", "維吾爾自治區", "壮族自治区", "壯族自治區", "回族自治区", "回族自治區",
                "特别行政区", "特別行政區", "自治区", "自治區", "省", "市")
_LATIN_SUFFIXES = tuple(sorted((
    "uygurautonomousregion", "uyghurautonomousregion", "uighurautonomousregion",
    "zhuangautonomousregion", "huiautonomousregion", "autonomousregion", "autonomousprovince",
    "weiwuerzizhiqu", "zhuangzuzizhiqu", "huizuzizhiqu", "zizhiqu",
    "province", "provinz", "sheng", "municipality", "shi", "city", "region",
    "uygur", "uyghur", "uighur", "zhuang", "hui", "zhuangzu", "huizu", "weiwuer",
), key=len, reverse=True))
_OUTSIDE = {
    # key -> reason; these are never matched to a mainland province
    "hongkong": "Hong Kong", "xianggang": "Hong Kong", "hk": "Hong Kong", "hksar": "Hong Kong",
    "hongkongsar": "Hong Kong", "香港": "Hong Kong",
    "macau": "Macao", "macao": "Macao", "aomen": "Macao", "macaosar": "Macao", "macausar": "Macao",
    "澳门": "Macao", "澳門": "Macao",
    "taiwan": "Taiwan", "taipei": "Taiwan", "台湾": "Taiwan", "臺灣": "Taiwan", "台灣": "Taiwan",
    "810000": "Hong Kong", "820000": "Macao", "710000": "Taiwan", "81": "Hong Kong", "82": "Macao",
    "71": "Taiwan",
    "china": "the national total", "全国": "the national total", "全國": "the national total",
    "中国": "the national total", "national": "the national total", "nationwide": "the national total",
    "total": "the national total", "合计": "the national total", "总计": "the national total",
    "quanguo": "the national total", "100000": "the national total",
}
# tone-marked first vowel of "shanxi"-type input -> code
_SHANXI_TONE = {"ǎ": "610000", "ā": "140000"}
_SHANXI_NUM = re.compile(r"^shan([1-5])xi[1-5]?$")


@functools.lru_cache(maxsize=1)
def _table() -> pd.DataFrame:
    df = pd.read_csv(_HERE / "provinces.csv", dtype=str, keep_default_na=False)
    return df.set_index("code")


def registry() -> pd.DataFrame:
    """The 31 mainland provincial-level units.

    Returns
    -------
    pandas.DataFrame
        Index ``code`` (6-digit adcode as ``str``, sorted), columns ``name_zh``,
        ``short_zh``, ``pinyin``, ``name_en``, ``region4`` (NBS 2011 four
        regions) and ``coastal`` ("coastal"/"inland").

    Examples
    --------
    >>> from spatialecon.regions import registry
    >>> reg = registry()
    >>> len(reg), reg.loc["440000", "name_en"]
    (31, 'Guangdong')
    """
    return _table().copy()


def codes() -> list[str]:
    """The 31 adcodes (``str``) in registry order.

    Examples
    --------
    >>> from spatialecon.regions import codes
    >>> codes()[:3]
    ['110000', '120000', '130000']
    """
    return list(_table().index)


def _is_cjk(s: str) -> bool:
    return bool(_CJK.search(s))


def _toned(s: str) -> str:
    """Lower-case NFC form without separators; keeps tone marks and digits."""
    return _SEP.sub("", unicodedata.normalize("NFC", unicodedata.normalize("NFKC", s)).casefold())


def _plain(s: str) -> str:
    """Lower-case form without separators, tone marks or tone numbers (Latin input)."""
    t = unicodedata.normalize("NFD", _toned(s))
    t = "".join(ch for ch in t if unicodedata.category(ch) != "Mn")
    t = unicodedata.normalize("NFC", t)
    if re.fullmatch(r"[a-z1-5]+", t) and re.search(r"[a-z]", t):
        t = re.sub(r"[1-5]", "", t)
    return t


def _strip_suffix(key: str, suffixes) -> str:
    for suf in suffixes:
        if key.endswith(suf) and len(key) > len(suf):
            return key[: -len(suf)]
    return key


def _stems(key: str, suffixes) -> list[str]:
    """``key`` and the successive forms with one more trailing suffix removed (at most 3)."""
    out = [key]
    for _ in range(3):
        nxt = _strip_suffix(out[-1], suffixes)
        if nxt == out[-1]:
            break
        out.append(nxt)
    return out


def _zh_key(s: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", s))


@functools.lru_cache(maxsize=1)
def _lookup() -> tuple[dict, dict]:
    """(key -> set of codes, key -> display label) over names and aliases."""
    reg = _table()
    entries = []
    for code, row in reg.iterrows():
        for col in ("name_zh", "short_zh", "pinyin", "name_en"):
            entries.append((code, row[col]))
    aliases = pd.read_csv(_HERE / "aliases.csv", dtype=str, keep_default_na=False)
    entries += list(zip(aliases["code"], aliases["alias"]))
    keys: dict[str, set] = {}
    display: dict[str, str] = {}
    for code, name in entries:
        if _is_cjk(name):
            forms = {_zh_key(name), _strip_suffix(_zh_key(name), _ZH_SUFFIXES)}
        else:
            p = _plain(name)
            forms = {p, _strip_suffix(p, _LATIN_SUFFIXES)}
        for k in forms:
            keys.setdefault(k, set()).add(code)
            display.setdefault(k, f"{name} ({code})")
    clash = {k: v for k, v in keys.items() if len(v) > 1}
    if clash:  # pragma: no cover - guards the shipped tables
        raise RegionMatchError(f"registry aliases clash: {clash}", {})
    return {k: next(iter(v)) for k, v in keys.items()}, display


def _suggest(label: str, key: str) -> list[str]:
    table, display = _lookup()
    pool = [k for k in table if _is_cjk(k) == _is_cjk(key)]
    close = difflib.get_close_matches(key, pool, n=3, cutoff=0.6)
    out = []
    for k in close:
        d = display[k]
        if d not in out:
            out.append(d)
    return out


def _match_code(text: str) -> tuple[str | None, str | None, list[str]]:
    """Match a digits-only label. Returns (code, reason, suggestions)."""
    reg = _table()
    if text in _OUTSIDE:
        return None, f"{_OUTSIDE[text]} is not one of the 31 mainland provincial units", []
    if len(text) == 2 and text + "0000" in reg.index:
        return text + "0000", None, []
    if len(text) == 6 and text in reg.index:
        return text, None, []
    prov = text[:2] + "0000"
    if len(text) == 6 and prov in reg.index:
        return None, "is not a provincial code", [f"{reg.loc[prov, 'name_en']} ({prov})"]
    return None, "is not a provincial adcode", []


def _match_one(label) -> tuple[str | None, str | None, list[str]]:
    """Match one label. Returns (code, reason if unmatched/ambiguous, suggestions)."""
    if label is None or (isinstance(label, float) and np.isnan(label)) or label is pd.NA:
        return None, "missing label", []
    if isinstance(label, (bool, np.bool_)):
        return None, "a boolean is not a region label", []
    if isinstance(label, (int, np.integer)):
        return _match_code(str(int(label)))
    if isinstance(label, (float, np.floating)):
        if float(label).is_integer():
            return _match_code(str(int(label)))
        return None, "is not a provincial adcode", []
    if not isinstance(label, str):
        return None, f"labels must be str or int, got {type(label).__name__}", []
    text = unicodedata.normalize("NFKC", label).strip()
    if not text:
        return None, "empty label", []
    if re.fullmatch(r"\d+(\.0+)?", text):
        return _match_code(text.split(".")[0])
    table, _ = _lookup()
    if _is_cjk(text):
        key = _zh_key(text)
        for k in _stems(key, _ZH_SUFFIXES):
            if k in _OUTSIDE:
                return None, f"{_OUTSIDE[k]} is not one of the 31 mainland provincial units", []
        for k in _stems(key, _ZH_SUFFIXES):
            if k in table:
                return table[k], None, []
        return None, "no match", _suggest(label, key)
    toned = _toned(text)
    plain = _plain(text)
    stems = _stems(plain, _LATIN_SUFFIXES)
    for k in stems:
        if k in _OUTSIDE:
            return None, f"{_OUTSIDE[k]} is not one of the 31 mainland provincial units", []
    if "shanxi" in stems:
        return _shanxi(text, toned)
    for k in stems:
        if k in table:
            return table[k], None, []
    return None, "no match", _suggest(label, plain)


def _shanxi(text: str, toned: str) -> tuple[str | None, str | None, list[str]]:
    """Resolve the Shanxi (山西, 140000) / Shaanxi (陕西, 610000) homograph."""
    both = ["Shanxi (140000)", "Shaanxi (610000)"]
    low = unicodedata.normalize("NFC", text.casefold())
    m = re.match(r"\s*sh(.)n", low)
    first = m.group(1) if m else "a"
    if first in _SHANXI_TONE:
        return _SHANXI_TONE[first], None, []
    if first != "a":
        return None, "ambiguous: this tone mark fits neither Shanxi (Shānxī) nor Shaanxi (Shǎnxī)", both
    num = next((m for m in map(_SHANXI_NUM.match, _stems(toned, _LATIN_SUFFIXES)) if m), None)
    if num:
        tone = num.group(1)
        if tone == "3":
            return "610000", None, []
        if tone == "1":
            return "140000", None, []
        return None, "ambiguous: tone number fits neither Shanxi (shan1xi1) nor Shaanxi (shan3xi1)", both
    if any(unicodedata.category(c) == "Mn" for c in unicodedata.normalize("NFD", low)):
        return None, "ambiguous: the first syllable carries no tone mark", both
    if re.match(r"\s*shan[\s\-_'’.]+xi", low):
        return None, "ambiguous: toneless 'Shan xi' may be Shanxi (山西) or Shaanxi (陕西)", both
    return "140000", None, []


def harmonise(names, *, errors: str = "raise") -> pd.Series:
    """Map region labels (codes, Chinese, pinyin or English names) to adcodes.

    Parameters
    ----------
    names : iterable, pandas.Series or pandas.Index
        Labels: 6-digit or 2-digit codes as int or str; full, short,
        traditional or abbreviated Chinese names; pinyin with or without tone
        marks, tone numbers, spaces and capitals; English names and variants.
        A single ``str`` or ``int`` is treated as one label.
    errors : {"raise", "coerce"}, default "raise"
        ``"raise"``: any unmatched or ambiguous label raises. ``"coerce"``:
        such labels become ``None``.

    Returns
    -------
    pandas.Series
        Codes as ``str`` (e.g. ``"440000"``), named ``"code"``, aligned with the
        input: the index of a Series input, otherwise positions ``0..n-1``.

    Raises
    ------
    RegionMatchError
        Listing every unmatched or ambiguous label with its reason and close
        suggestions (``exc.unmatched`` maps label -> suggestions).

    Examples
    --------
    >>> from spatialecon.regions import harmonise
    >>> harmonise(["广东省", "Guangdong", "Nei Mongol", "Tibet", "440000", "重庆市"]).tolist()
    ['440000', '440000', '150000', '540000', '440000', '500000']
    >>> harmonise(["Shaanxi", "Shanxi", "Shǎnxī"]).tolist()
    ['610000', '140000', '610000']
    """
    validate("errors", errors, MatchErrors)
    if isinstance(names, (str, int, np.integer)):
        names = [names]
    if isinstance(names, pd.Series):
        index, values = names.index, list(names)
    elif isinstance(names, pd.Index):
        index, values = pd.RangeIndex(len(names)), list(names)
    else:
        values = list(names)
        index = pd.RangeIndex(len(values))
    out, problems = [], {}
    cache: dict = {}
    for lab in values:
        try:
            hit = cache[(type(lab), lab)]
        except (KeyError, TypeError):
            hit = _match_one(lab)
            try:
                cache[(type(lab), lab)] = hit
            except TypeError:
                pass
        code, reason, sugg = hit
        out.append(code)
        if code is None:
            problems[lab if _hashable(lab) else repr(lab)] = (reason, sugg)
    if problems and errors == "raise":
        lines = [
            f"  {lab!r}: {reason}" + (f"; did you mean {', '.join(s)}?" if s else "")
            for lab, (reason, s) in problems.items()
        ]
        raise RegionMatchError(
            f"{len(problems)} region label(s) could not be matched to the 31 mainland provinces:\n"
            + "\n".join(lines),
            {lab: s for lab, (_, s) in problems.items()},
        )
    return pd.Series(out, index=index, name="code", dtype=object)


def _hashable(x) -> bool:
    try:
        hash(x)
    except TypeError:
        return False
    return True


def name_of(codes, lang: str = "en") -> pd.Series:
    """Names of regions in a language.

    Parameters
    ----------
    codes : iterable
        Region labels in any form :func:`harmonise` accepts.
    lang : {"en", "zh", "zh_short", "pinyin"}, default "en"
        English name, full Chinese name, short Chinese name or pinyin.

    Returns
    -------
    pandas.Series
        Names in input order, indexed by the harmonised codes.

    Examples
    --------
    >>> from spatialecon.regions import name_of
    >>> name_of(["440000", 11], lang="zh").tolist()
    ['广东省', '北京市']
    """
    validate("lang", lang, RegionLang)
    matched = harmonise(codes)
    col = _table()[_LANG_COLUMN[lang]]
    return pd.Series(col.loc[list(matched)].to_numpy(), index=pd.Index(list(matched), name="code"),
                     name=_LANG_COLUMN[lang])
