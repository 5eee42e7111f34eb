"""User-supplied weights (e.g. trade or migration flows): from a matrix or an edge list, validated.

Examples
--------
>>> import pandas as pd
>>> from spatialecon.weights import from_edges
>>> e = pd.DataFrame({"source": ["a", "b"], "target": ["b", "a"], "flow": [2.0, 1.0]})
>>> from_edges(e, weight="flow", transform="none")["a"].to_dict()
{'b': 2.0}
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import scipy.sparse as sp
from libpysal.graph import Graph

from ..errors import IslandWarning, WeightsError
from .builders import graph_from_sparse

__all__ = ["from_matrix", "from_edges"]


def _check_ids(ids, n: int, what: str) -> pd.Index:
    ids = pd.Index(list(ids))
    if len(ids) != n:
        raise WeightsError(f"{what}: {len(ids)} ids for a {n} x {n} matrix")
    if ids.has_duplicates:
        raise WeightsError(f"{what}: duplicate ids {list(ids[ids.duplicated()].unique())}")
    if ids.isna().any():
        raise WeightsError(f"{what}: missing (NaN) ids")
    return ids


def _check_values(m: np.ndarray, ids: pd.Index, allow_self: bool, what: str) -> None:
    bad = ~np.isfinite(m)
    if bad.any():
        i, j = np.argwhere(bad)[0]
        raise WeightsError(f"{what}: {int(bad.sum())} NaN/infinite weights, e.g. ({ids[i]!r}, {ids[j]!r})")
    neg = m < 0
    if neg.any():
        i, j = np.argwhere(neg)[0]
        raise WeightsError(f"{what}: {int(neg.sum())} negative weights, e.g. ({ids[i]!r}, {ids[j]!r}) = {m[i, j]}")
    diag = np.diag(m)
    if not allow_self and (diag != 0).any():
        raise WeightsError(f"{what}: non-zero self-weights (diagonal) for ids {list(ids[diag != 0])}; "
                           "pass allow_self=True if intended")


def _finish(m, ids, transform: str, what: str) -> Graph:
    rows = np.asarray((m != 0).sum(axis=1)).ravel()
    iso = [str(i) for i in ids[rows == 0]]
    if iso:
        warnings.warn(f"{what}: units without neighbours (islands): {iso}", IslandWarning, stacklevel=3)
    return graph_from_sparse(m, ids, transform=transform)


def from_matrix(df_or_array, ids=None, *, allow_self: bool = False, transform: str = "row") -> Graph:
    """Graph from a square weights matrix (DataFrame with ids as index and columns, or array + ids).

    Validation: square, numeric, finite (no NaN), non-negative, unique ids,
    matching row/column labels (a DataFrame's columns are aligned to its index
    by label), zero diagonal unless ``allow_self``.

    Examples
    --------
    >>> import numpy as np
    >>> w = from_matrix(np.array([[0, 1.0, 3.0], [1.0, 0, 0], [1.0, 0, 0]]), ids=["a", "b", "c"])
    >>> w["a"].to_dict()
    {'b': 0.25, 'c': 0.75}
    """
    what = "from_matrix"
    if isinstance(df_or_array, pd.DataFrame):
        df = df_or_array
        if df.shape[0] != df.shape[1]:
            raise WeightsError(f"{what}: matrix is not square ({df.shape[0]} x {df.shape[1]})")
        rid = _check_ids(df.index if ids is None else ids, df.shape[0], what)
        if ids is None:
            cid = _check_ids(df.columns, df.shape[1], what + " (columns)")
            if set(rid) != set(cid):
                raise WeightsError(f"{what}: row and column labels differ: only in rows "
                                   f"{sorted(map(str, set(rid) - set(cid)))}, only in columns "
                                   f"{sorted(map(str, set(cid) - set(rid)))}")
            df = df[list(rid)]
        else:
            df = df.set_axis(list(rid), axis=1)
        non_num = [c for c in df.columns if not pd.api.types.is_numeric_dtype(df[c])]
        if non_num:
            raise WeightsError(f"{what}: non-numeric columns {non_num}")
        m = df.to_numpy(dtype=float)
        ids = rid
    else:
        arr = df_or_array
        if sp.issparse(arr):
            arr = arr.toarray()
        arr = np.asarray(arr)
        if arr.ndim != 2 or arr.shape[0] != arr.shape[1]:
            raise WeightsError(f"{what}: matrix is not square (shape {arr.shape})")
        if not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
            raise WeightsError(f"{what}: non-numeric matrix (dtype {arr.dtype})")
        m = arr.astype(float)
        ids = _check_ids(range(m.shape[0]) if ids is None else ids, m.shape[0], what)
    _check_values(m, ids, allow_self, what)
    return _finish(sp.csr_matrix(m), ids, transform, what)


def from_edges(df: pd.DataFrame, source: str = "source", target: str = "target",
               weight: str | None = None, *, ids=None, symmetric: bool = False,
               allow_self: bool = False, transform: str = "row") -> Graph:
    """Graph from an edge list (one row per directed link ``source -> target``).

    Parameters
    ----------
    weight : str, optional
        Column of weights (default 1 for every edge).
    ids : sequence, optional
        All ids in order (to include units without links); default: ids in
        order of first appearance among sources then targets.
    symmetric : bool, default False
        Also add ``target -> source`` for every edge (an existing reverse edge
        with a different weight raises).

    Raises
    ------
    WeightsError
        Duplicate edges, NaN or negative weights, self-links, ids outside ``ids``.

    Examples
    --------
    >>> import pandas as pd
    >>> e = pd.DataFrame({"source": ["a"], "target": ["b"]})
    >>> from_edges(e, symmetric=True)["b"].to_dict()
    {'a': 1.0}
    """
    what = "from_edges"
    for col in [source, target] + ([weight] if weight else []):
        if col not in df.columns:
            raise WeightsError(f"{what}: column {col!r} not in the edge table")
    src, tgt = df[source].to_numpy(), df[target].to_numpy()
    if weight is None:
        wts = np.ones(len(df))
    else:
        if not pd.api.types.is_numeric_dtype(df[weight]):
            raise WeightsError(f"{what}: non-numeric weight column {weight!r}")
        wts = df[weight].to_numpy(dtype=float)
    if pd.isna(src).any() or pd.isna(tgt).any():
        raise WeightsError(f"{what}: missing ids in source/target")
    if ids is None:
        ids = pd.unique(np.concatenate([src, tgt]))
    ids = _check_ids(ids, len(ids), what)
    pos = pd.Series(np.arange(len(ids)), index=ids)
    unknown = sorted({str(v) for v in np.concatenate([src, tgt]) if v not in pos.index})
    if unknown:
        raise WeightsError(f"{what}: edge ids not in ids: {unknown}")
    i, j = pos.loc[src].to_numpy(), pos.loc[tgt].to_numpy()
    if symmetric:
        i, j, wts = np.r_[i, j], np.r_[j, i], np.r_[wts, wts]
    key = pd.DataFrame({"i": i, "j": j, "w": wts}).drop_duplicates()
    dup = key.duplicated(subset=["i", "j"], keep=False)
    if dup.any():
        pairs = sorted({(str(ids[a]), str(ids[b])) for a, b in key.loc[dup, ["i", "j"]].to_numpy()})
        raise WeightsError(f"{what}: duplicate edges (or conflicting reverse weights) {pairs}")
    if not symmetric:
        raw = pd.DataFrame({"i": i, "j": j})
        if raw.duplicated().any():
            pairs = sorted({(str(ids[a]), str(ids[b])) for a, b in raw[raw.duplicated()].to_numpy()})
            raise WeightsError(f"{what}: duplicate edges {pairs}")
    n = len(ids)
    m = sp.coo_matrix((key["w"].to_numpy(), (key["i"].to_numpy(), key["j"].to_numpy())), shape=(n, n))
    dense_check = m.tocsr()
    vals = key["w"].to_numpy()
    if (~np.isfinite(vals)).any():
        raise WeightsError(f"{what}: NaN/infinite weights")
    if (vals < 0).any():
        raise WeightsError(f"{what}: negative weights")
    selfl = key["i"].to_numpy() == key["j"].to_numpy()
    if selfl.any() and not allow_self:
        raise WeightsError(f"{what}: self-links for ids {[str(ids[a]) for a in key.loc[selfl, 'i']]}")
    return _finish(dense_check, ids, transform, what)
