"""Tests of beta-convergence (spatialecon.results.beta).

Reference: tests/reference/beta_us_income.R (R spatialreg; output in
beta_us_income.json) on the same data and the same rook W exported by
tests/reference/beta_us_income_export.py.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from spatialecon.errors import DataError, DataWarning, OptionError
from spatialecon.results.beta import _cross_section_data, _panel_data, beta_convergence, speed_and_half_life

REF = Path(__file__).parent / "reference"
R = json.loads((REF / "beta_us_income.json").read_text())


# ---------------------------------------------------------------------------
# speed and half-life
# ---------------------------------------------------------------------------
@pytest.mark.parametrize("beta,se,T", [(-0.0110566847653455, 0.000515319068371648, 65), (-0.05, 0.01, 5),
                                       (-0.2, 0.03, 1)])
def test_speed_half_life_formula_and_delta_se(beta, se, T):
    r = speed_and_half_life(beta, se, T)
    lam = -np.log(1.0 + T * beta) / T
    assert r["speed"]["estimate"] == pytest.approx(lam, rel=1e-14)
    assert r["half_life"]["estimate"] == pytest.approx(np.log(2.0) / lam, rel=1e-14)
    # delta method against a central finite-difference derivative
    h = 1e-7
    dl = (-np.log(1 + T * (beta + h)) / T + np.log(1 + T * (beta - h)) / T) / (2 * h)
    dh = (np.log(2) / (-np.log(1 + T * (beta + h)) / T) - np.log(2) / (-np.log(1 + T * (beta - h)) / T)) / (2 * h)
    assert r["speed"]["se"] == pytest.approx(abs(dl) * se, rel=1e-6)
    assert r["half_life"]["se"] == pytest.approx(abs(dh) * se, rel=1e-6)


def test_speed_undefined_is_nan():
    assert np.isnan(speed_and_half_life(0.01, 0.001, 10)["speed"]["estimate"])
    assert np.isnan(speed_and_half_life(-0.2, 0.001, 10)["half_life"]["se"])  # 1 + T beta < 0


def test_us_speed_hand_computation():
    """Barro-Sala-i-Martin: 48 states 1929-1994, beta ~ -0.011 gives a speed of ~ 1.6 % a year."""
    b = R["ols"]["coef"][1]
    r = speed_and_half_life(b, R["ols"]["se"][1], 65)
    assert r["speed"]["estimate"] == pytest.approx(-np.log(1 + 65 * b) / 65, rel=1e-14)
    assert 0.012 < r["speed"]["estimate"] < 0.02
    assert 35 < r["half_life"]["estimate"] < 55


# ---------------------------------------------------------------------------
# data preparation
# ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def us_panel():
    import libpysal

    inc = pd.read_csv(libpysal.examples.get_path("usjoin.csv"))
    inc["code"] = inc["STATE_FIPS"].astype(int).map(lambda v: f"{v:02d}")
    long = inc.drop(columns=["Name", "STATE_FIPS"]).melt(id_vars="code", var_name="year", value_name="income")
    long["year"] = long["year"].astype(int)
    long["income"] = long["income"].astype(float)
    return long.set_index(["code", "year"]).sort_index()


@pytest.fixture(scope="module")
def us_w():
    from libpysal.graph import Graph

    lines = (REF / "data" / "us48_rook.gal").read_text().split("\n")[1:]
    neighbors = {lines[i].split()[0]: lines[i + 1].split() for i in range(0, len(lines) - 1, 2)}
    return Graph.from_dicts(neighbors).transform("r")


def test_cross_section_data_matches_exported(us_panel):
    from spatialecon.results._panelvalues import wide

    ref = pd.read_csv(REF / "data" / "us48_income.csv", dtype={"fips": str}).set_index("fips")
    data, T = _cross_section_data(wide(us_panel, "income"), 1929, 1994, [], us_panel)
    assert T == 65
    data = data.loc[ref.index]
    assert np.allclose(data["growth"], ref["growth"], rtol=1e-14)
    assert np.allclose(data["ln_y0"], ref["ln_y0"], rtol=1e-14)


def test_panel_spans(us_panel):
    from spatialecon.results._panelvalues import wide

    data, k = _panel_data(wide(us_panel, "income"), 1929, 1994, 5, [], us_panel)
    assert k == 5
    periods = sorted(data.index.get_level_values("period").unique())
    assert periods[0] == 1929 and periods[-1] == 1989 and np.all(np.diff(periods) == 5)
    row = data.loc[("06", 1934)]
    ca = us_panel.xs("06", level="code")["income"]
    assert row["growth"] == pytest.approx((np.log(ca[1939]) - np.log(ca[1934])) / 5, rel=1e-14)
    assert row["ln_y0"] == pytest.approx(np.log(ca[1934]), rel=1e-14)


def test_bad_inputs(us_panel):
    with pytest.raises(OptionError, match="model"):
        beta_convergence(us_panel, "income", 1929, 1994, model="GWR")
    with pytest.raises(OptionError, match="relative"):
        beta_convergence(us_panel, "income", 1929, 1994, relative="median")
    with pytest.raises(OptionError, match="horizon"):
        beta_convergence(us_panel, "income", 1929, 1994, effects="region")
    with pytest.raises(DataError, match="2020"):
        beta_convergence(us_panel, "income", 1929, 2020)
    neg = us_panel.copy()
    neg.loc[("06", 1929), "income"] = -1.0
    with pytest.raises(DataError, match="positive"):
        beta_convergence(neg, "income", 1929, 1994)
    with pytest.raises(DataError, match="needs spatial weights"):
        _need_models()
        beta_convergence(us_panel, "income", 1929, 1994, model="SAR")


# ---------------------------------------------------------------------------
# against R spatialreg
# ---------------------------------------------------------------------------
def _need_models():
    import spatialecon.models as m

    if not hasattr(m, "OLS"):  # pragma: no cover - H3's models not merged yet
        pytest.skip("spatialecon.models not available yet")


def test_ols_vs_r(us_panel):
    _need_models()
    r = beta_convergence(us_panel, "income", 1929, 1994, model="OLS")
    assert r.basis == "coefficient"
    assert r.coefficient.estimate == pytest.approx(R["ols"]["coef"][1], rel=1e-8)
    assert r.coefficient.se == pytest.approx(R["ols"]["se"][1], rel=1e-6)
    assert r.model_result.params["const"] == pytest.approx(R["ols"]["coef"][0], rel=1e-8)
    assert r.model_result.loglik == pytest.approx(R["ols"]["loglik"], rel=1e-8)
    sh = speed_and_half_life(R["ols"]["coef"][1], R["ols"]["se"][1], 65)
    assert r.speed.estimate == pytest.approx(sh["speed"]["estimate"], rel=1e-7)
    assert r.speed.se == pytest.approx(sh["speed"]["se"], rel=1e-5)
    assert r.half_life.estimate == pytest.approx(sh["half_life"]["estimate"], rel=1e-7)


def test_relative_income_leaves_ols_slope_unchanged(us_panel):
    _need_models()
    a = beta_convergence(us_panel, "income", 1929, 1994, model="OLS")
    b = beta_convergence(us_panel, "income", 1929, 1994, model="OLS", relative="sample_mean")
    assert b.coefficient.estimate == pytest.approx(a.coefficient.estimate, rel=1e-10)
    assert b.model_result.params["const"] != pytest.approx(a.model_result.params["const"], rel=1e-3)


def test_sar_vs_r(us_panel, us_w):
    _need_models()
    r = beta_convergence(us_panel, "income", 1929, 1994, model="SAR", w=us_w)
    ref = R["sar"]
    p, bse = r.model_result.params, r.model_result.bse
    assert p["ln_y0"] == pytest.approx(ref["coef"][1], rel=1e-5)
    assert p["const"] == pytest.approx(ref["coef"][0], rel=1e-5)
    assert p["rho"] == pytest.approx(ref["rho"], abs=1e-5)
    assert bse["ln_y0"] == pytest.approx(ref["se"][1], rel=1e-3)
    assert bse["rho"] == pytest.approx(ref["rho_se"], rel=1e-3)
    assert r.model_result.loglik == pytest.approx(ref["loglik"], rel=1e-8)
    # speed from the direct effect, and total reported
    assert r.basis == "direct effect"
    assert r.beta.estimate == pytest.approx(ref["direct"], rel=1e-5)
    assert r.total["beta"].estimate == pytest.approx(ref["total"], rel=1e-5)
    sh = speed_and_half_life(r.beta.estimate, r.beta.se, 65)
    assert r.speed.estimate == pytest.approx(sh["speed"]["estimate"], rel=1e-12)
    assert r.beta.se > 0 and np.isfinite(r.half_life.se)


def test_sdm_vs_r(us_panel, us_w):
    _need_models()
    r = beta_convergence(us_panel, "income", 1929, 1994, model="SDM", w=us_w)
    ref = R["sdm"]
    p = r.model_result.params
    assert p["ln_y0"] == pytest.approx(ref["coef"][1], rel=1e-5)
    assert p["W_ln_y0"] == pytest.approx(ref["coef"][2], rel=1e-4)
    assert p["rho"] == pytest.approx(ref["rho"], abs=1e-5)
    assert r.model_result.loglik == pytest.approx(ref["loglik"], rel=1e-8)
    assert r.beta.estimate == pytest.approx(ref["direct"], rel=1e-5)
    assert r.total["beta"].estimate == pytest.approx(ref["total"], rel=1e-5)


def test_sem_vs_r(us_panel, us_w):
    _need_models()
    r = beta_convergence(us_panel, "income", 1929, 1994, model="SEM", w=us_w)
    ref = R["sem"]
    p, bse = r.model_result.params, r.model_result.bse
    assert r.basis == "coefficient"
    assert p["ln_y0"] == pytest.approx(ref["coef"][1], rel=1e-5)
    assert p["lambda"] == pytest.approx(ref["lambda"], abs=1e-5)
    assert bse["ln_y0"] == pytest.approx(ref["se"][1], rel=1e-3)
    assert bse["lambda"] == pytest.approx(ref["lambda_se"], rel=1e-3)
    assert r.model_result.loglik == pytest.approx(ref["loglik"], rel=1e-8)
    assert r.beta.estimate == r.coefficient.estimate


def test_panel_spans_fit(us_panel, us_w):
    _need_models()
    r = beta_convergence(us_panel, "income", 1929, 1994, model="OLS", w=us_w, horizon=5, relative="sample_mean")
    assert r.horizon == 5
    assert r.model_result.nobs == 48 * 13
    assert r.coefficient.estimate < 0
    # pooled OLS on relative income = statsmodels OLS on the same stacked data
    import statsmodels.api as sm

    d = r.data
    ols = sm.OLS(d["growth"].to_numpy(), sm.add_constant(d["ln_y0"].to_numpy())).fit()
    assert r.coefficient.estimate == pytest.approx(ols.params[1], rel=1e-9)
    assert r.coefficient.se == pytest.approx(ols.bse[1], rel=1e-7)
    sh = speed_and_half_life(ols.params[1], ols.bse[1], 5)
    assert r.half_life.estimate == pytest.approx(sh["half_life"]["estimate"], rel=1e-8)
    rf = beta_convergence(us_panel, "income", 1929, 1994, model="SAR", w=us_w, horizon=5, effects="twoways")
    assert rf.basis == "direct effect"
    assert rf.model_result.spec.effects == "twoways"


def test_no_convergence_warns_nan(us_panel):
    _need_models()
    div = us_panel.copy()
    years = div.index.get_level_values("year")
    ln = np.log(div["income"])
    # reverse the ranking in 1994 so that rich-in-1929 states grow faster
    end = ln[years == 1994]
    start = ln[years == 1929]
    div.loc[end.index, "income"] = np.exp(start.to_numpy() * 2.0)
    with pytest.warns(DataWarning, match="undefined"):
        r = beta_convergence(div, "income", 1929, 1994, model="OLS")
    assert r.coefficient.estimate > 0 and np.isnan(r.speed.estimate)


@pytest.mark.parametrize("model", ["SDEM", "SLX"])
def test_durbin_error_and_slx_vs_r(us_panel, us_w, model):
    _need_models()
    r = beta_convergence(us_panel, "income", 1929, 1994, model=model, w=us_w)
    ref = R[model.lower()]
    res = r.model_result
    p, bse = res.params, res.bse
    rel = 1e-5 if model == "SDEM" else 1e-8
    assert p["ln_y0"] == pytest.approx(ref["coef"][1], rel=rel)
    assert p["W_ln_y0"] == pytest.approx(ref["coef"][2], rel=rel * 10)
    assert res.loglik == pytest.approx(ref["loglik"], rel=1e-8)
    assert bse["ln_y0"] == pytest.approx(ref["se"][1], rel=1e-3 if model == "SDEM" else 1e-6)
    if model == "SDEM":
        assert p["lambda"] == pytest.approx(ref["lambda"], abs=1e-5)
    # direct effect = coefficient (W has a zero diagonal); total = beta + theta with its delta SE
    assert r.basis == "coefficient"
    c = res.cov.loc[["ln_y0", "W_ln_y0"], ["ln_y0", "W_ln_y0"]].to_numpy()
    assert r.total["beta"].estimate == pytest.approx(p["ln_y0"] + p["W_ln_y0"], rel=1e-14)
    assert r.total["beta"].se == pytest.approx(np.sqrt(c[0, 0] + c[1, 1] + 2 * c[0, 1]), rel=1e-12)
    sh = speed_and_half_life(r.total["beta"].estimate, r.total["beta"].se, 65)
    assert r.total["half_life"].estimate == pytest.approx(sh["half_life"]["estimate"], rel=1e-12)


def test_simulated_impact_ses_reproducible(us_panel, us_w):
    _need_models()
    a = beta_convergence(us_panel, "income", 1929, 1994, model="SAR", w=us_w, impacts_draws=400, seed=3)
    b = beta_convergence(us_panel, "income", 1929, 1994, model="SAR", w=us_w, impacts_draws=400, seed=3)
    d = beta_convergence(us_panel, "income", 1929, 1994, model="SAR", w=us_w)
    assert a.beta.se == b.beta.se
    assert a.beta.estimate == pytest.approx(d.beta.estimate, rel=1e-12)  # point estimate does not depend on draws
    assert a.beta.se == pytest.approx(d.beta.se, rel=0.25)  # simulation vs delta method


def test_relative_national_population_weighted(us_panel):
    _need_models()
    with pytest.raises(DataError, match="population"):
        beta_convergence(us_panel, "income", 1929, 1994, relative="national")
    rng = np.random.default_rng(0)
    p = us_panel.copy()
    p["pop"] = rng.uniform(0.5, 30.0, size=len(p))
    r = beta_convergence(p, "income", 1929, 1994, relative="national", population="pop")
    y29 = p.xs(1929, level="year")
    nat = (y29["income"] * y29["pop"]).sum() / y29["pop"].sum()
    assert r.data.loc["06", "ln_y0"] == pytest.approx(np.log(y29.loc["06", "income"] / nat), rel=1e-13)
    a = beta_convergence(us_panel, "income", 1929, 1994)
    assert r.coefficient.estimate == pytest.approx(a.coefficient.estimate, rel=1e-10)


@pytest.mark.parametrize("effects,key", [("region", "within_individual"), ("twoways", "within_twoways")])
def test_panel_spans_within_vs_r_plm(us_panel, us_w, effects, key):
    """5-year spans, OLS with fixed effects = plm's within estimator (R plm, beta_us_income.R)."""
    _need_models()
    ref = R["panel_spans5"][key]
    if ref["coef"] >= 0:
        with pytest.warns(DataWarning, match="no convergence"):
            r = beta_convergence(us_panel, "income", 1929, 1994, model="OLS", w=us_w, horizon=5, effects=effects)
    else:
        r = beta_convergence(us_panel, "income", 1929, 1994, model="OLS", w=us_w, horizon=5, effects=effects)
    assert r.coefficient.estimate == pytest.approx(ref["coef"], rel=1e-8)
    assert float((r.model_result.resid ** 2).sum()) == pytest.approx(ref["ssr"], rel=1e-8)
    # plm's classical SE uses s^2 = SSR / df_resid with the absorbed effects counted
    # (NT - N - k, or NT - N - T + 1 - k for two-way effects).
    s2 = ref["ssr"] / ref["df_resid"]
    assert (ref["se"] ** 2 / s2) == pytest.approx(r.coefficient.se ** 2 / r.model_result.info.get(
        "sigma2_unbiased", np.nan), rel=1e-6)


@pytest.mark.parametrize("effects,key", [("region", "within_individual"), ("twoways", "within_twoways")])
def test_panel_spans_within_se_vs_r_plm(us_panel, us_w, effects, key):
    _need_models()
    ref = R["panel_spans5"][key]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        r = beta_convergence(us_panel, "income", 1929, 1994, model="OLS", w=us_w, horizon=5, effects=effects)
    assert r.coefficient.se == pytest.approx(ref["se"], rel=1e-6)
