"""Beta-convergence: cross-section and panel, plain and spatial, with speed and half-life.

Cross-section (``horizon=None``): average annual log growth over [start, end],
g_i = (ln y_i,end - ln y_i,start) / T with T = end - start, regressed on ln y_i,start
(plus conditioning variables).  With the growth rate of a Solow/Barro model,
beta = -(1 - exp(-lambda T)) / T, so the implied speed is

    lambda = -ln(1 + T beta) / T,      half-life = ln 2 / lambda,

with delta-method standard errors (d lambda / d beta = -1 / (1 + T beta)).

Panel (``horizon=k``): non-overlapping k-year spans starting at ``start``; the
growth over each span, (ln y_i,t+k - ln y_i,t)/k, is regressed on ln y_i,t with
region/time/two-way effects; the speed uses the same formula with T = k.

Spatial models: in SAR and SDM (and SAC) the coefficient of ln y0 is not the
marginal effect, so the speed is computed from the **direct effect** of ln y0
(LeSage-Pace), and also reported from the total effect; the result states which
(``basis``).  In SEM, SLX and SDEM the direct effect is the coefficient itself (W has
a zero diagonal), so the coefficient is used; for SLX/SDEM the total effect
beta + theta (SE from the covariance of both) is also reported in ``total``.

Relative income (``relative="sample_mean"`` or ``"national"``) divides each year's
values by the cross-section mean (population-weighted with ``population=``); this
removes a common deflator and leaves cross-section OLS slopes unchanged.

Examples
--------
>>> import math
>>> speed_and_half_life(-0.02, 0.005, 20)["speed"]["estimate"] > 0
True
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import DataError, DataWarning, OptionError
from ._panelvalues import require_positive, wide

__all__ = ["Estimate", "BetaConvergenceResult", "beta_convergence", "speed_and_half_life"]

_MODELS = ("OLS", "SAR", "SEM", "SDM", "SDEM", "SAC", "SLX")


@dataclass(frozen=True)
class Estimate:
    """A point estimate with its standard error.

    Examples
    --------
    >>> e = Estimate(-0.011, 0.0005)
    >>> float(e), e.se
    (-0.011, 0.0005)
    """

    estimate: float
    se: float

    def __float__(self) -> float:
        return float(self.estimate)

    def __repr__(self) -> str:
        return f"Estimate({self.estimate:.6g}, se={self.se:.3g})"


def speed_and_half_life(beta: float, se_beta: float, T: float) -> dict:
    """Implied convergence speed and half-life from beta over a horizon of T years.

    Returns a dict with ``speed`` and ``half_life`` entries (estimate, se); NaN when
    beta >= 0 (no convergence) or 1 + T beta <= 0 (speed undefined).

    Examples
    --------
    >>> r = speed_and_half_life(-0.02, 0.0, 10)
    >>> round(r["speed"]["estimate"], 6)
    0.022314
    """
    if not np.isfinite(beta) or beta >= 0 or 1.0 + T * beta <= 0:
        nan = {"estimate": np.nan, "se": np.nan}
        return {"speed": dict(nan), "half_life": dict(nan)}
    lam = -np.log1p(T * beta) / T
    dlam = -1.0 / (1.0 + T * beta)
    se_lam = abs(dlam) * se_beta
    hl = np.log(2.0) / lam
    se_hl = np.log(2.0) / lam**2 * se_lam
    return {"speed": {"estimate": float(lam), "se": float(se_lam)}, "half_life": {"estimate": float(hl), "se": float(se_hl)}}


@dataclass(frozen=True)
class BetaConvergenceResult:
    """Beta-convergence estimates.

    Attributes
    ----------
    beta : Estimate
        The convergence coefficient on the basis named in ``basis``.
    speed, half_life : Estimate
        Implied speed (per year) and half-life (years), delta-method SEs.
    coefficient : Estimate
        The raw regression coefficient of the initial log level.
    total : dict or None
        For lag models (and SLX/SDEM): beta, speed and half-life from the total effect.
    basis : str
        "coefficient" or "direct effect".
    model_result : SpatialResults
        The fitted model behind it.
    data : DataFrame
        The regression data (growth, initial level, conditioning variables).

    Examples
    --------
    >>> import spatialecon as se
    >>> b = se.beta_convergence(se.datasets.us_income(), "income", 1929, 1994)
    >>> b.beta, b.speed, b.half_life, b.basis
    (Estimate(-0.0110567, se=0.000515), Estimate(0.019512, se=0.00183), Estimate(35.5242, se=3.34), 'coefficient')
    """

    beta: Estimate
    speed: Estimate
    half_life: Estimate
    coefficient: Estimate
    basis: str
    horizon: float
    model_result: object
    data: pd.DataFrame
    total: dict | None = None
    options: dict = field(default_factory=dict)

    def __repr__(self) -> str:
        return (f"BetaConvergenceResult(model={self.options.get('model')!r}, basis={self.basis!r}, "
                f"beta={self.beta!r}, speed={self.speed!r}, half_life={self.half_life!r}, horizon={self.horizon})")

    def to_frame(self) -> pd.DataFrame:
        """Table of beta, speed and half-life with standard errors."""
        rows = {"beta": self.beta, "speed": self.speed, "half_life": self.half_life, "coefficient": self.coefficient}
        out = pd.DataFrame({k: {"estimate": v.estimate, "se": v.se} for k, v in rows.items()}).T
        if self.total:
            for k, v in self.total.items():
                out.loc[f"total_{k}"] = [v.estimate, v.se]
        return out


def _relative(table: pd.DataFrame, relative, pop: pd.DataFrame | None) -> pd.DataFrame:
    if relative in (None, False):
        return table
    if relative in ("sample_mean", True):
        return table.div(table.mean(axis=1), axis=0)
    if relative == "national":
        if pop is None:
            raise DataError("relative='national' needs population= to form the population-weighted national mean")
        nat = (table * pop).sum(axis=1) / pop.sum(axis=1)
        return table.div(nat, axis=0)
    raise OptionError(f"relative={relative!r} is not valid; choose None, 'sample_mean' or 'national'")


def _cross_section_data(table, start, end, conditional, panel):
    if start not in table.index or end not in table.index:
        raise DataError(f"start={start} or end={end} is not among the panel's years ({table.index.min()}-{table.index.max()})")
    y0, y1 = table.loc[start], table.loc[end]
    missing = sorted(set(y0[y0.isna()].index) | set(y1[y1.isna()].index))
    if missing:
        raise DataError(f"regions without a value in {start} or {end}: {missing}")
    T = end - start
    df = pd.DataFrame({"growth": (np.log(y1) - np.log(y0)) / T, "ln_y0": np.log(y0)})
    for c in conditional:
        cond = wide(panel, c)
        if start not in cond.index:
            raise DataError(f"conditioning variable {c!r} has no value in {start}")
        df[c] = cond.loc[start].reindex(df.index)
        if df[c].isna().any():
            raise DataError(f"conditioning variable {c!r} missing in {start} for {df.index[df[c].isna()].tolist()}")
    df.index.name = "code"
    return df, T


def _panel_data(table, start, end, horizon, conditional, panel):
    years = [y for y in range(start, end + 1, horizon) if y + horizon <= end]
    if len(years) < 2:
        raise DataError(f"horizon={horizon} leaves fewer than two spans between {start} and {end}")
    rows = []
    for y in years:
        if y not in table.index or y + horizon not in table.index:
            raise DataError(f"year {y} or {y + horizon} is not in the panel")
        g = (np.log(table.loc[y + horizon]) - np.log(table.loc[y])) / horizon
        part = pd.DataFrame({"growth": g, "ln_y0": np.log(table.loc[y])})
        for c in conditional:
            part[c] = wide(panel, c).loc[y].reindex(part.index)
        part["period"] = y
        rows.append(part)
    df = pd.concat(rows)
    df.index.name = "code"
    df = df.reset_index().set_index(["code", "period"]).sort_index(level=["period", "code"])
    if df.isna().to_numpy().any():
        bad = df[df.isna().any(axis=1)].index.tolist()[:10]
        raise DataError(f"missing values in the convergence panel (balanced data needed), e.g. {bad}")
    return df, horizon


def _with_speed(est: Estimate, T: float) -> dict:
    st = speed_and_half_life(est.estimate, est.se, T)
    return {"beta": est, "speed": Estimate(**st["speed"]), "half_life": Estimate(**st["half_life"])}


def _impacts(res, draws: int, seed):
    """Impacts with standard errors: simulation when ``draws`` > 0, else the delta method."""
    if draws:
        return res.impacts(draws=int(draws), seed=seed)
    return res.impacts(delta=True)


def beta_convergence(
    panel,
    variable: str,
    start: int,
    end: int,
    *,
    conditional=(),
    model: str = "OLS",
    w=None,
    effects=None,
    horizon: int | None = None,
    relative=None,
    population: str | None = None,
    impacts_draws: int = 0,
    seed: int | None = 0,
    fit_options: dict | None = None,
) -> BetaConvergenceResult:
    """Absolute or conditional beta-convergence, plain or spatial, cross-section or panel.

    Parameters
    ----------
    panel : DataFrame or RegionalPanel
        (region, year) panel.
    variable : str
        Positive level variable (e.g. GDP per capita).
    start, end : int
        First and last year.
    conditional : sequence of str
        Conditioning variables (their value at the start of each span).
    model : {"OLS", "SAR", "SEM", "SDM", "SDEM", "SAC", "SLX"}
    w : libpysal.graph.Graph, optional
        Required for spatial models.
    effects : {None, "region", "time", "twoways", "random"}
        Panel effects (``horizon`` given).
    horizon : int, optional
        Span length k for the panel version; ``None`` for the cross-section.
    relative : {None, "sample_mean", "national"}
        Use income relative to the sample mean or the population-weighted national
        mean (removes a common deflator).
    population : str, optional
        Population column (needed for ``relative="national"``).
    impacts_draws : int
        Draws for the impacts' standard errors in lag models; 0 uses the delta method.
    seed : int, optional
        Seed for the draws.
    fit_options : dict, optional
        Passed to the model's ``fit``.

    Returns
    -------
    BetaConvergenceResult

    Warns
    -----
    DataWarning
        When the implied speed is undefined (beta >= 0, or 1 + T beta <= 0); speed
        and half-life are then NaN.

    Examples
    --------
    US state per capita income 1929-1994 (libpysal ``us_income``); R ``lm`` gives
    beta = -0.011057 (tests/reference/beta_us_income.R):

    >>> import libpysal, pandas as pd
    >>> inc = pd.read_csv(libpysal.examples.get_path("usjoin.csv")).drop(columns="Name")
    >>> long = inc.melt(id_vars="STATE_FIPS", var_name="year", value_name="income")
    >>> long["year"] = long["year"].astype(int)
    >>> panel = long.set_index(["STATE_FIPS", "year"]).astype(float)
    >>> r = beta_convergence(panel, "income", 1929, 1994)
    >>> round(r.beta.estimate, 6), round(r.half_life.estimate, 1)
    (-0.011057, 35.5)
    """
    model = str(model).upper()
    if model not in _MODELS:
        raise OptionError(f"model={model!r} is not valid; choose one of {', '.join(_MODELS)}")
    if horizon is None and effects is not None:
        raise OptionError("effects= applies to the panel version only; give horizon= (span length in years)")
    if horizon is not None and (int(horizon) != horizon or horizon < 1):
        raise OptionError(f"horizon={horizon!r} must be a positive integer (years per span)")
    table = wide(panel, variable)
    require_positive(table.loc[start:end].dropna(how="all", axis=1), f"beta-convergence of {variable!r}")
    pop = wide(panel, population).reindex_like(table) if population else None
    table = _relative(table, relative, pop)
    conditional = list(conditional)
    if horizon is None:
        data, T = _cross_section_data(table, start, end, conditional, panel)
    else:
        data, T = _panel_data(table, start, end, horizon, conditional, panel)
    from .. import models as _models

    cls = getattr(_models, model)
    X = data[["ln_y0", *conditional]]
    if model != "OLS" and w is None:
        raise DataError(f"model={model!r} needs spatial weights w")
    kwargs = {}
    if horizon is not None and effects is not None:
        kwargs["effects"] = effects
    m = cls(data["growth"], X, w, **kwargs)
    res = m.fit(**(fit_options or {}))
    coef = Estimate(float(res.params["ln_y0"]), float(res.bse["ln_y0"]))
    basis = "coefficient"
    b, total = coef, None
    if res.spec.has_lag:
        imp = _impacts(res, impacts_draws, seed)
        b = Estimate(float(imp.loc["ln_y0", "direct"]), float(imp.loc["ln_y0", "direct_se"]))
        tb = Estimate(float(imp.loc["ln_y0", "total"]), float(imp.loc["ln_y0", "total_se"]))
        basis = "direct effect"
        total = _with_speed(tb, T)
    elif "W_ln_y0" in res.params.index:
        # SLX / SDEM: direct effect = beta (zero diagonal of W); total = beta + theta.
        names = ["ln_y0", "W_ln_y0"]
        c = res.cov.loc[names, names].to_numpy()
        tb = Estimate(float(res.params[names].sum()), float(np.sqrt(max(c.sum(), 0.0))))
        total = _with_speed(tb, T)
    sh = speed_and_half_life(b.estimate, b.se, T)
    if not np.isfinite(sh["speed"]["estimate"]):
        why = "beta >= 0 (no convergence)" if b.estimate >= 0 else f"1 + T*beta <= 0 (T={T})"
        warnings.warn(f"implied speed and half-life are undefined (NaN): {why}, beta={b.estimate:.4g}",
                      DataWarning, stacklevel=2)
    opts = {"variable": variable, "start": start, "end": end, "conditional": conditional, "model": model,
            "effects": effects, "horizon": horizon, "relative": relative, "population": population,
            "impacts_draws": impacts_draws, "seed": seed}
    return BetaConvergenceResult(
        beta=b, speed=Estimate(**sh["speed"]), half_life=Estimate(**sh["half_life"]), coefficient=coef,
        basis=basis, horizon=T, model_result=res, data=data, total=total, options=opts,
    )
