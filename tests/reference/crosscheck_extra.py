"""Extra cross-checks (H10): spreg references for ``tests/test_crosscheck_extra.py``.

Inputs: ``data/columbus.csv``, ``data/columbus_knn6.gal``, ``data/columbus_idw.csv`` (see
``crosscheck_extra_export.py``). Model CRIME ~ INC + HOVAL. Cases:

* ``knn6_W``: 6 nearest neighbours, row-standardised: ``ML_Lag``/``ML_Error``/``GM_Lag``/
  ``GM_Error_Het`` with W x for INC only (``slx_lags=1, slx_vars=[True, False]``), ``GM_Combo_Het``.
* ``idw_B``: inverse distance within a band, NOT normalised: ``OLS(spat_diag=True, moran=True)``,
  ``ML_Lag``/``ML_Error`` (``method="full"``), ``GM_Lag``, ``GM_Error_Het``, ``GM_Combo_Het``.
* ``panel_knn6``: ``data/panel_knn6.csv`` (N = 49, T = 6, simulated once by the export script) on the
  kNN(6) W: ``ML_LagFE``/``ML_ErrorFE`` (``epsilon=1e-10``) with region effects and with year dummies
  added (two-way effects), ``ML_LagRE`` (random effects; estimates and logL; spreg's ``ML_ErrorRE`` fails on
  this asymmetric W).

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


def _idkey(col: pd.Series) -> pd.Series:
    """Sort ids as in columbus.csv (numeric POLYID order), years numerically."""
    return col.astype(int)


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
        # panel with region fixed effects on the asymmetric kNN(6) W (data/panel_knn6.csv, time-major stacking)
        pnl = pd.read_csv(HERE / "data" / "panel_knn6.csv", dtype={"id": str}).sort_values(["year", "id"],
                                                                                          key=_idkey)
        assert list(pnl["id"].iloc[:len(ids)]) == ids
        w = _weights("knn6", ids)
        yp, xp = pnl[["y"]].to_numpy(), pnl[["x1", "x2"]].to_numpy()
        pk = {"name_y": "y", "name_x": ["x1", "x2"]}
        lag = spreg.ML_LagFE(yp, xp, w, spat_impacts=None, epsilon=1e-10, **pk)
        err = spreg.ML_ErrorFE(yp, xp, w, epsilon=1e-10, **pk)
        cases["panel_knn6"] = {"lag_region": _rec(lag, ["x1", "x2", "rho"], ml=True),
                               "error_region": _rec(err, ["x1", "x2", "lambda"], ml=True)}
        # two-way effects: region within-transformation by spreg plus year dummies (2001..2005)
        yr = pnl["year"].to_numpy()
        D = np.column_stack([(yr == t).astype(float) for t in sorted(set(yr))[1:]])
        XD = np.column_stack([xp, D])
        pkd = {"name_y": "y", "name_x": ["x1", "x2", *[f"d{t}" for t in sorted(set(yr))[1:]]]}
        lag = spreg.ML_LagFE(yp, XD, w, spat_impacts=None, epsilon=1e-10, **pkd)
        err = spreg.ML_ErrorFE(yp, XD, w, epsilon=1e-10, **pkd)
        nd = D.shape[1]
        keep = lambda est, name: {"names": ["x1", "x2", name],  # noqa: E731
                                  "betas": _flat(np.r_[np.ravel(est.betas)[:2], np.ravel(est.betas)[-1]]),
                                  "std_err": _flat(np.r_[np.ravel(est.std_err)[:2], np.ravel(est.std_err)[-1]]),
                                  "logll": _num(est.logll), "sig2": _num(est.sig2), "n_dummies": nd}
        cases["panel_knn6"]["lag_twoways"] = keep(lag, "rho")
        cases["panel_knn6"]["error_twoways"] = keep(err, "lambda")
        # random effects (spreg ML_LagRE / ML_ErrorRE): estimates and logL (their SEs use an
        # information matrix that differs from ours, see tests/test_panel_models.py)
        lag = spreg.ML_LagRE(yp, xp, w, spat_impacts=None, epsilon=1e-10, **pk)
        cases["panel_knn6"]["lag_random"] = {"names": ["const", "x1", "x2", "rho"], "betas": _flat(lag.betas[:4]),
                                             "logll": _num(lag.logll), "phi": _flat(lag.betas[4:])}
        # (ML_ErrorRE is not run: spreg 1.9.0 fails on this asymmetric W, complex eigenvalues in its
        # log-determinant: "TypeError: '<' not supported between instances of 'complex' and 'float'")
    meta = {"software": (f"spreg {spreg.__version__}; libpysal {libpysal.__version__}; numpy {np.__version__}; "
                         f"scipy {scipy.__version__}; Python {platform.python_version()}"),
            "script": "tests/reference/crosscheck_extra.py",
            "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d")}
    out = HERE / "crosscheck_extra_spreg.json"
    out.write_text(json.dumps({"meta": meta, "cases": cases}, indent=1) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
