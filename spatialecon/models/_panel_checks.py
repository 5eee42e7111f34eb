"""Checks and W alignment for panel designs (split from :mod:`._panel` to keep modules small).

Examples
--------
>>> import pandas as pd
>>> idx = pd.MultiIndex.from_product([["a", "b"], [2000, 2001]], names=["region", "year"])
>>> is_panel(pd.Series(range(4), index=idx))
True
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy import linalg

from ..errors import PanelError, SingularDesignError, WeightsError
from ..weights import align

__all__ = ["is_panel"]


def is_panel(y) -> bool:
    """True when ``y`` carries a 2-level (region, time) MultiIndex.

    Examples
    --------
    >>> import pandas as pd
    >>> is_panel(pd.Series([1.0], index=pd.MultiIndex.from_tuples([("a", 1)])))
    True
    """
    return isinstance(getattr(y, "index", None), pd.MultiIndex) and y.index.nlevels == 2


# --------------------------------------------------------------------------- W
def _align(w, ids: pd.Index) -> sp.csr_matrix:
    """W as csr in the order of ``ids`` (:func:`spatialecon.weights.align`; WeightsError on mismatch)."""
    if sp.issparse(w) or isinstance(w, np.ndarray):
        raise WeightsError("W given as a bare matrix has no ids; pass a libpysal Graph keyed by region ids "
                           "(e.g. spatialecon.weights.from_matrix(m, ids=...)).")
    return sp.csr_matrix(align(w, ids), dtype=float)


def _is_time_varying(w) -> bool:
    return isinstance(w, Mapping) or hasattr(w, "graphs")


def _weights_by_period(w, ids, time_ids) -> tuple[sp.csr_matrix | None, list[sp.csr_matrix] | None]:
    if w is None:  # non-spatial panel (OLS): an empty W, so lag() is zero and nothing spatial is estimated
        return sp.csr_matrix((len(ids), len(ids))), None
    if not _is_time_varying(w):
        return _align(w, ids), None
    mapping = dict(w.graphs) if hasattr(w, "graphs") else dict(w)
    key_of = {str(k): k for k in mapping}
    missing = [t for t in time_ids if t not in mapping and str(t) not in key_of]
    if missing:
        raise WeightsError(f"time-varying W has no matrix for period(s) {missing}; have {sorted(map(str, mapping))}.")
    seen: dict = {}  # the same Graph for several years -> one matrix (one log-det, one LU)
    mats = []
    for t in time_ids:
        g = mapping[t] if t in mapping else mapping[key_of[str(t)]]
        if id(g) not in seen:
            seen[id(g)] = _align(g, ids)
        mats.append(seen[id(g)])
    return None, mats



# ------------------------------------------------------------------ prepare
def _check_panel_index(y: pd.Series, X: pd.DataFrame | None) -> tuple[pd.Index, pd.Index]:
    idx = y.index
    if not is_panel(y):
        raise PanelError("panel data need a 2-level (region, time) MultiIndex on y.")
    dup = idx[idx.duplicated()]
    if len(dup):
        raise PanelError(f"duplicate (region, time) rows: {list(dict.fromkeys(dup.tolist()))[:20]}.")
    if X is not None:
        if not isinstance(X.index, pd.MultiIndex) or X.index.nlevels != 2:
            raise PanelError("X must carry the same (region, time) MultiIndex as y.")
        if X.index.has_duplicates:
            raise PanelError(f"duplicate (region, time) rows in X: {list(dict.fromkeys(X.index[X.index.duplicated()].tolist()))[:20]}.")
        miss = idx.difference(X.index)
        if len(miss):
            raise PanelError(f"X lacks rows for {len(miss)} (region, time) cells, e.g. {list(miss[:10])}.")
    ids = pd.Index(sorted(idx.get_level_values(0).unique(), key=str))
    times = pd.Index(sorted(idx.get_level_values(1).unique()))
    if len(times) < 2:
        raise PanelError(f"a panel needs at least 2 periods; got {len(times)} ({list(times)}).")
    if len(idx) != len(ids) * len(times):
        full = pd.MultiIndex.from_product([ids, times])
        miss = full.difference(idx)
        shown = ", ".join(f"({a}, {b})" for a, b in miss[:30])
        more = f" ... ({len(miss)} in all)" if len(miss) > 30 else ""
        raise PanelError(
            f"unbalanced panel: {len(miss)} missing (region, time) cell(s): {shown}{more}. Spatial panel ML needs "
            "every region in every period; use RegionalPanel.balanced() to keep a balanced sub-panel explicitly."
        )
    return ids, times


def _check_level_order(y: pd.Series, w) -> None:
    """Catch a (time, region) index: its second level, not the first, matches the W ids."""
    if not is_panel(y):
        return
    g = next(iter(w.values())) if isinstance(w, Mapping) and len(w) else w
    wids = getattr(g, "unique_ids", None)
    if wids is None:
        return
    wids = {str(i) for i in wids}
    lev0 = {str(i) for i in y.index.get_level_values(0).unique()}
    lev1 = {str(i) for i in y.index.get_level_values(1).unique()}
    if not lev0 <= wids and lev1 <= wids:
        raise PanelError("y's index looks like (time, region): its second level holds the W ids. Panels need a "
                         "(region, time) MultiIndex; use y.swaplevel() (and the same for X).")


def _check_rank(X: np.ndarray, names: list, effects) -> None:
    if X.shape[1] == 0:
        return
    scale = np.sqrt((X**2).mean(axis=0))
    where = {"region": "within regions", "time": "within periods", "twoways": "within regions or periods"}
    dead = [n for n, s in zip(names, scale) if s < 1e-10]
    if dead:
        msg = where.get(effects, "")
        raise SingularDesignError(
            f"regressor(s) {dead} have no variation after the {effects or 'pooled'} transformation "
            f"(constant {msg}); they are absorbed by the fixed effects: drop them."
            if effects in where else f"regressor(s) {dead} are identically zero."
        )
    Xs = X / scale
    _, R, piv = linalg.qr(Xs, mode="economic", pivoting=True)
    diag = np.abs(np.diag(R))
    tol = diag.max() * max(X.shape) * np.finfo(float).eps * 10
    rank = int((diag > max(tol, 1e-8 * diag.max())).sum())
    if rank < X.shape[1]:
        bad = [names[j] for j in piv[rank:]]
        extra = (" Time dummies (or other period-level regressors) are collinear with the time fixed effects "
                 "(spreg#199): drop them." if effects in ("time", "twoways") else "")
        raise SingularDesignError(
            f"design is rank deficient after the {effects or 'pooled'} transformation: {bad} are linear "
            f"combinations of other columns{' and the fixed effects' if effects in where else ''}.{extra}"
        )
