"""GMM/IV estimation through spreg (``fit(method="gmm")``), returned as :class:`SpatialResults`.

spreg is the reference implementation of these estimators, so they are wrapped,
not re-implemented:

* SAR / SDM: ``spreg.GM_Lag`` (spatial two-stage least squares with instruments
  ``W X, ..., W^q X``, ``w_lags``; Durbin terms via ``slx_lags=1``),
* SEM / SDEM: ``spreg.GM_Error_Het`` (Arraiz, Drukker, Kelejian and Prucha 2010,
  heteroskedasticity-robust),
* SAC: ``spreg.GM_Combo_Het``.

The inputs are the model's aligned ``y``, ``X`` and ``W``; labels follow the package
convention (``const``, regressors, ``W_<x>``, ``rho``, ``lambda``). ``loglik`` is
``None`` (no likelihood), ``resid`` are the innovations (``e_filtered`` for error
models, ``y - Z b`` for lag models) and ``sigma2 = resid'resid/n``. The spreg
estimator, its version and its options are recorded in ``info``.
"""

from __future__ import annotations

import contextlib
import io

import numpy as np
import pandas as pd

from ..errors import EstimationError, OptionError
from ..results.base import ModelSpec, SpatialResults

__all__ = ["fit_gmm"]

_ALLOWED = {
    "sar": {"w_lags", "lag_q", "robust", "sig2n_k", "hard_bound"},
    "sdm": {"w_lags", "lag_q", "robust", "sig2n_k", "hard_bound"},
    "sem": {"max_iter", "epsilon", "step1c", "hard_bound"},
    "sdem": {"max_iter", "epsilon", "step1c", "hard_bound"},
    "sac": {"w_lags", "lag_q", "max_iter", "epsilon", "step1c", "inv_method", "hard_bound"},
}


def _libpysal_w(W, ids):
    from libpysal.weights import WSP

    return WSP(W.tocsr(), id_order=[str(i) for i in ids]).to_W(silence_warnings=True)


def fit_gmm(model, **opts) -> SpatialResults:
    """Fit a cross-section SAR, SDM, SEM, SDEM or SAC model by spreg's GMM estimators.

    Parameters
    ----------
    model : SpatialModel
        A model instance (``model.y``, ``model.X``, ``model.W``, ``model.ids``,
        ``model.durbin_names``, ``model.kind``).
    **opts
        Passed to spreg: ``w_lags``, ``lag_q``, ``robust`` ("white"/"hac" not
        supported here: only None or "white"), ``sig2n_k`` (GM_Lag); ``max_iter``,
        ``epsilon``, ``step1c`` (GM_Error_Het, GM_Combo_Het); ``inv_method`` (SAC).

    Returns
    -------
    SpatialResults
        With ``method="GMM"`` and ``info["estimator"]`` naming the spreg class and version.

    Examples
    --------
    >>> import numpy as np, pandas as pd, scipy.sparse as sp
    >>> import spatialecon as se
    >>> rng = np.random.default_rng(0)
    >>> n = 40; ids = pd.Index([f"r{i}" for i in range(n)])
    >>> W = sp.diags([np.ones(n - 1), np.ones(n - 1)], [-1, 1], format="csr")
    >>> W = sp.csr_matrix(W.multiply(1 / W.sum(1)))
    >>> X = pd.DataFrame({"x": rng.normal(size=n)}, index=ids)
    >>> y = pd.Series(1 + X["x"] + rng.normal(size=n), index=ids, name="y")
    >>> from libpysal.graph import Graph
    >>> g = Graph.from_sparse(W, ids=ids)
    >>> r = se.SAR(y, X, g).fit(method="gmm")
    >>> r.method, list(r.params.index)
    ('GMM', ['const', 'x', 'rho'])
    """
    import spreg

    kind = model.kind
    if kind not in _ALLOWED:
        raise OptionError(f"method='gmm' is available for SAR, SDM, SEM, SDEM and SAC, not {model.name}.")
    if getattr(model, "is_panel", False):
        raise OptionError("method='gmm' supports cross-section data only (spreg's GMM estimators).")
    if not model.constant:
        raise OptionError("spreg's GMM estimators always include a constant; use constant=True.")
    unknown = set(opts) - _ALLOWED[kind]
    if unknown:
        raise OptionError(f"unknown GMM options for {model.name}: {sorted(unknown)}; "
                          f"valid: {sorted(_ALLOWED[kind])}.")
    if model.X.shape[1] == 0:
        raise OptionError("GMM needs at least one regressor (instruments are its spatial lags).")
    xnames = [str(c) for c in model.X.columns]
    y = model.y.to_numpy(dtype=float).reshape(-1, 1)
    x = model.X.to_numpy(dtype=float)
    w = _libpysal_w(model.W, model.ids)
    durbin = list(model.durbin_names)
    slx = {}
    if durbin:
        slx = {"slx_lags": 1, "slx_vars": [c in durbin for c in xnames] if len(durbin) < len(xnames) else "All"}
    common = {"name_y": str(model.y.name), "name_x": xnames}
    cls = {"sar": "GM_Lag", "sdm": "GM_Lag", "sem": "GM_Error_Het", "sdem": "GM_Error_Het", "sac": "GM_Combo_Het"}[kind]
    try:  # spreg prints its estimator name to stdout; keep the package silent
        with contextlib.redirect_stdout(io.StringIO()):
            est = _run(spreg, cls, y, x, w, slx, common, opts)
    except (np.linalg.LinAlgError, ValueError) as exc:
        raise EstimationError(f"spreg.{cls} failed: {exc}") from exc
    b = np.asarray(est.betas, dtype=float).ravel()
    V = np.asarray(est.vm, dtype=float)
    labels = ["const", *xnames, *[f"W_{d}" for d in xnames if d in durbin]]
    if kind in ("sar", "sdm", "sac"):
        labels.append("rho")
    if kind in ("sem", "sdem", "sac"):
        labels.append("lambda")
    if len(b) != len(labels) or V.shape != (len(b), len(b)):
        raise EstimationError(f"spreg.{cls} returned {len(b)} coefficients (vm {V.shape}); expected "
                              f"{len(labels)} ({labels}).")
    params = pd.Series(b, index=labels, name="params")
    cov = pd.DataFrame(V, index=labels, columns=labels)
    idx = model.y.index
    if kind in ("sar", "sdm"):
        e = np.asarray(est.u, dtype=float).ravel()
    else:
        e = np.asarray(est.e_filtered, dtype=float).ravel()
    yv = y.ravel()
    n = len(yv)
    exog = model.exog if getattr(model, "exog", None) is not None else None
    exog_names = tuple(["const", *xnames])
    info = {
        "estimator": f"spreg.{cls} {spreg.__version__}",
        "spreg_options": {**slx, **opts},
        "resid_definition": "innovations: y - Z b (GM_Lag); e_filtered = u - lambda W u (error models)",
        "sigma2_definition": "resid'resid / n",
    }
    for attr in ("pr2", "pr2_e", "iteration"):
        if hasattr(est, attr):
            info[f"spreg_{attr}"] = getattr(est, attr)
    return SpatialResults(
        model_name=model.name, spec=ModelSpec(kind=kind, exog_names=exog_names, durbin_names=tuple(durbin),
                                              constant=True),
        params=params, cov=cov, sigma2=float(e @ e / n), loglik=None, nobs=n,
        y=pd.Series(yv, index=idx, name=model.y.name), fitted=pd.Series(yv - e, index=idx, name="fitted"),
        resid=pd.Series(e, index=idx, name="resid"), exog=exog, ids=pd.Index(model.ids), W=model.W,
        method="GMM", logdet_method=None, options={"method": "gmm", **opts}, info=info,
        version=_version(),
    )


def _run(spreg, cls: str, y, x, w, slx: dict, common: dict, opts: dict):
    if cls == "GM_Lag":
        return spreg.GM_Lag(y, x, w=w, spat_diag=False, spat_impacts=None, **slx, **common, **opts)
    if cls == "GM_Error_Het":
        return spreg.GM_Error_Het(y, x, w=w, **slx, **common, **opts)
    return spreg.GM_Combo_Het(y, x, w=w, **common, **opts)


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("spatialecon")
    except PackageNotFoundError:
        return ""
