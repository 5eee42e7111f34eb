"""Spatial panel models on Munnell's Produc against spreg (stored) and R plm (stored).

Reference outputs: tests/reference/panel_spreg.json (spreg, script panel_spreg.py) and
tests/reference/panel_plm.json (R plm, script panel_plm.R). Inputs are built by
tests/reference/panel_data.py for both sides.

Two levels are tested:
* the panel design (``prepare_panel``): its transformed arrays, ``lag``, ``logdet`` and ``n_eff``
  plugged into the textbook concentrated likelihood give spreg's estimates (independent of the
  model classes);
* the model classes (``se.SAR(..., effects=...)``) when they are available.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

REF = Path(__file__).resolve().parent / "reference"
sys.path.insert(0, str(REF))

from panel_data import REGRESSORS, conc_fit, plm_state_of_abbrev, produc, us48_graph  # noqa: E402

from spatialecon.models._panel import prepare_panel  # noqa: E402

SPREG = json.loads((REF / "panel_spreg.json").read_text())
PLM = json.loads((REF / "panel_plm.json").read_text())


@pytest.fixture(scope="module")
def data():
    return produc(), us48_graph()


@pytest.mark.parametrize("kind", ["lag", "error"])
@pytest.mark.parametrize("effects", ["region", "time", "twoways"])
def test_design_matches_spreg_point_estimates(data, kind, effects):
    df, w = data
    d = prepare_panel(df["lgsp"], df[REGRESSORS], w, effects=effects)
    beta, r, s2, ll = conc_fit(d, kind)
    ref = SPREG[f"{kind}_{effects}"]
    coef = "rho" if kind == "lag" else "lam"
    # the likelihood is flat to ~1e-12 within 1e-5 of the optimum (spreg stops there too)
    np.testing.assert_allclose(r, ref[coef], atol=1e-5)
    for name in REGRESSORS:
        np.testing.assert_allclose(beta[name], ref["params"][name], atol=1e-5, rtol=1e-4)
    np.testing.assert_allclose(s2, ref["sig2"], rtol=2e-5)
    np.testing.assert_allclose(ll, ref["logll"], rtol=1e-7)


@pytest.mark.parametrize("effects", ["region", "time", "twoways"])
def test_within_ols_matches_plm(data, effects):
    """Non-spatial within estimator on the design equals R plm (coefficients and SEs with
    plm's df = NT - k - (#absorbed effects))."""
    df, w = data
    d = prepare_panel(df["lgsp"], df[REGRESSORS], w, effects=effects)
    b, *_ = np.linalg.lstsq(d.X, d.y, rcond=None)
    e = d.y - d.X @ b
    ref = PLM[f"within_{effects}"]
    absorbed = {"region": d.N, "time": d.T, "twoways": d.N + d.T - 1}[effects]
    dof = d.N * d.T - len(b) - absorbed
    assert dof == ref["df_resid"]
    np.testing.assert_allclose(e @ e, ref["ssr"], rtol=1e-10)
    se = np.sqrt(np.diag(e @ e / dof * np.linalg.inv(d.X.T @ d.X)))
    for j, name in enumerate(REGRESSORS):
        np.testing.assert_allclose(b[j], ref["params"][name], rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(se[j], ref["se"][name], rtol=1e-8)


def test_region_effects_recovery_matches_plm_fixef(data):
    """Recovered region effects (levels) and their SEs sqrt(s2/T + xbar' V xbar) equal plm::fixef."""
    df, w = data
    d = prepare_panel(df["lgsp"], df[REGRESSORS], w, effects="region")
    b, *_ = np.linalg.lstsq(d.X, d.y, rcond=None)
    e = d.y - d.X @ b
    s2 = e @ e / PLM["within_region"]["df_resid"]  # plm's sigma2 convention, for this comparison
    out = d.finalise({"beta": b, "sigma2": s2, "cov_beta_rho": s2 * np.linalg.inv(d.X.T @ d.X)})
    fx = out["info"]["region_effects"]
    ref = PLM["fixef_region"]
    names = plm_state_of_abbrev()
    pos = {nm: j for j, nm in enumerate(ref["ids"])}
    order = [next(j for nm, j in pos.items() if nm.startswith(names[a])) for a in fx.index]
    np.testing.assert_allclose(fx["mu"].to_numpy(), np.asarray(ref["level"])[order], rtol=1e-10)
    np.testing.assert_allclose(fx["se"].to_numpy(), np.asarray(ref["se"])[order], rtol=1e-8)
    np.testing.assert_allclose(fx["deviation"].sum(), 0.0, atol=1e-10)
    np.testing.assert_allclose(out["info"]["intercept"], fx["mu"].mean(), rtol=1e-12)


def test_random_effects_lag_design_matches_spreg(data):
    """RE SAR by ML, phi profiled (Elhorst 2003): spreg.ML_LagRE on identical inputs."""
    df, w = data
    d = prepare_panel(df["lgsp"], df[REGRESSORS], w, effects="random")

    def fit_fn(dd):
        beta, r, s2, ll = conc_fit(dd, "lag")
        return {"beta": beta, "rho": r, "sigma2": s2, "loglik": ll}

    out = d.estimate(fit_fn)
    ref = SPREG["lag_random"]
    np.testing.assert_allclose(out["theta"], ref["theta"], rtol=2e-4)
    np.testing.assert_allclose(out["rho"], ref["rho"], atol=2e-5)
    for name in ["const"] + REGRESSORS:
        np.testing.assert_allclose(out["beta"][name], ref["params"][name], rtol=2e-4, atol=1e-5)
    np.testing.assert_allclose(out["sigma2"], ref["sig2"], rtol=1e-4)
    np.testing.assert_allclose(out["loglik"], ref["logll"], rtol=1e-8)
