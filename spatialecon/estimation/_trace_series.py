"""Series estimates of the information-matrix traces (``info_traces(method="series")``; split
from :mod:`.traces` to keep modules small).

``tr(G) = sum_k rho^k tr(W^(k+1))`` and ``tr(GG) = sum_k (k+1) rho^k tr(W^(k+2))`` truncated with a
deterministic bound; ``tr(G'G) = E ||G z||^2`` with ``G z`` by the series.

Examples
--------
>>> import numpy as np
>>> W = np.array([[0, .5, .5], [.5, 0, .5], [.5, .5, 0]])
>>> out = info_series(W, 0.3, None, 20, 0, None, 40)
>>> round(out["tr_G"], 6) == round(float(np.trace(W @ np.linalg.inv(np.eye(3) - 0.3 * W))), 6)
True
"""

from __future__ import annotations

import numpy as np

from ..errors import EstimationError
from .bounds import as_csr
from .traces import BATCH, _mean_se, batch_size, exact_low_traces, rademacher, spectral_radius_bound, trace_powers

__all__ = ["info_series"]


def info_series(W, rho, m, n_vectors, seed, rtol, max_vectors) -> dict:
    """Series traces; arguments as :func:`spatialecon.estimation.traces.info_traces`."""
    W = as_csr(W)
    n = W.shape[0]
    r = abs(rho) * spectral_radius_bound(W)
    if r >= 1.0:
        raise EstimationError(
            f"the power series of G diverges for |rho| * ||W|| = {r:.3g} >= 1; use method='stochastic'."
        )
    if m is None:
        # truncation bound N r^(m+1) / (1 - r)^2 below 1e-10 * N
        m = int(np.clip(np.ceil(np.log(1e-10 * (1 - r) ** 2) / np.log(max(r, 1e-12))), 2, 400))
    tp, tse = trace_powers(W, m + 1, method="auto", n_vectors=n_vectors, seed=seed, return_se=True)
    k = np.arange(m)
    rk = rho**k
    tr_g = float(np.sum(rk * tp[1 : m + 1]))
    tr_gg = float(np.sum((k + 1) * rk * tp[2 : m + 2]))
    # deterministic truncation bounds (|tr(W^j)| <= N s^j, s = spectral radius bound)
    s = spectral_radius_bound(W)
    bound_g = n * s * r**m / (1 - r)
    bound_gg = n * s**2 * r**m * (m + 1 - m * r) / (1 - r) ** 2
    mc_g = float(np.sqrt(np.sum((rk * tse[1 : m + 1]) ** 2)))
    mc_gg = float(np.sqrt(np.sum(((k + 1) * rk * tse[2 : m + 2]) ** 2)))
    # tr(G'G) = E ||G z||^2 with G z by the series
    rng = np.random.default_rng(None if seed is None else np.random.SeedSequence(seed).spawn(1)[0])
    _, _, tf = exact_low_traces(W)
    rows = []
    target = max(int(n_vectors), 2)
    used = 0
    while True:
        p = min(batch_size(n), max(target - used, 2))
        Z = rademacher(n, p, rng)
        WZ = W @ Z
        term = WZ.copy()
        acc = WZ.copy()
        for _ in range(m):
            term = rho * (W @ term)
            acc += term
        rows.append(np.einsum("ij,ij->j", acc, acc) - np.einsum("ij,ij->j", WZ, WZ))
        used += p
        gtg, se_gtg = _mean_se(np.concatenate(rows))
        val = tf + gtg
        if used >= target:
            if rtol is None or se_gtg / max(abs(val), 1e-300) <= rtol or used >= max_vectors:
                break
            target = min(max_vectors, used + BATCH)
    return {
        "tr_G": tr_g,
        "tr_GG": tr_gg,
        "tr_GtG": val,
        "se": {"tr_G": mc_g, "tr_GG": mc_gg, "tr_GtG": se_gtg},
        "truncation_bound": {"tr_G": bound_g, "tr_GG": bound_gg},
        "order": m,
        "n_vectors": used,
    }
