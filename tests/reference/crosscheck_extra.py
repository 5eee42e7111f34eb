"""Extra cross-checks (H10): spreg references for ``tests/test_crosscheck_extra.py``.

Inputs: ``data/columbus.csv``, ``data/columbus_knn6.gal``, ``data/columbus_idw.csv`` (see
``crosscheck_extra_export.py``). Model CRIME ~ INC + HOVAL. Cases:

* ``knn6_W``: 6 nearest neighbours, row-standardised: ``ML_Lag``/``ML_Error``/``GM_Lag``/
  ``GM_Error_Het`` with W x for INC only (``slx_lags=1, slx_vars=[True, False]``), ``GM_Combo_Het``.
* ``idw_B``: inverse distance within a band, NOT normalised: ``OLS(spat_diag=True, moran=True)``,
  ``ML_Lag``/``ML_Error`` (``method="full"``), ``GM_Lag``, ``GM_Error_Het``, ``GM_Combo_Het``.

Run from the repository root: ``python tests/reference/crosscheck_extra.py``; writes
``tests/reference/crosscheck_extra_spreg.json``.
"""

from __future__ import annotations

import datetime
import json
import platform
import warnings
from pathlib import Path

import libpysal
import numpy as np
import pandas as pd
import scipy
import spreg

HERE = Path(__file__).resolve().parent


def _flat(a) -> list[float]:
    return [float(v) for v in np.asarray(a, dtype=float).ravel()]


def _num(a) -> float:
    return float(np.asarray(a, dtype=float).ravel()[0])


def _weights(kind: str, ids: list[str]) -> libpysal.weights.W:
    if kind == "knn6":
        raw = libpysal.io.open(str(HERE / "data" / "columbus_knn6.gal")).read()
        nb = {str(k): [str(v) for v in raw.neighbors[k]] for k in raw.neighbors}
        w = libpysal.weights.W(nb, id_order=ids, silence_warnings=True)
        w.transform = "r"
        return w
    t = pd.read_csv(HERE / "data" / "columbus_idw.csv", dtype={"from": str, "to": str})
    nb = {i: [] for i in ids}
    wt = {i: [] for i in ids}
    for a, b, v in t.itertuples(index=False):
        nb[a].append(b)
        wt[a].append(float(v))
    return libpysal.weights.W(nb, wt, id_order=ids, silence_warnings=True)


def _rec(est, names, *, ml=False) -> dict:
    out = {"names": names, "betas": _flat(est.betas), "std_err": _flat(est.std_err),
           "vm": np.asarray(est.vm, dtype=float).tolist()}
    if ml:
        out.update(logll=_num(est.logll), sig2=_num(est.sig2))
    return out


def main() -> None:
    d = pd.read_csv(HERE / "data" / "columbus.csv", dtype={"id": str}).set_index("id")
    ids = list(d.index)
    y = d[["CRIME"]].to_numpy()
    xn = ["INC", "HOVAL"]
    x = d[xn].to_numpy()
    base = ["const", *xn]
    kw = {"name_y": "CRIME", "name_x": xn}
    cases = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        w = _weights("knn6", ids)
        slx = {"slx_lags": 1, "slx_vars": [True, False]}
        dn = [*base, "W_INC"]
        cases["knn6_W"] = {
            "sdm_ml": _rec(spreg.ML_Lag(y, x, w=w, method="full", **slx, **kw), [*dn, "rho"], ml=True),
            "sdem_ml": _rec(spreg.ML_Error(y, x, w=w, method="full", **slx, **kw), [*dn, "lambda"], ml=True),
            "sdm_gmm": _rec(spreg.GM_Lag(y, x, w=w, w_lags=1, **slx, **kw), [*dn, "rho"]),
            "sdem_gmm": _rec(spreg.GM_Error_Het(y, x, w=w, **slx, **kw), [*dn, "lambda"]),
            "sac_gmm": _rec(spreg.GM_Combo_Het(y, x, w=w, w_lags=1, **kw), [*base, "rho", "lambda"]),
        }
        w = _weights("idw", ids)
        ols = spreg.OLS(y, x, w=w, spat_diag=True, moran=True, **kw)
        pair = lambda t: {"stat": float(t[0]), "p": float(t[1])}  # noqa: E731
        cases["idw_B"] = {
            "ols": {"moran_res": {"I": float(ols.moran_res[0]), "z": float(ols.moran_res[1]),
                                  "p": float(ols.moran_res[2])},
                    "lm_error": pair(ols.lm_error), "lm_lag": pair(ols.lm_lag), "rlm_error": pair(ols.rlm_error),
                    "rlm_lag": pair(ols.rlm_lag), "lm_sarma": pair(ols.lm_sarma)},
            "sar_ml": _rec(spreg.ML_Lag(y, x, w=w, method="full", **kw), [*base, "rho"], ml=True),
            "sem_ml": _rec(spreg.ML_Error(y, x, w=w, method="full", **kw), [*base, "lambda"], ml=True),
            "sar_gmm": _rec(spreg.GM_Lag(y, x, w=w, w_lags=1, **kw), [*base, "rho"]),
            "sem_gmm": _rec(spreg.GM_Error_Het(y, x, w=w, **kw), [*base, "lambda"]),
            "sac_gmm": _rec(spreg.GM_Combo_Het(y, x, w=w, w_lags=1, **kw), [*base, "rho", "lambda"]),
        }
    meta = {"software": (f"spreg {spreg.__version__}; libpysal {libpysal.__version__}; numpy {np.__version__}; "
                         f"scipy {scipy.__version__}; Python {platform.python_version()}"),
            "script": "tests/reference/crosscheck_extra.py",
            "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d")}
    out = HERE / "crosscheck_extra_spreg.json"
    out.write_text(json.dumps({"meta": meta, "cases": cases}, indent=1) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
