"""Reference for the non-spatial random-effects ML estimator: statsmodels MixedLM (random
intercept by region, ML not REML) on Munnell's Produc.

Run from the repository root:  python tests/reference/panel_statsmodels.py
Writes tests/reference/panel_statsmodels.json (header with versions).
"""

from __future__ import annotations

import json
import sys
import warnings
from pathlib import Path

import numpy as np
import statsmodels
import statsmodels.api as smapi

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from panel_data import REGRESSORS, produc  # noqa: E402


def main() -> None:
    d = produc().reset_index()
    X = smapi.add_constant(d[REGRESSORS])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = smapi.MixedLM(d["lgsp"], X, groups=d["state"]).fit(reml=False, method="lbfgs", gtol=1e-10)
    names = ["const"] + REGRESSORS
    out = {
        "header": {"software": "statsmodels MixedLM (ML, random intercept by state)",
                   "versions": {"statsmodels": statsmodels.__version__, "numpy": np.__version__},
                   "data": "linearmodels.datasets.munnell (Produc)", "model": "lgsp ~ lpcap + lpc + lemp + unemp",
                   "script": "tests/reference/panel_statsmodels.py"},
        "params": {k: float(m.fe_params[k]) for k in names},
        "se": {k: float(m.bse_fe[k]) for k in names},
        "sigma2": float(m.scale),
        "sigma2_mu": float(np.asarray(m.cov_re).ravel()[0]),
        "loglik": float(m.llf),
    }
    (HERE / "panel_statsmodels.json").write_text(json.dumps(out, indent=1) + "\n")
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
