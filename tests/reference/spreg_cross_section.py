"""Reference for tests/test_vs_spreg.py: cross-section models in PySAL spreg.

Same inputs as the R reference (``data/*.csv`` and ``data/*.gal`` written by
``cross_section_export.py``). Cases (as in ``spatialreg_cross_section.R``):

* ``columbus_W``: CRIME ~ INC + HOVAL, queen contiguity, row-standardised
* ``columbus_B``: same, binary queen weights (not row-standardised)
* ``baltimore_W``: PRICE ~ NROOM + NBATH + AGE + SQFT, 4 nearest neighbours, row-standardised
* ``boston_W``: Harrison-Rubinfeld hedonic model, 506 tracts (``boston_export.R``), sphere of
  influence neighbours, row-standardised

Estimators: ``OLS(spat_diag=True, moran=True)`` (LM tests and Moran's I of the
residuals), ``ML_Lag(method="full")``, ``ML_Error(method="full")`` (exact dense
log-determinant), ``GM_Lag`` (w_lags=1, S2SLS), ``GM_Error_Het`` (Arraiz et al.); the
Durbin forms with ``slx_lags=1`` (ML_Lag = SDM, ML_Error = SDEM, GM_Lag, GM_Error_Het);
``GM_Combo_Het`` (SAC by GMM).
spreg's ``aic`` does not count sigma^2 as a parameter (see README.md).

Run from the repository root: ``python tests/reference/spreg_cross_section.py``;
writes ``tests/reference/spreg_cross_section.json``.
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
CASES = {
    "columbus_W": ("columbus.csv", "columbus_queen.gal", "r", "CRIME", ["INC", "HOVAL"]),
    "columbus_B": ("columbus.csv", "columbus_queen.gal", "b", "CRIME", ["INC", "HOVAL"]),
    "baltimore_W": ("baltimore.csv", "baltimore_knn4.gal", "r", "PRICE", ["NROOM", "NBATH", "AGE", "SQFT"]),
    "boston_W": ("boston.csv", "boston_soi.gal", "r", "LCMEDV",
                 ["CRIM", "ZN", "INDUS", "CHAS", "NOX2", "RM2", "AGE", "LDIS", "LRAD", "TAX", "PTRATIO", "B",
                  "LLSTAT"]),
}


def _w(gal: str, ids: list[str], transform: str) -> libpysal.weights.W:
    raw = libpysal.io.open(str(HERE / "data" / gal)).read()
    nb = {str(k): [str(v) for v in raw.neighbors[k]] for k in raw.neighbors}
    w = libpysal.weights.W(nb, id_order=ids, silence_warnings=True)
    w.transform = transform
    return w


def _flat(a) -> list[float]:
    return [float(v) for v in np.asarray(a, dtype=float).ravel()]


def _num(a) -> float:
    arr = np.asarray(a, dtype=float).ravel()
    assert arr.size == 1
    return float(arr[0])


def _pair(t) -> dict:
    return {"stat": float(t[0]), "p": float(t[1])}


def run_case(csv: str, gal: str, transform: str, yname: str, xnames: list[str]) -> dict:
    d = pd.read_csv(HERE / "data" / csv, dtype={"id": str}).set_index("id")
    w = _w(gal, list(d.index), transform)
    y = d[[yname]].to_numpy()
    x = d[xnames].to_numpy()
    names = ["CONSTANT", *xnames]
    ols = spreg.OLS(y, x, w=w, spat_diag=True, moran=True, name_y=yname, name_x=xnames)
    lag = spreg.ML_Lag(y, x, w=w, method="full", name_y=yname, name_x=xnames)
    err = spreg.ML_Error(y, x, w=w, method="full", name_y=yname, name_x=xnames)
    gml = spreg.GM_Lag(y, x, w=w, w_lags=1, name_y=yname, name_x=xnames)
    gme = spreg.GM_Error_Het(y, x, w=w, name_y=yname, name_x=xnames)
    # Durbin forms (slx_lags=1: W X for every regressor, never for the constant) and SAC by GMM
    sdm = spreg.ML_Lag(y, x, w=w, method="full", slx_lags=1, name_y=yname, name_x=xnames)
    sdem = spreg.ML_Error(y, x, w=w, method="full", slx_lags=1, name_y=yname, name_x=xnames)
    gml_x = spreg.GM_Lag(y, x, w=w, w_lags=1, slx_lags=1, name_y=yname, name_x=xnames)
    gme_x = spreg.GM_Error_Het(y, x, w=w, slx_lags=1, name_y=yname, name_x=xnames)
    gmc = spreg.GM_Combo_Het(y, x, w=w, w_lags=1, name_y=yname, name_x=xnames)
    dnames = [*names, *[f"W_{v}" for v in xnames]]
    return {
        "dataset": csv, "weights": gal, "transform": transform, "y": yname, "x": xnames, "n": int(len(d)),
        "ols": {"names": names, "betas": _flat(ols.betas), "std_err": _flat(ols.std_err),
                "logll": _num(ols.logll), "aic": _num(ols.aic), "sig2": _num(ols.sig2),
                "sig2ML": _num(ols.sig2ML), "moran_res": {"I": float(ols.moran_res[0]),
                                                           "z": float(ols.moran_res[1]),
                                                           "p": float(ols.moran_res[2])},
                "lm_error": _pair(ols.lm_error), "lm_lag": _pair(ols.lm_lag),
                "rlm_error": _pair(ols.rlm_error), "rlm_lag": _pair(ols.rlm_lag),
                "lm_sarma": _pair(ols.lm_sarma)},
        "ml_lag": {"names": [*names, "rho"], "betas": _flat(lag.betas), "std_err": _flat(lag.std_err),
                   "rho": _num(lag.rho), "logll": _num(lag.logll), "aic": _num(lag.aic),
                   "sig2": _num(lag.sig2), "vm": np.asarray(lag.vm, dtype=float).tolist(),
                   "vm1": np.asarray(lag.vm1, dtype=float).tolist()},
        "ml_error": {"names": [*names, "lambda"], "betas": _flat(err.betas), "std_err": _flat(err.std_err),
                     "lam": _num(err.lam), "logll": _num(err.logll), "aic": _num(err.aic),
                     "sig2": _num(err.sig2)},
        "gm_lag": {"names": [*names, "rho"], "betas": _flat(gml.betas), "std_err": _flat(gml.std_err)},
        "gm_error_het": {"names": [*names, "lambda"], "betas": _flat(gme.betas), "std_err": _flat(gme.std_err)},
        "ml_lag_slx": {"names": [*dnames, "rho"], "betas": _flat(sdm.betas), "std_err": _flat(sdm.std_err),
                       "rho": _num(sdm.rho), "logll": _num(sdm.logll), "aic": _num(sdm.aic), "sig2": _num(sdm.sig2)},
        "ml_error_slx": {"names": [*dnames, "lambda"], "betas": _flat(sdem.betas), "std_err": _flat(sdem.std_err),
                         "lam": _num(sdem.lam), "logll": _num(sdem.logll), "aic": _num(sdem.aic),
                         "sig2": _num(sdem.sig2)},
        "gm_lag_slx": {"names": [*dnames, "rho"], "betas": _flat(gml_x.betas), "std_err": _flat(gml_x.std_err)},
        "gm_error_het_slx": {"names": [*dnames, "lambda"], "betas": _flat(gme_x.betas),
                             "std_err": _flat(gme_x.std_err)},
        "gm_combo_het": {"names": [*names, "rho", "lambda"], "betas": _flat(gmc.betas), "std_err": _flat(gmc.std_err)},
    }


def main() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cases = {k: run_case(*v) for k, v in CASES.items()}
    meta = {
        "software": (f"spreg {spreg.__version__}; libpysal {libpysal.__version__}; numpy {np.__version__}; "
                     f"scipy {scipy.__version__}; Python {platform.python_version()}"),
        "script": "tests/reference/spreg_cross_section.py",
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d"),
        "notes": ("ML_Lag/ML_Error method='full'; spreg aic does not count sigma^2; "
                  "betas/std_err order: CONSTANT, x..., then rho (ML_Lag, GM_Lag) or lambda"),
    }
    out = HERE / "spreg_cross_section.json"
    out.write_text(json.dumps({"meta": meta, "cases": cases}, indent=1) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
