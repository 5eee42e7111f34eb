"""Panel extension point: turn labelled panel data into a :class:`PanelDesign`.

Model classes call :func:`prepare_panel` when ``y`` has a 2-level
(region, time) MultiIndex, then run the one estimation core on the design's
time-major stacked arrays with ``design.lag``, ``design.logdet`` and
``design.n_eff`` (contract: ``docs/design.md``, "Panel extension point").

Conventions (documented choices)
--------------------------------
* Stacking is time-major: row ``t * N + i`` is region ``ids[i]`` in period
  ``time_ids[t]``; ``ids`` are sorted region labels, ``time_ids`` sorted periods.
* A balanced panel is required (every region in every period): the spatial lag
  ``(I_T kron W) y`` needs all regions in each period.
* Under fixed effects (``"region"``, ``"time"``, ``"twoways"``) the constant is
  dropped (it is absorbed by the effects; recovered as ``info["intercept"]``).
* Durbin terms ``W_<x>`` are formed on the raw X with the period's W **before**
  any demeaning.
* Time and two-way effects need a row-standardised W (then the time demeaning
  commutes with the spatial filter: ``lag(v) = Q (I_T kron W) v``).
* Random effects: ``theta = 1/sqrt(1 + T phi)`` quasi-demeaning; the Jacobian
  term includes ``-(N/2) log(1 + T phi)`` and phi is profiled by
  :meth:`PanelDesign.estimate`. For the error model this is the
  Kapoor-Kelejian-Prucha form (the spatial filter applies to the random effect
  as well), as in R ``splm::spml(..., spatial.error="kkp")``. The Baltagi-Song-Koh
  form (``random_error="baltagi"``, splm's default ``spatial.error="b"``) is
  estimated separately by :mod:`._panel_re` (dense algebra, N <= 3000).
* Recovered fixed effects (``info["region_effects"]``, ``info["time_effects"]``)
  follow splm's convention: an overall ``intercept`` plus deviations that sum to
  zero; ``mu`` is intercept + deviation (Elhorst's ``mu_i`` for region effects).
  The standard error of ``mu_i`` is ``sqrt(sigma2/T + zbar_i' V zbar_i)``
  (Elhorst 2014, eq. 3.25), ``zbar_i`` the region's time-mean of the
  regressors (and of ``Wy`` for lag models), ``V`` their covariance; for a
  time effect ``sqrt(sigma2/N + zbar_t' V zbar_t)``. For error models the
  effects are ``mean(y - X b)`` (the spatial filter is not applied), as in
  Elhorst's code and splm.

Time-varying W (a period -> Graph mapping)
------------------------------------------
Each period has its own (aligned) ``W_t``; a Graph repeated over periods is
factorised once. The Jacobian is ``sum_t log|I - rho W_t|`` and the admissible
rho interval is the intersection of the yearly intervals.

* effects ``None`` / ``"time"``: the lag is ``blockdiag(W_t) v`` (time-demeaned;
  that commutes with each row-standardised ``W_t``); every model family.
* effects ``"region"`` / ``"twoways"``, lag models (SAR, SDM; also OLS/SLX):
  the direct (Elhorst) approach for ``y_t = rho W_t y_t + X_t b + W_t X_t theta
  + mu + alpha_t + e_t``. The lag ``Wy = blockdiag(W_t) y`` and the Durbin terms
  are formed on the raw data, then demeaned (``Q``), so the residual
  ``e~ = Q y - rho Q Wy - Q X b`` is linear in rho and the usual concentrated
  likelihood applies (``n = NT``; ``design.Wy_fixed`` holds ``Q Wy``). Demeaning
  ``y`` first and lagging afterwards would be wrong: region demeaning mixes
  periods and does not commute with a W that changes by year.
  Information matrix (fixed effects concentrated out of the full expected
  information): traces ``sum_t tr(G_t)``, ``sum_t tr(G_t G_t)``,
  ``sum_t tr(G_t' G_t)`` with ``G_t = W_t (I - rho W_t)^{-1}``, and the mean term
  ``Q G mu_hat`` with ``mu_hat = X b + D gamma_hat`` the fitted mean *including
  the fixed effects* (``= A(rho) y - e~``, so ``Q G mu_hat = Q Wy - Q G e~``).
  With a constant W, ``Q G D gamma = 0`` and this is the usual ``Q G X~ b``; with
  a W that changes by year ``G_t mu`` varies over time and carries information on
  rho (dropping it misstates the SE of rho, by 15 % in the tests).
  As with a constant W the direct approach's sigma2 is biased by O(1/T) for
  region effects (and rho, beta by O(1/N) extra for two-way effects; Lee and Yu
  2010).
* ``lee_yu=True`` with region/two-way effects and a time-varying W raises
  :class:`~spatialecon.errors.EstimationError`: the transformation
  ``F_T' kron W`` needs the same W in every period.
* Error models (SEM, SDEM, SAC) with region/two-way effects and a time-varying W
  raise: in ``u_t = lambda W_t u_t + e_t`` the filtered effect
  ``(I - lambda W_t) mu`` changes by year and does not drop out by demeaning.
* Random effects with a time-varying W raise (the quasi-demeaning does not
  commute with ``W_t`` and the covariance is no longer of Kronecker form).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy import optimize

from .._options import Effects, validate
from ..errors import DataError, EstimationError, WeightsError
from ..estimation import panel as pt
from ..estimation.logdet import make_logdet
from ._panel_checks import (  # is_panel is re-exported here
    _check_level_order,
    _check_panel_index,
    _check_rank,
    _weights_by_period,
    is_panel,
)
from ._panel_effects import _random_effects_covariance, _recover_effects

__all__ = ["PanelDesign", "prepare_panel", "is_panel"]


# ----------------------------------------------------------------- the design
@dataclass(frozen=True, eq=False)
class PanelDesign:
    """Time-major stacked panel design consumed by the estimation core.

    Attributes
    ----------
    y, X : ndarray
        Transformed response (NT,) and design (NT, k) with columns ``names``.
    names : list of str
        ``[const?] + regressors + W_<x>``.
    N, T : int
    ids, time_ids : pd.Index
    index : pd.MultiIndex
        (region, time) labels of the stacked rows.
    W : csr (N, N) or None; W_t : list of T csr or None.
    effects : str or None; lee_yu : bool
    n_eff : int
        Observations in the likelihood after the transformation.
    phi : float or None
        Random-effects variance ratio used for the current transformation.
    y_raw, X_raw : ndarray
        Untransformed stacked arrays (X_raw includes the Durbin columns).
    logdet_option, logdet_opts, trace_method, seed
        How ``logdet`` and ``traces`` are computed (set by the model's
        ``fit(logdet=..., trace_method=..., seed=...)`` through ``dataclasses.replace``).

    Methods used by the core: ``lag``, ``logdet``, ``traces``, ``solve``,
    ``bounds``, ``estimate`` (profiles phi for random effects) and ``finalise``.
    """

    y: np.ndarray
    X: np.ndarray
    names: list
    N: int
    T: int
    ids: pd.Index
    time_ids: pd.Index
    index: pd.MultiIndex
    W: sp.csr_matrix | None
    W_t: list | None
    effects: str | None
    lee_yu: bool
    n_eff: int
    y_raw: np.ndarray
    X_raw: np.ndarray
    durbin_names: tuple = ()
    constant: bool = False
    phi: float | None = None
    logdet_option: str = "auto"
    trace_method: str = "auto"
    seed: object = None
    logdet_opts: dict = field(default_factory=dict)
    _ld: dict = field(default_factory=dict, repr=False)
    Wy_fixed: np.ndarray | None = field(default=None, repr=False)

    # ---- operators ------------------------------------------------------
    def lag_raw(self, v: np.ndarray) -> np.ndarray:
        """``(I_T kron W) v`` (or blockdiag(W_t) v) for a stacked (NT,) or (NT, k) array."""
        v = np.asarray(v, dtype=float)
        vec = v.ndim == 1
        v3 = v.reshape(self.T, self.N, -1)
        if self.W_t is None:
            out = (self.W @ v3.transpose(1, 0, 2).reshape(self.N, -1)).reshape(self.N, self.T, -1).transpose(1, 0, 2)
        else:
            out = np.stack([Wt @ v3[t] for t, Wt in enumerate(self.W_t)])
        out = out.reshape(self.N * self.T, -1)
        return out[:, 0] if vec else out

    def lag(self, v: np.ndarray) -> np.ndarray:
        """Spatial lag of a transformed stacked vector, kept in the transformed space.

        ``Q (I_T kron W) v`` with ``Q`` the demeaning of ``effects``; for region
        effects and constant W the projection is a no-op (it commutes).
        """
        out = self.lag_raw(v)
        if self.W_t is not None and self.effects in ("region", "twoways"):
            return pt.demean(out, self.N, self.T, self.effects)
        if self.effects in ("time", "twoways"):
            out = pt.demean(out, self.N, self.T, "time")
        return out

    # ---- time-varying W with region / two-way fixed effects (direct approach) ----
    error_model_message = (
        "error models (SEM, SDEM, SAC) with region or two-way fixed effects need a constant W: with "
        "u_t = lambda W_t u_t + e_t the filtered fixed effect (I - lambda W_t) mu changes by year, so it does "
        "not drop out by demeaning over time. Use a lag model (SAR, SDM), a constant W, or effects=None/'time'."
    )

    def mean_lag(self, rho: float, beta: np.ndarray, resid: np.ndarray) -> np.ndarray:
        """``Q G mu_hat``: the demeaned spatial lag of the fitted mean for the information matrix.

        ``G = blockdiag(W_t (I - rho W_t)^{-1})`` and ``mu_hat = X b + D gamma_hat`` (fixed effects
        included) ``= A(rho) y - e~``, so ``Q G mu_hat = Q W y - Q G e~`` with ``e~`` the (demeaned)
        residuals. For a constant W this equals ``Q G X~ b`` (``Q G D gamma = 0``); for a W that
        changes by year ``G_t mu`` varies over time and is kept.
        """
        Ge = self.lag_raw(self.solve(rho, np.asarray(resid, dtype=float)))
        return np.asarray(self.Wy_fixed, dtype=float) - pt.demean(Ge, self.N, self.T, self.effects)

    def _logdet_W(self, rho: float) -> float:
        key = "ld"
        if self._ld.get(key) is None:
            mats = [self.W] if self.W_t is None else self.W_t
            made: dict = {}
            for M in mats:
                if id(M) not in made:
                    made[id(M)] = make_logdet(M, self.logdet_option, bounds=self.rho_bounds, seed=self.seed,
                                              **self.logdet_opts)
            self._ld[key] = [made[id(M)] for M in mats]
        lds = self._ld[key]
        memo = self._ld.setdefault("memo", {})  # a sparse factorisation per value: never twice
        rho = float(rho)
        if rho not in memo:
            if len(memo) > 256:
                memo.clear()
            if self.W_t is None:
                memo[rho] = float(lds[0](rho))
            else:
                memo[rho] = float(sum(ld(rho) for ld in lds)) / self.T  # per-period average; times T below
        return memo[rho]

    def with_logdet(self, method: str = "auto") -> "PanelDesign":
        """The same design with another log-determinant strategy (``fit(logdet=...)``)."""
        return replace(self, logdet_option=method, _ld={})

    def bounds(self) -> tuple[float, float]:
        """Same as :attr:`rho_bounds` (the interface of the cross-section design)."""
        return self.rho_bounds

    def solve(self, rho: float, v: np.ndarray) -> np.ndarray:
        """``(I_T kron (I - rho W))^{-1} v`` (blockdiag for time-varying W); one sparse LU per
        distinct W, cached for the last rho."""
        v = np.asarray(v, dtype=float)
        lus = self._solvers(float(rho))
        v3 = v.reshape(self.T, self.N, -1)
        if len(lus) == 1:
            out = lus[0].solve(np.ascontiguousarray(v3.transpose(1, 0, 2).reshape(self.N, -1)))
            out = out.reshape(self.N, self.T, -1).transpose(1, 0, 2)
        else:
            out = np.stack([lus[t].solve(np.ascontiguousarray(v3[t])) for t in range(self.T)])
        return out.reshape(v.shape)

    def _solvers(self, rho: float) -> list:
        """Factorisations of ``I - rho W`` (one per distinct W; the design's own, shared with the
        traces, when it has one), cached for the last rho."""
        if self._ld.get("lu_key") != ("lu", rho):
            import scipy.sparse.linalg as spla

            own = self._sparse_ld()
            mats = [self.W] if self.W_t is None else self.W_t
            eye = sp.identity(self.N, format="csc")
            made: dict = {}
            for M in mats:
                if id(M) not in made:
                    made[id(M)] = own.solver(rho) if own is not None else \
                        spla.splu(sp.csc_matrix(eye - rho * sp.csc_matrix(M)))
            self._ld["lu"] = [made[id(M)] for M in mats]
            self._ld["lu_key"] = ("lu", rho)
        return self._ld["lu"]

    @property
    def rho_bounds(self) -> tuple[float, float]:
        """Admissible interval for rho/lambda: ``(1/omega_min, 1/omega_max)`` of W (for a
        time-varying W the intersection over the years)."""
        if "bounds" not in self._ld:
            from ._design import quick_bounds

            mats = [self.W] if self.W_t is None else self.W_t
            self._ld["bounds"], self._ld["bounds_note"] = quick_bounds({id(M): M for M in mats}.values())
        return self._ld["bounds"]

    @property
    def bounds_note(self) -> str | None:
        """Why the search interval is ``(-1, 1)`` rather than the eigenvalue interval (None if exact)."""
        self.rho_bounds
        return self._ld.get("bounds_note")

    def exact_bounds(self) -> tuple[float, float]:
        """The admissible interval from the eigenvalues of W (replaces a quick ``(-1, 1)``)."""
        if self._ld.get("bounds_note") is not None:
            from ._design import w_bounds

            mats = [self.W] if self.W_t is None else self.W_t
            self._ld["bounds"] = w_bounds({id(M): M for M in mats}.values())
            self._ld["bounds_note"] = None
            self._ld["guide"] = None  # built on the quick interval
            if self.logdet_method == "chebyshev":  # so was this approximation
                self._ld["ld"] = None
                self._ld["memo"] = {}
        return self._ld["bounds"]

    @property
    def logdet_method(self) -> str | None:
        lds = self._ld.get("ld")
        return getattr(lds[0], "method", None) if lds else None

    def logdet(self, rho: float) -> float:
        """Jacobian of the panel likelihood: ``T log|I - rho W|`` (or the sum over
        years), Lee-Yu adjusted; for random effects plus ``-(N/2) log(1 + T phi)``."""
        val = pt.logdet_panel(self._logdet_W(rho), rho, self.T, self.effects, lee_yu=self.lee_yu)
        if self.effects == "random" and self.phi is not None:
            val -= 0.5 * self.N * np.log1p(self.T * self.phi)
        return float(val)

    def logdet_error_band(self, rho: float) -> float | None:
        """Half-width of the error band of an approximate log-determinant at ``rho``, scaled as the
        panel Jacobian (``T`` or ``T - 1`` times the per-period band); None if exact."""
        lds = self._ld.get("ld") or []
        bands = [getattr(ld, "error_band", None) for ld in lds]
        if not bands or not all(callable(b) for b in bands):
            return None
        per = float(np.mean([b(rho) for b in bands]))
        mult = pt.logdet_panel(1.0, 0.0, self.T, self.effects, lee_yu=self.lee_yu)
        return float(abs(mult) * per)

    def guide_logdet(self):
        """Cheap approximation of :meth:`logdet` guiding the 1-D search (exact sparse
        log-determinants only; see :func:`spatialecon.models._design.guide_for`), or None."""
        self._logdet_W(0.0)
        if self.logdet_method not in ("lu", "cholesky"):
            return None
        if self._ld.get("guide") is None:
            from ._design import guide_for

            mats = [self.W] if self.W_t is None else self.W_t
            made: dict = {}
            for M in mats:
                if id(M) not in made:
                    made[id(M)] = guide_for(M, self.rho_bounds, self.seed)
            self._ld["guide"] = [made[id(M)] for M in mats]
        gs = self._ld["guide"]

        def g(rho: float) -> float:
            per = float(gs[0](rho)) if self.W_t is None else float(sum(f(rho) for f in gs)) / self.T
            val = pt.logdet_panel(per, rho, self.T, self.effects, lee_yu=self.lee_yu)
            if self.effects == "random" and self.phi is not None:
                val -= 0.5 * self.N * np.log1p(self.T * self.phi)
            return float(val)

        return g

    def traces(self, rho: float) -> dict:
        """Panel trace terms ``tr_G``, ``tr_GG``, ``tr_GtG`` for the information matrix (above
        2000 units with a constant W: on the design's own factorisations, as the cross-section)."""
        return pt.panel_traces(self.W if self.W_t is None else self.W_t, rho, T=self.T,
                               effects=self.effects, lee_yu=self.lee_yu, method=self.trace_method,
                               seed=self.seed, bounds=self.rho_bounds, reuse=self._trace_reuse(float(rho)))

    def _sparse_ld(self):
        from ..estimation.sparse import SparseLogDet

        lds = self._ld.get("ld") if self.W_t is None and self.N > 2000 else None
        own = getattr(lds[0], "_func", None) if lds else None
        return own if isinstance(own, SparseLogDet) else None

    def stencil_step(self, rho: float) -> float | None:
        """Step of the trace stencil at rho, for the guided search (see the cross-section design)."""
        own = self._sparse_ld()
        if own is None:
            return None
        from ..estimation.traces import stencil_step

        return stencil_step(own.radius, float(rho), self.rho_bounds)

    def remember_stencil(self, stencil) -> None:
        self._ld["search_stencil"] = stencil

    def _trace_reuse(self, rho: float) -> dict | None:
        own = self._sparse_ld()
        if own is None or self.trace_method not in ("auto", "stochastic"):
            return None
        from ._design import known_stencil

        memo = self._ld.get("memo", {})
        return {"sparse_logdet": own, "solver": self._solvers(rho)[0], "guide": (self._ld.get("guide") or [None])[0],
                "logdet_at_rho": memo.get(rho), "known_logdets": known_stencil(self._ld.get("search_stencil"), memo)}

    @property
    def Wy(self) -> np.ndarray:
        """Transformed spatial lag of the raw response: ``Q (I_T kron W) y_raw``."""
        return self._transform(self.lag_raw(self.y_raw))

    def _transform(self, a: np.ndarray) -> np.ndarray:
        if self.effects == "random":
            return pt.quasi_demean(a, self.N, self.T, pt.re_theta(self.phi or 0.0, self.T))
        return pt.demean(a, self.N, self.T, self.effects)

    # ---- random effects -------------------------------------------------
    def with_phi(self, phi: float) -> "PanelDesign":
        """The random-effects design re-transformed for ``phi = sigma_mu^2 / sigma_e^2``."""
        if self.effects != "random":
            raise EstimationError("with_phi() applies to effects='random' only.")
        theta = pt.re_theta(phi, self.T)
        return replace(self, phi=float(phi), y=pt.quasi_demean(self.y_raw, self.N, self.T, theta),
                       X=pt.quasi_demean(self.X_raw, self.N, self.T, theta), _ld=self._ld)

    def estimate(self, fit_fn: Callable[["PanelDesign"], dict]) -> dict:
        """Run ``fit_fn(design) -> fit dict`` (needs key ``"loglik"``); for random
        effects profile the likelihood over ``phi`` (bounded search on log phi,
        phi = 0 checked as the boundary) and return the best fit with
        ``fit["phi"]``, ``fit["theta"]`` and ``fit["design"]``."""
        if self.effects != "random":
            out = dict(fit_fn(self))
            out.setdefault("design", self)
            return out
        cache: dict = {}

        def run(d: "PanelDesign") -> dict:
            f = dict(fit_fn(d))
            if f.get("rho") is None and f.get("lam") is None:
                # non-spatial fits do not call design.logdet: add the RE Jacobian term here
                f["loglik"] = float(f["loglik"]) - 0.5 * d.N * np.log1p(d.T * float(d.phi))
            return f

        def negll(lphi: float) -> float:
            d = self.with_phi(float(np.exp(lphi)))
            f = run(d)
            cache[lphi] = (f, d)
            return -float(f["loglik"])

        res = optimize.minimize_scalar(negll, bounds=(-12.0, 7.0), method="bounded", options={"xatol": 1e-7})
        best, d = cache[res.x]
        zero = run(self.with_phi(0.0))
        if float(zero["loglik"]) > float(best["loglik"]):
            best, d = zero, self.with_phi(0.0)
        out = dict(best)
        out.update(phi=d.phi, theta=pt.re_theta(d.phi, self.T), design=d)
        return out

    # ---- after the fit --------------------------------------------------
    def finalise(self, fit: dict) -> dict:
        """Attach recovered fixed effects (and their SEs) and panel facts to ``fit``.

        ``fit`` needs ``beta`` (over ``names``) and may hold ``rho``, ``lam``,
        ``sigma2`` and ``cov_beta_rho`` (covariance of ``[beta, rho]``). Returns a
        new dict with ``info`` extended (``effects``, ``lee_yu``, ``n_eff``,
        ``N``, ``T``, and for fixed effects ``intercept``, ``region_effects``,
        ``time_effects``; for random effects ``phi``, ``theta``, ``sigma2_mu``).
        Since the core uses ``n_eff`` observations, ``sigma2`` already is the
        Lee-Yu corrected ``SSE / n_eff``; nothing is rescaled here.
        """
        out = dict(fit)
        info = dict(out.get("info", {}))
        info.update(effects=self.effects, lee_yu=self.lee_yu, n_eff=self.n_eff, N=self.N, T=self.T,
                    time_varying_W=self.W_t is not None)
        if self.lee_yu:
            info["lee_yu_note"] = _LEE_YU_NOTE[self.effects].format(N=self.N, T=self.T, n=self.n_eff)
        if self.effects in ("region", "time", "twoways") and "beta" in fit:
            info.update(_recover_effects(self, fit))
        if self.effects == "random" and fit.get("phi") is not None:
            info.update(phi=fit["phi"], theta=fit.get("theta"),
                        sigma2_mu=float(fit["phi"]) * float(fit.get("sigma2", np.nan)))
            if float(fit["phi"]) == 0.0:
                info["re_note"] = "phi at its lower bound 0: no region random effect, the model is pooled"
            elif float(fit["phi"]) > np.exp(6.9):
                info["re_note"] = "phi at the upper end of its search range: random effects close to fixed effects"
            aug = _random_effects_covariance(self, fit)
            if aug is not None:
                out["cov_full"] = aug.pop("cov_full")
                info.update(aug)
        out["info"] = info
        return out


_LEE_YU_NOTE = {
    "region": ("Lee-Yu (2010) transformation approach, region effects: n = N(T-1) = {n}, Jacobian (T-1) log|I - rho W|;"
               " rho and beta equal the direct approach, sigma2 = T/(T-1) x SSE/NT."),
    "time": ("Lee-Yu (2010) transformation approach, time effects: n = (N-1)T = {n}, Jacobian "
             "T [log|I - rho W| - log(1 - rho)]; rho, beta and sigma2 = SSE/n all corrected."),
    "twoways": ("Lee-Yu (2010) transformation approach, two-way effects: n = (N-1)(T-1) = {n}, Jacobian "
                "(T-1)[log|I - rho W| - log(1 - rho)]; rho, beta and sigma2 = SSE/n all corrected."),
}


def prepare_panel(y: pd.Series, X: pd.DataFrame | None, w, *, effects: str | None = None, lee_yu: bool = False,
                  durbin_names=(), constant: bool = True) -> PanelDesign:
    """Validate and transform a (region, time) panel for the estimation core.

    Parameters
    ----------
    y : pd.Series
        Response with a 2-level (region, time) MultiIndex.
    X : pd.DataFrame or None
        Regressors on the same index (a ``"const"`` column is dropped under fixed
        effects and added when ``constant`` and no fixed effects).
    w : libpysal Graph, or Mapping period -> Graph (time-varying W), or None
        Ids must be the panel's regions. ``None`` only for non-spatial designs (OLS without
        Durbin terms).
    effects : {None, "region", "time", "twoways", "random"}
    lee_yu : bool
        Lee-Yu (2010) transformation approach (see :mod:`spatialecon.estimation.panel`).
    durbin_names : sequence of str
        Regressors that get a Durbin term ``W_<x>`` (formed on raw X before demeaning).
    constant : bool
        Include a constant (ignored under fixed effects).

    Returns
    -------
    PanelDesign

    Raises
    ------
    PanelError
        Duplicates, gaps (listing the missing cells), fewer than 2 periods.
    WeightsError
        W ids not matching the regions; a period missing from a time-varying W;
        time/two-way effects with a W that is not row-standardised.
    SingularDesignError
        A regressor without variation after the transformation (e.g. constant
        within regions under region effects) or collinear columns (time dummies
        with time effects).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from libpysal.graph import Graph
    >>> w = Graph.from_adjacency(pd.DataFrame({"focal": ["a", "b", "b", "c"], "neighbor": ["b", "a", "c", "b"],
    ...                                        "weight": 1.0})).transform("r")
    >>> idx = pd.MultiIndex.from_product([["a", "b", "c"], [2000, 2001]], names=["region", "year"])
    >>> y = pd.Series(np.arange(6.0), index=idx)
    >>> X = pd.DataFrame({"x": [1.0, 4.0, 2.0, 0.0, 5.0, 3.0]}, index=idx)
    >>> d = prepare_panel(y, X, w, effects="region")
    >>> d.N, d.T, d.names, d.n_eff
    (3, 2, ['x'], 6)
    """
    validate("effects", effects, Effects, allow_none=True)
    if not isinstance(y, pd.Series):
        if isinstance(y, pd.DataFrame) and y.shape[1] == 1:
            y = y.iloc[:, 0]
        else:
            raise DataError("y must be a pandas Series with a (region, time) MultiIndex.")
    _check_level_order(y, w)
    ids, times = _check_panel_index(y, X)
    if lee_yu and effects not in ("region", "time", "twoways"):
        raise EstimationError("lee_yu=True applies to fixed effects ('region', 'time', 'twoways') only.")
    N, T = len(ids), len(times)
    stacked = pd.MultiIndex.from_product([times, ids]).swaplevel()
    stacked = stacked.set_names([y.index.names[0] or "region", y.index.names[1] or "time"])
    yv = y.reindex(stacked).to_numpy(dtype=float)
    if X is None:
        X = pd.DataFrame(index=y.index)
    Xd = X.reindex(stacked)
    try:
        Xv = Xd.to_numpy(dtype=float)
    except (TypeError, ValueError) as exc:
        raise DataError(f"X has non-numeric columns: {list(Xd.columns[Xd.dtypes == object])}.") from exc
    if np.isnan(yv).any() or np.isnan(Xv).any():
        bad = list(stacked[np.isnan(yv) | np.isnan(Xv).any(axis=1)][:10])
        raise DataError(f"missing values in the panel, e.g. at {bad}.")
    names = [str(c) for c in Xd.columns]
    fixed = effects in ("region", "time", "twoways")
    if "const" in names and (fixed or not constant):
        keep = [j for j, n in enumerate(names) if n != "const"]
        Xv, names = Xv[:, keep], [names[j] for j in keep]
    if constant and not fixed and "const" not in names:
        Xv, names = np.column_stack([np.ones(N * T), Xv]), ["const"] + names
    W, W_t = _weights_by_period(w, ids, times)
    if effects in ("time", "twoways"):
        for M in [W] if W_t is None else W_t:
            rs = np.asarray(M.sum(axis=1)).ravel()
            if not np.allclose(rs[rs != 0], 1.0, atol=1e-8):
                raise WeightsError(f"effects={effects!r} needs a row-standardised W (rows summing to 1); "
                                   "use transform('r') on the Graph.")
    if W_t is not None and effects == "random":
        raise EstimationError(
            "effects='random' with a time-varying W is not supported: the random-effects quasi-demeaning over "
            "time does not commute with a W that changes by year, and the covariance of y is then not the "
            "Kronecker form the likelihood uses. Use fixed effects ('region', 'twoways') or a constant W."
        )
    if W_t is not None and lee_yu and effects in ("region", "twoways"):
        raise EstimationError(
            f"lee_yu=True with effects={effects!r} needs a constant W: the Lee-Yu transformation F_T' (I_T kron W) "
            "= (F_T' kron W) mixes periods, which only factorises when W is the same in every year. Use "
            "lee_yu=False (direct approach; sigma2 is then biased by O(1/T)) or a constant W."
        )
    durbin_names = tuple(str(n) for n in durbin_names)
    unknown = [n for n in durbin_names if n not in names]
    if unknown:
        raise DataError(f"durbin_names {unknown} are not columns of X {names}.")
    base = PanelDesign(y=yv, X=Xv, names=names, N=N, T=T, ids=ids, time_ids=times, index=stacked, W=W, W_t=W_t,
                       effects=effects, lee_yu=bool(lee_yu), n_eff=pt.n_effective(N, T, effects, lee_yu=lee_yu),
                       y_raw=yv, X_raw=Xv, durbin_names=durbin_names, constant="const" in names)
    if durbin_names:
        cols = [names.index(n) for n in durbin_names]
        WX = base.lag_raw(Xv[:, cols])
        Xv = np.column_stack([Xv, WX])
        names = names + [f"W_{n}" for n in durbin_names]
    if effects == "random":
        _check_rank(Xv, names, effects)
        return replace(base, X=Xv, X_raw=Xv, names=names, phi=0.0).with_phi(0.0)
    Xt = pt.demean(Xv, N, T, effects)
    yt = pt.demean(yv, N, T, effects)
    _check_rank(Xt, names, effects)
    out = replace(base, y=yt, X=Xt, X_raw=Xv, names=names)
    if W_t is not None and effects in ("region", "twoways"):
        # direct approach: the lag of y is formed on the raw data with each period's W, then demeaned
        out = replace(out, Wy_fixed=out.Wy)
    return out
