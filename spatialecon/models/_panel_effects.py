"""Quantities recovered after a panel fit: fixed effects with their standard errors, and the
random-effects covariance that accounts for the estimated variance ratio (split from
:mod:`._panel` to keep modules small).

Examples
--------
>>> import numpy as np, pandas as pd
>>> from libpysal.graph import Graph
>>> from libpysal.weights import lat2W
>>> from spatialecon.models import SAR
>>> w = Graph.from_W(lat2W(3, 3)).transform("r")
>>> idx = pd.MultiIndex.from_product([w.unique_ids, range(4)], names=["region", "year"])
>>> rng = np.random.default_rng(1)
>>> X = pd.DataFrame({"x": rng.normal(size=36)}, index=idx)
>>> y = pd.Series(X["x"] + np.repeat(rng.normal(size=9), 4) + rng.normal(size=36), index=idx)
>>> r = SAR(y, X, w, effects="region").fit(on_bound="ignore")
>>> list(r.info["region_effects"].columns)
['mu', 'deviation', 'se']
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..estimation import panel as pt

if TYPE_CHECKING:
    from ._panel import PanelDesign

__all__: list[str] = []


def _random_effects_covariance(d: PanelDesign, fit: dict) -> dict | None:
    """Covariance with theta accounted for (see :func:`~spatialecon.estimation.panel.re_covariance`);
    None when not applicable (OLS, SAC, phi on its bound 0)."""
    V = fit.get("cov_full")
    has_rho, has_lam = fit.get("rho") is not None, fit.get("lam") is not None
    if V is None or has_rho == has_lam or not fit.get("phi"):
        return None
    coef = float(fit["rho"] if has_rho else fit["lam"])
    tr_G = float((fit.get("traces") or {}).get("tr_G", np.nan))
    if not np.isfinite(tr_G):
        tr_G = d.traces(coef)["tr_G"]
    Va, theta_se = pt.re_covariance(np.asarray(V, dtype=float), theta=float(fit["theta"]),
                                    sigma2=float(fit["sigma2"]), N=d.N, tr_G=tr_G / d.T)
    return {"cov_full": Va, "theta_se": theta_se, "phi_se": float(2.0 / (d.T * fit["theta"] ** 3) * theta_se),
            "re_cov_note": "covariance accounts for the estimated theta (expected information)"}


def _recover_effects(d: PanelDesign, fit: dict) -> dict:
    beta = np.asarray(fit["beta"], dtype=float).ravel()
    rho = float(fit.get("rho", 0.0) or 0.0)
    sigma2 = float(fit.get("sigma2", np.nan))
    r = d.y_raw - d.X_raw @ beta
    Z = d.X_raw
    if rho != 0.0:
        wy = d.lag_raw(d.y_raw)
        r = r - rho * wy
        Z = np.column_stack([Z, wy])
    R = r.reshape(d.T, d.N)
    alpha = float(R.mean())
    out: dict = {"intercept": alpha}
    V = fit.get("cov_beta_rho")
    if V is None and fit.get("cov_full") is not None:
        # error models (SEM, SDEM) and SAC: the core sets no cov_beta_rho; the leading block of the
        # full covariance (order beta, [rho], [lambda], sigma2) is the covariance of Z's coefficients
        # (beta, and rho for SAC). Without it the SE would omit zbar' V zbar (Elhorst 2014, eq. 3.25).
        p = Z.shape[1]
        V = np.asarray(fit["cov_full"], dtype=float)[:p, :p]
    if d.effects in ("region", "twoways"):
        mu = R.mean(axis=0)
        zbar = Z.reshape(d.T, d.N, -1).mean(axis=0)
        se = np.full(d.N, np.nan)
        if np.isfinite(sigma2):
            var = sigma2 / d.T + (np.einsum("ij,jk,ik->i", zbar, V, zbar) if V is not None else 0.0)
            se = np.sqrt(var)
        out["region_effects"] = pd.DataFrame({"mu": mu, "deviation": mu - alpha, "se": se},
                                             index=pd.Index(d.ids, name="region"))
    if d.effects in ("time", "twoways"):
        lam_t = R.mean(axis=1)
        zbar_t = Z.reshape(d.T, d.N, -1).mean(axis=1)
        se_t = np.full(d.T, np.nan)
        if np.isfinite(sigma2):
            se_t = np.sqrt(sigma2 / d.N + (np.einsum("ij,jk,ik->i", zbar_t, V, zbar_t) if V is not None else 0.0))
        out["time_effects"] = pd.DataFrame({"mu": lam_t, "deviation": lam_t - alpha, "se": se_t},
                                           index=pd.Index(d.time_ids, name="time"))
    return out
