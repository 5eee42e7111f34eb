"""Random-effects spatial error panel in the Baltagi, Song and Koh (2003) form.

``SEM(..., effects="random", random_error="baltagi")`` (R splm's default
``spml(model="random", spatial.error="b")``): checked against a brute-force maximisation of
the exact Gaussian log-density with the dense NT x NT covariance, by recovery from its own
DGP, against the KKP form where the two coincide (lambda = 0), and for its option checks.
The comparison with printed splm output is in tests/test_vs_splm_published.py.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from libpysal.graph import Graph
from libpysal.weights import lat2W
from scipy import optimize

import spatialecon.estimation.panel_re as pre
from spatialecon.errors import EstimationError, OptionError
from spatialecon.estimation.covariance import numerical_hessian
from spatialecon.estimation.panel_re import BaltagiProfile
from spatialecon.models import SAR, SDEM, SEM
from spatialecon.weights import align


def _panel(side: int, T: int, lam: float, phi: float, seed: int, *, rook: bool = True, row: bool = True):
    """Baltagi-form DGP: y = 1 + 2 x1 - x2 + mu_i + eps_t, eps_t = lam W eps_t + nu_t, s2_nu = 1."""
    g = Graph.from_W(lat2W(side, side, rook=rook))
    w = g.transform("r") if row else g
    ids = pd.Index(sorted(w.unique_ids, key=str))
    W = align(w, ids).toarray()
    N = len(ids)
    rng = np.random.default_rng(seed)
    x1, x2 = rng.normal(size=(T, N)), rng.normal(size=(T, N))
    mu = rng.normal(size=N) * np.sqrt(phi)
    eps = np.linalg.solve(np.eye(N) - lam * W, rng.normal(size=(N, T))).T
    Y = 1.0 + 2.0 * x1 - 1.0 * x2 + mu + eps
    idx = pd.MultiIndex.from_product([ids, range(T)], names=["region", "year"])

    def s(a):  # (T, N) time-major array -> Series on a (region, year) index
        return pd.Series(a.T.ravel(), index=idx)

    X = pd.DataFrame({"x1": s(x1), "x2": s(x2)})
    stacked = {"y": Y.ravel(), "X": np.column_stack([np.ones(N * T), x1.ravel(), x2.ravel()]), "W": W,
               "N": N, "T": T}
    return s(Y), X, w, stacked


@pytest.fixture(scope="module")
def small():
    return _panel(5, 5, lam=0.45, phi=0.8, seed=20240601)


def _dense_negll(theta, st):
    """Minus the exact Gaussian log-density, Omega = s2 [J_T kron phi I + I_T kron (B'B)^-1] (dense NT x NT)."""
    N, T, W = st["N"], st["T"], st["W"]
    b, lam, phi, s2 = theta[:3], theta[3], theta[4], theta[5]
    B = np.eye(N) - lam * W
    Om = s2 * (np.kron(np.ones((T, T)), phi * np.eye(N)) + np.kron(np.eye(T), np.linalg.inv(B.T @ B)))
    L = np.linalg.cholesky(Om)
    z = np.linalg.solve(L, st["y"] - st["X"] @ b)
    return 0.5 * (N * T * np.log(2 * np.pi) + 2.0 * np.log(np.diag(L)).sum() + z @ z)


# ------------------------------------------------------------------ (1) brute force
def test_matches_brute_force_dense_likelihood(small):
    """Our estimates and log-likelihood equal a direct maximisation of the dense NT x NT log-density.

    The brute-force optimiser (BFGS then Nelder-Mead on (b, lambda, log phi, log s2), started at OLS,
    not at our estimates) stops at ~1e-8 in the parameters; the tolerances are set just above that.
    """
    y, X, w, st = small
    r = SEM(y, X, w, effects="random", random_error="baltagi").fit()

    def nll(th):
        return _dense_negll(np.concatenate([th[:4], np.exp(th[4:])]), st)

    b0 = np.linalg.lstsq(st["X"], st["y"], rcond=None)[0]
    th0 = np.concatenate([b0, [0.0, 0.0, np.log(np.var(st["y"] - st["X"] @ b0))]])
    res = optimize.minimize(nll, th0, method="BFGS", options={"gtol": 1e-9})
    res = optimize.minimize(nll, res.x, method="Nelder-Mead",
                            options={"xatol": 1e-10, "fatol": 1e-12, "maxiter": 20000})
    th = res.x
    assert abs(-res.fun - r.loglik) < 1e-9                                         # log-likelihood
    np.testing.assert_allclose(r.params[["const", "x1", "x2"]], th[:3], rtol=0, atol=1e-7)  # beta
    assert abs(r.params["lambda"] - th[3]) < 1e-7                                  # lambda
    assert abs(r.info["phi"] / np.exp(th[4]) - 1) < 1e-6                           # phi (flattest)
    assert abs(r.sigma2 / np.exp(th[5]) - 1) < 1e-7                                # sigma2 (of nu)
    assert abs(r.info["sigma2_mu"] - r.info["phi"] * r.sigma2) < 1e-12


def test_covariances_match_brute_force(small):
    """cov="hessian": our numerical Hessian equals one of the dense log-density (1e-5 relative, the
    accuracy of two central-difference Hessians); cov="analytic": our trace formulas equal
    tr(Omega^-1 Omega_a Omega^-1 Omega_b)/2 and X' Omega^-1 X with dense matrices (1e-7 relative;
    the dense derivatives of Omega are central differences with step 1e-6)."""
    y, X, w, st = small
    ra = SEM(y, X, w, effects="random", random_error="baltagi").fit()
    rh = SEM(y, X, w, effects="random", random_error="baltagi").fit(cov="hessian")
    z = np.concatenate([rh.params.to_numpy(), [rh.info["phi"], rh.sigma2]])
    H = numerical_hessian(lambda t: _dense_negll(t, st), z, step=1e-4 * np.maximum(np.abs(z), 0.1))
    se = np.sqrt(np.diag(np.linalg.inv(H)))
    np.testing.assert_allclose(rh.bse.to_numpy(), se[:4], rtol=1e-5)
    assert abs(rh.info["phi_se"] / se[4] - 1) < 1e-5
    assert abs(np.sqrt(rh.info["var_sigma2"]) / se[5] - 1) < 1e-5

    N, T, W = st["N"], st["T"], st["W"]
    lam, phi, s2 = ra.params["lambda"], ra.info["phi"], ra.sigma2

    def omega(lam_, phi_, s2_):
        B = np.eye(N) - lam_ * W
        return s2_ * (np.kron(np.ones((T, T)), phi_ * np.eye(N)) + np.kron(np.eye(T), np.linalg.inv(B.T @ B)))

    Oi = np.linalg.inv(omega(lam, phi, s2))
    h = 1e-6
    dO = [(omega(lam + h, phi, s2) - omega(lam - h, phi, s2)) / (2 * h),
          (omega(lam, phi + h, s2) - omega(lam, phi - h, s2)) / (2 * h), omega(lam, phi, s2) / s2]
    info = np.zeros((6, 6))
    info[:3, :3] = st["X"].T @ Oi @ st["X"]
    info[3:, 3:] = [[0.5 * np.trace(Oi @ a @ Oi @ b) for b in dO] for a in dO]
    V = np.linalg.inv(info)
    np.testing.assert_allclose(ra.bse.to_numpy(), np.sqrt(np.diag(V))[:4], rtol=1e-7)
    assert abs(ra.info["phi_se"] / np.sqrt(V[4, 4]) - 1) < 1e-7
    assert abs(ra.info["var_sigma2"] / V[5, 5] - 1) < 1e-7


def test_symmetric_w_shortcut_equals_general_path():
    """A symmetric W uses one eigen-decomposition of W for every lambda; it must give the likelihood
    of the general path (an eigen-decomposition of B'B per lambda) to rounding (1e-9)."""
    _, _, _, st = _panel(4, 4, lam=0.1, phi=0.5, seed=3, row=False)
    p = BaltagiProfile(st["y"], st["X"], st["W"], N=st["N"], T=st["T"])
    q = BaltagiProfile(st["y"], st["X"], st["W"], N=st["N"], T=st["T"])
    q.symmetric = False
    assert p.symmetric
    for phi, lam in [(0.0, 0.0), (0.7, 0.15), (3.0, -0.2)]:
        assert abs(p.loglik(phi, lam) - q.loglik(phi, lam)) < 1e-9
    assert q.n_eigh == 3 and p.n_eigh == 0


# ------------------------------------------------------------------ (2) recovery
def test_recovers_known_dgp():
    """N = 144 (12 x 12 rook), T = 10, lambda = 0.4, phi = 1, s2 = 1: every estimate within 4 SE."""
    y, X, w, _ = _panel(12, 10, lam=0.4, phi=1.0, seed=7)
    r = SEM(y, X, w, effects="random", random_error="baltagi").fit()
    truth = pd.Series({"const": 1.0, "x1": 2.0, "x2": -1.0, "lambda": 0.4})
    z = ((r.params - truth) / r.bse).abs()
    assert (z < 4).all(), z
    assert abs(r.info["phi"] - 1.0) < 4 * r.info["phi_se"], (r.info["phi"], r.info["phi_se"])
    assert abs(r.sigma2 - 1.0) < 4 * np.sqrt(r.info["var_sigma2"])
    # the misspecified KKP form fits these data worse
    kkp = SEM(y, X, w, effects="random").fit()
    assert r.loglik > kkp.loglik


# ------------------------------------------------------------------ (3) lambda = 0: the two forms coincide
def test_equals_kkp_form_when_lambda_is_zero(small):
    """At lambda = 0 both covariances are J_T kron phi I + I: the Baltagi path (eigen-decomposition of
    B'B, GLS with Sigma^-1) and the KKP path (quasi-demeaning) must give the same phi, beta, sigma2 and
    log-likelihood. Both are fitted with lambda confined to (-1e-9, 1e-9); at the free optimum
    (lambda = 0.39) the two forms differ, so the agreement is not built in."""
    y, X, w, _ = small
    b = (-1e-9, 1e-9)
    rb = SEM(y, X, w, effects="random", random_error="baltagi").fit(bounds=b, on_bound="ignore")
    rk = SEM(y, X, w, effects="random", random_error="kkp").fit(bounds=b, on_bound="ignore")
    # tolerances: the KKP path profiles log phi with xatol 1e-7, so phi agrees to ~1e-7 and the rest follows
    assert abs(rb.loglik - rk.loglik) < 1e-8
    assert abs(rb.info["phi"] / rk.info["phi"] - 1) < 1e-6
    np.testing.assert_allclose(rb.params[["const", "x1", "x2"]], rk.params[["const", "x1", "x2"]], atol=1e-7)
    assert abs(rb.sigma2 / rk.sigma2 - 1) < 1e-7
    free_b = SEM(y, X, w, effects="random", random_error="baltagi").fit()
    free_k = SEM(y, X, w, effects="random", random_error="kkp").fit()
    assert abs(free_b.loglik - free_k.loglik) > 1e-3
    assert abs(free_b.info["phi"] - free_k.info["phi"]) > 1e-2


# ------------------------------------------------------------------ results and SDEM
def test_results_record_the_form(small):
    y, X, w, _ = small
    r = SEM(y, X, w, effects="random", random_error="baltagi").fit()
    assert r.info["random_error"] == "baltagi"
    assert "Baltagi" in r.summary().as_text()
    k = SEM(y, X, w, effects="random").fit()
    assert k.info["random_error"] == "kkp" and "KKP" in k.summary().as_text()
    np.testing.assert_allclose(r.resid.to_numpy(), r.y.to_numpy() - r.exog.to_numpy() @ r.params.iloc[:-1])


def test_sdem_baltagi_nests_sem(small):
    y, X, w, _ = small
    sem = SEM(y, X, w, effects="random", random_error="baltagi").fit()
    sdem = SDEM(y, X, w, effects="random", random_error="baltagi").fit()
    assert list(sdem.params.index) == ["const", "x1", "x2", "W_x1", "W_x2", "lambda"]
    assert sdem.loglik >= sem.loglik - 1e-9


# ------------------------------------------------------------------ (4) options
def test_option_errors(small):
    y, X, w, _ = small
    with pytest.raises(OptionError, match="'kkp', 'baltagi'"):
        SEM(y, X, w, effects="random", random_error="b")
    with pytest.raises(OptionError, match="random-effects panels only"):
        SEM(y, X, w, effects="region", random_error="baltagi")
    with pytest.raises(OptionError, match="random-effects panels only"):
        SEM(y, X, w, random_error="kkp")
    with pytest.raises(OptionError, match="SEM and SDEM only"):
        SAR(y, X, w, effects="random", random_error="baltagi")
    with pytest.raises(OptionError, match="ML only"):
        SEM(y, X, w, effects="random", random_error="baltagi").fit(method="gmm")
    cross = y.xs(0, level="year")
    with pytest.raises(OptionError, match="random-effects panels only"):
        SEM(cross, X.xs(0, level="year"), w, random_error="baltagi")


def test_dense_limit_raises(small, monkeypatch):
    y, X, w, _ = small
    monkeypatch.setattr(pre, "BALTAGI_DENSE_MAX", 10)
    with pytest.raises(EstimationError, match="dense"):
        SEM(y, X, w, effects="random", random_error="baltagi").fit()


# ------------------------------------------------------------------ fit(cov="hessian") for the quasi-demeaning forms
@pytest.mark.parametrize("model", ["SEM", "SAR"])
def test_observed_information_of_kkp_and_lag_forms_matches_dense(small, model):
    """fit(cov="hessian") for the random-effects KKP error model and the RE lag model: phi is a
    parameter of the numerical Hessian. Checked against the numerical Hessian of the dense NT x NT
    log-density (KKP: Omega = s2 (I kron B^-1)(phi J_T kron I + I)(I kron B^-T); lag:
    y = (I kron A^-1)(X b + u), u with the random-effects covariance): 1e-5 relative, the
    accuracy of two central-difference Hessians."""
    y, X, w, st = small
    cls = {"SEM": SEM, "SAR": SAR}[model]
    r = cls(y, X, w, effects="random").fit(cov="hessian")
    N, T, W = st["N"], st["T"], st["W"]
    JT, IT = np.ones((T, T)), np.eye(T)

    def negll(t):
        b, c, phi, s2 = t[:3], t[3], t[4], t[5]
        F = np.kron(IT, np.eye(N) - c * W)
        R = phi * np.kron(JT, np.eye(N)) + np.eye(N * T)
        if model == "SEM":  # u = F^-1 (iota kron mu + nu)
            Fi = np.linalg.inv(F)
            Om, resid, jac = s2 * Fi @ R @ Fi.T, st["y"] - st["X"] @ b, 0.0
        else:  # F y = X b + u
            Om, resid = s2 * R, F @ st["y"] - st["X"] @ b
            jac = np.linalg.slogdet(F)[1]
        L = np.linalg.cholesky(Om)
        z = np.linalg.solve(L, resid)
        return 0.5 * (N * T * np.log(2 * np.pi) + 2.0 * np.log(np.diag(L)).sum() + z @ z) - jac

    z = np.concatenate([r.params.to_numpy(), [r.info["phi"], r.sigma2]])
    H = numerical_hessian(negll, z, step=1e-4 * np.maximum(np.abs(z), 0.1))
    se = np.sqrt(np.diag(np.linalg.inv(H)))
    assert "observed information" in r.info["re_cov_note"]
    np.testing.assert_allclose(r.bse.to_numpy(), se[:4], rtol=1e-5)
    assert abs(r.info["phi_se"] / se[4] - 1) < 1e-5
    assert abs(np.sqrt(r.info["var_sigma2"]) / se[5] - 1) < 1e-5
    theta = 1.0 / np.sqrt(1.0 + T * r.info["phi"])
    assert abs(r.info["theta_se"] - 0.5 * T * theta**3 * r.info["phi_se"]) < 1e-12
