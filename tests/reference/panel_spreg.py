"""Reference numbers from spreg for spatial panel models on Munnell's Produc (us48 queen W).

Run from the repository root:  python tests/reference/panel_spreg.py
Writes tests/reference/panel_spreg.json (software versions in its "header").

Identical inputs to tests/test_panel.py (built by tests/reference/panel_data.py).
* region effects: spreg.ML_LagFE / spreg.ML_ErrorFE (individual fixed effects, direct approach).
* two-way effects: the same with 16 year dummies added to X (LSDV for the time effects; the
  region within transformation plus year dummies is the two-way within estimator).
* time effects: spreg.ML_Lag / spreg.ML_Error (method="full") on the stacked data with the
  block-diagonal W = I_T kron W, a constant and 16 year dummies.
* pooled (no effects): spreg.ML_Lag / spreg.ML_Error (method="full") with I_T kron W and a constant.
* random effects (lag): spreg.ML_LagRE (Elhorst 2003; its ``phi`` is theta = sqrt(s2/(T s2_mu + s2))).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import scipy.sparse as sp

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import libpysal  # noqa: E402
import linearmodels  # noqa: E402
import spreg  # noqa: E402
from libpysal.weights import WSP  # noqa: E402

from panel_data import REGRESSORS, produc, us48_graph  # noqa: E402


def stacked():
    d = produc()
    states = sorted(d.index.get_level_values(0).unique())
    years = sorted(d.index.get_level_values(1).unique())
    d = d.swaplevel().sort_index()  # time-major: (year, state)
    assert list(d.index.get_level_values(1)[: len(states)]) == states
    return d, states, years


def year_dummies(d, years):
    yr = d.index.get_level_values(0).to_numpy()
    return np.column_stack([(yr == t).astype(float) for t in years[1:]])


def main() -> None:
    d, states, years = stacked()
    g = us48_graph()
    assert list(g.unique_ids) == states
    w = g.to_W()
    w.transform = "r"
    N, T = len(states), len(years)
    y = d[["lgsp"]].to_numpy()
    X = d[REGRESSORS].to_numpy()
    D = year_dummies(d, years)
    Wbig = WSP(sp.kron(sp.identity(T), g.sparse, format="csr")).to_W(silence_warnings=True)
    out = {
        "header": {
            "software": "spreg (Python)",
            "versions": {"spreg": spreg.__version__, "libpysal": libpysal.__version__,
                         "numpy": np.__version__, "linearmodels": linearmodels.__version__},
            "data": "linearmodels.datasets.munnell (Produc), 48 states x 17 years; W queen us48 row-standardised",
            "model": "lgsp ~ lpcap + lpc + lemp + unemp",
            "script": "tests/reference/panel_spreg.py",
        },
        "N": N, "T": T,
    }
    k = len(REGRESSORS)

    def store(key, betas, vm, sig2, logll, extra=None):
        betas = np.asarray(betas, float).ravel()
        se = np.sqrt(np.diag(np.asarray(vm, float)))
        rec = {"params": dict(zip(REGRESSORS, betas[:k].tolist())), "se": dict(zip(REGRESSORS, se[:k].tolist())),
               "sig2": float(np.asarray(sig2).ravel()[0]), "logll": float(logll)}
        rec.update(extra or {})
        out[key] = rec
        return betas, se

    m = spreg.ML_LagFE(y, X, w, spat_impacts=None, epsilon=1e-10)
    b, s = store("lag_region", m.betas, m.vm, m.sig2, m.logll)
    out["lag_region"].update(rho=float(b[-1]), rho_se=float(s[-1]))
    m = spreg.ML_ErrorFE(y, X, w, epsilon=1e-10)
    b, s = store("error_region", m.betas, m.vm, m.sig2, m.logll)
    out["error_region"].update(lam=float(b[-1]), lam_se=float(s[-1]))

    XD = np.column_stack([X, D])
    m = spreg.ML_LagFE(y, XD, w, spat_impacts=None, epsilon=1e-10)
    b, s = store("lag_twoways", m.betas, m.vm, m.sig2, m.logll)
    out["lag_twoways"].update(rho=float(b[-1]), rho_se=float(s[-1]))
    m = spreg.ML_ErrorFE(y, XD, w, epsilon=1e-10)
    b, s = store("error_twoways", m.betas, m.vm, m.sig2, m.logll)
    out["error_twoways"].update(lam=float(b[-1]), lam_se=float(s[-1]))

    m = spreg.ML_Lag(y, XD, Wbig, method="full", spat_impacts=None, epsilon=1e-10)
    b, s = store("lag_time", m.betas[1:], m.vm[1:, 1:], m.sig2, m.logll)
    out["lag_time"].update(rho=float(b[-1]), rho_se=float(s[-1]))
    m = spreg.ML_Error(y, XD, Wbig, method="full", epsilon=1e-10)
    b, s = store("error_time", m.betas[1:], m.vm[1:, 1:], m.sig2, m.logll)
    out["error_time"].update(lam=float(b[-1]), lam_se=float(s[-1]))

    # pooled (effects=None): spreg.ML_Lag / ML_Error on the stacked data with I_T kron W and a constant
    names_c = ["const"] + REGRESSORS
    m = spreg.ML_Lag(y, X, Wbig, method="full", spat_impacts=None, epsilon=1e-10)
    bb, ss = np.asarray(m.betas, float).ravel(), np.sqrt(np.diag(np.asarray(m.vm, float)))
    out["lag_pooled"] = {"params": dict(zip(names_c, bb[: k + 1].tolist())), "se": dict(zip(names_c, ss[: k + 1].tolist())),
                         "rho": float(bb[k + 1]), "rho_se": float(ss[k + 1]),
                         "sig2": float(np.asarray(m.sig2).ravel()[0]), "logll": float(m.logll)}
    m = spreg.ML_Error(y, X, Wbig, method="full", epsilon=1e-10)
    bb, ss = np.asarray(m.betas, float).ravel(), np.sqrt(np.diag(np.asarray(m.vm, float)))
    out["error_pooled"] = {"params": dict(zip(names_c, bb[: k + 1].tolist())), "se": dict(zip(names_c, ss[: k + 1].tolist())),
                           "lam": float(bb[k + 1]), "lam_se": float(ss[k + 1]),
                           "sig2": float(np.asarray(m.sig2).ravel()[0]), "logll": float(m.logll)}

    m = spreg.ML_LagRE(y, X, w, spat_impacts=None, epsilon=1e-10)
    betas = np.asarray(m.betas, float).ravel()
    se = np.sqrt(np.diag(np.asarray(m.vm, float)))
    names = ["const"] + REGRESSORS
    out["lag_random"] = {
        "params": dict(zip(names, betas[: k + 1].tolist())), "se": dict(zip(names, se[: k + 1].tolist())),
        "rho": float(betas[k + 1]), "rho_se": float(se[k + 1]), "theta": float(betas[k + 2]),
        "sig2": float(np.asarray(m.sig2).ravel()[0]), "logll": float(m.logll),
    }
    # panel LM tests (spreg.diagnostics_panel; OLS with a constant, sigma2 = e'e/(NT-k)).
    # Note: spreg's panel_LMlag uses T_W^2 where Elhorst has T * T_W in J (the robust tests use T * T_W).
    from spreg.diagnostics_panel import panel_LMerror, panel_LMlag, panel_rLMerror, panel_rLMlag

    def lm_block(yy, xx):
        return {f.__name__: [float(v) for v in f(yy, xx, w)] for f in (panel_LMlag, panel_LMerror, panel_rLMlag,
                                                                        panel_rLMerror)}

    out["lm_pooled"] = lm_block(y, X)
    Q = np.kron(np.eye(T) - 1.0 / T, np.eye(N))  # region within transformation
    out["lm_region"] = lm_block(Q @ y, Q @ X)
    path = HERE / "panel_spreg.json"
    path.write_text(json.dumps(out, indent=1, sort_keys=False) + "\n")
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
