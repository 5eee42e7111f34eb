"""Specification tests for spatial panels: LM tests on panel OLS residuals, spatial Hausman.

LM tests (Anselin, Le Gallo and Jayet 2008; Elhorst 2010, 2014 sec. 3.5; the formulas of
Elhorst's ``LMsarsem_panel``): with ``e`` the residuals of the (pooled, or within-transformed)
OLS regression of ``y`` on ``X``, ``sigma2 = e'e / NT``, ``W_NT = I_T kron W`` (followed by the
time demeaning under time/two-way effects) and ``T_W = tr(W'W + WW)``:

* ``LM_lag = [e' W_NT y / sigma2]^2 / J``,
  ``J = [(W_NT X b)' M (W_NT X b) + T T_W sigma2] / sigma2``
* ``LM_error = [e' W_NT e / sigma2]^2 / (T T_W)``
* ``robust LM_lag = [e'W_NT y/sigma2 - e'W_NT e/sigma2]^2 / (J - T T_W)``
* ``robust LM_error = [e'W_NT e/sigma2 - (T T_W/J) e'W_NT y/sigma2]^2 / (T T_W (1 - T T_W/J))``
* ``sarma = robust LM_lag + LM_error`` (2 df; Anselin et al. 1996)

Each is chi-square(1) under its null. For time-varying W the trace terms are summed over the
years. ``df_correction=True`` uses ``sigma2 = e'e/(NT - k)`` (what spreg's ``panel_LM*`` use).

Examples
--------
>>> import numpy as np
>>> from spatialecon.results.panel_tests import panel_lm_arrays
>>> rng = np.random.default_rng(0)
>>> W = np.roll(np.eye(5), 1, axis=1) * 0.5 + np.roll(np.eye(5), -1, axis=1) * 0.5
>>> X = np.column_stack([np.ones(20), rng.normal(size=20)])
>>> out = panel_lm_arrays(X @ [1.0, 2.0] + rng.normal(size=20), X, W, T=4)
>>> sorted(out)
['lm_error', 'lm_lag', 'robust_lm_error', 'robust_lm_lag', 'sarma']
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy import stats

from ..errors import DataError, EstimationError
from ..estimation.panel import demean
from .base import TestResult

__all__ = ["panel_lm_arrays", "panel_lm_tests", "spatial_hausman"]


def _lag_fn(W, N: int, T: int, effects):
    mats = W if isinstance(W, (list, tuple)) else None
    Wc = None if mats is not None else (sp.csr_matrix(W) if sp.issparse(W) else sp.csr_matrix(np.asarray(W, float)))

    def lag(v):
        V = np.asarray(v, float).reshape(T, N)
        out = np.stack([(mats[t] if mats is not None else Wc) @ V[t] for t in range(T)]).ravel()
        return demean(out, N, T, "time") if effects in ("time", "twoways") else out

    tw = 0.0
    for M in mats if mats is not None else [Wc] * T:
        M = sp.csr_matrix(M)
        tw += float((M.multiply(M).sum()) + (M.multiply(M.T).sum()))  # tr(W'W) + tr(WW)
    return lag, tw


def panel_lm_arrays(y, X, W, *, T: int, effects: str | None = None, df_correction: bool = False) -> dict:
    """Panel LM tests from time-major stacked arrays (already transformed for fixed effects).

    Parameters
    ----------
    y : ndarray (NT,)
    X : ndarray (NT, k)
    W : (N, N) matrix (sparse or dense), or a list of T matrices (time-varying W)
    T : int
    effects : {None, "region", "time", "twoways"}
        Only used to keep the lag in the transformed space (time demeaning after the lag).
    df_correction : bool
        ``sigma2 = e'e/(NT-k)`` instead of ``e'e/NT``.

    Returns
    -------
    dict of TestResult: ``lm_lag``, ``lm_error``, ``robust_lm_lag``, ``robust_lm_error``, ``sarma``.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> W = np.array([[0, 1.0, 0], [0.5, 0, 0.5], [0, 1.0, 0]])
    >>> X = np.column_stack([np.ones(6), rng.normal(size=6)])
    >>> panel_lm_arrays(rng.normal(size=6), X, W, T=2)["lm_error"].df
    1
    """
    y = np.asarray(y, float).ravel()
    X = np.asarray(X, float)
    NT = y.shape[0]
    if NT % T:
        raise DataError(f"{NT} stacked rows are not a multiple of T = {T}.")
    N = NT // T
    lag, tw = _lag_fn(W, N, T, effects)
    b, *_ = np.linalg.lstsq(X, y, rcond=None)
    e = y - X @ b
    n_s2 = NT - X.shape[1] if df_correction else NT
    s2 = float(e @ e) / n_s2
    if s2 <= 0:
        raise EstimationError("OLS residuals are zero; LM tests are undefined.")
    wxb = lag(X @ b)
    Mwxb = wxb - X @ np.linalg.lstsq(X, wxb, rcond=None)[0]
    J = (float(wxb @ Mwxb) + tw * s2) / s2
    Ttw = tw  # already summed over the T periods
    a_lag = float(e @ lag(y)) / s2
    a_err = float(e @ lag(e)) / s2
    lm_lag = a_lag**2 / J
    lm_err = a_err**2 / Ttw
    r_lag = (a_lag - a_err) ** 2 / (J - Ttw)
    r_err = (a_err - Ttw / J * a_lag) ** 2 / (Ttw * (1.0 - Ttw / J))

    def tr(stat, name, null, df=1):
        return TestResult(stat=float(stat), pvalue=float(stats.chi2.sf(stat, df)), df=df, null=null, name=name)

    return {
        "lm_lag": tr(lm_lag, "LM lag (panel)", "rho = 0"),
        "lm_error": tr(lm_err, "LM error (panel)", "lambda = 0"),
        "robust_lm_lag": tr(r_lag, "robust LM lag (panel)", "rho = 0 (robust to lambda)"),
        "robust_lm_error": tr(r_err, "robust LM error (panel)", "lambda = 0 (robust to rho)"),
        "sarma": tr(r_lag + lm_err, "SARMA (panel)", "rho = lambda = 0", df=2),
    }


def _stacked(res, series: pd.Series | pd.DataFrame):
    idx = pd.MultiIndex.from_product([pd.Index(res.time_ids), pd.Index(res.ids)]).swaplevel()
    return series.reindex(idx).to_numpy(dtype=float)


def panel_lm_tests(ols_result, w=None, *, df_correction: bool = False) -> dict:
    """Panel LM tests (lag, error, robust forms, SARMA) from a fitted panel OLS result.

    Parameters
    ----------
    ols_result : SpatialResults
        OLS on a (region, time) panel (pooled or with fixed effects): uses its
        transformed ``y`` and ``exog``, ``W`` (or ``info["W_t"]``), ``ids``,
        ``time_ids`` and ``spec.effects``.
    w : scipy sparse matrix, optional
        W aligned with ``ols_result.ids`` (default ``ols_result.W``).

    Returns
    -------
    dict of TestResult (see :func:`panel_lm_arrays`).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from spatialecon.models import OLS
    >>> from spatialecon.weights import from_matrix
    >>> ring = np.roll(np.eye(6), 1, axis=1) + np.roll(np.eye(6), -1, axis=1)
    >>> w = from_matrix(ring / 2, ids=list("abcdef"))
    >>> idx = pd.MultiIndex.from_product([list("abcdef"), range(2000, 2004)], names=["region", "year"])
    >>> rng = np.random.default_rng(0)
    >>> X = pd.DataFrame({"x": rng.normal(size=24)}, index=idx)
    >>> y = pd.Series(X["x"].to_numpy() + rng.normal(size=24), index=idx, name="y")
    >>> out = panel_lm_tests(OLS(y, X, w, effects="region").fit())
    >>> sorted(out), out["lm_error"].df
    (['lm_error', 'lm_lag', 'robust_lm_error', 'robust_lm_lag', 'sarma'], 1)
    """
    if ols_result.time_ids is None or ols_result.n_periods < 2:
        raise DataError("panel_lm_tests needs a panel result (n_periods >= 2).")
    W = w if w is not None else (ols_result.W if ols_result.W is not None else ols_result.info.get("W_t"))
    if W is None:
        raise DataError("no W: pass w= (aligned with the result's ids).")
    if isinstance(W, (list, tuple)) and ols_result.spec.effects in ("region", "twoways"):
        raise EstimationError("panel LM tests with a time-varying W and region/two-way effects are not "
                              "implemented: the lag of the demeaned y is not the demeaned lag of y when W "
                              "changes by year. Fit SAR/SDM directly and use lr_test.")
    y = _stacked(ols_result, ols_result.y)
    X = _stacked(ols_result, ols_result.exog)
    return panel_lm_arrays(y, X, W, T=ols_result.n_periods, effects=ols_result.spec.effects,
                           df_correction=df_correction)


def spatial_hausman(fe, re, *, names=None) -> TestResult:
    """Spatial Hausman test of random against fixed effects (Lee and Yu 2012; Elhorst 2014 sec. 3.4).

    ``H = d' (V_FE - V_RE)^{-1} d`` with ``d = b_FE - b_RE`` over the parameters both models
    share (regressors, Durbin terms, ``rho``/``lambda``; not ``const``); chi-square with as many
    degrees of freedom as compared parameters (as R ``plm::phtest``). ``V_FE - V_RE`` need not be
    positive definite in finite samples: it is inverted whenever it is non-singular (noted in
    ``null`` when indefinite); when singular, its Moore-Penrose inverse is used and ``df`` is its
    rank.

    Parameters
    ----------
    fe, re : SpatialResults (or any object with ``params`` Series and ``cov`` DataFrame)
    names : list of str, optional
        Parameters to compare (default: common ones except ``const``).

    Returns
    -------
    TestResult

    Examples
    --------
    >>> import pandas as pd
    >>> from types import SimpleNamespace as NS
    >>> fe = NS(params=pd.Series({"x": 1.0}), cov=pd.DataFrame([[0.04]], index=["x"], columns=["x"]))
    >>> re = NS(params=pd.Series({"const": 2.0, "x": 0.8}),
    ...         cov=pd.DataFrame([[1, 0], [0, 0.02]], index=["const", "x"], columns=["const", "x"]))
    >>> round(spatial_hausman(fe, re).stat, 6)
    2.0
    """
    if names is None:
        names = [n for n in fe.params.index if n in re.params.index and n != "const"]
    if not names:
        raise DataError("the two models share no parameters to compare.")
    d = fe.params[names].to_numpy(float) - re.params[names].to_numpy(float)
    V = fe.cov.loc[names, names].to_numpy(float) - re.cov.loc[names, names].to_numpy(float)
    V = (V + V.T) / 2
    evals = np.linalg.eigvalsh(V)
    big = max(1.0e-300, float(np.abs(evals).max()))
    tol = 1e-10 * big
    pd_ok = bool(evals.min() > tol)
    if np.all(np.abs(evals) > tol):  # invertible (as plm::phtest and spreg, even if not p.d.)
        stat, df = float(d @ np.linalg.solve(V, d)), len(names)
    else:
        stat = float(d @ np.linalg.pinv(V, rcond=1e-10) @ d)
        df = int(np.sum(np.abs(evals) > tol))
        if df == 0:
            raise EstimationError("V_FE - V_RE is zero; the Hausman test is undefined.")
    null = "random effects consistent (b_FE = b_RE)" + ("" if pd_ok else "; note: V_FE - V_RE is not positive definite")
    return TestResult(stat=stat, pvalue=float(stats.chi2.sf(stat, df)), df=df, null=null,
                      name="spatial Hausman (FE vs RE)")
