"""Rebuild the bundled China provincial panel files from the compiled source folder.

Usage (from the repository root)::

    python panels/build_panels.py [--source ../shared/data/china_provincial]

Reads ``values.csv``, ``values_all_sources.csv``, ``crosscheck.csv``,
``sources.csv`` and ``PROVENANCE.md`` of the source folder and writes, next to
this script:

- ``china_provincial_values.csv``: one row per (code, year, variable), columns
  ``code, year, variable, value, unit, source_id``; ``value`` is copied as
  printed in the source (the text is not re-formatted).
- ``china_provincial_all_sources.csv``: every sourced observation (alternative
  vintages, cross-check sources, 2024), same columns plus ``in_values``.
- ``china_provincial_crosscheck.csv``: the cross-check pairs, unchanged.
- ``sources.csv``: unchanged copy.
- ``PROVENANCE.md``: our transformation notes followed by the original file.

Checks (the script fails on any): every code is one of the 31 registry
codes, every year is an integer 1978-2024, every value parses as a finite
number, no (code, year, variable) key is duplicated in the values file,
every ``source_id`` is listed in ``sources.csv``, and rows of
``china_provincial_values.csv`` equal the ``in_values_csv == "yes"`` rows of
the all-sources file. Output is sorted (variable, code, year, source_id) and
written with ``\\n`` line ends, so reruns are byte-identical.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import math
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_SOURCE = HERE.parent.parent / "shared" / "data" / "china_provincial"
REGISTRY = HERE.parent / "spatialecon" / "regions" / "provinces.csv"

NOTES = """# Bundled China provincial panel: provenance

The files in `panels/` named `china_provincial_*.csv` and `sources.csv` are
rebuilt by `panels/build_panels.py` from the compiled source folder
`../shared/data/china_provincial/` (its `PROVENANCE.md` follows below,
unchanged). Transformations made here, and nothing else:

1. `values.csv` -> `china_provincial_values.csv`: the column `province_en`
   is dropped (the code identifies the province; names are in
   `spatialecon/regions/provinces.csv`); columns kept: `code, year, variable,
   value, unit, source_id`; the `value` text is copied as printed.
2. `values_all_sources.csv` -> `china_provincial_all_sources.csv`: same, with
   `in_values_csv` renamed `in_values`.
3. `crosscheck.csv` -> `china_provincial_crosscheck.csv`, `sources.csv` ->
   `sources.csv`: unchanged copies.
4. Rows are sorted by (variable, code, year, source_id); line ends `\\n`.
5. Checks run by the script: codes in the registry, integer years,
   finite numeric values, unique (code, year, variable) keys in the values
   file, every source id listed in `sources.csv`, and the values file equal to
   the `in_values == yes` subset of the all-sources file.

No value is computed, filled, interpolated or rounded. GDP per capita derived
as GRP / population is computed by the loader (`spatialecon.datasets.china_panel`,
column `gdppc`) and labelled as derived there; it is not stored here. The
sha256 of each source file used is listed at the end of this file.

---

"""


def _read(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _fail(msg: str) -> None:
    sys.stderr.write(f"build_panels: {msg}\n")
    raise SystemExit(1)


def _check_rows(rows: list[dict], codes: set, sources: set, what: str) -> None:
    for i, r in enumerate(rows):
        if r["code"] not in codes:
            _fail(f"{what} row {i}: unknown code {r['code']!r}")
        if not r["year"].isdigit() or not 1978 <= int(r["year"]) <= 2024:
            _fail(f"{what} row {i}: bad year {r['year']!r}")
        try:
            x = float(r["value"])
        except ValueError:
            _fail(f"{what} row {i}: non-numeric value {r['value']!r}")
        if not math.isfinite(x):
            _fail(f"{what} row {i}: non-finite value {r['value']!r}")
        if r["source_id"] not in sources:
            _fail(f"{what} row {i}: source id {r['source_id']!r} not in sources.csv")


def _write(path: Path, header: list[str], rows: list[dict]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=header, lineterminator="\n", extrasaction="ignore")
        w.writeheader()
        w.writerows(rows)


def _key(r: dict) -> tuple:
    return (r["variable"], r["code"], int(r["year"]), r["source_id"])


def build(source: Path, out: Path) -> None:
    codes = {r["code"] for r in _read(REGISTRY)}
    src_rows = _read(source / "sources.csv")
    sources = {r["source_id"] for r in src_rows}
    values = _read(source / "values.csv")
    allsrc = _read(source / "values_all_sources.csv")
    _check_rows(values, codes, sources, "values.csv")
    _check_rows(allsrc, codes, sources, "values_all_sources.csv")
    keys = [(r["code"], r["year"], r["variable"]) for r in values]
    if len(set(keys)) != len(keys):
        seen, dup = set(), []
        for k in keys:
            if k in seen:
                dup.append(k)
            seen.add(k)
        _fail(f"duplicate keys in values.csv: {dup[:10]}")
    for r in allsrc:
        r["in_values"] = r.pop("in_values_csv")
    cols = ["code", "year", "variable", "value", "unit", "source_id"]
    yes = sorted(({c: r[c] for c in cols} for r in allsrc if r["in_values"] == "yes"), key=_key)
    vals = sorted(({c: r[c] for c in cols} for r in values), key=_key)
    if yes != vals:
        _fail("values.csv differs from the in_values_csv == yes rows of values_all_sources.csv")
    _write(out / "china_provincial_values.csv", cols, vals)
    _write(out / "china_provincial_all_sources.csv", [*cols, "in_values"], sorted(allsrc, key=_key))
    cross = _read(source / "crosscheck.csv")
    _write(out / "china_provincial_crosscheck.csv", list(cross[0].keys()), cross)
    _write(out / "sources.csv", list(src_rows[0].keys()), src_rows)
    digests = "\n".join(
        f"- `{name}`: sha256 {hashlib.sha256((source / name).read_bytes()).hexdigest()}"
        for name in ("values.csv", "values_all_sources.csv", "crosscheck.csv", "sources.csv", "PROVENANCE.md")
    )
    prov = (source / "PROVENANCE.md").read_text(encoding="utf-8")
    (out / "PROVENANCE.md").write_text(
        NOTES + prov.rstrip("\n") + "\n\n---\n\n## Source files used by build_panels.py\n\n" + digests + "\n",
        encoding="utf-8", newline="\n")


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    ap.add_argument("--out", type=Path, default=HERE)
    args = ap.parse_args(argv)
    build(args.source, args.out)


if __name__ == "__main__":
    main()
