"""Region-specific spillovers: what a unit change of ``x`` in one region does to every other.

For regressor ``x`` with coefficient ``beta``, Durbin term ``theta`` (``W_x``) and
spatial lag ``rho``, the effect matrix is (LeSage and Pace 2009, ch. 2)

    S(W) = (I - rho W)^{-1} (beta I + theta W)       (SAR, SDM, SAC)
    S(W) = beta I + theta W                          (SLX, SDEM)

Column ``j`` of ``S`` is the response of every region to a unit change of ``x`` in
region ``j`` (the *source*). This module computes only the source columns: one
sparse LU factorisation of ``I - rho W`` and one multi-column solve with the
right-hand side ``beta E_J + theta W E_J`` (``E_J`` the source columns of the
identity); no dense inverse is formed. The *reverse* view (row ``i`` of ``S``: how
much each source moves receiving region ``i``) is one solve with the transpose.

Summaries per source: ``own`` = ``S[j, j]``, ``outward`` = sum of ``S[i, j]`` over
``i != j``, ``total`` = ``own + outward``. Averaged over all N sources they equal
the LeSage-Pace average direct and indirect impacts.

Inference: ``draws`` parameter vectors ``(beta, theta, rho)`` from ``N(params, cov)``
(the marginal of the full asymptotic normal), with ``rho`` restricted to the
interval ``(1/lambda_min, 1/lambda_max)`` of W by rejection. Each draw needs its
own factorisation (``rho`` changes), so the cost is ``draws`` factorisations plus
``draws`` multi-column solves with ``len(source)`` columns (for N of a few hundred
this is milliseconds per draw). Bands are percentile intervals at ``level``; the
``_se`` columns are the standard deviations of the draws.

Examples
--------
>>> import numpy as np, pandas as pd, scipy.sparse as sp
>>> W = sp.csr_matrix(np.array([[0, 1, 0], [.5, 0, .5], [0, 1, 0]]))
>>> S = effect_columns(W, rho=0.5, beta=1.0, theta=0.0, columns=[0, 1, 2], lag=True)
>>> S.sum(axis=1).round(6).tolist()  # row sums = beta / (1 - rho) for row-standardised W
[2.0, 2.0, 2.0]
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import scipy.sparse as sp

from ..errors import DataError, EstimationError, OptionError
from ._spillcore import (
    _LAG,
    _coefficients,
    _resolve_sources,
    _rho_interval,
    _weights_list,
    effect_columns,
    effect_columns_draws,
    effect_rows,
    neighbour_orders,
)

__all__ = ["spillovers", "SpilloverResult", "effect_columns", "effect_rows", "neighbour_orders"]


# ---------------------------------------------------------------------------
# result object
# ---------------------------------------------------------------------------
def _bands(sims: np.ndarray, level: float, axis: int = 0):
    a = (1.0 - level) / 2.0
    lo, hi = np.quantile(sims, [a, 1.0 - a], axis=axis)
    return lo, hi, sims.std(axis=axis, ddof=1)


@dataclass(frozen=True, eq=False)
class SpilloverResult:
    """Spillovers of ``variable`` from each source region to every receiving region.

    Attributes
    ----------
    responses : DataFrame
        Receiving region x source region: ``S[i, j]`` (averaged over years for a
        time-varying W).
    variable : str
    sources : list
    sims : ndarray or None
        Draws of the responses (draws x N x sources) when ``draws`` was given.
    level : float

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> from spatialecon.results.spillovers import _toy_results, spillovers
    >>> W = sp.csr_matrix(np.array([[0, 1, 0], [.5, 0, .5], [0, 1, 0]]))
    >>> s = spillovers(_toy_results(W, rho=0.4, beta=1.0), source=["a", "c"], variable="x")
    >>> s.to_frame().round(4)
               own  outward   total
    source
    a       1.0952   0.3333  1.4286
    c       1.0952   0.3333  1.4286
    >>> s.responses.round(4)
    source         a       c
    receiver
    a         1.0952  0.0952
    b         0.2381  0.2381
    c         0.0952  1.0952
    """

    responses: pd.DataFrame
    variable: str
    sources: list
    sims: np.ndarray | None
    level: float
    kind: str
    params: dict
    W: sp.csr_matrix
    by: object = None
    receiver: object = None
    coords: object = None
    year_values: pd.DataFrame | None = None
    _draw_params: np.ndarray | None = None
    _param_names: tuple = ()
    options: dict = field(default_factory=dict)

    # -- helpers -------------------------------------------------------------
    @property
    def ids(self) -> pd.Index:
        return self.responses.index

    def _frame(self, point: np.ndarray, sims: np.ndarray | None, index, columns) -> pd.DataFrame:
        out = pd.DataFrame(point, index=index, columns=columns)
        if sims is not None:
            lo, hi, se = _bands(sims, self.level)
            for c_i, c in enumerate(columns):
                out[f"{c}_se"] = se[..., c_i]
                out[f"{c}_lower"] = lo[..., c_i]
                out[f"{c}_upper"] = hi[..., c_i]
        return out

    def _summaries(self, S: np.ndarray) -> np.ndarray:
        """(..., N, m) -> (..., m, 3): own, outward, total per source."""
        pos = [self.ids.get_loc(s) for s in self.sources]
        own = S[..., pos, np.arange(len(pos))]
        total = S.sum(axis=-2)
        return np.stack([own, total - own, total], axis=-1)

    # -- views ---------------------------------------------------------------
    def to_frame(self) -> pd.DataFrame:
        """One row per source: ``own``, ``outward``, ``total`` (+ ``_se``, ``_lower``, ``_upper`` with draws).

        Examples
        --------
        >>> import numpy as np, pandas as pd, scipy.sparse as sp
        >>> from spatialecon.results.base import ModelSpec, SpatialResults
        >>> W = sp.csr_matrix(np.array([[0, 1, 0], [.5, 0, .5], [0, 1, 0]]))
        >>> r = _toy_results(W, rho=0.4, beta=1.0)
        >>> f = spillovers(r, source="b", variable="x").to_frame()
        >>> list(f.columns)
        ['own', 'outward', 'total']
        """
        point = self._summaries(self.responses.to_numpy())
        sims = None if self.sims is None else self._summaries(self.sims)
        out = self._frame(point, sims, pd.Index(self.sources, name="source"), ["own", "outward", "total"])
        return out

    def response_table(self) -> pd.DataFrame:
        """Long table of every response with its bands: index (source, receiver), column ``response``.

        With draws, also ``response_se``, ``response_lower``, ``response_upper``.
        """
        point = self.responses.to_numpy().T.reshape(-1, 1)  # source-major
        sims = None if self.sims is None else np.transpose(self.sims, (0, 2, 1)).reshape(self.sims.shape[0], -1, 1)
        index = pd.MultiIndex.from_product([self.sources, list(self.ids)], names=["source", "receiver"])
        out = self._frame(point, sims, index, ["response"])
        return out

    def by_group(self, by=None, *, own_separate: bool = False) -> pd.DataFrame:
        """Responses summed and averaged over receiving groups, per source.

        Parameters
        ----------
        by : str, Series or dict, optional
            Grouping name (e.g. ``"region4"``) or a mapping region -> group covering
            every region; defaults to the ``by`` given to :func:`spillovers`.
        own_separate : bool, default False
            If True the source region is taken out of its group and shown as the
            group ``"(own)"``, so that the group rows are pure spillovers (they then
            add up to ``outward``).

        Returns
        -------
        DataFrame
            Index (source, group); columns ``sum``, ``mean``, ``n_regions`` (+ bands).
            The group sums of one source add up to its ``total``.
        """
        from ._panelvalues import group_map

        by = self.by if by is None else by
        if by is None:
            raise OptionError("by_group() needs a grouping: pass by='region4', a Series or a dict")
        groups = group_map(by, self.ids)
        labels = groups.to_numpy().astype(object)[:, None].repeat(len(self.sources), axis=1)
        if own_separate:
            pos = [self.ids.get_loc(s) for s in self.sources]
            labels[pos, np.arange(len(pos))] = "(own)"
        return self._aggregate(labels, "group", order=["(own)", *pd.unique(groups)])

    def _aggregate(self, labels: np.ndarray, name: str, order=None) -> pd.DataFrame:
        """labels: N x m array of group labels per receiving region and source (rows in ``order``)."""
        S = self.responses.to_numpy()
        rows, pts, sim_rows = [], [], []
        for j, src in enumerate(self.sources):
            lab_j = labels[:, j]
            present = pd.unique(lab_j)
            for g in present if order is None else [o for o in order if o in set(present)]:
                mask = lab_j == g
                n_g = int(mask.sum())
                rows.append((src, g, n_g))
                s = S[mask, j].sum()
                pts.append([s, s / n_g])
                if self.sims is not None:
                    ss = self.sims[:, mask, j].sum(axis=1)
                    sim_rows.append(np.column_stack([ss, ss / n_g]))
        index = pd.MultiIndex.from_tuples([(r[0], r[1]) for r in rows], names=["source", name])
        sims = None if self.sims is None else np.stack(sim_rows, axis=1)
        out = self._frame(np.array(pts), sims, index, ["sum", "mean"])
        out.insert(2, "n_regions", [r[2] for r in rows])
        return out

    def by_order(self, orders: int | None = None) -> pd.DataFrame:
        """Decay with neighbour order: responses summed and averaged per contiguity ring.

        Ring 0 is the source itself, ring 1 its first-order neighbours, ring 2 the
        neighbours of those not already reached, ... (breadth-first search on W).
        With ``orders=k`` rings beyond ``k`` are pooled into ``f">{k}"``; regions not
        connected to the source form ``"unconnected"``. With a time-varying W the
        rings are those of the first period's W.
        """
        orders = self.options.get("orders") if orders is None else orders
        pos = [self.ids.get_loc(s) for s in self.sources]
        d = neighbour_orders(self.W, pos)
        lab = d.astype(object)
        if orders is not None:
            if int(orders) < 1:
                raise OptionError(f"orders={orders!r} must be a positive integer")
            lab[d > int(orders)] = f">{int(orders)}"
        lab[d < 0] = "unconnected"
        out = self._aggregate(lab, "order")
        key = {o: (o if isinstance(o, (int, np.integer)) else (10**9 if o.startswith(">") else 10**9 + 1)) for o in out.index.get_level_values(1)}
        order = sorted(range(len(out)), key=lambda i: (self.sources.index(out.index[i][0]), key[out.index[i][1]]))
        return out.iloc[order]

    def by_distance(self, bands=None, coords=None) -> pd.DataFrame:
        """Responses summed and averaged per distance band from each source.

        Parameters
        ----------
        bands : sequence of float
            Increasing band edges (e.g. km: ``[0, 500, 1000, 2000]``); the source
            itself is band ``"source"``; distances beyond the last edge are pooled.
        coords : DataFrame, optional
            Indexed by region id with columns ``lon``, ``lat`` (degrees; great-circle
            km) or ``x``, ``y`` (Euclidean, in their units). Defaults to the
            ``coords`` given to :func:`spillovers`.
        """
        coords = self.coords if coords is None else coords
        bands = self.options.get("distance") if bands is None else bands
        if bands is None:
            raise OptionError("by_distance() needs band edges: bands=[0, 500, 1000, ...] (or distance= in spillovers)")
        if coords is None:
            raise OptionError("by_distance() needs coordinates: coords=DataFrame with lon/lat or x/y per region")
        coords = pd.DataFrame(coords)
        missing = [i for i in self.ids if i not in coords.index]
        if missing:
            raise DataError(f"coords has no row for region(s) {missing[:10]}")
        c = coords.loc[list(self.ids)]
        pos = [self.ids.get_loc(s) for s in self.sources]
        if {"lon", "lat"} <= set(c.columns):
            lon, lat = np.radians(c["lon"].to_numpy(float)), np.radians(c["lat"].to_numpy(float))
            dl = lon[:, None] - lon[None, pos]
            dp = lat[:, None] - lat[None, pos]
            a = np.sin(dp / 2) ** 2 + np.cos(lat[:, None]) * np.cos(lat[None, pos]) * np.sin(dl / 2) ** 2
            dist = 2 * 6371.0088 * np.arcsin(np.sqrt(np.clip(a, 0, 1)))
        elif {"x", "y"} <= set(c.columns):
            xy = c[["x", "y"]].to_numpy(float)
            dist = np.sqrt(((xy[:, None, :] - xy[None, pos, :]) ** 2).sum(axis=2))
        else:
            raise DataError("coords needs columns lon, lat or x, y")
        edges = np.asarray(bands, dtype=float)
        if edges.ndim != 1 or len(edges) < 2 or np.any(np.diff(edges) <= 0):
            raise OptionError("bands must be at least two increasing edges")
        lab = np.empty(dist.shape, dtype=object)
        names = ["source", f"<={edges[0]:g}"]
        for b in range(len(edges) - 1):
            names.append(f"({edges[b]:g}, {edges[b + 1]:g}]")
            lab[(dist > edges[b]) & (dist <= edges[b + 1])] = names[-1]
        names.append(f">{edges[-1]:g}")
        lab[dist > edges[-1]] = names[-1]
        lab[dist <= edges[0]] = names[1]
        lab[pos, np.arange(len(pos))] = "source"
        return self._aggregate(lab, "band", order=names)

    def reverse(self, receiver=None, *, top: int | None = None) -> pd.DataFrame:
        """Which source regions move ``receiver`` most: row ``receiver`` of S over all regions.

        One solve with the transpose of ``I - rho W``. Returns a DataFrame indexed
        by source region with column ``effect`` (sorted by absolute size, the
        receiver's own effect included), optionally the ``top`` largest.
        """
        receiver = self.receiver if receiver is None else receiver
        if receiver is None:
            raise OptionError("reverse() needs a receiving region")
        rec = _resolve_sources(receiver, self.ids)
        p = self.params
        pos = [self.ids.get_loc(r) for r in rec]
        Ws, _ = ([self.W], None) if self.options.get("W_list") is None else (self.options["W_list"], None)
        rows = np.mean([effect_rows(W, rho=p["rho"], beta=p["beta"], theta=p["theta"], rows=pos,
                                    lag=self.kind in _LAG) for W in Ws], axis=0)
        out = pd.DataFrame(rows, index=pd.Index(self.ids, name="source"), columns=pd.Index(rec, name="receiver"))
        if len(rec) == 1:
            out = out.rename(columns={rec[0]: "effect"})
            out = out.reindex(out["effect"].abs().sort_values(ascending=False).index)
            if top is not None:
                out = out.head(int(top))
        return out

    def by_year(self) -> pd.DataFrame:
        """Per-year own/outward/total for a time-varying W (``info['W_t']``)."""
        if self.year_values is None:
            raise OptionError("by_year() is available only for results with time-varying weights (info['W_t'])")
        return self.year_values

    def summary(self) -> str:
        """Plain-text summary: per-source table, and the group table when ``by`` was given."""
        head = (f"Spillovers of {self.variable!r} ({self.kind.upper()}): S = "
                + ("(I - rho W)^-1 (beta I + theta W)" if self.kind in _LAG else "beta I + theta W"))
        pars = ", ".join(f"{k}={v:.4g}" for k, v in self.params.items())
        parts = [head, pars]
        if self.sims is not None:
            parts.append(f"{self.sims.shape[0]} draws, {self.level:.0%} percentile bands")
        parts.append(self.to_frame().to_string(float_format=lambda v: f"{v:.4g}"))
        if self.by is not None:
            parts.append(self.by_group().to_string(float_format=lambda v: f"{v:.4g}"))
        return "\n\n".join(parts)

    def __str__(self) -> str:
        return self.summary()

    def __repr__(self) -> str:
        n_draws = 0 if self.sims is None else self.sims.shape[0]
        return (f"SpilloverResult(variable={self.variable!r}, kind={self.kind!r}, sources={self.sources}, "
                f"n_regions={len(self.ids)}, draws={n_draws})")

    def plot(self, ax=None, *, by=None, stat: str = "sum"):
        """Bar chart of the responses per receiving group (``stat`` "sum" or "mean"), one bar set per source."""
        import matplotlib.pyplot as plt

        if stat not in ("sum", "mean"):
            raise OptionError(f"stat={stat!r} is not valid; choose 'sum' or 'mean'")
        t = self.by_group(by)
        table = t[stat].unstack("source")[self.sources]
        if ax is None:
            _, ax = plt.subplots(figsize=(6, 3.5))
        err = None
        if f"{stat}_lower" in t:
            lo = t[f"{stat}_lower"].unstack("source")[self.sources]
            hi = t[f"{stat}_upper"].unstack("source")[self.sources]
            err = [np.stack([(table - lo)[s], (hi - table)[s]]) for s in self.sources]
        width = 0.8 / len(self.sources)
        x = np.arange(len(table))
        for k, s in enumerate(self.sources):
            ax.bar(x + k * width, table[s].to_numpy(), width, label=str(s),
                   yerr=None if err is None else err[k], capsize=2)
        ax.set_xticks(x + width * (len(self.sources) - 1) / 2, [str(g) for g in table.index])
        ax.axhline(0, color="black", lw=0.6)
        ax.set_ylabel(f"response of y ({stat}) to d{self.variable}")
        ax.legend(title="source", fontsize="small")
        return ax

    def map(self, gdf, *, source=None, ax=None, cmap: str = "RdBu_r"):
        """Choropleth of the responses to one source; the source region outlined.

        ``gdf`` is a GeoDataFrame indexed by the model's region ids.
        """
        import matplotlib.pyplot as plt

        src = self.sources[0] if source is None else _resolve_sources(source, self.ids)[0]
        if src not in self.sources:
            raise OptionError(f"source={source!r} was not computed; sources are {self.sources}")
        missing = [i for i in self.ids if i not in gdf.index]
        if missing:
            raise DataError(f"gdf has no geometry for region(s) {missing[:10]}")
        g = gdf.loc[list(self.ids)].copy()
        g["response"] = self.responses[src].to_numpy()
        if ax is None:
            _, ax = plt.subplots(figsize=(6, 5))
        off = g.drop(index=src)["response"]
        vmax = float(np.abs(off).max()) or 1.0
        g.drop(index=src).plot(column="response", ax=ax, cmap=cmap, vmin=-vmax, vmax=vmax, legend=True,
                               edgecolor="grey", linewidth=0.3)
        g.loc[[src]].plot(ax=ax, facecolor="none", edgecolor="black", linewidth=2.0)
        ax.set_title(f"response to d{self.variable} in {src}")
        ax.set_axis_off()
        return ax


# ---------------------------------------------------------------------------
# entry point
# ---------------------------------------------------------------------------
def _rho_limits(res, W_list) -> tuple[float, float]:
    """The rho interval: the estimator's bounds (``info["bounds"]``) when stored, else from W's eigenvalues."""
    b = (res.info or {}).get("bounds")
    if isinstance(b, (list, tuple)) and len(b) == 2 and isinstance(b[0], (list, tuple)):
        b = b[0]  # SAC: [(rho bounds), (lambda bounds)]
    if isinstance(b, (list, tuple)) and len(b) == 2 and all(np.isscalar(v) and np.isfinite(v) for v in b):
        return float(b[0]), float(b[1])
    iv = [_rho_interval(W) for W in W_list]
    return max(v[0] for v in iv), min(v[1] for v in iv)


def _draw(res, names, n_draws, seed, W_list):
    rng = np.random.default_rng(seed)
    mean = res.params[names].to_numpy(float)
    cov = res.cov.loc[names, names].to_numpy(float)
    if not np.all(np.isfinite(cov)):
        raise EstimationError(f"the covariance of {names} is not finite; cannot simulate bands")
    if "rho" not in names:
        return rng.multivariate_normal(mean, cov, size=n_draws, method="eigh")
    lo, hi = _rho_limits(res, W_list)
    out, tries = [], 0
    while sum(len(o) for o in out) < n_draws:
        d = rng.multivariate_normal(mean, cov, size=n_draws, method="eigh")
        r = d[:, -1]
        out.append(d[(r > lo) & (r < hi)])
        tries += 1
        if tries > 100:
            raise EstimationError(f"could not draw rho inside ({lo:.4g}, {hi:.4g}) from N({mean[-1]:.4g}, cov)")
    return np.concatenate(out)[:n_draws]


def _unpack(vec, names):
    d = dict(zip(names, vec))
    return float(d[names[0]]), float(d.get(f"W_{names[0]}", 0.0)), float(d.get("rho", 0.0))


def spillovers(res, *, source, variable: str, by=None, orders: int | None = None, distance=None, coords=None,
               draws: int | None = None, seed: int | None = None, level: float = 0.95,
               receiver=None) -> SpilloverResult:
    """Spillovers of ``variable`` from source regions (e.g. growth poles) to every region.

    Parameters
    ----------
    res : SpatialResults
        A fitted SAR, SDM, SAC, SLX or SDEM (cross-section or panel).
    source : str, sequence or preset
        Region ids (exactly as in ``res.ids``); for Chinese province codes also
        names (English, pinyin, Chinese) or a growth-pole preset of
        :func:`spatialecon.regions.growth_poles`.
    variable : str
        A regressor of the model.
    by : str, Series or dict, optional
        Default grouping of receiving regions for :meth:`SpilloverResult.by_group`.
    orders : int, optional
        Default number of neighbour-order rings for :meth:`SpilloverResult.by_order`.
    distance, coords : optional
        Default distance band edges and coordinates for :meth:`SpilloverResult.by_distance`.
    draws : int, optional
        Number of simulation draws for bands (``None`` or 0: point estimates only).
    seed : int, optional
        Seed; the same seed gives the same bands.
    level : float, default 0.95
        Coverage of the percentile bands.
    receiver : optional
        Default receiving region for :meth:`SpilloverResult.reverse`.

    Returns
    -------
    SpilloverResult

    Raises
    ------
    RegionMatchError
        Unknown source (with suggestions).
    OptionError
        ``variable`` not a regressor, invalid ``draws``/``level``.
    EstimationError
        The model has no spatial terms for ``variable`` (no spillovers exist).

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> W = sp.csr_matrix(np.array([[0, 1, 0], [.5, 0, .5], [0, 1, 0]]))
    >>> r = _toy_results(W, rho=0.4, beta=1.0)
    >>> sp_ = spillovers(r, source=["a"], variable="x")
    >>> dense = np.linalg.inv(np.eye(3) - 0.4 * W.toarray())  # S = (I - rho W)^-1 beta
    >>> bool(np.isclose(sp_.responses.loc["a", "a"], dense[0, 0]))
    True
    """
    if not 0.0 < float(level) < 1.0:
        raise OptionError(f"level={level!r} must lie strictly between 0 and 1")
    if draws is not None and (int(draws) != draws or draws < 0 or draws == 1):
        raise OptionError(f"draws={draws!r} must be None, 0 or an integer >= 2")
    beta, theta, rho, has_rho, names = _coefficients(res, variable)
    W_list, years = _weights_list(res)
    ids = pd.Index(res.ids)
    if W_list[0].shape != (len(ids), len(ids)):
        raise EstimationError(f"W is {W_list[0].shape} but the results have {len(ids)} region ids")
    srcs = _resolve_sources(source, ids)
    pos = [ids.get_loc(s) for s in srcs]
    kind = res.spec.kind.lower()
    lag = kind in _LAG

    def compute(b, t, r):
        return [effect_columns(W, rho=r, beta=b, theta=t, columns=pos, lag=lag) for W in W_list]

    per_year = compute(beta, theta, rho)
    point = np.mean(per_year, axis=0)
    sims = draws_arr = None
    per_year_sims = None
    if draws:
        draws_arr = _draw(res, names, int(draws), seed, W_list)
        par = np.array([_unpack(d, names) for d in draws_arr])  # D x (beta, theta, rho)
        # one Krylov block per W shared by all draws where the series applies (no factorisation per draw)
        all_sims = np.stack([effect_columns_draws(W, rhos=par[:, 2], betas=par[:, 0], thetas=par[:, 1],
                                                  columns=pos, lag=lag) for W in W_list], axis=1)  # D x T x N x m
        sims = all_sims.mean(axis=1)
        per_year_sims = all_sims if years is not None else None
    responses = pd.DataFrame(point, index=ids, columns=pd.Index(srcs, name="source"))
    responses.index.name = "receiver"
    opts = {"orders": orders, "distance": distance, "draws": draws, "seed": seed,
            "W_list": W_list if years is not None else None}
    out = SpilloverResult(
        responses=responses, variable=variable, sources=srcs, sims=sims, level=float(level), kind=kind,
        params={"beta": beta, "theta": theta, "rho": rho}, W=W_list[0], by=by, receiver=receiver, coords=coords,
        _draw_params=draws_arr, _param_names=tuple(names), options=opts,
    )
    if years is not None:
        pts = np.array([out._summaries(S) for S in per_year])  # T x m x 3
        ys = None if per_year_sims is None else out._summaries(per_year_sims)  # D x T x m x 3
        idx = pd.MultiIndex.from_product([years, srcs], names=["year", "source"])
        frame = out._frame(pts.reshape(-1, 3), None if ys is None else ys.reshape(ys.shape[0], -1, 3), idx,
                           ["own", "outward", "total"])
        object.__setattr__(out, "year_values", frame)
    return out


def _toy_results(W, *, rho: float, beta: float, theta: float | None = None, ids=("a", "b", "c")):
    """A hand-made SpatialResults for doctests (SAR, or SDM when ``theta`` is given)."""
    from .base import ModelSpec, SpatialResults

    ids = pd.Index(list(ids))
    names = ["const", "x"] + (["W_x"] if theta is not None else []) + ["rho"]
    vals = [0.0, beta] + ([theta] if theta is not None else []) + [rho]
    params = pd.Series(vals, index=names)
    cov = pd.DataFrame(np.eye(len(names)) * 0.01, index=names, columns=names)
    z = pd.Series(np.zeros(len(ids)), index=ids)
    spec = ModelSpec(kind="sdm" if theta is not None else "sar", exog_names=("const", "x"),
                     durbin_names=("x",) if theta is not None else ())
    return SpatialResults(model_name=spec.kind.upper(), spec=spec, params=params, cov=cov, sigma2=1.0, loglik=0.0,
                          nobs=len(ids), y=z, fitted=z, resid=z, exog=pd.DataFrame({"x": z}), ids=ids,
                          W=sp.csr_matrix(W))
