"""Model classes: API, labels, bad input, alignment by id, agreement with spreg/statsmodels."""

from __future__ import annotations

import warnings

import geopandas as gpd
import libpysal
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from libpysal.graph import Graph
from libpysal.weights import lat2W

import spatialecon as se
from spatialecon.errors import (
    BoundaryWarning,
    DataError,
    EstimationError,
    OptionError,
    ParameterBoundError,
    SingularDesignError,
    WeightsError,
)
from spatialecon.models import OLS, SAC, SAR, SDEM, SDM, SEM, SLX


@pytest.fixture(scope="module")
def columbus():
    df = gpd.read_file(libpysal.examples.get_path("columbus.shp"))
    df.index = pd.Index([f"c{i:02d}" for i in df["POLYID"]], name="id")
    g = Graph.build_contiguity(df, rook=False).transform("r")
    return df, g


@pytest.fixture(scope="module")
def lattice_data():
    w = Graph.from_W(lat2W(8, 8)).transform("r")
    ids = pd.Index([str(i) for i in w.unique_ids])
    rng = np.random.default_rng(7)
    n = len(ids)
    W = sp.csr_matrix(w.sparse)
    X = pd.DataFrame({"a": rng.normal(size=n), "b": rng.normal(size=n)}, index=w.unique_ids)
    e = rng.normal(size=n)
    y = np.linalg.solve(np.eye(n) - 0.5 * W.toarray(), 1 + X["a"] - 0.5 * X["b"] + 0.5 * (W @ X["a"]) + e)
    return pd.Series(y, index=w.unique_ids, name="y"), X, w


# ----------------------------------------------------------------- labels and API
@pytest.mark.parametrize("cls,labels", [
    (OLS, ["const", "a", "b"]),
    (SLX, ["const", "a", "b", "W_a", "W_b"]),
    (SAR, ["const", "a", "b", "rho"]),
    (SEM, ["const", "a", "b", "lambda"]),
    (SDM, ["const", "a", "b", "W_a", "W_b", "rho"]),
    (SDEM, ["const", "a", "b", "W_a", "W_b", "lambda"]),
    (SAC, ["const", "a", "b", "rho", "lambda"]),
])
def test_labels_and_result_fields(lattice_data, cls, labels):
    y, X, w = lattice_data
    r = cls(y, X, w).fit(on_bound="ignore")
    assert list(r.params.index) == labels
    assert list(r.cov.index) == labels and list(r.cov.columns) == labels
    assert np.all(np.linalg.eigvalsh(r.cov.to_numpy()) > 0)
    assert r.model_name == cls.name and r.spec.kind == cls.kind
    assert r.version == se.__version__
    assert r.nobs == len(y) and r.resid.index.equals(y.index)
    assert np.allclose(r.fitted + r.resid, y)
    assert r.sigma2 == pytest.approx(float(r.resid @ r.resid) / len(y), rel=1e-10)
    assert r.aic == pytest.approx(-2 * r.loglik + 2 * (len(labels) + 1))
    if cls in (OLS, SLX):
        assert r.logdet_method is None
    else:
        assert r.logdet_method == "eigen" and r.method == "ML"
        assert r.info["trace_method"] == "exact"


def test_durbin_subset_and_spec(lattice_data):
    y, X, w = lattice_data
    r = SDM(y, X, w, durbin=["b"]).fit()
    assert list(r.params.index) == ["const", "a", "b", "W_b", "rho"]
    assert r.spec.durbin_names == ("b",) and r.spec.exog_names == ("const", "a", "b")
    with pytest.raises(DataError, match="zzz"):
        SDM(y, X, w, durbin=["zzz"])
    with pytest.raises(OptionError):
        SAR(y, X, w, durbin=True)


def test_from_formula_matches_arrays(lattice_data):
    y, X, w = lattice_data
    df = X.assign(y=y)
    r1 = SDM.from_formula("y ~ a + b", df, w=w).fit()
    r2 = SDM(y, X, w).fit()
    pd.testing.assert_series_equal(r1.params, r2.params)
    r3 = SAR.from_formula("y ~ a + b - 1", df, w=w).fit()
    assert "const" not in r3.params.index
    assert r1.info["formula"] == "y ~ a + b"


def test_logdet_methods_give_same_estimates(lattice_data):
    y, X, w = lattice_data
    fits = {m: SAR(y, X, w).fit(logdet=m) for m in ("eigen", "lu", "cholesky")}
    for m, r in fits.items():
        assert r.logdet_method == m
        assert np.allclose(r.params, fits["eigen"].params, atol=1e-7)
        assert r.loglik == pytest.approx(fits["eigen"].loglik, abs=1e-9)


def test_bad_options(lattice_data):
    y, X, w = lattice_data
    with pytest.raises(OptionError, match="logdet"):
        SAR(y, X, w).fit(logdet="dense")
    with pytest.raises(OptionError, match="method"):
        SAR(y, X, w).fit(method="bayes")
    with pytest.raises(OptionError):
        SAR(y, X, w).fit(on_bound="perhaps")
    with pytest.raises(OptionError, match="unknown"):
        SAR(y, X, w).fit(speed=3)
    with pytest.raises(OptionError, match="effects"):
        SAR(y, X, w, effects="region")  # cross-section
    with pytest.raises(OptionError, match="weights"):
        SAR(y, X)


# ----------------------------------------------------------------- bad input
def test_nan_in_y_names_rows(lattice_data):
    y, X, w = lattice_data
    y2 = y.copy()
    y2.iloc[[3, 10]] = np.nan
    with pytest.raises(DataError, match=str(y.index[3])):
        SAR(y2, X, w)


def test_nan_in_x_names_columns(lattice_data):
    y, X, w = lattice_data
    X2 = X.copy()
    X2.iloc[5, 1] = np.nan
    with pytest.raises(DataError, match=r"\['b'\]"):
        SEM(y, X2, w)


def test_collinear_and_constant_regressors(lattice_data):
    y, X, w = lattice_data
    with pytest.raises(SingularDesignError, match="c"):
        SAR(y, X.assign(c=2 * X["a"] - X["b"]), w)
    with pytest.raises(SingularDesignError, match="const|k"):
        SAR(y, X.assign(k=3.0), w)  # constant regressor collinear with const
    with pytest.raises(SingularDesignError):
        OLS(y, X.assign(z=0.0))
    with pytest.raises(DataError, match="const"):
        SAR(y, X.assign(const=1.0), w)


def test_w_ids_must_match(lattice_data):
    y, X, w = lattice_data
    y2 = y.rename(index={y.index[0]: "nowhere"})
    X2 = X.rename(index={X.index[0]: "nowhere"})
    with pytest.raises(WeightsError, match="nowhere"):
        SAR(y2, X2, w)
    with pytest.raises(WeightsError, match="Graph"):
        SAR(y, X, sp.csr_matrix(w.sparse))
    with pytest.raises(DataError):
        SAR(y, X.iloc[1:], w)


def test_islands_raise_unless_allowed(lattice_data):
    y, X, w = lattice_data
    adj = w.adjacency.reset_index()
    lone = w.unique_ids[0]
    adj = adj[(adj["focal"] != lone) & (adj["neighbor"] != lone)]
    adj = pd.concat([adj, pd.DataFrame({"focal": [lone], "neighbor": [lone], "weight": [0.0]})])
    wi = Graph.from_adjacency(adj).transform("r")
    assert lone in list(wi.isolates)
    with pytest.raises(WeightsError, match="island"):
        SAR(y, X, wi)
    r = SAR(y, X, wi, allow_islands=True).fit()
    assert np.isfinite(r.loglik)


def test_reordered_data_gives_same_estimates(lattice_data):
    y, X, w = lattice_data
    perm = np.random.default_rng(0).permutation(len(y))
    for cls in (SAR, SEM, SDM):
        r1 = cls(y, X, w).fit()
        r2 = cls(y.iloc[perm], X.iloc[perm[::-1]], w).fit()  # X in yet another order: aligned by label
        # same problem up to floating-point summation order: the optimiser (xatol 1e-8) may stop 1e-8 apart
        pd.testing.assert_series_equal(r1.params, r2.params, rtol=1e-6, atol=1e-7)
        assert r1.loglik == pytest.approx(r2.loglik, rel=1e-12)
        pd.testing.assert_series_equal(r1.resid, r2.resid.loc[r1.resid.index], rtol=1e-5, atol=1e-6)


def test_rho_at_bound(lattice_data):
    y, X, w = lattice_data  # true rho 0.5
    with pytest.warns(BoundaryWarning, match="rho"):
        r = SAR(y, X, w).fit(bounds=(-0.5, 0.1))
    assert r.rho == pytest.approx(0.1, abs=1e-4)
    assert r.info["optimiser"]["at_bound"]
    with pytest.raises(ParameterBoundError):
        SAR(y, X, w).fit(bounds=(-0.5, 0.1), on_bound="raise")


def test_non_row_standardised_w(lattice_data):
    y, X, w = lattice_data
    wb = Graph.from_W(lat2W(8, 8))  # binary: largest eigenvalue 4 cos(pi/9) -> bounds about +-0.266
    r = SAR(y, X, wb).fit()
    lo, hi = r.info["bounds"]
    assert hi == pytest.approx(1 / (4 * np.cos(np.pi / 9)), rel=1e-10) and lo == pytest.approx(-hi, rel=1e-10)
    assert lo < r.rho < hi
    # W is used as given (not renormalised)
    assert r.W.sum() == pytest.approx(wb.sparse.sum())


def test_gmm_dispatch(lattice_data):
    y, X, w = lattice_data
    try:
        import spatialecon.models._gmm  # noqa: F401
    except ImportError:
        with pytest.raises(EstimationError, match="GMM"):
            SAR(y, X, w).fit(method="gmm")
    else:
        assert SAR(y, X, w).fit(method="gmm").params.index[-1] == "rho"


# ----------------------------------------------------------------- against other software
def test_ols_and_slx_match_statsmodels(lattice_data):
    import statsmodels.api as sm

    y, X, w = lattice_data
    r = OLS(y, X).fit()
    ref = sm.OLS(y, sm.add_constant(X)).fit()
    assert np.allclose(r.params.to_numpy(), ref.params.to_numpy(), rtol=1e-10)
    assert np.allclose(r.bse.to_numpy(), ref.bse.to_numpy(), rtol=1e-10)
    assert r.loglik == pytest.approx(ref.llf, rel=1e-12)
    assert r.aic == pytest.approx(ref.aic + 2, rel=1e-12)  # we count sigma2 (as R)
    rs = SLX(y, X, w).fit()
    W = sp.csr_matrix(w.sparse)
    Z = sm.add_constant(pd.concat([X, pd.DataFrame(W @ X.to_numpy(), index=X.index, columns=["W_a", "W_b"])], axis=1))
    ref = sm.OLS(y, Z).fit()
    assert np.allclose(rs.params.to_numpy(), ref.params.to_numpy(), rtol=1e-10)
    assert np.allclose(rs.bse.to_numpy(), ref.bse.to_numpy(), rtol=1e-10)


@pytest.mark.parametrize("kind", ["lag", "error"])
def test_sar_sem_match_spreg_on_columbus(columbus, kind):
    import spreg

    df, g = columbus
    y = df["CRIME"].astype(float)
    X = df[["INC", "HOVAL"]].astype(float)
    wW = g.to_W()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if kind == "lag":
            ref = spreg.ML_Lag(y.to_numpy()[:, None], X.to_numpy(), wW, method="full")
            r = SAR(y, X, g).fit()
            sig2 = ref.sig2
        else:
            ref = spreg.ML_Error(y.to_numpy()[:, None], X.to_numpy(), wW, method="full")
            r = SEM(y, X, g).fit()
            sig2 = float(np.ravel(ref.sig2)[0])
    assert np.allclose(r.params.to_numpy(), ref.betas.ravel(), rtol=2e-6, atol=1e-7)
    assert np.allclose(r.bse.to_numpy(), np.ravel(ref.std_err), rtol=1e-5)
    assert r.loglik == pytest.approx(float(ref.logll), abs=1e-7)
    assert r.sigma2 == pytest.approx(sig2, rel=1e-5)


@pytest.mark.parametrize("cls", [SAR, SEM, SAC])
def test_cov_hessian_option_close_to_analytic(lattice_data, cls):
    y, X, w = lattice_data
    ra = cls(y, X, w).fit(on_bound="ignore")
    rh = cls(y, X, w).fit(on_bound="ignore", cov="hessian")
    pd.testing.assert_series_equal(ra.params, rh.params)
    assert rh.options["cov"] == "hessian"
    # expected vs observed information: equal asymptotically, close on N = 64
    assert np.allclose(ra.bse, rh.bse, rtol=0.3)
    with pytest.raises(OptionError):
        cls(y, X, w).fit(cov="sandwich")


def test_pure_autoregression_and_formula_errors(lattice_data):
    y, X, w = lattice_data
    r = SAR(y, None, w).fit()
    assert list(r.params.index) == ["const", "rho"]
    with pytest.raises(DataError):
        SDM(y, None, w)
    df = X.assign(y=y)
    df.iloc[2, 0] = np.nan
    with pytest.raises(DataError, match="a"):
        SAR.from_formula("y ~ a + b", df, w=w)
    with pytest.raises(DataError, match="left-hand"):
        SAR.from_formula("a + b", df, w=w)
    with pytest.raises(DataError):
        SAR.from_formula("y ~ nothere", X.assign(y=y), w=w)


def test_sac_on_a_panel(lattice_data):
    """SAC runs on a (region, time) panel through the same core (constant W, region effects)."""
    y, X, w = lattice_data
    rng = np.random.default_rng(3)
    W = sp.csr_matrix(w.sparse)
    frames = []
    for t in range(3):
        x = rng.normal(size=len(y))
        yt = np.linalg.solve(np.eye(len(y)) - 0.4 * W.toarray(), 2 * x + rng.normal(size=len(y)) + t)
        frames.append(pd.DataFrame({"region": y.index, "year": 2000 + t, "x": x, "y": yt}))
    df = pd.concat(frames).set_index(["region", "year"])
    r = SAC(df["y"], df[["x"]], w, effects="region").fit(on_bound="ignore")
    assert list(r.params.index) == ["x", "rho", "lambda"]
    assert r.n_periods == 3 and abs(r.params["x"] - 2) < 4 * r.bse["x"]


@pytest.mark.parametrize("method", ["chebyshev", "mc"])
def test_approximate_logdet_through_the_model(lattice_data, method):
    pytest.importorskip("spatialecon.estimation.approx")
    y, X, w = lattice_data
    exact = SAR(y, X, w).fit()
    r = SAR(y, X, w).fit(logdet=method, seed=1)
    assert r.logdet_method == method and r.options["seed"] == 1
    assert abs(r.rho - exact.rho) < 0.1 * exact.bse["rho"]


def test_user_bounds_must_be_admissible(lattice_data):
    y, X, w = lattice_data
    with pytest.raises(OptionError, match="admissible"):
        SAR(y, X, w).fit(bounds=(-0.5, 1.5))
    with pytest.raises(OptionError, match="admissible"):
        SEM(y, X, w).fit(bounds=(0.5, 0.2))


@pytest.mark.parametrize("effects", ["region", "twoways"])
def test_panel_ols_matches_linearmodels(lattice_data, effects):
    """Within OLS through the panel hook: coefficients and classical SEs (absorbed effects counted
    in the residual degrees of freedom) as linearmodels PanelOLS."""
    from linearmodels.panel import PanelOLS

    y, X, w = lattice_data
    rng = np.random.default_rng(5)
    frames = [pd.DataFrame({"region": y.index, "year": 2000 + t, "x": rng.normal(size=len(y)),
                            "z": rng.normal(size=len(y))}) for t in range(4)]
    df = pd.concat(frames).set_index(["region", "year"])
    df["y"] = 1.5 * df["x"] - df["z"] + rng.normal(size=len(df)) + np.repeat(rng.normal(size=4), len(y))
    r = OLS(df["y"], df[["x", "z"]], w, effects=effects).fit()
    ref = PanelOLS(df["y"], df[["x", "z"]], entity_effects=True, time_effects=effects == "twoways").fit(
        cov_type="unadjusted")
    assert np.allclose(r.params[["x", "z"]], ref.params[["x", "z"]], rtol=1e-10)
    assert np.allclose(r.bse[["x", "z"]], ref.std_errors[["x", "z"]], rtol=1e-8)


def test_sac_panel_unsupported_designs_raise_before_fitting(lattice_data):
    y, X, w = lattice_data
    idx = pd.MultiIndex.from_product([y.index, [2000, 2001]], names=["region", "year"])
    rng = np.random.default_rng(0)
    yp = pd.Series(rng.normal(size=len(idx)), index=idx)
    Xp = pd.DataFrame({"x": rng.normal(size=len(idx))}, index=idx)
    with pytest.raises(EstimationError, match="SAC on panels"):
        SAC(yp, Xp, w, effects="twoways").fit()
