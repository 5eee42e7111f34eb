"""Traces of powers of W and of ``G = W (I - rho W)^{-1}`` without N x N inverses.

Two quantities feed the spatial ML information matrix and the LeSage-Pace
impacts:

* :func:`trace_powers` -- ``tr(W^k)`` for ``k = 0..m`` (not divided by N).
* :func:`info_traces` -- ``tr(G)``, ``tr(G G)`` and ``tr(G'G)`` with
  ``G = W A^{-1}``, ``A = I - rho W``.

Methods and their accuracy
--------------------------
``"exact"``
    *trace_powers*: eigenvalues of W for ``N <= 2000`` (of the symmetric
    similar matrix when W is a row-standardised symmetric matrix); otherwise
    sparse matrix powers up to ``W^ceil(m/2)`` combined as
    ``tr(W^(a+b)) = sum(W^a .* (W^b)')``, so the fill-in stays that of
    ``W^(m/2)``. Raises :class:`~spatialecon.errors.EstimationError` when the
    powers would exceed ``max_nnz`` stored entries.
    *info_traces*: eigen-decomposition of the symmetric form (``tr(G'G)`` via
    ``phi' (Q'D^{-1}Q o Q'DQ) phi``) or a dense solve; ``N <= 3000`` only.
    Accurate to rounding.
``"stochastic"``
    For large N, with no N x N matrix. ``tr(G) = -F'(rho)`` and
    ``tr(GG) = -F''(rho)`` with ``F(rho) = log|I - rho W|``, by five-point
    central differences of exact sparse log-determinants (four extra
    factorisations; relative error about 1e-9 in our lattice checks, a
    conservative estimate -- distance to the three-point rule plus a rounding
    bound -- is returned in ``se``). When the optimiser's cheap guide (a
    Chebyshev approximation of the log-determinant) is passed, two extra
    factorisations suffice: the guide carries the curvature and three-point
    differences of exact values correct it (``_derivative_traces``). ``tr(G'G)`` equals ``tr(GG)`` for a
    symmetric W; otherwise ``tr(G'G) = tr(GG) + E z'(G'G - GG)z`` by
    Hutchinson's estimator with Rademacher probes z (variance
    ``2 sum_{i != j} ((M + M')/2)_ij^2`` for ``E z'Mz``), which is small
    because G is nearly symmetric for the usual W; one factorisation of ``A``
    serves all probes (``G z = W A^{-1} z``, ``G'z = A^{-T} W' z``; CHOLMOD
    on the symmetric similar matrix when scikit-sparse is installed, SuperLU
    otherwise, see :mod:`spatialecon.estimation.sparse`), and the
    sparse truncated series ``P = sum_{k<K} rho^k W^(k+1)`` (memory budget
    ``5 nnz(W)``: K = 3 on a rook lattice, where it cuts the standard error of
    ``tr(G'G) - tr(GG)`` about 4x; a budget of ``10 nnz(W)`` cut it about 15x
    but cost four times as long as all the probe solves at N = 100,000) is an
    exact control variate. Probes are added in batches of
    50 (after a first batch of ``min(n_vectors, 20)``) until the relative
    Monte Carlo standard error is below ``rtol`` (default 1e-3) or
    ``max_vectors`` is reached; standard errors are returned
    in ``se``. With ``derivatives=False`` all three traces are Hutchinson
    estimates (control variate P). The relative error shrinks like
    ``1/sqrt(N p)``.
``"series"``
    ``tr(G) = sum_k rho^k tr(W^(k+1))`` and ``tr(GG) = sum_k (k+1) rho^k
    tr(W^(k+2))`` from :func:`trace_powers` (exact when affordable), truncated
    at order ``m`` (default: truncation bound below ``1e-10 N``) with the
    deterministic remainder bounds returned in ``truncation_bound``
    (``r = |rho| * spectral radius bound``; Monte Carlo errors of stochastic
    ``tr(W^k)`` in ``se``);
    ``tr(G'G)`` by Hutchinson with ``G z`` evaluated by the same series (no
    factorisation at all). Only for ``|rho| * r < 1``.
``"auto"``
    exact for ``N <= 2000``, stochastic otherwise.

Examples
--------
>>> import numpy as np
>>> W = np.array([[0, .5, .5], [.5, 0, .5], [.5, .5, 0]])
>>> np.round(trace_powers(W, 3), 6)
array([3.  , 0.  , 1.5 , 0.75])
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from .._options import TraceMethod, validate
from ..errors import EstimationError
from ._stencil import SHARED_STENCIL_RTOL, _derivative_traces, stencil_step  # noqa: F401  (re-exported)
from .bounds import as_csr, symmetric_form

__all__ = [
    "EXACT_MAX",
    "batch_size",
    "trace_powers",
    "info_traces",
    "exact_low_traces",
    "spectral_radius_bound",
    "rademacher",
]

#: Largest N for which ``"auto"`` uses dense eigenvalues / dense solves.
EXACT_MAX = 2000
#: Largest N for which ``info_traces(method="exact")`` is allowed (dense N x N).
EXACT_INFO_MAX = 3000
#: Probe vectors per batch (stochastic methods).
BATCH = 50
#: Bytes one block of probe vectors may take (N x p doubles): large N uses smaller blocks.
BLOCK_BYTES = 100_000_000


def batch_size(n: int) -> int:
    """Probe vectors per block: ``BATCH``, fewer when ``8 N p`` would exceed ``BLOCK_BYTES``.

    Examples
    --------
    >>> batch_size(1000), batch_size(1_000_000)
    (50, 12)
    """
    return int(max(2, min(BATCH, BLOCK_BYTES // (8 * max(int(n), 1)))))


def rademacher(n: int, p: int, rng: np.random.Generator) -> np.ndarray:
    """``n x p`` matrix of independent +-1 entries.

    Examples
    --------
    >>> z = rademacher(4, 2, np.random.default_rng(0))
    >>> sorted(set(z.ravel().tolist())) <= [-1.0, 1.0]
    True
    """
    return rng.integers(0, 2, size=(n, p)).astype(float) * 2.0 - 1.0


def spectral_radius_bound(W) -> float:
    """Cheap upper bound of the spectral radius: ``min(||W||_inf, ||W||_1)``.

    Equals 1 for a row-standardised W.

    Examples
    --------
    >>> spectral_radius_bound(np.array([[0, 1.], [1., 0]]))
    1.0
    """
    W = as_csr(W)
    if W.nnz == 0:
        return 0.0
    A = abs(W)
    return float(min(A.sum(axis=1).max(), A.sum(axis=0).max()))


def exact_low_traces(W) -> tuple[float, float, float]:
    """Exact ``tr(W)``, ``tr(W^2) = sum(W .* W')`` and ``tr(W'W) = ||W||_F^2``.

    Examples
    --------
    >>> exact_low_traces(np.array([[0, 1.], [1., 0]]))
    (0.0, 2.0, 2.0)
    """
    W = as_csr(W)
    t1 = float(W.diagonal().sum())
    t2 = float(W.multiply(W.T.tocsr()).sum())
    tf = float(W.multiply(W).sum())
    return t1, t2, tf


def _eigenvalues(W: sp.csr_matrix) -> np.ndarray:
    sym = symmetric_form(W)
    if sym is not None:
        return np.linalg.eigvalsh(sym[0].toarray())
    ev = np.linalg.eigvals(W.toarray())
    return ev


def _powers_exact_sparse(W: sp.csr_matrix, m: int, max_nnz: int, *, partial: bool = False):
    """Exact tr(W^k), k <= m, from sparse powers up to W^ceil(m/2).

    With ``partial=True`` stops when a power would exceed ``max_nnz`` entries and
    returns ``(traces, kmax)`` with the traces exact for ``k <= kmax`` only.
    """
    n = W.shape[0]
    out = np.full(m + 1, np.nan)
    out[0] = n
    if m == 0:
        return (out, 0) if partial else out
    half = (m + 1) // 2
    powers = [sp.identity(n, format="csr"), W]
    for _ in range(2, half + 1):
        # the next power has at most nnz(P) * max row count of W entries; stop before building it
        nxt = (powers[-1] @ W).tocsr()
        if nxt.nnz > max_nnz:
            if partial:
                break
            raise EstimationError(
                f"exact traces of W^k up to k={m} need more than max_nnz={max_nnz} stored entries "
                f"(W^{len(powers)} has {nxt.nnz}); use method='stochastic'."
            )
        powers.append(nxt)
    kmax = min(m, 2 * (len(powers) - 1))
    for k in range(1, kmax + 1):  # transposes formed per k (transient), not kept for every power
        a = (k + 1) // 2
        b = k - a
        out[k] = powers[a].multiply(powers[b].T.tocsr()).sum()
    return (out, kmax) if partial else out


def _powers_stochastic(W: sp.csr_matrix, m: int, n_vectors: int, rng) -> tuple[np.ndarray, np.ndarray]:
    n = W.shape[0]
    est = np.empty(m + 1)
    se = np.zeros(m + 1)
    t1, t2, _ = exact_low_traces(W)
    est[0] = n
    if m >= 1:
        est[1] = t1
    if m >= 2:
        est[2] = t2
    if m < 3:
        return est[: m + 1], se[: m + 1]
    vals = np.empty((n_vectors, m + 1))
    done = 0
    while done < n_vectors:
        p = min(batch_size(n), n_vectors - done)
        Z = rademacher(n, p, rng)
        V = Z
        for k in range(1, m + 1):
            V = W @ V
            vals[done : done + p, k] = np.einsum("ij,ij->j", Z, V)
        done += p
    est[3:] = vals[:, 3:].mean(axis=0)
    se[3:] = vals[:, 3:].std(axis=0, ddof=1) / np.sqrt(n_vectors) if n_vectors > 1 else np.inf
    return est, se


def trace_powers(
    W,
    m: int,
    *,
    method: str = "auto",
    n_vectors: int = 50,
    seed=None,
    max_nnz: int = 50_000_000,
    return_se: bool = False,
):
    """Traces ``tr(W^k)`` for ``k = 0, 1, ..., m`` (not divided by N).

    Parameters
    ----------
    W : scipy sparse matrix or ndarray (N x N)
    m : int
        Highest power (>= 0).
    method : {"auto", "exact", "stochastic"}
        ``"exact"``: eigenvalues (N <= 2000) or sparse powers up to
        ``W^ceil(m/2)``; ``"stochastic"``: Hutchinson estimates with
        ``n_vectors`` Rademacher probes for ``k >= 3`` (``k <= 2`` always
        exact); ``"auto"``: exact for N <= 2000; otherwise exact for the
        powers whose sparse factors fit in ``min(max_nnz, 10 max(nnz(W), N))``
        entries (memory linear in nnz(W)) and stochastic for the higher powers
        (their standard errors in ``se``). ``"series"`` is treated as ``"auto"``.
    n_vectors : int, default 50
        Probe vectors of the stochastic method.
    seed : int or numpy Generator, optional
        Seed of the probe vectors (results are reproducible given the seed).
    max_nnz : int, default 50,000,000
        Memory guard of the exact sparse route.
    return_se : bool, default False
        Also return the Monte Carlo standard errors (zeros when exact).

    Returns
    -------
    numpy.ndarray of length ``m + 1`` (and the standard errors if requested).

    Examples
    --------
    >>> import numpy as np
    >>> W = np.array([[0, 1.], [1., 0]])
    >>> trace_powers(W, 4, method="exact")
    array([2., 0., 2., 0., 2.])
    """
    validate("method", method, TraceMethod)
    if int(m) != m or m < 0:
        raise EstimationError(f"m must be a non-negative integer, got {m!r}.")
    m = int(m)
    W = as_csr(W)
    n = W.shape[0]
    se = np.zeros(m + 1)
    if method in ("auto", "series") and n > EXACT_MAX:
        # exact while the sparse powers stay within a budget linear in nnz(W); stochastic beyond
        budget = min(int(max_nnz), 10 * max(W.nnz, n))
        out, kmax = _powers_exact_sparse(W, m, budget, partial=True)
        if kmax < m:
            est, sest = _powers_stochastic(W, m, max(int(n_vectors), 2), np.random.default_rng(seed))
            out[kmax + 1 :] = est[kmax + 1 :]
            se[kmax + 1 :] = sest[kmax + 1 :]
    elif method in ("auto", "series", "exact"):
        if n <= EXACT_MAX:
            ev = _eigenvalues(W)
            out = np.array([np.sum(ev**k).real for k in range(m + 1)], dtype=float)
            t1, t2, _ = exact_low_traces(W)
            out[0] = n
            if m >= 1:
                out[1] = t1
            if m >= 2:
                out[2] = t2
        else:
            out = _powers_exact_sparse(W, m, max_nnz)
    else:
        out, se = _powers_stochastic(W, m, max(int(n_vectors), 2), np.random.default_rng(seed))
    return (out, se) if return_se else out


# ---------------------------------------------------------------------------
# traces of G = W (I - rho W)^{-1}


def _info_exact(W: sp.csr_matrix, rho: float) -> dict:
    n = W.shape[0]
    sym = symmetric_form(W)
    if sym is not None:
        S, d = sym
        lam, Q = np.linalg.eigh(S.toarray())
        den = 1.0 - rho * lam
        if np.any(den == 0):
            raise EstimationError(f"I - rho W is singular at rho={rho}.")
        phi = lam / den
        M1 = Q.T @ (Q / d[:, None])
        M2 = Q.T @ (Q * d[:, None])
        return {
            "tr_G": float(phi.sum()),
            "tr_GG": float(np.sum(phi * phi)),
            "tr_GtG": float(phi @ ((M1 * M2) @ phi)),
        }
    Wd = W.toarray()
    try:
        G = np.linalg.solve((np.eye(n) - rho * Wd).T, Wd.T).T
    except np.linalg.LinAlgError as exc:
        raise EstimationError(f"I - rho W is singular at rho={rho}: {exc}") from exc
    return {"tr_G": float(np.trace(G)), "tr_GG": float(np.sum(G * G.T)), "tr_GtG": float(np.sum(G * G))}


def _mean_se(vals: np.ndarray) -> tuple[float, float]:
    p = vals.shape[0]
    return float(vals.mean()), float(vals.std(ddof=1) / np.sqrt(p)) if p > 1 else float("inf")


def _series_control(W: sp.csr_matrix, rho: float, budget: int) -> tuple[sp.csr_matrix, int]:
    """Sparse truncated series ``P = sum_{k<K} rho^k W^(k+1)`` within ``budget`` entries."""
    P = W.copy()
    term = W
    K = 1
    sizes = [W.nnz]
    while K < 40 and abs(rho) ** K > 1e-12:
        # skip a product whose size, extrapolated from the last ones (quadratically: lattices grow
        # like k^2), is over budget; an underestimate only costs the product
        if len(sizes) >= 3 and 3 * sizes[-1] - 3 * sizes[-2] + sizes[-3] > budget:
            break
        nxt = (term @ W).tocsr()
        if nxt.nnz > budget:
            break
        term = nxt
        sizes.append(term.nnz)
        P = (P + rho**K * term).tocsr()
        K += 1
    return P, K


def _is_symmetric(W: sp.csr_matrix) -> bool:
    if W.nnz == 0:
        return True
    return bool(abs(W - W.T).max() <= 1e-14 * abs(W).max())


def _info_stochastic(W, rho, n_vectors, seed, solver, rtol, max_vectors, budget, derivatives, f0=None,
                     sparse_logdet=None, bounds=None, guide=None, known=None) -> dict:
    n = W.shape[0]
    rng = np.random.default_rng(seed)
    from .sparse import SparseLogDet  # CHOLMOD when available, SuperLU otherwise

    ld = SparseLogDet(W) if sparse_logdet is None else sparse_logdet
    lu = solver if solver is not None else ld.solver(rho)
    if budget is None:
        budget = max(5 * W.nnz, 5 * n)
    fixed, fixed_err, route = {}, {}, None
    if derivatives:
        try:
            own = getattr(lu, "logdet", None)  # the probe solver's factor already holds log|A|
            f_rho = float(f0) if f0 is not None else (float(own()) if callable(own) else ld(rho))
            fixed, fixed_err, route = _derivative_traces(ld, rho, f_rho, bounds, guide, known)
        except EstimationError:  # a stencil point outside the nonsingular range
            fixed, fixed_err = {}, {}
    symmetric = _is_symmetric(W)
    K = 0
    if "tr_GG" in fixed and symmetric:
        keys = []  # tr(G'G) = tr(GG): nothing left to estimate
    else:
        # control variate: sparse truncated series P of G, whose traces are exact
        P, K = _series_control(W, rho, budget)
        Pt = P.T.tocsr()
        if "tr_GG" in fixed:
            # tr(G'G) = tr(GG) + E z'(G'G - GG)z: the difference is small when G is nearly symmetric;
            # for P it is ||P - P'||_F^2 / 2
            exact = {"tr_G": 0.0, "tr_GG": 0.0, "tr_GtG": 0.0, "diff": 0.5 * float(np.sum((P - Pt).data ** 2))}
            keys = ["diff"]
        else:
            exact = {
                "tr_G": float(P.diagonal().sum()),
                "tr_GG": float(P.multiply(Pt).sum()),
                "tr_GtG": float(P.multiply(P).sum()),
            }
            keys = ["tr_G", "tr_GG", "tr_GtG"]
    Wt = W.T.tocsr()
    rows = {k: [] for k in keys}
    # first batch: n_vectors probes, or only 20 when a tolerance decides (more are added as needed)
    target = max(int(n_vectors), 2) if rtol is None else max(min(int(n_vectors), 20), 2)
    used = 0
    est, se = {}, {}
    while keys:
        p = min(batch_size(n), max(target - used, 2))
        Z = rademacher(n, p, rng)
        PZ = P @ Z
        PtZ = Pt @ Z
        GZ = W @ lu.solve(Z)  # G z = W A^{-1} z (one block solve)
        GtZ = lu.solve(np.asfortranarray(Wt @ Z), trans="T")  # G' z = A^{-T} W' z
        gg = np.einsum("ij,ij->j", GtZ, GZ) - np.einsum("ij,ij->j", PtZ, PZ)
        gtg = np.einsum("ij,ij->j", GZ, GZ) - np.einsum("ij,ij->j", PZ, PZ)
        new = {"tr_G": np.einsum("ij,ij->j", Z, GZ - PZ), "tr_GG": gg, "tr_GtG": gtg, "diff": gtg - gg}
        for key in keys:
            rows[key].append(new[key])
        used += p
        for key in keys:
            mean, sd = _mean_se(np.concatenate(rows[key]))
            est[key] = exact[key] + mean
            se[key] = sd
        if used >= target:
            if "diff" in est:
                total = fixed["tr_GG"] + est["diff"]
                rel = se["diff"] / max(abs(total), 1e-300)
            else:
                rel = max(se[k] / max(abs(est[k]), 1e-300) for k in keys)
            if rtol is None or rel <= rtol or used >= max_vectors:
                break
            target = min(max_vectors, used + BATCH)
    out = {}
    for key in ("tr_G", "tr_GG"):
        out[key] = fixed[key] if key in fixed else est[key]
        se[key] = fixed_err[key] if key in fixed else se[key]
    if "tr_GG" in fixed:
        if symmetric:
            out["tr_GtG"], se["tr_GtG"] = fixed["tr_GG"], fixed_err["tr_GG"]
        else:
            out["tr_GtG"] = fixed["tr_GG"] + est["diff"]
            se["tr_GtG"] = float(np.hypot(se.pop("diff"), fixed_err["tr_GG"]))
    else:
        out["tr_GtG"] = est["tr_GtG"]
    out["se"] = {k: float(se[k]) for k in ("tr_G", "tr_GG", "tr_GtG")}
    out["n_vectors"] = used
    out["control_order"] = K
    out["derivatives"] = bool(fixed)
    if fixed:
        out["derivative_stencil"] = route
    return out


def info_traces(
    W,
    rho: float,
    *,
    method: str = "auto",
    n_vectors: int = 30,
    seed=None,
    solver=None,
    rtol: float | None = 1e-3,
    max_vectors: int = 2000,
    order: int | None = None,
    control_nnz: int | None = None,
    derivatives: bool = True,
    logdet_at_rho: float | None = None,
    sparse_logdet=None,
    bounds: tuple[float, float] | None = None,
    guide=None,
    known_logdets=None,
) -> dict:
    """Traces ``tr(G)``, ``tr(GG)``, ``tr(G'G)`` with ``G = W (I - rho W)^{-1}``.

    Parameters
    ----------
    W : scipy sparse matrix or ndarray (N x N)
    rho : float
        Inside the admissible interval.
    method : {"auto", "exact", "stochastic", "series"}
        See the module docstring; ``"auto"`` is exact for N <= 2000 and
        stochastic otherwise.
    n_vectors : int, default 30
        Rademacher probe vectors (stochastic/series) when ``rtol`` is None;
        with a tolerance, the stochastic method starts from
        ``min(n_vectors, 20)`` probes and adds batches only while the relative
        standard error exceeds ``rtol``.
    seed : int, optional
        Seed of the probe vectors.
    solver : object with ``solve(b, trans=...)``, optional
        A factorisation of ``I - rho W`` (``scipy.sparse.linalg.splu``) to
        reuse; otherwise one is computed here
        (:meth:`spatialecon.estimation.sparse.SparseLogDet.solver`: CHOLMOD
        when available).
    rtol : float or None, default 1e-3
        Target relative Monte Carlo standard error of each trace; vectors are
        added in batches of 50 up to ``max_vectors``. ``None``: exactly
        ``n_vectors`` vectors.
    max_vectors : int, default 2000
    order : int, optional
        Truncation order of ``method="series"`` (default: the order that makes
        the truncation bound ``< 1e-10 N``).
    control_nnz : int, optional
        Memory budget (stored entries) of the sparse control variate
        ``P = sum_{k<K} rho^k W^(k+1)`` of the stochastic method (default
        ``max(5 nnz(W), 5 N)``, so memory stays linear in nnz(W)).
    derivatives : bool, default True
        Stochastic method: take ``tr(G) = -F'(rho)`` and ``tr(GG) = -F''(rho)``
        (``F = log|I - rho W|``) from difference stencils of exact sparse
        log-determinants (no, two or four extra factorisations, depending on
        ``guide`` and ``known_logdets``; relative error ~1e-8, a conservative
        estimate reported in ``se``), and estimate only ``tr(G'G) - tr(GG)``
        stochastically (zero, with no probes at all, for a symmetric W).
        ``False``: Hutchinson estimates of all three traces.
    logdet_at_rho : float, optional
        The exact ``log|I - rho W|`` if already known (the optimiser's last
        evaluation): the centre of the difference stencil, saving one
        factorisation.
    sparse_logdet : SparseLogDet, optional
        The :class:`spatialecon.estimation.sparse.SparseLogDet` of W to reuse
        for the stencil (its symbolic analysis is done once).
    bounds : (float, float), optional
        An interval inside the admissible one (no singular point of
        ``I - rho W`` in it), e.g. the estimation interval: sets the step of
        the difference stencil when rho lies beyond ``-1/s`` (s the spectral
        radius bound), where the step would otherwise shrink to ~1e-6 and
        rounding dominate ``tr(GG)``.
    guide : callable, optional
        A cheap smooth approximation of ``log|I - rho W|`` (the Chebyshev guide
        of the optimiser): the difference stencil then needs two exact
        factorisations instead of four (see ``_derivative_traces``).
    known_logdets : tuple of three (x, logdet) pairs, optional
        With ``guide``: exact log-determinants at ``x0 - h, x0, x0 + h`` (the
        guided search's first evaluations, ``h`` = :func:`stencil_step` at
        ``x0``); used instead of new factorisations when rho is within
        ``h`` of ``x0``.

    Returns
    -------
    dict
        ``tr_G``, ``tr_GG``, ``tr_GtG`` (floats), ``method`` (the method
        used), ``se`` (dict of Monte Carlo standard errors, zeros when exact)
        and, when estimated, ``n_vectors``.

    Examples
    --------
    >>> import numpy as np
    >>> W = np.array([[0, 1.], [1., 0]])
    >>> t = info_traces(W, 0.5)
    >>> t["method"], round(t["tr_G"], 10)  # eigenvalues +-1: 1/0.5 - 1/1.5
    ('exact', 1.3333333333)
    """
    validate("method", method, TraceMethod)
    W = as_csr(W)
    n = W.shape[0]
    rho = float(rho)
    if method == "auto":
        method = "exact" if n <= EXACT_MAX else "stochastic"
    if method == "exact":
        if n > EXACT_INFO_MAX:
            raise EstimationError(
                f"exact traces of G need dense N x N algebra (N={n} > {EXACT_INFO_MAX}); "
                "use method='stochastic' or 'series'."
            )
        out = _info_exact(W, rho)
        out["se"] = {"tr_G": 0.0, "tr_GG": 0.0, "tr_GtG": 0.0}
    elif method == "stochastic":
        out = _info_stochastic(W, rho, n_vectors, seed, solver, rtol, max_vectors, control_nnz, derivatives,
                               f0=logdet_at_rho, sparse_logdet=sparse_logdet, bounds=bounds, guide=guide,
                               known=known_logdets)
    else:
        from ._trace_series import info_series

        out = info_series(W, rho, order, n_vectors, seed, rtol, max_vectors)
    out["method"] = method
    return out
