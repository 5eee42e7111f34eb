"""Numerical core and input resolution of :mod:`spatialecon.results.spillovers`.

Columns and rows of the effect matrix ``S(W) = (I - rho W)^{-1}(beta I + theta W)``
by sparse LU solves (never a dense inverse), neighbour-order rings, the rho
interval of W, and the resolution of source regions and coefficients.
"""

from __future__ import annotations

import difflib
import re

import numpy as np
import pandas as pd
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from ..errors import EstimationError, OptionError, RegionMatchError, SpatialEconError

__all__ = ["effect_columns", "effect_rows", "neighbour_orders"]

_LAG = ("sar", "sdm", "sac")
_DIRECT = ("slx", "sdem")
_DENSE_MAX = 100  # N up to which I - rho W is solved densely (splu wins above)
_ADCODE = re.compile(r"^\d{6}$")

# ---------------------------------------------------------------------------
# numerical core
# ---------------------------------------------------------------------------
def _factor(W: sp.csr_matrix, rho: float):
    n = W.shape[0]
    A = (sp.identity(n, format="csc") - rho * W.tocsc()).tocsc()
    try:
        return spla.splu(A)
    except RuntimeError as exc:  # exactly singular I - rho W
        raise EstimationError(f"I - rho W is singular at rho={rho:.6g}: {exc}") from exc


def effect_columns(W, *, rho: float, beta: float, theta: float, columns, lag: bool, lu=None) -> np.ndarray:
    """Columns ``columns`` of the effect matrix ``S(W)`` (N x len(columns), dense).

    Parameters
    ----------
    W : scipy.sparse matrix (N x N)
    rho, beta, theta : float
        Spatial lag, coefficient of ``x`` and of ``W_x``.
    columns : sequence of int
        Positions of the source regions.
    lag : bool
        ``True`` for SAR/SDM/SAC (``(I - rho W)^{-1}`` applied), ``False`` for SLX/SDEM.
    lu : SuperLU, optional
        A factorisation of ``I - rho W`` to reuse.

    Returns
    -------
    ndarray

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> W = sp.csr_matrix([[0, 1.0], [1.0, 0]])
    >>> effect_columns(W, rho=0.0, beta=2.0, theta=0.5, columns=[1], lag=False).ravel().tolist()
    [0.5, 2.0]
    """
    W = sp.csr_matrix(W)
    n = W.shape[0]
    cols = np.asarray(columns, dtype=int)
    E = np.zeros((n, len(cols)))
    E[cols, np.arange(len(cols))] = 1.0
    rhs = beta * E + theta * np.asarray(W[:, cols].todense())
    if not lag or rho == 0.0:
        return rhs
    if lu is None and n <= _DENSE_MAX:  # small N: a dense LU is faster than splu
        return np.linalg.solve(np.eye(n) - rho * W.toarray(), rhs)
    lu = lu if lu is not None else _factor(W, rho)
    return np.asarray(lu.solve(rhs)).reshape(n, len(cols))


#: Largest Krylov block (entries) the series path of :func:`effect_columns_draws` may keep.
_SERIES_MAX_ENTRIES = 50_000_000


def effect_columns_draws(W, *, rhos, betas, thetas, columns, lag: bool) -> np.ndarray:
    """Columns of ``S(W)`` for many parameter draws at once (D x N x len(columns)).

    For large N and lag models, a factorisation per draw would dominate. When every draw satisfies
    ``q = |rho| r(W) < 0.99`` (``r`` the bound ``min(||W||_inf, ||W||_1)`` on the spectral radius; any
    row-standardised W with ``|rho| < 0.99``), the columns come from one Krylov block
    ``K_k = W^k E`` (``E`` the unit vectors of the sources) shared by all draws:
    ``S e = sum_k rho^k (beta K_k + theta K_(k+1))``, truncated where the bound
    ``q^(m+1) / (1 - q)`` on the remainder (relative to the size of ``beta E + theta W E``) is
    below 1e-13. Otherwise, or when the block would exceed ``_SERIES_MAX_ENTRIES`` entries, each
    draw is solved with :func:`effect_columns` (one factorisation each). Small N (<= 100) always
    uses the dense solve.

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> W = sp.csr_matrix(np.array([[0, 1.0, 0], [0.5, 0, 0.5], [0, 1.0, 0]]))
    >>> S = effect_columns_draws(W, rhos=[0.3, 0.5], betas=[1.0, 1.0], thetas=[0.0, 0.2], columns=[1], lag=True)
    >>> ref = np.linalg.solve(np.eye(3) - 0.5 * W.toarray(), np.eye(3)[:, [1]] + 0.2 * W.toarray()[:, [1]])
    >>> bool(np.allclose(S[1], ref))
    True
    """
    W = sp.csr_matrix(W)
    n = W.shape[0]
    rhos = np.asarray(rhos, dtype=float).ravel()
    betas = np.asarray(betas, dtype=float).ravel()
    thetas = np.asarray(thetas, dtype=float).ravel()
    cols = np.asarray(columns, dtype=int)
    r = min(float(abs(W).sum(axis=1).max()), float(abs(W).sum(axis=0).max())) if W.nnz else 0.0
    q = float(np.max(np.abs(rhos))) * r if lag and len(rhos) else 0.0
    m = int(np.ceil(np.log(1e-13 * (1.0 - q)) / np.log(q))) if 0.0 < q < 0.99 else 0
    if not lag or n <= _DENSE_MAX or not (0.0 < q < 0.99) or (m + 2) * n * len(cols) > _SERIES_MAX_ENTRIES:
        return np.array([effect_columns(W, rho=float(rr), beta=float(b), theta=float(t), columns=cols, lag=lag)
                         for rr, b, t in zip(rhos, betas, thetas)])
    E = np.zeros((n, len(cols)))
    E[cols, np.arange(len(cols))] = 1.0
    K = np.empty((m + 2, n, len(cols)))
    K[0] = E
    for k in range(1, m + 2):
        K[k] = W @ K[k - 1]
    P = rhos[:, None] ** np.arange(m + 1)[None, :]  # D x (m+1)
    A = np.einsum("dk,knc->dnc", P, K[: m + 1])  # sum_k rho^k W^k E
    B = np.einsum("dk,knc->dnc", P, K[1 : m + 2])  # sum_k rho^k W^(k+1) E
    return betas[:, None, None] * A + thetas[:, None, None] * B


def effect_rows(W, *, rho: float, beta: float, theta: float, rows, lag: bool, lu=None) -> np.ndarray:
    """Rows ``rows`` of ``S(W)``, returned transposed (N x len(rows)): column r = row ``rows[r]``.

    One solve with the transpose ``(I - rho W)'`` per receiving region.

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> W = sp.csr_matrix([[0, 1.0], [1.0, 0]])
    >>> effect_rows(W, rho=0.0, beta=2.0, theta=0.5, rows=[0], lag=False).ravel().tolist()
    [2.0, 0.5]
    """
    W = sp.csr_matrix(W)
    n = W.shape[0]
    r = np.asarray(rows, dtype=int)
    E = np.zeros((n, len(r)))
    E[r, np.arange(len(r))] = 1.0
    z = E
    if lag and rho != 0.0:
        lu = lu if lu is not None else _factor(W, rho)
        z = np.asarray(lu.solve(E, trans="T")).reshape(n, len(r))
    return beta * z + theta * np.asarray(W.T @ z)


def neighbour_orders(W, sources) -> np.ndarray:
    """Neighbour order of every region from each source (N x len(sources)).

    Breadth-first search on the (symmetrised) graph of W: 0 for the source itself,
    1 for its first-order neighbours, 2 for neighbours of neighbours not yet
    reached, ...; ``-1`` for regions not connected to the source.

    Examples
    --------
    >>> import scipy.sparse as sp
    >>> W = sp.csr_matrix([[0, 1.0, 0], [1.0, 0, 1.0], [0, 1.0, 0]])
    >>> neighbour_orders(W, [0]).ravel().tolist()
    [0, 1, 2]
    """
    from scipy.sparse.csgraph import shortest_path

    A = sp.csr_matrix(W)
    A = ((A != 0) + (A.T != 0)).astype(float)
    d = shortest_path(A, method="D", unweighted=True, indices=np.asarray(sources, dtype=int))
    out = np.where(np.isfinite(d), d, -1).astype(int)
    return out.T


def _rho_interval(W) -> tuple[float, float]:
    """(1/lambda_min, 1/lambda_max) of W: dense eigenvalues for N <= 2000, else weights.rho_bounds."""
    W = sp.csr_matrix(W)
    if W.shape[0] > 2000:
        from ..weights import rho_bounds

        return tuple(float(v) for v in rho_bounds(W))
    ev = np.linalg.eigvals(W.toarray())
    real = ev.real[np.abs(ev.imag) < 1e-10]
    lo, hi = real.min(), real.max()
    return (1.0 / lo if lo < 0 else -np.inf, 1.0 / hi if hi > 0 else np.inf)


# ---------------------------------------------------------------------------
# resolving the inputs
# ---------------------------------------------------------------------------
def _region_names(ids: pd.Index) -> dict:
    """Map lowercase English/pinyin/Chinese names -> (code, name), when the registry knows the ids."""
    try:
        from .. import regions

        out = {}
        for lang in ("en", "zh", "pinyin"):
            try:
                names = regions.name_of(list(ids), lang=lang)
            except (SpatialEconError, KeyError, ValueError, TypeError, AttributeError):
                continue  # the registry does not know these ids or this language
            for code, name in zip(ids, names):
                if isinstance(name, str):
                    out[name.lower()] = (code, name)
        return out
    except ImportError:
        return {}


def _resolve_sources(source, ids: pd.Index) -> list:
    if source is None:
        raise OptionError("source= is required: region ids, names, or a growth-pole preset")
    labels = [source] if isinstance(source, (str, int, np.integer)) else list(source)
    if not labels:
        raise OptionError("source= is empty")
    id_str = {str(i): i for i in ids}
    chinese = len(ids) > 0 and all(_ADCODE.match(str(i)) for i in ids)
    names = _region_names(ids) if chinese else {}
    out, unmatched = [], {}
    for lab in labels:
        key = str(lab)
        if key in id_str:
            out.append(id_str[key])
            continue
        if chinese:
            if key.lower() in names:
                out.append(names[key.lower()][0])
                continue
            found = _harmonise_or_preset(key)
            if found is not None and all(str(c) in id_str for c in found):
                out.extend(id_str[str(c)] for c in found)
                continue
        display = {k: k for k in id_str} | {low: f"{nm} ({code})" for low, (code, nm) in names.items()}
        close = difflib.get_close_matches(key.lower() if names else key, list(display), n=5, cutoff=0.5)
        unmatched[key] = [display[c] for c in close]
    if unmatched:
        msg = "; ".join(f"{k!r} (did you mean: {', '.join(v) if v else 'no close match'})" for k, v in unmatched.items())
        raise RegionMatchError(f"source region(s) not among the model's regions: {msg}", unmatched)
    seen = []
    for s in out:
        if s not in seen:
            seen.append(s)
    return seen


def _harmonise_or_preset(label: str):
    try:
        from .. import regions
    except ImportError:
        return None
    fn = getattr(regions, "growth_poles", None)
    if fn is not None:
        try:
            return [str(c) for c in fn(label)]
        except (KeyError, ValueError, TypeError, LookupError):
            pass
    fn = getattr(regions, "harmonise", None)
    if fn is not None:
        try:
            codes = fn([label])
        except (KeyError, ValueError, TypeError, LookupError):
            return None
        codes = [c for c in pd.Series(codes).tolist() if isinstance(c, str)]
        return codes or None
    return None


def _coefficients(res, variable):
    spec = res.spec
    regs = list(spec.regressors)
    if variable not in regs:
        raise OptionError(f"variable={variable!r} is not a regressor of the model; available: {regs}")
    kind = spec.kind.lower()
    p = res.params
    beta = float(p[variable])
    wname = f"W_{variable}"
    has_theta = wname in p.index
    theta = float(p[wname]) if has_theta else 0.0
    has_rho = kind in _LAG and "rho" in p.index
    if not has_rho and not has_theta:
        raise EstimationError(
            f"no spillovers exist for {variable!r} in a {spec.kind.upper()} model: it has neither a spatial "
            f"lag of y (rho) nor a spatial lag of {variable!r} ({wname}), so S = beta I "
            "(fit SAR, SDM, SAC, SLX or SDEM)."
        )
    names = [variable] + ([wname] if has_theta else []) + (["rho"] if has_rho else [])
    return beta, theta, (float(p["rho"]) if has_rho else 0.0), has_rho, names


def _weights_list(res):
    W_t = (res.info or {}).get("W_t")
    if res.W is None and W_t is None:
        raise EstimationError("the results carry no weights matrix (W is None and info['W_t'] is absent)")
    if res.W is not None:
        return [sp.csr_matrix(res.W)], None
    labels = list(res.time_ids) if res.time_ids is not None and len(res.time_ids) == len(W_t) else list(range(len(W_t)))
    return [sp.csr_matrix(w) for w in W_t], labels


