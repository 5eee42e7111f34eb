"""The large-N search path: a Chebyshev-guided exact 1-D search and the quick (-1, 1) interval.

The guided search must find the maximiser of the *exact* likelihood (the guide only decides where
to look), agree with the plain grid + Brent search, fall back when the guide misleads, and the quick
interval must give way to the exact eigenvalue interval when the estimate reaches -1.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from libpysal.graph import Graph
from libpysal.weights import lat2W

import spatialecon as se
from spatialecon.estimation.optimise import maximise_scalar, maximise_scalar_guided


def _lattice(r, c, rook=True):
    w = lat2W(r, c, rook=rook)
    g = Graph.from_W(w).transform("r")
    return g


def _sar_data(g, rho, seed):
    ids = g.unique_ids
    n = len(ids)
    W = g.sparse.tocsc()
    rng = np.random.default_rng(seed)
    X = pd.DataFrame({"x1": rng.normal(size=n), "x2": rng.normal(size=n)}, index=ids)
    xb = 1.0 + X["x1"].to_numpy() - 0.5 * X["x2"].to_numpy()
    A = sp.identity(n, format="csc") - rho * W
    y = sp.linalg.spsolve(A, xb + rng.normal(size=n))
    return pd.Series(y, index=ids, name="y"), X


@pytest.mark.parametrize("model,rho", [("SAR", 0.45), ("SAR", -0.6), ("SEM", 0.8), ("SEM", 0.05)])
def test_guided_equals_grid_brent(model, rho):
    g = _lattice(40, 55)  # N = 2200 > 1000: the guided path
    y, X = _sar_data(g, rho, seed=11)
    cls = getattr(se, model)
    guided = cls(y, X, g).fit(logdet="lu")
    plain = cls(y, X, g).fit(logdet="lu", n_grid=11)
    assert guided.info["optimiser"]["optimiser"] == "guided exact search"
    assert plain.info["optimiser"]["optimiser"] == "grid+bounded Brent"
    assert guided.info["optimiser"]["nfev"] < plain.info["optimiser"]["nfev"]
    name = "rho" if model == "SAR" else "lambda"
    assert guided.params[name] == pytest.approx(plain.params[name], abs=2e-7)
    # both maximise the same exact likelihood: equal to far below its curvature scale
    assert guided.loglik == pytest.approx(plain.loglik, rel=1e-12, abs=1e-8)
    assert guided.loglik >= plain.loglik - 1e-8
    np.testing.assert_allclose(guided.bse, plain.bse, rtol=1e-5)


def test_guided_search_finds_exact_optimum_of_smooth_functions():
    rng = np.random.default_rng(3)
    for _ in range(25):
        c = rng.uniform(-0.8, 0.8)
        k = rng.uniform(50, 5000)
        a3 = rng.uniform(-20, 20)
        shift = rng.uniform(-0.05, 0.05)

        def f(r, c=c, k=k, a3=a3):
            return -k * (r - c) ** 2 + a3 * r**3 + np.log1p(-0.5 * r)

        def g(r, c=c, k=k, shift=shift):  # guide: optimum shifted, no cubic term
            return -k * (r - c - shift) ** 2

        res = maximise_scalar_guided(f, g, (-1.0, 1.0), on_bound="ignore")
        ref = maximise_scalar(f, (-1.0, 1.0), n_grid=41, tol=1e-12, on_bound="ignore")
        assert res["x"] == pytest.approx(ref["x"], abs=1e-6)
        assert res["fun"] >= ref["fun"] - 1e-9


def test_guided_search_falls_back_when_the_guide_misleads():
    def f(r):
        return -((r - 0.7) ** 2) * 100 + 5 * np.sin(40 * r)  # wiggly: a quadratic correction cannot settle

    def g(r):
        return -((r + 0.5) ** 2)

    res = maximise_scalar_guided(f, g, (-1.0, 1.0), max_exact=6, on_bound="ignore")
    assert res["optimiser"].startswith("grid+bounded Brent (guided search fell back")
    ref = maximise_scalar(f, (-1.0, 1.0), n_grid=11, on_bound="ignore")
    assert res["x"] == pytest.approx(ref["x"], abs=1e-6)


def test_quick_interval_recorded_for_large_row_stochastic_w():
    g = _lattice(45, 50)  # N = 2250 > 2000
    y, X = _sar_data(g, 0.3, seed=2)
    r = se.SAR(y, X, g).fit()
    assert r.info["bounds"] == (-1.0, 1.0)
    assert "row-stochastic" in r.info["optimiser"]["bounds_note"]


def test_quick_interval_gives_way_to_exact_interval_below_minus_one():
    # queen lattice: lambda_min ~ -0.53, so rho down to ~ -1.9 is admissible; the data have rho = -1.4
    g = _lattice(45, 50, rook=False)
    y, X = _sar_data(g, -1.4, seed=5)
    r = se.SAR(y, X, g).fit()
    lo, hi = r.info["bounds"]
    ev = np.linalg.eigvalsh(_sym(g.sparse))
    assert lo == pytest.approx(1.0 / ev[0], rel=1e-8)
    assert hi == pytest.approx(1.0, rel=1e-12)
    assert r.params["rho"] < -1.0
    assert "bounds_note" not in r.info["optimiser"]
    ref = se.SAR(y, X, g).fit(n_grid=11, logdet="lu")
    assert r.params["rho"] == pytest.approx(ref.params["rho"], abs=2e-7)


def _sym(W):
    W = sp.csr_matrix(W)
    d = np.diff(W.indptr).astype(float)
    B = sp.diags(d) @ W
    s = 1 / np.sqrt(d)
    return (sp.diags(s) @ B @ sp.diags(s)).toarray()


def test_user_bounds_beyond_quick_interval_are_checked_against_exact_interval():
    g = _lattice(45, 50, rook=False)
    y, X = _sar_data(g, -1.4, seed=5)
    r = se.SAR(y, X, g).fit(bounds=(-1.8, 0.9))
    assert r.params["rho"] < -1.0
    with pytest.raises(se.errors.OptionError):
        se.SAR(y, X, g).fit(bounds=(-2.5, 0.9))


@pytest.mark.parametrize("model,effects,lee_yu", [("SAR", "twoways", True), ("SEM", "region", False),
                                                   ("SDM", "random", False)])
def test_guided_panel_equals_grid_brent(model, effects, lee_yu):
    g = _lattice(30, 40)  # N = 1200 regions > 1000: guided
    ids = g.unique_ids
    n, T = len(ids), 4
    W = g.sparse.tocsc()
    rng = np.random.default_rng(8)
    A = sp.identity(n, format="csc") - 0.4 * W
    mu = rng.normal(size=n)
    frames = []
    for t in range(T):
        x = rng.normal(size=n)
        yt = sp.linalg.spsolve(A, 1.0 + x + mu + 0.3 * t + rng.normal(size=n))
        frames.append(pd.DataFrame({"id": ids, "t": t, "y": yt, "x": x}))
    df = pd.concat(frames).set_index(["id", "t"]).sort_index()
    cls = getattr(se, model)
    kw = dict(effects=effects, lee_yu=lee_yu) if lee_yu else dict(effects=effects)
    guided = cls(df["y"], df[["x"]], g, **kw).fit(logdet="lu")
    plain = cls(df["y"], df[["x"]], g, **kw).fit(logdet="lu", n_grid=11)
    assert "guided" in guided.info["optimiser"]["optimiser"]
    name = "rho" if model in ("SAR", "SDM") else "lambda"
    assert guided.params[name] == pytest.approx(plain.params[name], abs=1e-6)
    assert guided.loglik == pytest.approx(plain.loglik, rel=1e-11, abs=1e-7)


def test_summary_prints_error_band_of_approximate_logdet_and_trace_accuracy():
    g = _lattice(45, 50)
    y, X = _sar_data(g, 0.3, seed=4)
    approx = se.SAR(y, X, g).fit(logdet="chebyshev")
    exact = se.SAR(y, X, g).fit(logdet="lu")
    band = approx.info["logdet_error_band"]
    assert band > 0
    # the band covers the actual error of the approximate log-likelihood at the estimate
    from spatialecon.estimation.logdet import make_logdet

    W = g.sparse
    rho = approx.params["rho"]
    true_ld = make_logdet(W, "lu")(rho)
    from spatialecon.estimation.approx import chebyshev_logdet

    approx_ld = chebyshev_logdet(W, bounds=(-1.0, 1.0), seed=0)(rho)
    assert abs(approx_ld - true_ld) <= band
    text = str(approx.summary())
    assert "chebyshev (approximate; log-likelihood error band +/-" in text
    assert "logdet_error_band" not in exact.info
    assert "(exact)" in str(exact.summary())
    assert "relative s.e. of traces <=" in str(exact.summary())


def test_panel_traces_below_minus_one_match_exact():
    # the stencil of the stochastic traces must stay inside the admissible interval when rho < -1
    # (queen lattice: lambda_min ~ -0.53); tr(G) and tr(GG) come from exact log-determinants
    g = _lattice(45, 50, rook=False)
    ids = g.unique_ids
    n, T = len(ids), 3
    W = g.sparse.tocsc()
    rng = np.random.default_rng(21)
    A = sp.identity(n, format="csc") - (-1.3) * W
    frames = []
    mu = rng.normal(size=n)
    for t in range(T):
        x = rng.normal(size=n)
        frames.append(pd.DataFrame({"id": ids, "t": t, "x": x,
                                    "y": sp.linalg.spsolve(A, x + mu + rng.normal(size=n))}))
    df = pd.concat(frames).set_index(["id", "t"]).sort_index()
    est = se.SAR(df["y"], df[["x"]], g, effects="region").fit()
    assert est.params["rho"] < -1.0
    ex = se.SAR(df["y"], df[["x"]], g, effects="region").fit(trace_method="exact")
    for key in ("tr_G", "tr_GG"):
        assert est.info["traces"][key] == pytest.approx(ex.info["traces"][key], rel=1e-6)
    np.testing.assert_allclose(est.bse, ex.bse, rtol=1e-3)


@pytest.mark.parametrize("rho,lam", [(0.5, -0.2), (-0.4, 0.6)])
def test_guided_sac_equals_plain_search(rho, lam):
    g = _lattice(40, 55)  # N = 2200: guided 2-D search
    ids = g.unique_ids
    n = len(ids)
    W = g.sparse.tocsc()
    rng = np.random.default_rng(17)
    X = pd.DataFrame({"x1": rng.normal(size=n), "x2": rng.normal(size=n)}, index=ids)
    I = sp.identity(n, format="csc")
    u = sp.linalg.spsolve(I - lam * W, rng.normal(size=n))
    y = pd.Series(sp.linalg.spsolve(I - rho * W, 1.0 + X["x1"].to_numpy() - X["x2"].to_numpy() + u),
                  index=ids, name="y")
    guided = se.SAC(y, X, g).fit(logdet="lu")
    plain = se.SAC(y, X, g).fit(logdet="lu", n_grid=11)
    assert guided.info["optimiser"]["optimiser"] == "guided exact search (2-D)"
    assert plain.info["optimiser"]["optimiser"].startswith("L-BFGS-B")
    assert guided.info["optimiser"]["nfev"] < plain.info["optimiser"]["nfev"]
    for name in ("rho", "lambda"):
        assert guided.params[name] == pytest.approx(plain.params[name], abs=2e-6)
    assert guided.loglik == pytest.approx(plain.loglik, rel=1e-11, abs=1e-7)
    np.testing.assert_allclose(guided.bse, plain.bse, rtol=1e-4)


def test_sac_quick_interval_and_retry_below_minus_one():
    g = _lattice(45, 50, rook=False)  # queen: lambda_min ~ -0.53, admissible down to ~ -1.9
    ids = g.unique_ids
    n = len(ids)
    W = g.sparse.tocsc()
    rng = np.random.default_rng(23)
    X = pd.DataFrame({"x1": rng.normal(size=n)}, index=ids)
    I = sp.identity(n, format="csc")
    for rho, lam, below in ((0.4, -0.3, False), (0.3, -1.3, True)):
        u = sp.linalg.spsolve(I - lam * W, rng.normal(size=n))
        y = pd.Series(sp.linalg.spsolve(I - rho * W, 1.0 + X["x1"].to_numpy() + u), index=ids, name="y")
        r = se.SAC(y, X, g).fit()
        if below:
            assert r.params["lambda"] < -1.0
            assert "bounds_note" not in r.info["optimiser"]
        else:
            assert "row-stochastic" in r.info["optimiser"]["bounds_note"]
        lo = 1.0 / np.linalg.eigvalsh(_sym(g.sparse))[0]
        ref = se.SAC(y, X, g).fit(bounds=(lo + 1e-6, 0.999999), n_grid=11)
        for name in ("rho", "lambda"):
            assert r.params[name] == pytest.approx(ref.params[name], abs=2e-6)
        assert r.loglik == pytest.approx(ref.loglik, rel=1e-11, abs=1e-7)
