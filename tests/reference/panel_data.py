"""Shared inputs for the panel reference scripts and tests (Munnell's Produc + us48 queen W).

Data: Munnell (1990) state production panel, 48 contiguous US states, 1970-1986,
as shipped by ``linearmodels.datasets.munnell`` (the same data as R ``plm::Produc``).
W: queen contiguity of the libpysal ``us48`` example shapefile, states matched on
the postal abbreviation (``ST_ABB`` = ``STATE_ABBR``), row-standardised.
Model (Baltagi 2021, Munnell): log(gsp) ~ log(pcap) + log(pc) + log(emp) + unemp.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import optimize

REGRESSORS = ["lpcap", "lpc", "lemp", "unemp"]


def produc() -> pd.DataFrame:
    """Produc with a (state, year) MultiIndex and the log variables, sorted by (state, year)."""
    from linearmodels.datasets import munnell

    d = munnell.load()
    out = pd.DataFrame(
        {
            "lgsp": np.log(d["GSP"].to_numpy(float)),
            "lpcap": np.log(d["P_CAP"].to_numpy(float)),
            "lpc": np.log(d["PC"].to_numpy(float)),
            "lemp": np.log(d["EMP"].to_numpy(float)),
            "unemp": d["UNEMP"].to_numpy(float),
        },
        index=pd.MultiIndex.from_arrays([d["ST_ABB"].astype(str), d["YR"].astype(int)], names=["state", "year"]),
    )
    return out.sort_index()


def us48_graph():
    """Row-standardised queen contiguity Graph of the 48 states, ids = postal abbreviations."""
    import geopandas as gpd
    from libpysal import examples
    from libpysal.graph import Graph

    g = gpd.read_file(examples.get_path("us48.shp"))
    g = g.set_index(g["STATE_ABBR"].astype(str)).sort_index()
    return Graph.build_contiguity(g, rook=False).transform("r")


def conc_fit(d, kind):
    """Textbook concentrated ML on a PanelDesign (Anselin 1988; Elhorst 2014 ch. 3).

    Written out here, independently of the package's estimation core, to check the design.
    Returns (dict name -> beta, rho or lambda, sigma2, loglik).
    """
    y, X, n = d.y, d.X, d.n_eff
    if kind == "lag":
        Wy = d.lag(y)
        b0, b1 = (np.linalg.lstsq(X, v, rcond=None)[0] for v in (y, Wy))
        e0, e1 = y - X @ b0, Wy - X @ b1

        def nll(r):
            e = e0 - r * e1
            return n / 2 * np.log(e @ e / n) - d.logdet(r)
    else:
        def gls(lam):
            ys, Xs = y - lam * d.lag(y), X - lam * d.lag(X)
            b = np.linalg.lstsq(Xs, ys, rcond=None)[0]
            return b, ys - Xs @ b

        def nll(lam):
            e = gls(lam)[1]
            return n / 2 * np.log(e @ e / n) - d.logdet(lam)
    res = optimize.minimize_scalar(nll, bounds=(-0.99, 0.99), method="bounded", options={"xatol": 1e-10})
    r = float(res.x)
    if kind == "lag":
        b = b0 - r * b1
        e = e0 - r * e1
    else:
        b, e = gls(r)
    s2 = float(e @ e) / n
    loglik = -n / 2 * (np.log(2 * np.pi * s2) + 1) + d.logdet(r)
    return dict(zip(d.names, b)), r, s2, loglik


def plm_state_of_abbrev() -> dict:
    """Postal abbreviation -> state name as spelled in R plm::Produc (linearmodels truncates to 11 chars)."""
    from linearmodels.datasets import munnell

    d = munnell.load()[["STATE", "ST_ABB"]].drop_duplicates()
    return dict(zip(d["ST_ABB"].astype(str), d["STATE"].astype(str)))
