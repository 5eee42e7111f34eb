"""Panel LM tests against spreg.diagnostics_panel and the Hausman statistic against R plm::phtest."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

REF = Path(__file__).resolve().parent / "reference"
sys.path.insert(0, str(REF))

from panel_data import REGRESSORS, produc, us48_graph  # noqa: E402

from spatialecon.models._panel import prepare_panel  # noqa: E402
from spatialecon.results.panel_tests import panel_lm_arrays, spatial_hausman  # noqa: E402

SPREG = json.loads((REF / "panel_spreg.json").read_text())
PLM = json.loads((REF / "panel_plm.json").read_text())


@pytest.fixture(scope="module")
def data():
    return produc(), us48_graph()


@pytest.mark.parametrize("effects", [None, "region"])
def test_panel_lm_matches_spreg(data, effects):
    df, w = data
    d = prepare_panel(df["lgsp"], df[REGRESSORS], w, effects=effects)
    X = d.X if effects is None else np.column_stack([np.ones(len(d.y)), d.X])  # spreg adds a constant
    out = panel_lm_arrays(d.y, X, d.W, T=d.T, effects=effects, df_correction=True)
    ref = SPREG["lm_pooled" if effects is None else "lm_region"]
    np.testing.assert_allclose(out["lm_error"].stat, ref["panel_LMerror"][0], rtol=1e-7)
    np.testing.assert_allclose(out["robust_lm_lag"].stat, ref["panel_rLMlag"][0], rtol=1e-6)
    np.testing.assert_allclose(out["robust_lm_error"].stat, ref["panel_rLMerror"][0], rtol=1e-6)
    np.testing.assert_allclose(out["robust_lm_error"].pvalue, ref["panel_rLMerror"][1], rtol=1e-6)
    # spreg's panel_LMlag has T_W^2 where Elhorst (and its own robust tests) have T*T_W in J;
    # J is validated through the robust tests above. The identity LM_lag + rLM_err = LM_err + rLM_lag:
    np.testing.assert_allclose(out["lm_lag"].stat + out["robust_lm_error"].stat,
                               out["lm_error"].stat + out["robust_lm_lag"].stat, rtol=1e-10)
    assert out["sarma"].df == 2


def test_panel_lm_size_under_null():
    """Under H0 (no spatial dependence) the LM-error statistic is ~ chi2(1): rejection rate ~5%."""
    rng = np.random.default_rng(11)
    N, T, reps = 40, 5, 300
    W = np.zeros((N, N))
    for i in range(N):
        W[i, (i + 1) % N] = W[i, (i - 1) % N] = 0.5
    X = np.column_stack([np.ones(N * T), rng.normal(size=N * T)])
    rej = [panel_lm_arrays(X @ [1.0, 0.5] + rng.normal(size=N * T), X, W, T=T)["lm_error"].pvalue < 0.05
           for _ in range(reps)]
    assert 0.02 < np.mean(rej) < 0.09


def test_hausman_formula_matches_plm_phtest():
    names = REGRESSORS
    fe = SimpleNamespace(params=pd.Series(PLM["within_region"]["params"])[names],
                         cov=pd.DataFrame(PLM["within_region"]["vcov"], index=names, columns=names))
    allnames = ["const"] + names
    re = SimpleNamespace(params=pd.Series(PLM["random_swar"]["params"])[allnames],
                         cov=pd.DataFrame(PLM["random_swar"]["vcov"], index=allnames, columns=allnames))
    h = spatial_hausman(fe, re)
    np.testing.assert_allclose(h.stat, PLM["hausman"]["stat"], rtol=1e-8)
    assert h.df == PLM["hausman"]["df"]
    np.testing.assert_allclose(h.pvalue, PLM["hausman"]["pvalue"], rtol=1e-7)


@pytest.mark.parametrize("effects", ["region", "time", "twoways"])
def test_panel_lm_within_equals_lsdv(data, effects):
    """LM tests on the within-transformed regression equal those of the pooled regression with
    region and/or year dummies (Frisch-Waugh-Lovell), so the time demeaning after the lag is right."""
    df, w = data
    d = prepare_panel(df["lgsp"], df[REGRESSORS], w, effects=effects)
    within = panel_lm_arrays(d.y, d.X, d.W, T=d.T, effects=effects)
    N, T = d.N, d.T
    cols = [np.ones(N * T), d.X_raw]
    if effects in ("region", "twoways"):
        cols.append(np.kron(np.ones((T, 1)), np.eye(N))[:, 1:])
    if effects in ("time", "twoways"):
        cols.append(np.kron(np.eye(T), np.ones((N, 1)))[:, 1:])
    lsdv = panel_lm_arrays(d.y_raw, np.column_stack(cols), d.W, T=T, effects=None)
    for key in within:
        np.testing.assert_allclose(within[key].stat, lsdv[key].stat, rtol=1e-8)


def test_panel_lm_agrees_with_diagnostics_lm_tests(data):
    """Pooled and region-effects panels: same numbers as results.diagnostics.lm_tests (I_T x W)."""
    diagnostics = pytest.importorskip("spatialecon.results.diagnostics")
    import spatialecon.models as sm
    from spatialecon.results.panel_tests import panel_lm_tests

    df, w = data
    for effects in (None, "region"):
        r = sm.OLS(df["lgsp"], df[REGRESSORS], w, effects=effects).fit()
        a, b = diagnostics.lm_tests(r), panel_lm_tests(r)
        for key in a:
            np.testing.assert_allclose(b[key].stat, a[key].stat, rtol=1e-9)
