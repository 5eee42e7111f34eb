"""Read and write GAL and GWT files (GeoDa / R spdep exchange formats).

GAL stores neighbour lists only (binary weights): :func:`write_gal` writes the
pattern of W and :func:`read_gal` returns it normalised with ``transform``
(row by default), so a row-standardised contiguity W round-trips exactly.
GWT stores the weights themselves; :func:`write_gwt` writes them with 17
significant digits (libpysal's writer rounds to 7), so they round-trip exactly.
Ids are written as text and read back as strings by default (libpysal would
turn "110000" into the integer 110000).

Examples
--------
>>> import tempfile, os, numpy as np
>>> from spatialecon.weights import from_matrix, write_gal, read_gal
>>> w = from_matrix(np.array([[0, 1.0], [1.0, 0]]), ids=["a", "b"])
>>> p = os.path.join(tempfile.mkdtemp(), "w.gal")
>>> write_gal(w, p)
>>> read_gal(p).equals(w)
True
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp
from libpysal.graph import Graph

from ..errors import WeightsError
from .builders import graph_from_sparse

__all__ = ["read_gal", "write_gal", "read_gwt", "write_gwt"]


def _check_ids_text(w: Graph) -> list[str]:
    ids = [str(i) for i in w.unique_ids]
    bad = [i for i in ids if not i or any(c.isspace() for c in i)]
    if bad:
        raise WeightsError(f"ids with whitespace cannot be written to GAL/GWT: {bad}")
    if len(set(ids)) != len(ids):
        raise WeightsError("ids are not unique as text")
    return ids


def _matrix(w: Graph) -> sp.csr_matrix:
    if not isinstance(w, Graph):
        raise WeightsError(f"expected a libpysal Graph, got {type(w).__name__}")
    m = sp.csr_matrix(w.sparse, dtype=float)
    m.eliminate_zeros()
    return m


def write_gal(w: Graph, path) -> None:
    """Write the neighbour lists of ``w`` to a GAL file (weights are not stored).

    Examples
    --------
    >>> import tempfile, os, numpy as np
    >>> from spatialecon.weights import from_matrix
    >>> p = os.path.join(tempfile.mkdtemp(), "w.gal")
    >>> write_gal(from_matrix(np.array([[0, 1.0], [1.0, 0]]), ids=["a", "b"]), p)
    >>> Path(p).read_text().splitlines()[:3]
    ['2', 'a 1', 'b']
    """
    ids = _check_ids_text(w)
    m = _matrix(w)
    lines = [str(len(ids))]
    for r, i in enumerate(ids):
        cols = m.indices[m.indptr[r]:m.indptr[r + 1]]
        lines.append(f"{i} {len(cols)}")
        lines.append(" ".join(ids[c] for c in cols))
    Path(path).write_text("\n".join(lines) + "\n", encoding="utf-8")


def _read_lines(path) -> list[str]:
    p = Path(path)
    if not p.exists():
        raise WeightsError(f"file not found: {p}")
    return p.read_text(encoding="utf-8").splitlines()


def read_gal(path, *, transform: str = "row") -> Graph:
    """Read a GAL file (ids as strings), normalised with ``transform``.

    Examples
    --------
    >>> import tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "w.gal")
    >>> _ = Path(p).write_text("2\\na 1\\nb\\nb 1\\na\\n")
    >>> list(read_gal(p).unique_ids)
    ['a', 'b']
    """
    lines = [ln for ln in _read_lines(path)]
    try:
        head = lines[0].split()
        n = int(head[1]) if len(head) >= 4 else int(head[0])
        ids, nbrs, k = [], [], 1
        for _ in range(n):
            i, c = lines[k].split()[:2]
            c = int(c)
            ns = lines[k + 1].split() if c else []
            if c and len(ns) != c:
                raise WeightsError(f"GAL {path}: id {i} declares {c} neighbours, lists {len(ns)}")
            ids.append(i)
            nbrs.append(ns)
            k += 2 if c else (2 if k + 1 < len(lines) and not lines[k + 1].strip() else 1)
    except (IndexError, ValueError) as exc:
        raise WeightsError(f"malformed GAL file {path}: {exc}") from exc
    pos = {i: r for r, i in enumerate(ids)}
    if len(pos) != len(ids):
        raise WeightsError(f"GAL {path}: duplicate ids")
    rows, cols = [], []
    for r, ns in enumerate(nbrs):
        for j in ns:
            if j not in pos:
                raise WeightsError(f"GAL {path}: neighbour {j!r} of {ids[r]!r} is not an id")
            rows.append(r)
            cols.append(pos[j])
    m = sp.coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n))
    return graph_from_sparse(m, ids, transform=transform)


def write_gwt(w: Graph, path, *, shapefile: str = "unknown", id_var: str = "code") -> None:
    """Write ``w`` (with its weights, 17 significant digits) to a GWT file.

    Examples
    --------
    >>> import tempfile, os, numpy as np
    >>> from spatialecon.weights import from_matrix
    >>> p = os.path.join(tempfile.mkdtemp(), "w.gwt")
    >>> write_gwt(from_matrix(np.array([[0, 1.0], [1.0, 0]]), ids=["a", "b"]), p)
    >>> Path(p).read_text().splitlines()[1]
    'a b 1'
    """
    ids = _check_ids_text(w)
    m = sp.coo_matrix(_matrix(w))
    lines = [f"0 {len(ids)} {shapefile} {id_var}"]
    for r, c, v in sorted(zip(m.row, m.col, m.data)):
        lines.append(f"{ids[r]} {ids[c]} {float(v):.17g}")
    iso = sorted(set(range(len(ids))) - set(m.row.tolist()))
    if iso:
        lines.append("# islands: " + " ".join(ids[i] for i in iso))
    Path(path).write_text("\n".join(lines) + "\n", encoding="utf-8")


def read_gwt(path, *, ids=None, transform: str = "none") -> Graph:
    """Read a GWT file (ids as strings); weights kept as stored unless ``transform`` says otherwise.

    Ids are ordered by first appearance as focal unit, then the islands listed
    in the ``# islands:`` comment written by :func:`write_gwt`, then ids seen
    only as neighbours; pass ``ids`` to fix the order (and to include islands
    from files written by other software).

    Examples
    --------
    >>> import tempfile, os
    >>> p = os.path.join(tempfile.mkdtemp(), "w.gwt")
    >>> _ = Path(p).write_text("0 2 x code\\na b 0.5\\nb a 2\\n")
    >>> read_gwt(p)["b"].to_dict()
    {'a': 2.0}
    """
    lines = _read_lines(path)
    rec, islands = [], []
    for ln in lines[1:]:
        s = ln.strip()
        if not s:
            continue
        if s.startswith("# islands:"):
            islands = s.split(":", 1)[1].split()
            continue
        parts = s.split()
        if len(parts) != 3:
            raise WeightsError(f"malformed GWT line in {path}: {ln!r}")
        try:
            rec.append((parts[0], parts[1], float(parts[2])))
        except ValueError as exc:
            raise WeightsError(f"non-numeric weight in GWT {path}: {ln!r}") from exc
    df = pd.DataFrame(rec, columns=["i", "j", "w"])
    if ids is None:
        ids = list(pd.unique(pd.concat([df["i"], pd.Series(islands, dtype=object), df["j"]])))
        try:
            n_head = int(lines[0].split()[1])
        except (IndexError, ValueError):
            n_head = len(ids)
        if n_head != len(ids):
            raise WeightsError(f"GWT {path}: header says {n_head} units, found {len(ids)}; pass ids=")
    from .user import from_edges

    if df.empty:
        return graph_from_sparse(sp.coo_matrix((len(ids), len(ids))), ids, transform=transform)
    import warnings

    from ..errors import IslandWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", IslandWarning)
        return from_edges(df, "i", "j", "w", ids=[str(i) for i in ids], transform=transform)
