"""Our spatial panel ML estimators against printed splm::spml() output on Munnell's Produc.

The numbers (tests/reference/splm_published.json) were typed in from a public knitted R
Markdown document that ran splm on plm's Produc with the 48-state queen W (spData's usa48.nb,
row-standardised; the neighbour set of splm's usaww). The inputs are exported by
tests/reference/splm_published.R. Every printed digit is compared: the tolerance of a quantity is
one unit in its last printed decimal (the JSON header states the rule; documented exceptions are
stored next to the numbers). splm's SEs of phi and of the spatial parameter in random-effects models
come from a finite-difference Hessian; they are compared with fit(cov="hessian") at the relative
tolerance stored under "observed_se". What is not compared, and why, is listed under "not_compared".
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import spatialecon.models as sm
from spatialecon.weights import from_matrix

REF = Path(__file__).resolve().parent / "reference"
PUB = json.loads((REF / "splm_published.json").read_text())
NAMES = PUB["header"]["names"]
REGRESSORS = ["lpcap", "lpc", "lemp", "unemp"]


def _unit(printed: str) -> float:
    """One unit in the last printed decimal of ``printed`` (e.g. '0.0250109' -> 1e-7)."""
    decimals = len(printed.split(".")[1]) if "." in printed else 0
    return 10.0 ** -decimals


def _check_coefficients(r, ref, key=None):
    """Every printed coefficient and SE of ``ref`` to one unit in its last printed decimal."""
    for rname, (est, se) in ref["coefficients"].items():
        name = NAMES[rname]
        assert abs(r.params[name] - float(est)) <= _unit(est), (key, name, r.params[name], est)
        assert abs(r.bse[name] - float(se)) <= _unit(se), (key, name, r.bse[name], se)


@pytest.fixture(scope="module")
def data():
    d = pd.read_csv(REF / "data" / "splm_produc.csv")
    df = pd.DataFrame(
        {
            "lgsp": np.log(d["gsp"].to_numpy(float)),
            "lpcap": np.log(d["pcap"].to_numpy(float)),
            "lpc": np.log(d["pc"].to_numpy(float)),
            "lemp": np.log(d["emp"].to_numpy(float)),
            "unemp": d["unemp"].to_numpy(float),
        },
        index=pd.MultiIndex.from_arrays([d["state"].astype(str), d["year"].astype(int)], names=["state", "year"]),
    ).sort_index()
    wm = pd.read_csv(REF / "data" / "splm_usa48_W.csv").set_index("state")
    return df, from_matrix(wm)


_FITS: dict = {}


def _fit(key, data, cov="analytic"):
    if (key, cov) not in _FITS:
        spec = PUB["models"][key]["ours"]
        df, w = data
        extra = {"random_error": spec["random_error"]} if "random_error" in spec else {}
        model = getattr(sm, spec["model"])(df["lgsp"], df[REGRESSORS], w, effects=spec["effects"], **extra)
        _FITS[key, cov] = model.fit(cov=cov)
    return _FITS[key, cov]


def test_weights_are_row_standardised_queen(data):
    """The exported W: 48 states, rows sum to 1, Arizona's neighbours include Colorado (usaww.Rd)."""
    _, w = data
    from spatialecon.weights import align

    ids = pd.Index(sorted(w.unique_ids))
    A = align(w, ids).toarray()
    assert A.shape == (48, 48)
    np.testing.assert_allclose(A.sum(axis=1), 1.0, rtol=0, atol=1e-12)
    az = list(ids).index("ARIZONA")
    assert {ids[j] for j in np.flatnonzero(A[az])} == {"CALIFORNIA", "NEVADA", "UTAH", "NEW_MEXICO", "COLORADO"}


@pytest.mark.parametrize("key", ["sem_fe_region", "sar_fe_region"])
def test_fixed_effects_all_printed_digits(data, key):
    """Region fixed effects: estimates and SEs of beta and of the spatial parameter."""
    ref = PUB["models"][key]
    r = _fit(key, data)
    sp = ref["spatial"]
    for what, ours in (("estimate", r.params[sp["ours"]]), ("se", r.bse[sp["ours"]])):
        assert abs(ours - float(sp[what])) <= _unit(sp[what]), (key, sp["name"], what, ours, sp[what])
    _check_coefficients(r, ref, key)


def test_random_effects_kkp_error_model(data):
    """RE spatial error (KKP form): phi, rho and beta with their SEs (phi/rho SEs:
    test_observed_information_ses_match_splm).

    phi uses the JSON's "phi_tolerance" (two printed units): see the reason stored there.
    """
    ref = PUB["models"]["sem_re_kkp"]
    r = _fit("sem_re_kkp", data)
    # phi: two printed units, see "phi_tolerance_reason" in the JSON (numerical resolution of phi)
    assert abs(r.info["phi"] - float(ref["phi"]["estimate"])) <= float(ref["phi_tolerance"]), r.info["phi"]
    sp = ref["spatial"]
    assert abs(r.params[sp["ours"]] - float(sp["estimate"])) <= _unit(sp["estimate"])
    _check_coefficients(r, ref)


def test_random_effects_baltagi_error_model(data):
    """RE spatial error, Baltagi form (splm's default spatial.error = "b"): phi, rho and beta with the
    beta SEs, all to one printed unit (splm's beta covariance is the GLS block of the expected
    information, which fit() reports). phi and rho SEs: test_observed_information_ses_match_splm."""
    ref = PUB["models"]["sem_re_b"]
    r = _fit("sem_re_b", data)
    assert r.info["random_error"] == "baltagi"
    assert abs(r.info["phi"] - float(ref["phi"]["estimate"])) <= _unit(ref["phi"]["estimate"]), r.info["phi"]
    sp = ref["spatial"]
    assert abs(r.params[sp["ours"]] - float(sp["estimate"])) <= _unit(sp["estimate"])
    _check_coefficients(r, ref)


@pytest.mark.parametrize("key", ["sem_re_b", "sem_re_kkp", "sar_re"])
def test_observed_information_ses_match_splm(data, key):
    """splm's SEs of phi and of the spatial parameter are observed-information SEs: fit(cov="hessian")
    reproduces them to the JSON's relative tolerance (splm's own finite-difference error; see
    "observed_se.reason"), and the default expected-information SEs do not."""
    ref = PUB["models"][key]
    tol = {q: float(v) for q, v in ref["observed_se"]["rtol"].items()}
    sp = ref["spatial"]
    r = _fit(key, data, cov=ref["observed_se"]["fit"]["cov"])
    assert "observed information" in r.info["re_cov_note"]
    assert abs(r.info["phi_se"] / float(ref["phi"]["se"]) - 1) <= tol["phi.se"], (key, r.info["phi_se"])
    assert abs(r.bse[sp["ours"]] / float(sp["se"]) - 1) <= tol["spatial.se"], (key, r.bse[sp["ours"]])
    expected = _fit(key, data)
    assert abs(expected.info["phi_se"] / float(ref["phi"]["se"]) - 1) > tol["phi.se"]
    assert abs(expected.bse[sp["ours"]] / float(sp["se"]) - 1) > tol["spatial.se"]
    # the point estimates do not depend on the covariance
    np.testing.assert_allclose(r.params, expected.params, rtol=0, atol=0)


def test_random_effects_lag_model(data):
    """RE spatial lag: phi and lambda to the printed digits; betas at the documented 1e-6."""
    ref = PUB["models"]["sar_re"]
    r = _fit("sar_re", data)
    assert abs(r.info["phi"] - float(ref["phi"]["estimate"])) <= _unit(ref["phi"]["estimate"])
    sp = ref["spatial"]
    assert abs(r.params[sp["ours"]] - float(sp["estimate"])) <= _unit(sp["estimate"])
    tol = float(ref["coefficient_tolerance"])
    for rname, (est, _se) in ref["coefficients"].items():
        name = NAMES[rname]
        assert abs(r.params[name] - float(est)) <= tol, (name, r.params[name], est)


@pytest.mark.parametrize("model", ["SEM", "SAC"])
def test_region_effect_se_includes_coefficient_uncertainty(data, model):
    """Regression test: for error models (and SAC) the SE of a recovered region effect is
    sqrt(sigma2/T + zbar_i' V zbar_i) (Elhorst 2014, eq. 3.25; splm's effects() has the same
    two terms), not sqrt(sigma2/T). Before the fix the core passed no coefficient covariance for
    these families and the second term was dropped: SEM SEs were about 20 times too small here."""
    df, w = data
    r = getattr(sm, model)(df["lgsp"], df[REGRESSORS], w, effects="region").fit()
    fx = r.info["region_effects"]
    T = r.n_periods
    Z = df[REGRESSORS].groupby(level=0).mean().loc[fx.index]
    cols = REGRESSORS
    if model == "SAC":  # lag models: the region mean of Wy enters zbar with rho
        from spatialecon.weights import align

        A = align(w, pd.Index(fx.index)).toarray()
        wy = pd.concat([pd.Series(A @ g.droplevel(1).loc[fx.index].to_numpy(), index=fx.index)
                        for _, g in df["lgsp"].groupby(level=1)])
        Z = Z.assign(Wy=wy.groupby(level=0).mean().loc[fx.index])
        cols = REGRESSORS + ["rho"]
    V = r.cov.loc[cols, cols].to_numpy()
    expected = np.sqrt(r.sigma2 / T + np.einsum("ij,jk,ik->i", Z.to_numpy(), V, Z.to_numpy()))
    np.testing.assert_allclose(fx["se"].to_numpy(), expected, rtol=1e-10)
    assert (fx["se"] > 2 * np.sqrt(r.sigma2 / T)).all()
