"""Specification tests: Moran's I of OLS residuals, LM tests, LR/Wald, common factor, Hausman.

Formulas
--------
With OLS residuals ``e``, ``sigma2 = e'e/n``, ``T = tr(W'W + W W)`` and
``D = [(W X b)' M (W X b) + T sigma2] / sigma2`` (Anselin 1988; Anselin, Bera,
Florax and Yoon 1996), as in R ``spdep::lm.LMtests`` and spreg's ``LMtests``:

* ``LM_error = (e'We/sigma2)^2 / T``
* ``LM_lag = (e'Wy/sigma2)^2 / D``
* ``robust LM_lag = (e'Wy/sigma2 - e'We/sigma2)^2 / (D - T)``
* ``robust LM_error = (e'We/sigma2 - T/D e'Wy/sigma2)^2 / (T (1 - T/D))``
* ``SARMA = robust LM_lag + LM_error`` (2 df).

For a panel OLS (``n_periods > 1``) W is replaced by ``I_T (x) W`` (Anselin, Le
Gallo and Jayet 2008; Elhorst 2014): :func:`lm_tests` then calls
:func:`spatialecon.results.panel_tests.panel_lm_tests` (which also time-demeans the
spatial lag under time effects), so that there is one panel implementation.

Moran's I of regression residuals has exact mean and variance under normality
(Cliff and Ord 1981; ``spdep::lm.morantest``):
``E[I] = (n/S0) tr(MW)/(n-k)`` and
``Var[I] = (n/S0)^2 [tr(MWMW') + tr((MW)^2) + tr(MW)^2]/((n-k)(n-k+2)) - E[I]^2``,
computed here without forming the n x n matrix ``M``. For a fixed-effects panel
(within-transformed OLS) ``M`` also projects out the effect dummies and ``n - k``
becomes ``tr(M)``; that case is computed densely (n <= 3000).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy import stats

from ..errors import DataError, EstimationError, OptionError, SpatialEconWarning, WeightsError
from .base import TestResult as _TestResult

__all__ = ["MoranResult", "lm_tests", "moran_residuals", "lr_test", "wald_test", "common_factor_test",
           "hausman"]


@dataclass(frozen=True)
class MoranResult(_TestResult):
    """Moran's I of residuals with its exact moments (``stat`` is the z-value).

    Examples
    --------
    >>> MoranResult(stat=2.0, pvalue=0.02, I=0.2, expectation=-0.03, variance=0.01).I
    0.2
    """

    I: float = np.nan  # noqa: E741
    expectation: float = np.nan
    variance: float = np.nan
    alternative: str = "greater"

    def __repr__(self) -> str:
        return (f"MoranResult(I={self.I:.6f}, E[I]={self.expectation:.6f}, Var[I]={self.variance:.6g}, "
                f"z={self.stat:.4f}, pvalue={self.pvalue:.4g} ({self.alternative}))")


# --------------------------------------------------------------------------- weights
def _panel_index(res):
    idx = res.resid.index
    if isinstance(idx, pd.MultiIndex) and idx.nlevels == 2 and getattr(res, "n_periods", 1) > 1:
        return idx
    return None


def _weights(res, w) -> sp.csr_matrix:
    """N x N W aligned to ``res.ids`` (from a Graph, a sparse/dense matrix or res.W)."""
    if w is None:
        if res.W is None:
            raise WeightsError("no weights given and the result carries none (res.W is None).")
        return sp.csr_matrix(res.W)
    if sp.issparse(w) or isinstance(w, np.ndarray):
        W = sp.csr_matrix(w, dtype=float)
    else:
        try:
            from ..weights import align
        except ImportError as exc:  # pragma: no cover - weights always present
            raise WeightsError("cannot align a Graph without spatialecon.weights.align") from exc
        W = sp.csr_matrix(align(w, pd.Index(res.ids)), dtype=float)
    n = len(res.ids)
    if W.shape != (n, n):
        raise WeightsError(f"W is {W.shape[0]} x {W.shape[1]} but the result has {n} regions.")
    return W


def _full_weights(res, w) -> sp.csr_matrix:
    """W for the stacked observations: W itself, or I_T (x) W in the order of the residual index."""
    W = _weights(res, w)
    pidx = _panel_index(res)
    if pidx is None:
        if W.shape[0] != len(res.resid):
            raise WeightsError(f"W has {W.shape[0]} rows but there are {len(res.resid)} observations.")
        return W
    ids = pd.Index(res.ids)
    reg = ids.get_indexer(pidx.get_level_values(0))
    times = pd.Index(pidx.get_level_values(1).unique())
    tt = times.get_indexer(pidx.get_level_values(1))
    if (reg < 0).any():
        raise WeightsError("panel residual index has regions that are not in res.ids.")
    N, T = len(ids), len(times)
    pos = np.full((T, N), -1)
    pos[tt, reg] = np.arange(len(pidx))
    if (pos < 0).any():
        raise DataError("panel LM tests need a balanced panel (every region in every period).")
    coo = W.tocoo()
    rows = np.concatenate([pos[t, coo.row] for t in range(T)])
    cols = np.concatenate([pos[t, coo.col] for t in range(T)])
    vals = np.tile(coo.data, T)
    n = len(pidx)
    return sp.csr_matrix((vals, (rows, cols)), shape=(n, n))


def _ols_parts(res):
    # an SLX fit is OLS on [X, W X] (spdep's lm.LMtests / lm.morantest accept lmSLX fits too);
    # cross-section only: panel SLX designs are not checked here
    slx_ok = res.spec.kind == "slx" and getattr(res, "n_periods", 1) in (None, 1)
    if res.spec.kind != "ols" and not slx_ok:
        raise OptionError(f"LM and Moran residual tests need an OLS (or cross-section SLX) result, "
                          f"got {res.model_name}.")
    e = res.resid.to_numpy(dtype=float)
    X = res.exog.to_numpy(dtype=float)
    y = res.y.to_numpy(dtype=float)
    return y, X, e


# --------------------------------------------------------------------------- LM tests
def lm_tests(ols_result, w=None) -> dict:
    """Lagrange multiplier tests for spatial dependence in an OLS regression.

    Parameters
    ----------
    ols_result : SpatialResults
        OLS result (``spec.kind == "ols"``; a cross-section SLX result is
        accepted too: OLS on ``[X, W X]``); for a stacked panel OLS with
        ``n_periods > 1`` the panel versions with ``I_T (x) W`` are computed.
    w : libpysal Graph, scipy sparse matrix or None
        Weights; a Graph is aligned to ``ols_result.ids``; ``None`` uses ``ols_result.W``.

    Returns
    -------
    dict
        Keys ``lm_lag``, ``lm_error``, ``robust_lm_lag``, ``robust_lm_error``,
        ``sarma``; each a :class:`~spatialecon.results.base.TestResult` (chi-squared).

    Examples
    --------
    >>> import numpy as np, pandas as pd, scipy.sparse as sp
    >>> import spatialecon as se
    >>> rng = np.random.default_rng(0)
    >>> n = 30; ids = pd.Index([f"r{i}" for i in range(n)])
    >>> W = sp.diags([np.ones(n - 1), np.ones(n - 1)], [-1, 1], format="csr")
    >>> W = sp.csr_matrix(W.multiply(1 / W.sum(1)))
    >>> X = pd.DataFrame({"x": rng.normal(size=n)}, index=ids)
    >>> y = pd.Series(1 + X["x"] + rng.normal(size=n), index=ids, name="y")
    >>> r = se.OLS(y, X).fit()
    >>> sorted(lm_tests(r, W))
    ['lm_error', 'lm_lag', 'robust_lm_error', 'robust_lm_lag', 'sarma']
    """
    y, X, e = _ols_parts(ols_result)
    if _panel_index(ols_result) is not None:
        # one implementation of the panel LM tests: the panel module's (Elhorst's LMsarsem_panel)
        from .panel_tests import panel_lm_tests

        Wt = ols_result.info.get("W_t") if (w is None and isinstance(ols_result.info, dict)) else None
        return panel_lm_tests(ols_result, Wt if Wt is not None else _weights(ols_result, w))
    W = _full_weights(ols_result, w)
    n = len(e)
    s2 = e @ e / n
    We = W @ e
    Wy = W @ y
    WT = W.T.tocsr()
    T = float(WT.multiply(WT).sum() + W.multiply(WT).sum())  # tr(W'W) + tr(WW)
    Xb = y - e
    WXb = W @ Xb
    coef, *_ = np.linalg.lstsq(X, WXb, rcond=None)
    mwxb = WXb - X @ coef
    D = (mwxb @ mwxb + T * s2) / s2
    r_err = e @ We / s2
    r_lag = e @ Wy / s2
    if T <= 0:
        raise WeightsError("tr(W'W + WW) is zero: W has no links.")
    lm_err = r_err ** 2 / T
    lm_lag = r_lag ** 2 / D
    rlm_lag = (r_lag - r_err) ** 2 / (D - T)
    rlm_err = (r_err - T / D * r_lag) ** 2 / (T * (1.0 - T / D))
    sarma = rlm_lag + lm_err
    panel = _panel_index(ols_result) is not None
    tag = " (panel, I_T x W)" if panel else ""

    def tr(stat, df, null, name):
        return _TestResult(stat=float(stat), pvalue=float(stats.chi2.sf(stat, df)), df=df, null=null,
                          name=name + tag)

    return {
        "lm_lag": tr(lm_lag, 1, "rho = 0", "LM lag"),
        "lm_error": tr(lm_err, 1, "lambda = 0", "LM error"),
        "robust_lm_lag": tr(rlm_lag, 1, "rho = 0 (robust to lambda)", "Robust LM lag"),
        "robust_lm_error": tr(rlm_err, 1, "lambda = 0 (robust to rho)", "Robust LM error"),
        "sarma": tr(sarma, 2, "rho = lambda = 0", "SARMA"),
    }


# --------------------------------------------------------------------------- Moran
def moran_residuals(ols_result, w=None, *, alternative: str = "greater") -> MoranResult:
    """Moran's I of OLS residuals with its exact mean and variance under normality.

    Parameters
    ----------
    ols_result : SpatialResults
        OLS result (stacked panel OLS uses ``I_T (x) W``).
    w : Graph, sparse matrix or None
        Weights (``None``: ``ols_result.W``).
    alternative : {"greater", "less", "two-sided"}
        Alternative hypothesis of the normal test (spdep's default is "greater").

    Returns
    -------
    MoranResult
        ``I``, ``expectation``, ``variance``, ``stat`` (z) and ``pvalue``.

    Examples
    --------
    >>> import numpy as np, pandas as pd, scipy.sparse as sp
    >>> import spatialecon as se
    >>> rng = np.random.default_rng(0)
    >>> n = 30; ids = pd.Index([f"r{i}" for i in range(n)])
    >>> W = sp.diags([np.ones(n - 1), np.ones(n - 1)], [-1, 1], format="csr")
    >>> X = pd.DataFrame({"x": rng.normal(size=n)}, index=ids)
    >>> y = pd.Series(1 + X["x"] + rng.normal(size=n), index=ids, name="y")
    >>> m = moran_residuals(se.OLS(y, X).fit(), W)
    >>> m.expectation < 0
    True
    """
    if alternative not in ("greater", "less", "two-sided"):
        raise OptionError(f"alternative={alternative!r} is not valid; choose 'greater', 'less' or 'two-sided'.")
    _, X, e = _ols_parts(ols_result)
    W = _full_weights(ols_result, w)
    n, k = X.shape
    S0 = float(W.sum())
    I = n / S0 * (e @ (W @ e)) / (e @ e)  # noqa: E741
    XtX_inv = np.linalg.pinv(X.T @ X)
    Q = X @ XtX_inv  # H = Q X'
    WX = W @ X
    WtX = W.T @ X
    WQ = W @ Q
    WtQ = W.T @ Q
    XtWQ = X.T @ WQ  # k x k : X'WQ
    XtWtQ = WX.T @ Q  # X'W'Q
    trW = W.diagonal().sum()
    trMW = trW - np.trace(X.T @ WQ)
    WT = W.T.tocsr()
    trWWt = W.multiply(W).sum()
    trWW = W.multiply(WT).sum()
    trMWMWt = trWWt - np.sum(WtX * WtQ) - np.sum(WX * WQ) + np.trace(XtWQ @ XtWtQ)
    trHWW = np.trace(X.T @ (W @ WQ))
    trMWMW = trWW - 2 * trHWW + np.trace(XtWQ @ XtWQ)
    m = n - k  # tr(M)
    effects = getattr(ols_result.spec, "effects", None)
    if _panel_index(ols_result) is not None and effects in ("region", "time", "twoways"):
        # residuals of a fixed-effects (within) regression: M also removes the effect dummies
        trMW, trMWMWt, trMWMW, m = _fe_traces(ols_result, W, X, effects)
    c = n / S0
    EI = c * trMW / m
    VI = c ** 2 * (trMWMWt + trMWMW + trMW ** 2) / (m * (m + 2)) - EI ** 2
    z = (I - EI) / np.sqrt(VI)
    if alternative == "greater":
        p = stats.norm.sf(z)
    elif alternative == "less":
        p = stats.norm.cdf(z)
    else:
        p = 2 * stats.norm.sf(abs(z))
    return MoranResult(stat=float(z), pvalue=float(p), df=None, null="no spatial autocorrelation in residuals",
                       name="Moran's I (residuals)", distribution="normal", I=float(I), expectation=float(EI),
                       variance=float(VI), alternative=alternative)


FE_DENSE_MAX = 3000


def _fe_traces(res, W: sp.csr_matrix, X: np.ndarray, effects: str):
    """tr(MW), tr(MWMW'), tr(MWMW), tr(M) with M = I - P_D - P_X~ (D: effect dummies, X~ within-transformed)."""
    idx = _panel_index(res)
    n = len(idx)
    if n > FE_DENSE_MAX:
        raise DataError(f"exact Moran moments for a fixed-effects panel are computed densely (n <= {FE_DENSE_MAX}); "
                        f"n = {n}. Use lm_tests, or the cross-section Moran test by period.")
    reg = pd.Index(idx.get_level_values(0))
    tim = pd.Index(idx.get_level_values(1))

    def p_d(A: np.ndarray) -> np.ndarray:
        df = pd.DataFrame(A)
        out = np.zeros_like(A)
        if effects in ("region", "twoways"):
            out += df.groupby(reg.to_numpy()).transform("mean").to_numpy()
        if effects in ("time", "twoways"):
            out += df.groupby(tim.to_numpy()).transform("mean").to_numpy()
        if effects == "twoways":
            out -= A.mean(axis=0, keepdims=True)
        return out

    eye = np.eye(n)
    keep = np.abs(X).sum(axis=0) > 1e-12 * n  # a constant is wiped out by the transformation
    Xt = X[:, keep]
    M = eye - p_d(eye)
    if Xt.shape[1]:
        M -= Xt @ np.linalg.pinv(Xt.T @ Xt) @ Xt.T
    Wd = W.toarray()
    MW = M @ Wd
    MWt = M @ Wd.T
    return float(np.trace(MW)), float(np.sum(MW * MWt.T)), float(np.sum(MW * MW.T)), float(np.trace(M))


# --------------------------------------------------------------------------- LR / Wald
def lr_test(restricted, unrestricted, *, df: int | None = None) -> _TestResult:
    """Likelihood-ratio test of a restricted against an unrestricted (nesting) model.

    Parameters
    ----------
    restricted, unrestricted : SpatialResults
        Fitted on the same observations; ``loglik`` must be available.
    df : int, optional
        Degrees of freedom (default: difference in the number of parameters).

    Returns
    -------
    TestResult

    Examples
    --------
    >>> from types import SimpleNamespace as NS
    >>> import pandas as pd
    >>> a = NS(loglik=-10.0, params=pd.Series([1.0]), nobs=20, model_name="OLS")
    >>> b = NS(loglik=-8.0, params=pd.Series([1.0, 0.5]), nobs=20, model_name="SAR")
    >>> lr_test(a, b).stat
    4.0
    """
    for r in (restricted, unrestricted):
        if r.loglik is None or not np.isfinite(r.loglik):
            raise EstimationError(f"{r.model_name} has no log-likelihood; LR test not available.")
    if restricted.nobs != unrestricted.nobs:
        raise DataError(f"models fitted on different samples (n = {restricted.nobs} vs {unrestricted.nobs}).")
    if df is None:
        df = len(unrestricted.params) - len(restricted.params)
    if df <= 0:
        raise OptionError(f"df = {df}: the unrestricted model must have more parameters than the restricted one.")
    stat = 2.0 * (unrestricted.loglik - restricted.loglik)
    if stat < -1e-8:
        warnings.warn(f"LR statistic is negative ({stat:.4g}): check that the models are nested and converged.",
                      SpatialEconWarning, stacklevel=2)
    stat = max(stat, 0.0)
    return _TestResult(stat=float(stat), pvalue=float(stats.chi2.sf(stat, df)), df=df,
                      null=f"{restricted.model_name} (restricted) against {unrestricted.model_name}",
                      name="LR")


def wald_test(res, names=None, *, R=None, r=None) -> _TestResult:
    """Wald test of linear restrictions ``R params = r`` (default: ``params[names] = 0``).

    Parameters
    ----------
    res : SpatialResults
    names : str or list of str, optional
        Parameters jointly tested equal to zero; ``"W_*"`` means every Durbin term
        (SDM against SAR, SDEM against SEM).
    R : array-like (q, p), optional
        Restriction matrix (columns in ``res.params`` order); overrides ``names``.
    r : array-like (q,), optional
        Right-hand side (default zeros).

    Returns
    -------
    TestResult

    Examples
    --------
    >>> from types import SimpleNamespace as NS
    >>> import pandas as pd, numpy as np
    >>> p = pd.Series({"x": 2.0, "W_x": 1.0})
    >>> res = NS(params=p, cov=pd.DataFrame(np.eye(2) * 0.25, index=p.index, columns=p.index))
    >>> wald_test(res, ["W_x"]).stat
    4.0
    """
    p = res.params
    V = res.cov.loc[p.index, p.index].to_numpy(dtype=float)
    if R is None:
        if names is None or names == "W_*":
            names = [n for n in p.index if str(n).startswith("W_")]
        elif isinstance(names, str):
            names = [names]
        missing = [n for n in names if n not in p.index]
        if missing or not names:
            raise OptionError(f"parameters {missing or names} not in the model ({list(p.index)}).")
        R = np.zeros((len(names), len(p)))
        for i, n in enumerate(names):
            R[i, p.index.get_loc(n)] = 1.0
        null = " = ".join(names) + " = 0"
    else:
        R = np.atleast_2d(np.asarray(R, dtype=float))
        if R.shape[1] != len(p):
            raise OptionError(f"R has {R.shape[1]} columns, the model has {len(p)} parameters.")
        null = "R params = r"
    r = np.zeros(R.shape[0]) if r is None else np.asarray(r, dtype=float).ravel()
    d = R @ p.to_numpy(dtype=float) - r
    RVR = R @ V @ R.T
    stat = float(d @ np.linalg.solve(RVR, d))
    q = R.shape[0]
    return _TestResult(stat=stat, pvalue=float(stats.chi2.sf(stat, q)), df=q, null=null, name="Wald")


def common_factor_test(sdm_res, sem_res) -> _TestResult:
    """Common-factor LR test: SDM against SEM (``theta = -rho beta``).

    Parameters
    ----------
    sdm_res : SpatialResults
        Spatial Durbin model.
    sem_res : SpatialResults
        Spatial error model on the same data.

    Returns
    -------
    TestResult
        LR statistic with df = number of Durbin terms.

    Examples
    --------
    >>> from types import SimpleNamespace as NS
    >>> import pandas as pd
    >>> sdm = NS(loglik=-8.0, params=pd.Series({"x": 1, "W_x": 1, "rho": .3}), nobs=9, model_name="SDM")
    >>> sem = NS(loglik=-9.0, params=pd.Series({"x": 1, "lambda": .3}), nobs=9, model_name="SEM")
    >>> common_factor_test(sdm, sem).df
    1
    """
    k = sum(str(n).startswith("W_") for n in sdm_res.params.index)
    if k == 0:
        raise OptionError("the first model has no W_ (Durbin) terms; pass an SDM result first.")
    out = lr_test(sem_res, sdm_res, df=k)
    return _TestResult(stat=out.stat, pvalue=out.pvalue, df=k, null="common factor: theta = -rho beta (SEM)",
                      name="Common factor LR")


def hausman(fe, re, *, names=None) -> _TestResult:
    """(Spatial) Hausman test of random against fixed effects on their common parameters.

    ``H = (b_FE - b_RE)' [V_FE - V_RE]^{-1} (b_FE - b_RE)`` (Lee and Yu 2012; Mutl and
    Pfaffermayr 2011). This is the panel module's
    :func:`spatialecon.results.panel_tests.spatial_hausman` (one implementation): the
    difference is inverted whenever it is non-singular (as R ``plm::phtest``), a
    Moore-Penrose inverse with df = rank is used otherwise, and an indefinite
    difference is noted in ``null``.

    Parameters
    ----------
    fe, re : SpatialResults
        Fixed-effects and random-effects fits of the same model.
    names : list of str, optional
        Parameters compared (default: common parameters except ``const``).

    Returns
    -------
    TestResult

    Examples
    --------
    >>> from types import SimpleNamespace as NS
    >>> import pandas as pd, numpy as np
    >>> i = ["x", "rho"]
    >>> fe = NS(params=pd.Series([1.0, .3], i), cov=pd.DataFrame(np.eye(2) * .02, i, i))
    >>> re = NS(params=pd.Series([0.9, .3], i), cov=pd.DataFrame(np.eye(2) * .01, i, i))
    >>> round(hausman(fe, re).stat, 6)
    1.0
    """
    from .panel_tests import spatial_hausman

    return spatial_hausman(fe, re, names=names)
