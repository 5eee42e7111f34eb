"""Club convergence: the Phillips-Sul (2007) log t test and clustering algorithm.

Given a region x time table of positive values X_it (e.g. GDP per capita), with
x_it = ln X_it (optionally the HP-filtered trend of ln X_it, lambda = 400 for annual
data as Phillips and Sul recommend):

* relative transition paths h_it = x_it / mean_i(x_it);
* cross-sectional variance H_t = mean_i (h_it - 1)^2;
* the log t regression  ln(H_1 / H_t) - 2 ln L(t) = a + b ln t + u_t  with
  L(t) = ln(t + 1), over t = [rT], ..., T (t counted from 1, r = 0.3 by default);
  the one-sided test rejects convergence when the t statistic of b, computed with a
  Newey-West (Bartlett) HAC standard error, is below -1.65.

Club formation follows Phillips and Sul (2007, section 4.2): order regions by the
last observation; find the core group as the first highest pair whose t > -1.65 and
extend it while t > -1.65, keeping the size with the largest t; sieve the others in
one at a time with the criterion t > c (c = 0 by default); check the club; recurse on
the rest; what never forms a club is reported as divergent. Adjacent clubs are then
merged when their union passes the log t test (Phillips and Sul 2009).

References
----------
Phillips, P. C. B. and Sul, D. (2007). Transition modeling and econometric
convergence tests. Econometrica 75(6), 1771-1855.
Phillips, P. C. B. and Sul, D. (2009). Economic transition and growth. Journal of
Applied Econometrics 24(7), 1153-1185.

Examples
--------
>>> import numpy as np, pandas as pd
>>> t = np.arange(1, 41)
>>> rng = np.random.default_rng(0)
>>> x = np.exp(2 + 0.02 * t + rng.normal(0, 0.3, (6, 1)) / t ** 0.5)
>>> res = log_t_test(pd.DataFrame(x))
>>> bool(res.stat > -1.65)
True
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import DataError

__all__ = ["LogTResult", "ClubResult", "log_t_test", "club_convergence"]

CRITICAL = -1.65


@dataclass(frozen=True)
class LogTResult:
    """Result of the log t regression: slope ``b`` (= 2 alpha), its HAC se and t statistic.

    Examples
    --------
    >>> from spatialecon.results.clubs import LogTResult
    >>> r = LogTResult(b=-0.36, se=0.066, stat=-5.42, converges=False, members=("a", "b"), n_periods_used=22)
    >>> round(r.pvalue, 8) < 0.05
    True
    """

    b: float
    se: float
    stat: float
    converges: bool
    members: tuple
    n_periods_used: int

    @property
    def pvalue(self) -> float:
        """One-sided p-value of H0 (convergence) against b < 0 under the normal."""
        from scipy import stats

        return float(stats.norm.cdf(self.stat))


@dataclass(frozen=True)
class ClubResult:
    """Clubs found by the Phillips-Sul algorithm.

    Attributes
    ----------
    full : LogTResult
        The log t test on the whole sample.
    clubs : list of LogTResult
        One per club (after merging when ``merge=True``), ordered from the highest level.
    divergent : tuple
        Regions that belong to no club.
    initial_clubs : list of LogTResult
        Clubs before merging.
    options : dict

    Examples
    --------
    >>> import spatialecon as se
    >>> res = se.club_convergence(se.datasets.us_income().loc[(slice(None), slice(1980, 2009)), :], "income")
    >>> res.to_frame().groupby("club").size()
    club
    1    24
    2    24
    dtype: int64
    """

    full: LogTResult
    clubs: list
    divergent: tuple
    initial_clubs: list = field(default_factory=list)
    options: dict = field(default_factory=dict)

    def to_frame(self) -> pd.DataFrame:
        """One row per region: ``club`` (1, 2, ... or "divergent") with the club's b and t."""
        rows = []
        for k, c in enumerate(self.clubs, start=1):
            rows += [{"region": m, "club": k, "b": c.b, "t": c.stat} for m in c.members]
        rows += [{"region": m, "club": "divergent", "b": np.nan, "t": np.nan} for m in self.divergent]
        return pd.DataFrame(rows).set_index("region")

    def summary(self) -> pd.DataFrame:
        """One row per club: size, b, se, t, members."""
        return pd.DataFrame(
            [{"club": k, "size": len(c.members), "b": c.b, "se": c.se, "t": c.stat, "members": ", ".join(map(str, c.members))}
             for k, c in enumerate(self.clubs, start=1)]
        ).set_index("club")


def _prepare(table: pd.DataFrame, hp_filter: bool, hp_lambda: float) -> pd.DataFrame:
    if table.isna().to_numpy().any():
        raise DataError("club convergence needs a complete region x time table (no NaN); use a balanced panel")
    vals = table.to_numpy(dtype=float)
    if (vals <= 0).any():
        raise DataError("club convergence needs strictly positive values (logs are taken)")
    x = np.log(vals)
    if (x <= 0).any():
        raise DataError(
            "Phillips-Sul relative transition paths need ln(X) > 0; rescale the variable "
            "(e.g. yuan instead of 10,000 yuan) so that every value exceeds 1"
        )
    if hp_filter:
        from statsmodels.tsa.filters.hp_filter import hpfilter

        x = np.vstack([hpfilter(row, lamb=hp_lambda)[1] for row in x])
    return pd.DataFrame(x, index=table.index, columns=table.columns)


def _log_t(x: np.ndarray, members, r: float) -> LogTResult:
    """log t regression on the rows of ``x`` (log values, members x T)."""
    import statsmodels.api as sm

    T = x.shape[1]
    h = x / x.mean(axis=0, keepdims=True)
    H = np.mean((h - 1.0) ** 2, axis=0)
    start = max(int(np.floor(r * T)), 1)  # t = [rT], ..., T (1-based)
    t = np.arange(1, T + 1, dtype=float)
    keep = t >= start
    with np.errstate(divide="ignore"):
        lhs = np.log(H[0] / H[keep]) - 2.0 * np.log(np.log(t[keep] + 1.0))
    if not np.all(np.isfinite(lhs)):
        # identical paths: H_t = 0, perfect convergence
        return LogTResult(b=np.inf, se=0.0, stat=np.inf, converges=True, members=tuple(members), n_periods_used=int(keep.sum()))
    X = sm.add_constant(np.log(t[keep]))
    n = int(keep.sum())
    maxlags = int(np.floor(4 * (n / 100.0) ** (2.0 / 9.0)))
    fit = sm.OLS(lhs, X).fit(cov_type="HAC", cov_kwds={"maxlags": maxlags})
    b, se = float(fit.params[1]), float(fit.bse[1])
    stat = b / se
    return LogTResult(b=b, se=se, stat=stat, converges=bool(stat > CRITICAL), members=tuple(members), n_periods_used=n)


def log_t_test(table: pd.DataFrame, *, r: float = 0.3, hp_filter: bool = False, hp_lambda: float = 400.0) -> LogTResult:
    """Phillips-Sul log t convergence test on a region x time table of positive values.

    Parameters
    ----------
    table : DataFrame
        Rows are regions, columns are periods in time order.
    r : float
        Fraction of the initial sample discarded (0.3 as Phillips and Sul recommend for T < 50).
    hp_filter : bool
        Use the HP-filtered trend of the logs.
    hp_lambda : float
        HP smoothing parameter (400 for annual data in Phillips-Sul).

    Returns
    -------
    LogTResult

    Examples
    --------
    >>> import spatialecon as se
    >>> from spatialecon.results.clubs import log_t_test
    >>> table = se.datasets.us_income()["income"].unstack("year").loc[:, 1980:2009]
    >>> r = log_t_test(table)
    >>> round(r.b, 4), round(r.stat, 2), r.converges
    (-0.3567, -5.42, False)
    """
    x = _prepare(table, hp_filter, hp_lambda)
    return _log_t(x.to_numpy(), list(x.index), r)


def _find_core(x: np.ndarray, r: float):
    n = x.shape[0]
    for i in range(n - 1):
        if _log_t(x[[i, i + 1]], [], r).stat > CRITICAL:
            best_k, best_t = None, -np.inf
            for k in range(i + 2, n + 1):
                res = _log_t(x[i:k], [], r)
                if res.stat <= CRITICAL:
                    break
                if res.stat > best_t:
                    best_k, best_t = k, res.stat
            return list(range(i, best_k))
    return None


def _clubs(x: np.ndarray, names: list, r: float, c: float) -> tuple[list, list]:
    clubs = []
    remaining = list(range(len(names)))
    while len(remaining) >= 2:
        sub = x[remaining]
        whole = _log_t(sub, [names[i] for i in remaining], r)
        if whole.converges:
            clubs.append(whole)
            return clubs, []
        core = _find_core(sub, r)
        if core is None:
            break
        members = [remaining[i] for i in core]
        crit = c
        while True:
            club = list(members)
            for j in remaining:
                if j in members:
                    continue
                if _log_t(x[members + [j]], [], r).stat > crit:
                    club.append(j)
            res = _log_t(x[club], [names[i] for i in club], r)
            if res.converges or len(club) == len(members):
                break
            crit += 0.5  # raise the sieve criterion until the club passes (PS 2007, step 3)
        club = sorted(club)
        clubs.append(_log_t(x[club], [names[i] for i in club], r))
        remaining = [j for j in remaining if j not in club]
    return clubs, [names[i] for i in remaining]


def club_convergence(
    table,
    variable: str | None = None,
    *,
    r: float = 0.3,
    hp_filter: bool = False,
    hp_lambda: float = 400.0,
    sieve_c: float = 0.0,
    merge: bool = True,
    order_by: str = "last",
) -> ClubResult:
    """Phillips-Sul club clustering with optional club merging.

    Parameters
    ----------
    table : DataFrame or RegionalPanel
        Region x time table of positive values, or a (region, year) panel together
        with ``variable``.
    variable : str, optional
        Column of the panel to use when ``table`` is a panel.
    r, hp_filter, hp_lambda : see :func:`log_t_test`.
    sieve_c : float
        Sieve criterion c (0 is Phillips and Sul's conservative choice for small T).
    merge : bool
        Merge adjacent clubs whose union passes the log t test (Phillips-Sul 2009).
    order_by : {"last", "mean_last_third"}
        Ordering of regions: by the last observation or the mean of the last third.

    Returns
    -------
    ClubResult

    Examples
    --------
    >>> import spatialecon as se
    >>> res = se.club_convergence(se.datasets.us_income().loc[(slice(None), slice(1980, 2009)), :], "income")
    >>> [len(c.members) for c in res.clubs], round(res.full.stat, 2)
    ([24, 24], -5.42)
    """
    if variable is not None:
        from ._panelvalues import wide

        table = wide(table, variable).T
    x = _prepare(table, hp_filter, hp_lambda)
    if order_by == "last":
        key = x.iloc[:, -1]
    elif order_by == "mean_last_third":
        key = x.iloc[:, -max(1, x.shape[1] // 3):].mean(axis=1)
    else:
        raise DataError(f"order_by={order_by!r} is not valid; choose 'last' or 'mean_last_third'")
    x = x.loc[key.sort_values(ascending=False, kind="mergesort").index]
    names = list(x.index)
    arr = x.to_numpy()
    full = _log_t(arr, names, r)
    initial, divergent = _clubs(arr, names, r, sieve_c)
    clubs = list(initial)
    if merge:
        merged = True
        while merged and len(clubs) > 1:
            merged = False
            for k in range(len(clubs) - 1):
                union = list(clubs[k].members) + list(clubs[k + 1].members)
                idx = [names.index(m) for m in union]
                res = _log_t(arr[idx], union, r)
                if res.converges:
                    clubs = clubs[:k] + [res] + clubs[k + 2:]
                    merged = True
                    break
    opts = {"r": r, "hp_filter": hp_filter, "hp_lambda": hp_lambda, "sieve_c": sieve_c, "merge": merge, "order_by": order_by}
    return ClubResult(full=full, clubs=clubs, divergent=tuple(divergent), initial_clubs=initial, options=opts)
