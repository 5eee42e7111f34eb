"""Panel estimation through the model classes (se.SAR/SEM/SDM/OLS with effects=...).

Same references as test_panel.py (spreg JSON, R plm JSON); here the full path is tested:
prepare_panel -> estimation core -> SpatialResults (params, SEs, sigma2, loglik, fixed effects).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

import spatialecon as se
import spatialecon.models as sm

REF = Path(__file__).resolve().parent / "reference"
sys.path.insert(0, str(REF))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from panel_data import REGRESSORS, produc, us48_graph  # noqa: E402

pytestmark = pytest.mark.skipif(not hasattr(sm, "SAR"), reason="model classes not available yet")

SPREG = json.loads((REF / "panel_spreg.json").read_text())
PLM = json.loads((REF / "panel_plm.json").read_text())


@pytest.fixture(scope="module")
def data():
    return produc(), us48_graph()


def _fit(cls, data, **kw):
    df, w = data
    return cls(df["lgsp"], df[REGRESSORS], w, **kw).fit()


@pytest.mark.parametrize("kind", ["lag", "error"])
@pytest.mark.parametrize("effects", ["region", "time", "twoways"])
def test_fe_models_match_spreg(data, kind, effects):
    r = _fit(sm.SAR if kind == "lag" else sm.SEM, data, effects=effects)
    ref = SPREG[f"{kind}_{effects}"]
    coef = "rho" if kind == "lag" else "lambda"
    assert list(r.params.index) == REGRESSORS + [coef]
    np.testing.assert_allclose(r.params[coef], ref["rho" if kind == "lag" else "lam"], atol=1e-5)
    np.testing.assert_allclose(r.bse[coef], ref["rho_se" if kind == "lag" else "lam_se"], rtol=1e-3)
    for name in REGRESSORS:
        np.testing.assert_allclose(r.params[name], ref["params"][name], rtol=1e-4, atol=1e-5)
        np.testing.assert_allclose(r.bse[name], ref["se"][name], rtol=1e-3)
    np.testing.assert_allclose(r.sigma2, ref["sig2"], rtol=2e-5)
    np.testing.assert_allclose(r.loglik, ref["logll"], rtol=1e-7)
    assert r.nobs == 816 and r.n_periods == 17 and len(r.ids) == 48
    assert r.spec.effects == effects


def test_random_effects_sar_matches_spreg(data):
    r = _fit(sm.SAR, data, effects="random")
    ref = SPREG["lag_random"]
    np.testing.assert_allclose(r.params["rho"], ref["rho"], atol=2e-5)
    for name in ["const"] + REGRESSORS:
        np.testing.assert_allclose(r.params[name], ref["params"][name], rtol=2e-4, atol=1e-5)
    np.testing.assert_allclose(r.loglik, ref["logll"], rtol=1e-8)
    np.testing.assert_allclose(r.info["theta"], ref["theta"], rtol=2e-4)


def test_within_ols_matches_plm(data):
    r = _fit(sm.OLS, data, effects="region")
    ref = PLM["within_region"]
    for name in REGRESSORS:
        np.testing.assert_allclose(r.params[name], ref["params"][name], rtol=1e-9)


def test_lee_yu_region_closed_form(data):
    r0 = _fit(sm.SAR, data, effects="region")
    r1 = _fit(sm.SAR, data, effects="region", lee_yu=True)
    np.testing.assert_allclose(r1.params.to_numpy(), r0.params.to_numpy(), rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(r1.sigma2 / r0.sigma2, 17 / 16, rtol=1e-6)
    assert r1.spec.lee_yu


def test_region_effects_attached(data):
    r = _fit(sm.SAR, data, effects="twoways")
    fx = r.info["region_effects"]
    assert list(fx.index) == list(r.ids) and {"mu", "deviation", "se"} <= set(fx.columns)
    np.testing.assert_allclose(fx["deviation"].sum(), 0.0, atol=1e-9)
    assert len(r.info["time_effects"]) == 17


def test_hausman_and_lm_through_models(data):
    from spatialecon.results.panel_tests import panel_lm_tests, spatial_hausman

    fe = _fit(sm.SAR, data, effects="region")
    re = _fit(sm.SAR, data, effects="random")
    h = spatial_hausman(fe, re)
    assert h.df == len(REGRESSORS) + 1 and np.isfinite(h.stat)
    ols = _fit(sm.OLS, data, effects="region")
    lm = panel_lm_tests(ols)
    df, w = data
    from spatialecon.models._panel import prepare_panel
    from spatialecon.results.panel_tests import panel_lm_arrays

    d = prepare_panel(df["lgsp"], df[REGRESSORS], w, effects="region")
    ref = panel_lm_arrays(d.y, d.X, d.W, T=d.T, effects="region")
    np.testing.assert_allclose(lm["lm_error"].stat, ref["lm_error"].stat, rtol=1e-10)
