"""Cross-section models against PySAL spreg 1.9.0.

Reference numbers: ``tests/reference/spreg_cross_section.json``, written by
``tests/reference/spreg_cross_section.py`` from the shared data/weights files in
``tests/reference/data`` (same inputs as the R reference). Tolerances, fixed in advance:

* OLS and its diagnostics (closed forms): rtol 1e-8;
* ML estimates: rtol 1e-5, or 1e-5 x SE for coefficients near zero (spreg's bounded Brent
  search stops at ~1e-7 in rho);
* ML SEs: rtol 1e-4; log-likelihood and AIC: atol 1e-6; sigma^2: rtol 1e-6;
* GMM (our ``method="gmm"`` runs spreg's estimators): rtol 1e-8.

Conventions (tests/reference/README.md): spreg's AIC counts neither sigma^2 nor, in
ML_Error, lambda: spreg OLS and ML_Lag AIC = ours - 2, ML_Error AIC = ours - 4.
spreg's Moran p-value is two-sided.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import spatialecon as se
from spatialecon.weights import read_gal

REF = Path(__file__).resolve().parent / "reference"
S = json.loads((REF / "spreg_cross_section.json").read_text())
TRANSFORM = {"r": "row", "b": "none"}

RTOL_CLOSED = 1e-8
RTOL_ML = 1e-5
RTOL_ML_SE = 1e-4
ATOL_LOGLIK = 1e-6
RTOL_SIGMA2 = 1e-6
RTOL_GMM = 1e-8


def assert_close_se(actual, desired, se, *, rtol: float, err_msg: str = "") -> None:
    """|actual - desired| <= rtol * max(|desired|, se) elementwise (SE units near zero)."""
    actual, desired, se = (np.asarray(v, dtype=float) for v in (actual, desired, se))
    bound = rtol * np.maximum(np.abs(desired), se)
    bad = ~(np.abs(actual - desired) <= bound)
    assert not bad.any(), (f"{err_msg} not within rtol={rtol:g} (relative to max(|ref|, SE)): "
                           f"actual {actual[bad]}, desired {desired[bad]}, SE {se[bad]}")


@functools.lru_cache(maxsize=None)
def _data(key: str):
    c = S["cases"][key]
    d = pd.read_csv(REF / "data" / c["dataset"], dtype={"id": str}).set_index("id")
    w = read_gal(REF / "data" / c["weights"], transform=TRANSFORM[c["transform"]])
    return d[c["y"]], d[c["x"]], w


@functools.lru_cache(maxsize=None)
def fitted(key: str, model: str, method: str = "ml"):
    y, X, w = _data(key)
    if model == "OLS":
        return se.OLS(y, X).fit()
    if method == "gmm":
        return getattr(se, model)(y, X, w).fit(method="gmm")
    return getattr(se, model)(y, X, w).fit(logdet="eigen")


def _ours(names: list[str]) -> list[str]:
    """spreg label -> ours (CONSTANT -> const; W_x, rho, lambda are already ours)."""
    return ["const" if n == "CONSTANT" else n for n in names]


KEYS = list(S["cases"])


@pytest.mark.parametrize("key", KEYS)
def test_ols(key):
    ref = S["cases"][key]["ols"]
    res = fitted(key, "OLS")
    names = _ours(ref["names"])
    np.testing.assert_allclose(res.params[names], ref["betas"], rtol=RTOL_CLOSED)
    np.testing.assert_allclose(res.bse[names], ref["std_err"], rtol=RTOL_CLOSED)
    np.testing.assert_allclose(res.loglik, ref["logll"], rtol=0, atol=ATOL_LOGLIK)
    np.testing.assert_allclose(res.aic - 2, ref["aic"], rtol=0, atol=ATOL_LOGLIK)
    np.testing.assert_allclose(res.sigma2, ref["sig2ML"], rtol=RTOL_CLOSED)
    n, k = res.nobs, len(names)
    np.testing.assert_allclose(res.sigma2 * n / (n - k), ref["sig2"], rtol=RTOL_CLOSED)


@pytest.mark.parametrize("key", KEYS)
def test_ols_diagnostics(key):
    """Moran's I of residuals (two-sided p, as spreg) and the LM family."""
    ref = S["cases"][key]["ols"]
    _, _, w = _data(key)
    res = fitted(key, "OLS")
    m = se.diagnostics.moran_residuals(res, w, alternative="two-sided")
    np.testing.assert_allclose([m.I, m.stat, m.pvalue], [ref["moran_res"][k] for k in ("I", "z", "p")],
                               rtol=RTOL_CLOSED)
    lm = se.diagnostics.lm_tests(res, w)
    for ours, theirs in [("lm_lag", "lm_lag"), ("lm_error", "lm_error"), ("robust_lm_lag", "rlm_lag"),
                         ("robust_lm_error", "rlm_error"), ("sarma", "lm_sarma")]:
        np.testing.assert_allclose(lm[ours].stat, ref[theirs]["stat"], rtol=RTOL_CLOSED, err_msg=ours)
        np.testing.assert_allclose(lm[ours].pvalue, ref[theirs]["p"], rtol=1e-7, atol=1e-15, err_msg=ours)  # p ~ 1e-17 in baltimore


@pytest.mark.parametrize(("key", "model", "ref_name", "spatial", "aic_offset"),
                         [(k, "SAR", "ml_lag", "rho", 2) for k in KEYS]
                         + [(k, "SEM", "ml_error", "lambda", 4) for k in KEYS]
                         + [(k, "SDM", "ml_lag_slx", "rho", 2) for k in KEYS]
                         + [(k, "SDEM", "ml_error_slx", "lambda", 4) for k in KEYS])
def test_ml(key, model, ref_name, spatial, aic_offset):
    """SAR/SDM vs ML_Lag and SEM/SDEM vs ML_Error (method='full'; slx_lags=1 for the Durbin forms):
    estimates, SEs, logL, AIC, sigma^2."""
    ref = S["cases"][key][ref_name]
    res = fitted(key, model)
    names = _ours(ref["names"])
    assert list(res.params.index) == names
    # rtol 1e-5, or 1e-5 of a standard error for coefficients near zero (README: boston INDUS)
    assert_close_se(res.params[names], ref["betas"], ref["std_err"], rtol=RTOL_ML)
    np.testing.assert_allclose(res.params[spatial], ref["rho" if spatial == "rho" else "lam"], rtol=RTOL_ML)
    np.testing.assert_allclose(res.bse[names], ref["std_err"], rtol=RTOL_ML_SE)
    np.testing.assert_allclose(res.loglik, ref["logll"], rtol=0, atol=ATOL_LOGLIK)
    np.testing.assert_allclose(res.aic - aic_offset, ref["aic"], rtol=0, atol=ATOL_LOGLIK)
    np.testing.assert_allclose(res.sigma2, ref["sig2"], rtol=RTOL_SIGMA2)


@pytest.mark.parametrize("key", KEYS)
def test_ml_lag_covariance(key):
    """spreg ML_Lag's vm (betas and rho, from the analytic information matrix) incl. the beta-rho block."""
    ref = S["cases"][key]["ml_lag"]
    res = fitted(key, "SAR")
    names = _ours(ref["names"])
    vm = np.asarray(ref["vm"])
    np.testing.assert_allclose(res.cov.loc[names, names].to_numpy(), vm, rtol=2 * RTOL_ML_SE,
                               atol=1e-10 * np.abs(vm).max())


@pytest.mark.parametrize(("key", "model", "ref_name"),
                         [(k, "SAR", "gm_lag") for k in KEYS] + [(k, "SEM", "gm_error_het") for k in KEYS]
                         + [(k, "SDM", "gm_lag_slx") for k in KEYS] + [(k, "SDEM", "gm_error_het_slx") for k in KEYS]
                         + [(k, "SAC", "gm_combo_het") for k in KEYS])
def test_gmm(key, model, ref_name):
    """method='gmm': SAR/SDM -> GM_Lag (S2SLS, w_lags=1; slx_lags=1 for SDM), SEM/SDEM ->
    GM_Error_Het, SAC -> GM_Combo_Het; same labels as ML."""
    ref = S["cases"][key][ref_name]
    res = fitted(key, model, "gmm")
    names = _ours(ref["names"])
    assert list(res.params.index) == names
    np.testing.assert_allclose(res.params[names], ref["betas"], rtol=RTOL_GMM)
    np.testing.assert_allclose(res.bse[names], ref["std_err"], rtol=RTOL_GMM)


@pytest.mark.parametrize("key", KEYS)
def test_references_agree(key):
    """The two references agree with each other (R spatialreg vs spreg), independently of our code."""
    r = json.loads((REF / "spatialreg_cross_section.json").read_text())["cases"][key]
    s = S["cases"][key]
    np.testing.assert_allclose(s["ml_lag"]["rho"], r["sar"]["rho"], rtol=RTOL_ML)
    np.testing.assert_allclose(s["ml_lag"]["logll"], r["sar"]["loglik"], rtol=0, atol=ATOL_LOGLIK)
    np.testing.assert_allclose(s["ml_lag"]["std_err"][-1], r["sar"]["rho_se"], rtol=RTOL_ML_SE)
    np.testing.assert_allclose(s["ml_error"]["lam"], r["sem"]["lambda"], rtol=RTOL_ML)
    np.testing.assert_allclose(s["ml_error"]["logll"], r["sem"]["loglik"], rtol=0, atol=ATOL_LOGLIK)
    np.testing.assert_allclose(s["ml_error"]["std_err"][-1], r["sem"]["lambda_se"], rtol=RTOL_ML_SE)
    np.testing.assert_allclose(s["ols"]["lm_lag"]["stat"], r["lm_tests"]["LMlag"]["stat"], rtol=RTOL_CLOSED)
    np.testing.assert_allclose(s["ols"]["moran_res"]["I"], r["moran"]["I"], rtol=RTOL_CLOSED)
