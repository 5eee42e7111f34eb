"""Random-effects panels: the Baltagi error form and observed-information covariances.

Two pieces of wiring between the models and the estimation core:

* :func:`fit_baltagi_design` -- the random-effects spatial error panel in the Baltagi, Song
  and Koh (2003) form (``SEM``/``SDEM`` with ``effects="random", random_error="baltagi"``;
  R splm's default ``spml(model="random", spatial.error="b")``). The likelihood is in
  :mod:`spatialecon.estimation.panel_re`; here the panel design is handed to it and the
  result is put in the shape the results object expects.
* :func:`re_observed_covariance` -- ``fit(cov="hessian")`` for the random-effects SAR, SDM,
  SEM and SDEM in the quasi-demeaning (Kapoor-Kelejian-Prucha) form: inverse of minus the
  numerical Hessian of the full log-likelihood in ``(beta, rho|lambda, phi, sigma2)``, so
  that the variance ratio phi is a parameter of the observed information (not held fixed).

Examples
--------
>>> import numpy as np, pandas as pd
>>> from libpysal.graph import Graph
>>> from libpysal.weights import lat2W
>>> from spatialecon.models import SEM
>>> w = Graph.from_W(lat2W(4, 4)).transform("r")
>>> rng = np.random.default_rng(0)
>>> idx = pd.MultiIndex.from_product([w.unique_ids, range(4)], names=["region", "year"])
>>> X = pd.DataFrame({"x": rng.normal(size=64)}, index=idx)
>>> y = pd.Series(1 + X["x"] + np.repeat(rng.normal(size=16), 4) + rng.normal(size=64), index=idx)
>>> r = SEM(y, X, w, effects="random", random_error="baltagi").fit(on_bound="ignore")
>>> r.info["random_error"], list(r.params.index)
('baltagi', ['const', 'x', 'lambda'])
"""

from __future__ import annotations

import numpy as np

from ..errors import EstimationError
from ..estimation.covariance import inverse_information, numerical_hessian
from ..estimation.likelihood import LOG2PI
from ..estimation.panel_re import fit_baltagi

__all__ = ["fit_baltagi_design", "re_observed_covariance"]

_OPT_KEYS = ("n_grid", "tol", "eps", "bound_tol", "on_bound", "maxiter")


def fit_baltagi_design(d, *, bounds=None, opt: dict | None = None, cov: str = "analytic") -> dict:
    """Fit the Baltagi-form random-effects error panel on a random-effects ``PanelDesign``.

    Returns the fit dict of the estimation core (``beta``, ``lam``, ``sigma2``, ``resid``,
    ``loglik``, ``optimiser``, ``cov_full`` in the order ``beta, lambda, sigma2``) with
    ``info`` holding ``random_error``, ``phi``, ``phi_se``, ``sigma2_mu`` and notes.
    ``resid`` is the composite error ``u = y - X b`` (as splm's residuals).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from libpysal.graph import Graph
    >>> from libpysal.weights import lat2W
    >>> from spatialecon.models._panel import prepare_panel
    >>> w = Graph.from_W(lat2W(3, 3)).transform("r")
    >>> idx = pd.MultiIndex.from_product([w.unique_ids, range(3)])
    >>> rng = np.random.default_rng(2)
    >>> X = pd.DataFrame({"x": rng.normal(size=27)}, index=idx)
    >>> y = pd.Series(X["x"] + rng.normal(size=27), index=idx)
    >>> fit = fit_baltagi_design(prepare_panel(y, X, w, effects="random"), opt={"on_bound": "ignore"})
    >>> fit["cov_full"].shape
    (4, 4)
    """
    from ._fit import _search_bounds

    if getattr(d, "effects", None) != "random" or getattr(d, "W_t", None) is not None:
        raise EstimationError("the Baltagi random-effects error form needs effects='random' and a constant W.")
    if getattr(d, "bounds_note", None) is not None:
        d.exact_bounds()  # the eigenvalue interval, not the quick (-1, 1)
    b = _search_bounds(d, bounds)
    kw = {k: v for k, v in (opt or {}).items() if k in _OPT_KEYS}
    if not kw.get("n_grid"):
        kw["n_grid"] = 11
    est = fit_baltagi(d.y_raw, d.X_raw, d.W, N=d.N, T=d.T, bounds=b, cov=cov, **kw)
    V = np.asarray(est.pop("cov"), dtype=float)
    k = d.X_raw.shape[1]
    keep = list(range(k + 1)) + [k + 2]  # drop phi: (beta, lambda, sigma2)
    phi, s2 = float(est["phi"]), float(est["sigma2"])
    kind = "expected information (analytic)" if cov == "analytic" else \
        "observed information (numerical Hessian of the full log-likelihood)"
    info = {
        "random_error": "baltagi",
        "phi": phi,
        "phi_se": float(np.sqrt(V[k + 1, k + 1])) if np.isfinite(V[k + 1, k + 1]) else float("nan"),
        "sigma2_mu": phi * s2,
        "re_cov_note": f"covariance of (beta, lambda, phi, sigma2): inverse {kind}; phi estimated, not fixed",
        "resid_definition": "composite error u = y - X b (region effect plus spatially filtered error), as splm",
        "dense_note": (f"dense N x N algebra: {est['optimiser'].get('n_eigh', 0)} eigen-decompositions of B'B"
                       + (" (symmetric W: one decomposition of W)" if est.get("symmetric_W") else "")),
    }
    if phi == 0.0:
        info["re_note"] = "phi at its lower bound 0: no region random effect, the model is the pooled SEM"
    elif est.get("phi_at_bound"):
        info["re_note"] = "phi at the upper end of its search range: random effects close to fixed effects"
    return {"beta": est["beta"], "lam": est["lam"], "sigma2": s2, "resid": est["resid"], "loglik": est["loglik"],
            "optimiser": est["optimiser"], "cov_full": V[np.ix_(keep, keep)], "traces": None, "design": d,
            "info": info}


def re_observed_covariance(d, fit: dict, family: str) -> tuple[np.ndarray, dict]:
    """Observed-information covariance of a random-effects (quasi-demeaning) panel fit.

    Minus the central-difference Hessian of the full log-likelihood
    ``-n/2 log(2 pi s2) + T log|I - c W| - N/2 log(1 + T phi) - e'e / (2 s2)`` in
    ``(beta, c, phi, s2)`` (``c`` = rho for lag models, lambda for error models; ``e`` the
    innovations of the data quasi-demeaned with ``theta = 1/sqrt(1 + T phi)``), inverted.

    Returns
    -------
    (V, info)
        ``V`` the covariance of ``(beta, c, sigma2)`` with phi integrated out; ``info`` with
        ``phi_se``, ``theta_se`` and ``re_cov_note``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from libpysal.graph import Graph
    >>> from libpysal.weights import lat2W
    >>> from spatialecon.models import SAR
    >>> w = Graph.from_W(lat2W(4, 4)).transform("r")
    >>> rng = np.random.default_rng(0)
    >>> idx = pd.MultiIndex.from_product([w.unique_ids, range(4)], names=["region", "year"])
    >>> X = pd.DataFrame({"x": rng.normal(size=64)}, index=idx)
    >>> y = pd.Series(1 + X["x"] + np.repeat(rng.normal(size=16), 4) + rng.normal(size=64), index=idx)
    >>> r = SAR(y, X, w, effects="random").fit(cov="hessian", on_bound="ignore")
    >>> r.info["re_cov_note"].startswith("observed")
    True
    """
    if family not in ("lag", "error"):
        raise EstimationError("observed-information covariances with random effects are implemented for "
                              "SAR, SDM, SEM and SDEM.")
    k = d.X.shape[1]
    coef = float(fit["rho"] if family == "lag" else fit["lam"])
    phi, s2 = float(fit["phi"]), float(fit["sigma2"])
    x = np.concatenate([np.asarray(fit["beta"], dtype=float), [coef, phi, s2]])

    def ll(z: np.ndarray) -> float:
        if z[k + 1] < 0 or z[k + 2] <= 0:
            return -np.inf
        dd = d.with_phi(float(z[k + 1]))
        c = float(z[k])
        if family == "lag":
            e = dd.y - c * dd.lag(dd.y) - dd.X @ z[:k]
        else:
            r = dd.y - dd.X @ z[:k]
            e = r - c * dd.lag(r)
        n = dd.n_eff
        return float(-0.5 * n * (LOG2PI + np.log(z[k + 2])) - e @ e / (2.0 * z[k + 2]) + dd.logdet(c))

    step = 1e-4 * np.maximum(np.abs(x), 0.1)
    step[k + 1] = 2e-4 * max(phi, 1e-2)
    step[k + 2] = 1e-4 * s2
    H = numerical_hessian(ll, x, step=step)
    keep = list(range(k + 1)) + [k + 2]
    if phi == 0.0:  # phi on its boundary: condition on it
        V = inverse_information(-H[np.ix_(keep, keep)])
        return V, {"phi_se": float("nan"), "theta_se": float("nan"),
                   "re_cov_note": "observed information (numerical Hessian of the full log-likelihood); phi on its "
                                  "bound 0, so conditional on it"}
    Vall = inverse_information(-H)
    phi_se = float(np.sqrt(max(Vall[k + 1, k + 1], 0.0)))
    theta = 1.0 / np.sqrt(1.0 + d.T * phi)
    return Vall[np.ix_(keep, keep)], {
        "phi_se": phi_se, "theta_se": float(0.5 * d.T * theta**3 * phi_se),
        "re_cov_note": "observed information (numerical Hessian of the full log-likelihood in beta, the spatial "
                       "parameter, phi and sigma2); phi estimated, not fixed",
    }
