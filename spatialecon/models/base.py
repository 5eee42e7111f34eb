"""Common machinery of the model classes: validation, design, fit, results.

Model classes are thin: they declare their kind (which spatial parameters)
and default Durbin terms. ``__init__`` validates and stores (nothing is
estimated there); :meth:`SpatialModel.fit` runs the one estimation core and
returns an immutable :class:`~spatialecon.results.base.SpatialResults`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

import numpy as np
import pandas as pd

from .._options import CovType, Effects, LogDetMethod, RandomError, TraceMethod, validate
from ..errors import DataError, EstimationError, OptionError
from ..formula import durbin_names as _resolve_durbin
from ..estimation.logdet import AUTO_EIGEN_MAX
from ..formula import parse_formula
from ..results.base import ModelSpec, SpatialResults
from . import _fit
from ._design import CrossDesign, align_w, check_rank, check_X, check_y

__all__ = ["SpatialModel"]

_FAMILY = {"ols": "ols", "slx": "ols", "sar": "lag", "sdm": "lag", "sem": "error", "sdem": "error", "sac": "sac"}
_FIT_KEYS = {"n_grid", "tol", "eps", "bound_tol", "on_bound", "maxiter"}


def _version() -> str:
    from .. import __version__

    return __version__


def _is_panel(y) -> bool:
    return isinstance(getattr(y, "index", None), pd.MultiIndex) and y.index.nlevels == 2


class SpatialModel:
    """Base class of OLS, SLX, SAR, SEM, SDM, SDEM and SAC.

    Parameters
    ----------
    y : pandas.Series
        Response, indexed by region id (cross-section) or by a (region, time)
        MultiIndex (panel).
    X : pandas.DataFrame, optional
        Regressors on the same index; a constant ``const`` is added unless
        ``constant=False``. Do not include a constant column yourself.
    w : libpysal.graph.Graph
        Spatial weights keyed by region id (aligned to ``y`` by id, never by
        position). Not renormalised: the transformation of the Graph is the one
        estimated with. For panels a mapping period -> Graph gives a
        time-varying W. Not needed for OLS.
    constant : bool, default True
    durbin : bool or list of str
        Regressors that get a spatial lag ``W_<x>`` (``True``: all non-constant
        regressors). Default ``True`` for SLX, SDM, SDEM, else ``False``.
    effects : {None, "region", "time", "twoways", "random"}
        Panel effects (panels only).
    lee_yu : bool
        Lee-Yu (2010) bias correction for fixed-effects panels.
    random_error : {"kkp", "baltagi"}, optional
        Form of the random-effects spatial error panel (SEM, SDEM with
        ``effects="random"`` only; default ``"kkp"``). ``"kkp"``: Kapoor-Kelejian-Prucha,
        the spatial filter acts on the random effect too (R splm ``spatial.error="kkp"``);
        ``"baltagi"``: Baltagi, Song and Koh (2003), the filter acts on the idiosyncratic
        error only (splm's default ``spatial.error="b"``; dense N x N algebra, N <= 3000).
        See ``docs/panels.md``.
    allow_islands : bool, default False
        Accept units without neighbours (otherwise :class:`WeightsError`).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from libpysal.graph import Graph
    >>> from libpysal.weights import lat2W
    >>> from spatialecon.models import SDM
    >>> w = Graph.from_W(lat2W(5, 5)).transform("r")
    >>> X = pd.DataFrame({"x": np.arange(25.0) % 4}, index=w.unique_ids)
    >>> y = pd.Series(np.arange(25.0) % 3, index=w.unique_ids)
    >>> m = SDM(y, X, w, durbin=["x"])
    >>> m.durbin_names, list(m.exog.columns)
    (('x',), ['const', 'x', 'W_x'])
    """

    kind: str = ""
    name: str = ""
    default_durbin: bool = False

    def __init__(self, y, X=None, w=None, *, constant: bool = True, durbin=None, effects: str | None = None,
                 lee_yu: bool = False, random_error: str | None = None, allow_islands: bool = False):
        validate("effects", effects, Effects, allow_none=True)
        validate("random_error", random_error, RandomError, allow_none=True)
        if random_error is not None and effects != "random":
            raise OptionError(f"random_error={random_error!r} applies to random-effects panels only "
                              f"(effects='random'); got effects={effects!r}.")
        if random_error is not None and self.kind not in ("sem", "sdem"):
            raise OptionError(f"random_error={random_error!r} chooses the form of the random-effects spatial error "
                              f"model and applies to SEM and SDEM only, not {self.name or self.kind.upper()}.")
        self.y = check_y(y)
        self.is_panel = _is_panel(self.y)
        if effects is not None and not self.is_panel:
            raise OptionError(f"effects={effects!r} needs panel data: y with a (region, time) MultiIndex.")
        if lee_yu and not self.is_panel:
            raise OptionError("lee_yu=True needs panel data.")
        self.X = check_X(X, self.y.index)
        self.constant = bool(constant)
        self.effects = effects
        self.lee_yu = bool(lee_yu)
        self.random_error = random_error
        self.allow_islands = bool(allow_islands)
        self.w = w
        if durbin is None:
            durbin = self.default_durbin
        if self.kind in ("ols", "sar", "sem", "sac") and durbin not in (False, None, (), []):
            raise OptionError(f"{self.name} has no Durbin terms; use SLX, SDM or SDEM (durbin={durbin!r}).")
        self.durbin_names = _resolve_durbin(durbin, list(self.X.columns))
        if self.kind in ("slx", "sdm", "sdem") and not self.durbin_names and self.X.shape[1] == 0:
            raise DataError(f"{self.name} needs at least one regressor for its W_<x> terms.")
        self.W = None
        self.ids = None
        if self.is_panel:
            if w is None and (self.kind != "ols" or self.durbin_names):
                raise OptionError(f"{self.name} on panel data needs w.")
            return
        self.ids = self.y.index
        needs_w = self.kind != "ols"
        if w is None and needs_w:
            raise OptionError(f"{self.name} needs spatial weights w (a libpysal Graph keyed by region id).")
        if w is not None:
            self.W = align_w(w, self.y.index, allow_islands=self.allow_islands)
        self.exog = self._exog()
        check_rank(self.exog.to_numpy(), list(self.exog.columns))

    # ------------------------------------------------------------------ design
    def _exog(self) -> pd.DataFrame:
        X = self.X
        if self.constant:
            X = pd.concat([pd.DataFrame({"const": 1.0}, index=X.index), X], axis=1)
        if self.durbin_names:
            WX = self.W @ self.X[list(self.durbin_names)].to_numpy()
            X = pd.concat([X, pd.DataFrame(WX, index=X.index, columns=[f"W_{n}" for n in self.durbin_names])],
                          axis=1)
        return X

    @classmethod
    def from_formula(cls, formula: str, data: pd.DataFrame, w=None, **kwargs):
        """Build the model from a formula (formulaic), e.g. ``"g ~ lny0 + inv"``.

        The intercept of the formula becomes ``const`` (``"y ~ x - 1"`` drops it).
        Other keyword arguments go to the constructor.

        Examples
        --------
        >>> import numpy as np, pandas as pd
        >>> from libpysal.graph import Graph
        >>> df = pd.DataFrame({"y": [1.0, 2.5, 2.0, 4.0, 3.5], "x": [0.5, 1.0, 2.0, 3.0, 2.5]},
        ...                   index=list("abcde"))
        >>> from spatialecon.models import OLS
        >>> OLS.from_formula("y ~ x", df).fit().params.index.tolist()
        ['const', 'x']
        """
        y, X, constant = parse_formula(formula, data)
        if "constant" in kwargs and kwargs["constant"] != constant:
            raise OptionError("give the constant through the formula ('- 1' drops it), not constant=.")
        kwargs["constant"] = constant
        model = cls(y, X, w, **kwargs)
        model.formula = formula
        return model

    def _cross_design(self, logdet, trace_method, seed, logdet_opts) -> CrossDesign:
        W = self.W
        if W is None:
            import scipy.sparse as sp

            W = sp.csr_matrix((len(self.y), len(self.y)))
        return CrossDesign(self.y.to_numpy(), self.exog.to_numpy(), list(self.exog.columns), W, self.y.index,
                           logdet_option=logdet, trace_method=trace_method, seed=seed, logdet_opts=logdet_opts)

    def _panel_design(self, logdet, trace_method="auto", seed=0, logdet_opts=None):
        try:
            from ._panel import prepare_panel
        except ImportError as exc:
            raise EstimationError("panel support not available (spatialecon.models._panel).") from exc
        X = self.X if self.X.shape[1] else None
        d = prepare_panel(self.y, X, self.w, effects=self.effects, lee_yu=self.lee_yu,
                          durbin_names=self.durbin_names, constant=self.constant)
        if hasattr(d, "logdet_option"):
            # every fit option the design holds (before 2026-12-02 only the log-determinant was passed, so
            # panels ignored trace_method and drew unseeded probes for stochastic traces above 2000 units)
            d = replace(d, logdet_option=logdet, trace_method=trace_method, seed=seed,
                        logdet_opts=dict(logdet_opts or {}))
        return d

    # ------------------------------------------------------------------ fit
    def fit(self, *, logdet: str = "auto", method: str = "ml", on_bound: str = "warn", tol: float = 1e-8,
            bounds: tuple[float, float] | None = None, trace_method: str = "auto", seed=None, n_grid: int | None = None,
            cov: str = "analytic", **opts) -> SpatialResults:
        """Estimate the model.

        Parameters
        ----------
        logdet : {"auto", "eigen", "lu", "cholesky", "chebyshev", "mc"}
            Log-determinant strategy (:func:`spatialecon.estimation.logdet.make_logdet`).
        method : {"ml", "gmm"}
            ``"gmm"`` runs spreg's GMM estimators (:mod:`spatialecon.models._gmm`).
        on_bound : {"warn", "raise", "ignore"}
            What to do when rho/lambda sits on a bound of its interval.
        tol : float
            Tolerance of the 1-D optimiser (on rho/lambda).
        bounds : (float, float), optional
            Search interval; default the eigenvalue interval of W.
        trace_method : {"auto", "exact", "stochastic", "series"}
            How the traces of the information matrix are computed.
        seed : int, optional
            Seed of stochastic approximations (stochastic traces above N = 2000,
            Monte Carlo log-determinants). Default 0, so that the same inputs always
            give the same numbers; the seed used is recorded in ``options["seed"]``.
        cov : {"analytic", "hessian"}
            ``"analytic"``: inverse of the analytic (expected) information
            matrix, as R spatialreg's ``method="eigen"`` default;
            ``"hessian"``: inverse of the numerical Hessian of the full
            log-likelihood (observed information; costs many log-determinant
            evaluations). For random-effects panels the variance ratio phi is a
            parameter of that Hessian (``info["phi_se"]``); these are the SEs R splm
            prints for phi and the spatial parameter. OLS/SLX always use the
            classical covariance.
        n_grid : int, optional
            Points of the coarse grid before the 1-D search (guards against
            local optima). Default 11 when the log-determinant is cheap
            (eigenvalues), 5 otherwise (each point costs a sparse LU). Left at
            None with more than 1,000 units and an exact sparse log-determinant
            (``"auto"``, ``"lu"``, ``"cholesky"``), the 1-D search is *guided*:
            a Chebyshev approximation of the log-determinant locates the optimum
            and a few exact evaluations correct it
            (:func:`spatialecon.estimation.optimise.maximise_scalar_guided`; the
            estimate is the maximiser of the exact likelihood, and the search
            falls back to grid and Brent when the corrections do not settle).
            ``info["optimiser"]`` records which search ran and how many exact
            evaluations it took.
        **opts
            ``bound_tol``, ``eps``, ``maxiter``; approximation options
            (``order``, ``n_vectors``); GMM options when ``method="gmm"``.

        Returns
        -------
        SpatialResults

        Examples
        --------
        >>> import numpy as np, pandas as pd
        >>> from libpysal.graph import Graph
        >>> from libpysal.weights import lat2W
        >>> from spatialecon.models import SEM
        >>> w = Graph.from_W(lat2W(6, 6)).transform("r")
        >>> rng = np.random.default_rng(0)
        >>> X = pd.DataFrame({"x": rng.normal(size=36)}, index=w.unique_ids)
        >>> y = pd.Series(1 + X["x"] + rng.normal(size=36), index=w.unique_ids)
        >>> r = SEM(y, X, w).fit(logdet="lu")
        >>> r.logdet_method, list(r.params.index)
        ('lu', ['const', 'x', 'lambda'])
        """
        if method not in ("ml", "gmm"):
            raise OptionError(f"method={method!r} is not valid; choose one of 'ml', 'gmm'.")
        if method == "gmm" and self.random_error == "baltagi":
            raise OptionError("random_error='baltagi' is estimated by ML only; the GMM random-effects error "
                              "estimator is the Kapoor-Kelejian-Prucha form (random_error='kkp').")
        if method == "gmm":
            try:
                from ._gmm import fit_gmm
            except ImportError as exc:
                raise EstimationError("GMM estimation is not available (spatialecon.models._gmm).") from exc
            return fit_gmm(self, **opts)
        validate("logdet", logdet, LogDetMethod)
        validate("trace_method", trace_method, TraceMethod)
        validate("cov", cov, CovType)
        if seed is None:  # reproducible by default: same inputs -> same numbers
            seed = 0
        guided = False
        if n_grid is None:
            n_nodes = len(self.y) if not self.is_panel else len(self.y.index.get_level_values(0).unique())
            cheap = logdet == "eigen" or (logdet == "auto" and n_nodes <= AUTO_EIGEN_MAX)
            n_grid = 11 if cheap else 5
            # an exact sparse log-determinant is a factorisation per evaluation: let a cheap
            # Chebyshev approximation guide the search (the optimum is still the exact one)
            guided = n_nodes > AUTO_EIGEN_MAX and logdet in ("auto", "lu", "cholesky")
        opt = {"on_bound": on_bound, "tol": tol, "n_grid": n_grid, "guided": guided}
        opt.update({k: v for k, v in opts.items() if k in _FIT_KEYS})
        logdet_opts = {k: v for k, v in opts.items() if k in ("order", "n_vectors")}
        unknown = set(opts) - _FIT_KEYS - {"order", "n_vectors"}
        if unknown:
            raise OptionError(f"unknown fit options {sorted(unknown)}.")
        options = {"logdet": logdet, "method": "ml", "on_bound": on_bound, "tol": tol, "bounds": bounds,
                   "trace_method": trace_method, "seed": seed, "n_grid": n_grid, "cov": cov, **opts}
        family = _FAMILY[self.kind]
        if family == "sac" and self.is_panel and (self.lee_yu or self.effects in ("time", "twoways", "random")
                                                  or isinstance(self.w, Mapping) or hasattr(self.w, "graphs")):
            raise EstimationError("SAC on panels is implemented for a constant W with effects None or 'region' "
                                  "(no Lee-Yu); use SAR/SEM/SDM/SDEM for other panel designs.")
        if self.is_panel:
            d = self._panel_design(logdet, trace_method, seed, logdet_opts)
        else:
            d = self._cross_design(logdet, trace_method, seed, logdet_opts)
        if self.random_error == "baltagi":
            from ._panel_re import fit_baltagi_design

            fit = d.finalise(fit_baltagi_design(d, bounds=bounds, opt=opt, cov=cov))
            return self._results(fit, family, options)
        fit = self._estimate(d, family, bounds, opt, cov)
        return self._results(fit, family, options)

    def _estimate(self, d, family: str, bounds, opt: dict, cov: str = "analytic") -> dict:
        if family == "ols":
            def fn(dd):
                return _fit.estimate_ols(dd)
        elif family == "lag":
            def fn(dd):
                return _fit.estimate_lag(dd, bounds=bounds, opt=opt)
        elif family == "error":
            def fn(dd):
                return _fit.estimate_error(dd, bounds=bounds, opt=opt)
        else:
            def fn(dd):
                return _fit.estimate_sac(dd, bounds=bounds, bounds_lam=bounds, opt=opt)
        if hasattr(d, "estimate") and callable(d.estimate):
            fit = dict(d.estimate(fn))
            d = fit.get("design", d)
        else:
            fit = fn(d)
        fit["design"] = d
        cov_fn = {"ols": _fit.covariance_ols, "lag": _fit.covariance_lag, "error": _fit.covariance_error,
                  "sac": _fit.covariance_sac}[family]
        out = cov_fn(d, fit)
        V, tr = (out, None) if family == "ols" else out
        re_observed = (cov == "hessian" and getattr(d, "effects", None) == "random" and family in ("lag", "error")
                       and fit.get("phi") is not None)
        if cov == "hessian" and family != "ols" and not re_observed:
            V = _fit.covariance_hessian(d, fit, family)
        fit["cov_full"] = V
        fit["traces"] = tr
        k = d.X.shape[1]
        if family == "lag":
            fit["cov_beta_rho"] = V[: k + 1, : k + 1]
        elif family == "ols":
            fit["cov_beta_rho"] = V
        if hasattr(d, "finalise") and callable(d.finalise):
            fit = d.finalise(fit)
        if re_observed:  # phi is a parameter of the observed information (replaces the expected-information terms)
            from ._panel_re import re_observed_covariance

            V, extra = re_observed_covariance(d, fit, family)
            fit["cov_full"] = V
            if family == "lag":
                fit["cov_beta_rho"] = V[: k + 1, : k + 1]
            fit["info"] = {**fit.get("info", {}), **extra}
        return fit

    # ------------------------------------------------------------------ results
    def _results(self, fit: dict, family: str, options: dict) -> SpatialResults:
        d = fit["design"]
        names = list(d.names)
        values = list(np.asarray(fit["beta"], dtype=float))
        labels = list(names)
        if family in ("lag", "sac"):
            labels.append("rho")
            values.append(fit["rho"])
        if family in ("error", "sac"):
            labels.append("lambda")
            values.append(fit["lam"])
        p = len(labels)
        V = np.asarray(fit["cov_full"])
        params = pd.Series(values, index=labels, name="params", dtype=float)
        cov = pd.DataFrame(V[:p, :p], index=labels, columns=labels)
        info = dict(fit.get("info", {}))
        if family != "ols":
            info["var_sigma2"] = float(V[p, p])
            info["cov_sigma2"] = pd.Series(V[p, :p], index=labels)
            o = fit["optimiser"]
            info["optimiser"] = {kk: o[kk] for kk in ("optimiser", "nfev", "at_bound", "bounds", "fun",
                                                      "bounds_note", "guide_start", "stencil") if kk in o}
            info["bounds"] = o["bounds"]
            band_fn = getattr(d, "logdet_error_band", None)
            if callable(band_fn):
                spatial = [v for v in (fit.get("rho"), fit.get("lam")) if v is not None]
                bands = [band_fn(float(v)) for v in spatial]
                if bands and all(b is not None for b in bands):
                    # half-width of the approximation's error band on the log-likelihood at the estimate
                    info["logdet_error_band"] = float(sum(bands))
            tr = fit.get("traces") or {}
            info["trace_method"] = tr.get("method")
            info["traces"] = {kk: v for kk, v in tr.items() if kk != "method"}
        else:
            info["df_resid"] = fit["df_resid"]
            info["sigma2_unbiased"] = fit["sse"] / fit["df_resid"]
            info["se_convention"] = ("classical: s^2 (X'X)^-1 with s^2 = SSE/df_resid, df_resid = n - k "
                                     "(minus absorbed fixed effects in panels), as R lm / plm")
        yv = np.asarray(d.y, dtype=float)
        e = np.asarray(fit["resid"], dtype=float)
        idx = d.index
        resid = pd.Series(e, index=idx, name="resid")
        fitted = pd.Series(yv - e, index=idx, name="fitted")
        ys = pd.Series(yv, index=idx, name=self.y.name)
        exog = pd.DataFrame(np.asarray(d.X), index=idx, columns=names)
        spec = ModelSpec(kind=self.kind, exog_names=tuple(n for n in names if not n.startswith("W_")
                                                           or n[2:] not in self.durbin_names),
                         durbin_names=tuple(self.durbin_names), constant="const" in names,
                         effects=self.effects, lee_yu=self.lee_yu)
        if self.is_panel:
            W = getattr(d, "W", None)
            ids, T, time_ids = d.ids, d.T, d.time_ids
            if getattr(d, "W_t", None) is not None:
                info["W_t"] = d.W_t
            logdet_method = getattr(d, "logdet_method", None)
        else:
            W, ids, T, time_ids = self.W, self.y.index, 1, None
            logdet_method = d.logdet_method
        if family == "ols":
            logdet_method = None
        if getattr(self, "formula", None):
            info["formula"] = self.formula
        info.setdefault("resid_definition", ("innovations e: A(rho) y - X b (lag), B(lambda)(y - X b) (error), "
                                             "B(lambda)(A(rho) y - X b) (SAC); fitted = y - resid"))
        if self.is_panel and self.effects == "random" and family == "error":
            info.setdefault("random_error", "kkp")
        return SpatialResults(
            model_name=self.name, spec=spec, params=params, cov=cov, sigma2=float(fit["sigma2"]),
            loglik=float(fit["loglik"]), nobs=int(d.n_eff), y=ys, fitted=fitted, resid=resid, exog=exog,
            ids=pd.Index(ids), W=W, n_periods=int(T), time_ids=time_ids, method="ML" if family != "ols" else "OLS",
            logdet_method=logdet_method, options=options, info=info, version=_version(),
        )
