"""Export the data and the exact rook W of the US beta-convergence reference (run once).

Source: libpysal's ``us_income`` example (BEA state per capita personal income,
``usjoin.csv``; 48 contiguous states, ``us48.shp``). Writes
``tests/reference/data/us48_income.csv`` (fips, name, income 1929 and 1994,
average annual log growth and log initial income) and
``tests/reference/data/us48_spans5.csv`` (5-year spans 1929-1994 for the panel
version) and ``tests/reference/data/us48_rook.gal`` (rook contiguity from the polygons, ids =
two-digit FIPS codes), which ``beta_us_income.R`` reads so R and Python use the
same W. Run: ``python tests/reference/beta_us_income_export.py``.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import libpysal
import numpy as np
import pandas as pd
from libpysal.graph import Graph

OUT = Path(__file__).resolve().parent / "data"


def main() -> None:
    inc = pd.read_csv(libpysal.examples.get_path("usjoin.csv"))
    inc["fips"] = inc["STATE_FIPS"].astype(int).map(lambda v: f"{v:02d}")
    shp = gpd.read_file(libpysal.examples.get_path("us48.shp"))
    shp["fips"] = shp["STATE_FIPS"].astype(int).map(lambda v: f"{v:02d}")
    shp = shp.set_index("fips").sort_index()
    inc = inc.set_index("fips").loc[shp.index]
    g = Graph.build_contiguity(shp, rook=True)
    df = pd.DataFrame({"name": inc["Name"], "y1929": inc["1929"].astype(float), "y1994": inc["1994"].astype(float)})
    df["growth"] = (np.log(df["y1994"]) - np.log(df["y1929"])) / 65.0
    df["ln_y0"] = np.log(df["y1929"])
    OUT.mkdir(exist_ok=True)
    df.to_csv(OUT / "us48_income.csv", float_format="%.17g")
    # non-overlapping 5-year spans 1929-1934, ..., 1989-1994 for the panel version
    lny = np.log(inc[[str(y) for y in range(1929, 1995)]].astype(float))
    spans = [pd.DataFrame({"fips": shp.index, "period": y0,
                           "growth": ((lny[str(y0 + 5)] - lny[str(y0)]) / 5.0).to_numpy(),
                           "ln_y0": lny[str(y0)].to_numpy()}) for y0 in range(1929, 1990, 5)]
    pd.concat(spans).to_csv(OUT / "us48_spans5.csv", index=False, float_format="%.17g")
    lines = [f"0 {len(shp)} us48_rook fips"]
    for i in shp.index:
        nb = [j for j in g.neighbors[i]]
        lines += [f"{i} {len(nb)}", " ".join(nb)]
    (OUT / "us48_rook.gal").write_text("\n".join(lines) + "\n")
    print(f"wrote {len(df)} states, {int(g.n_edges) // 2} rook joins")


if __name__ == "__main__":
    main()
