"""Panel transformations for spatial panel models (pure numpy/scipy).

All arrays are **time-major stacked**: row ``t * N + i`` holds region ``i`` in
period ``t`` (the layout of Elhorst, spreg and splm), so that the spatial lag of
a stacked vector is ``(I_T kron W) v``. Arrays may be ``(NT,)`` or ``(NT, k)``.

What is here
------------
* :func:`demean` -- within (region), time and two-way (double) demeaning.
* :func:`quasi_demean`, :func:`re_theta` -- random-effects quasi-demeaning
  ``y_it - (1 - theta) ybar_i`` with ``theta = 1 / sqrt(1 + T phi)``,
  ``phi = sigma_mu^2 / sigma_e^2`` (Baltagi 2021, ch. 2; Elhorst 2014, sec. 3.4).
* :func:`n_effective`, :func:`logdet_panel` -- the observation count and the
  Jacobian term of the (transformed) likelihood.
* :func:`lee_yu_sigma2` -- the closed-form Lee-Yu correction of sigma^2.
* :func:`panel_traces` -- trace terms of the information matrix for panels.
* :func:`orthonormal_deviation` -- the explicit ``F_{T,T-1}`` matrix, used to
  check the closed forms.

The Lee-Yu (2010) treatment, exactly
------------------------------------
*Direct approach* (``lee_yu=False``): fixed effects are concentrated out by
demeaning, the likelihood uses ``n = NT`` observations and the Jacobian
``T log|I - rho W|``; ``sigma2 = SSE / NT``. With region effects sigma^2 is then
biased by the factor ``(T - 1) / T`` (incidental parameters); with two-way
effects rho and beta carry an additional ``O(1/N)`` bias.

*Transformation approach* (``lee_yu=True``), Lee and Yu (2010), J. Econometrics
154, 165-185, sec. 3-4:

* region effects: the data are transformed by ``F_{T,T-1}'`` (orthonormal
  eigenvectors of the demeaning matrix). The likelihood has ``n = N (T - 1)``
  and Jacobian ``(T - 1) log|I - rho W|``. It is proportional to the direct
  one, so rho and beta are **identical** and only
  ``sigma2_LY = T / (T - 1) * sigma2_direct`` changes (the closed form).
* two-way effects (row-standardised W): additionally ``F_{N,N-1}'`` removes the
  time effects; ``W* = F_N' W F_N`` has ``|I - rho W*| = |I - rho W| / (1 - rho)``.
  The likelihood has ``n = (N - 1)(T - 1)`` and Jacobian
  ``(T - 1) [log|I - rho W| - log(1 - rho)]``; rho, beta and sigma2 all change
  (this is the bias correction for two-way effects of Lee and Yu 2010, which is
  what Elhorst 2014 sec. 3.4 implements), and
  ``sigma2_LY = SSE(rho_LY, beta_LY) / ((N - 1)(T - 1))``.
* time effects only: ``n = N' T`` with ``N' = N - 1`` and Jacobian
  ``T [log|I - rho W| - log(1 - rho)]`` (needs row-standardised W).

Examples
--------
>>> import numpy as np
>>> y = np.arange(6.0)           # N = 3 regions, T = 2 periods, time-major
>>> demean(y, 3, 2, "region")
array([-1.5, -1.5, -1.5,  1.5,  1.5,  1.5])
>>> n_effective(3, 2, "twoways", lee_yu=True)
2
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

from ..errors import DataError, WeightsError

__all__ = [
    "demean",
    "quasi_demean",
    "re_theta",
    "n_effective",
    "logdet_panel",
    "lee_yu_sigma2",
    "panel_traces",
    "orthonormal_deviation",
    "group_means",
    "re_covariance",
]

_FE = ("region", "time", "twoways")


def _as_3d(a: np.ndarray, N: int, T: int) -> tuple[np.ndarray, bool]:
    a = np.asarray(a, dtype=float)
    if a.shape[0] != N * T:
        raise DataError(f"stacked array has {a.shape[0]} rows; expected N*T = {N}*{T} = {N * T}.")
    vec = a.ndim == 1
    return a.reshape(T, N, -1), vec


def group_means(a: np.ndarray, N: int, T: int, by: str) -> np.ndarray:
    """Means of a time-major stacked array by region (over t) or by period (over i).

    Parameters
    ----------
    a : ndarray, shape (N*T,) or (N*T, k)
    N, T : int
    by : {"region", "time"}

    Returns
    -------
    ndarray
        ``(N,)``/``(N, k)`` for ``by="region"``, ``(T,)``/``(T, k)`` for ``by="time"``.

    Examples
    --------
    >>> group_means(np.arange(6.0), 3, 2, "region")
    array([1.5, 2.5, 3.5])
    """
    a3, vec = _as_3d(a, N, T)
    m = a3.mean(axis=0) if by == "region" else a3.mean(axis=1)
    return m[:, 0] if vec else m


def demean(a: np.ndarray, N: int, T: int, effects: str | None) -> np.ndarray:
    """Within transformation of a time-major stacked array.

    Parameters
    ----------
    a : ndarray, shape (N*T,) or (N*T, k)
    N, T : int
        Regions and periods.
    effects : {None, "region", "time", "twoways"}
        ``"region"`` subtracts each region's mean over time, ``"time"`` each
        period's mean over regions, ``"twoways"`` both and adds back the grand
        mean (double demeaning). ``None`` returns a copy.

    Returns
    -------
    ndarray of the same shape.

    Examples
    --------
    >>> a = np.array([1.0, 2.0, 3.0, 5.0])      # N = 2, T = 2
    >>> demean(a, 2, 2, "twoways")
    array([ 0.25, -0.25, -0.25,  0.25])
    """
    a3, vec = _as_3d(a, N, T)
    out = a3.copy()
    if effects in ("region", "twoways"):
        out = out - a3.mean(axis=0, keepdims=True)
    if effects in ("time", "twoways"):
        out = out - a3.mean(axis=1, keepdims=True)
    if effects == "twoways":
        out = out + a3.mean(axis=(0, 1), keepdims=True)
    out = out.reshape(N * T, -1)
    return out[:, 0] if vec else out


def re_theta(phi: float, T: int) -> float:
    """Random-effects weight ``theta = 1 / sqrt(1 + T phi)``.

    ``phi = sigma_mu^2 / sigma_e^2``. Quasi-demeaning subtracts ``(1 - theta)``
    times the region mean: ``theta = 1`` is pooled OLS, ``theta -> 0`` is the
    within estimator.

    Examples
    --------
    >>> re_theta(0.0, 10)
    1.0
    """
    return float(1.0 / np.sqrt(1.0 + T * phi))


def quasi_demean(a: np.ndarray, N: int, T: int, theta: float) -> np.ndarray:
    """Random-effects transformation ``a_it - (1 - theta) * mean_t(a_i.)``.

    Examples
    --------
    >>> quasi_demean(np.arange(4.0), 2, 2, 1.0)
    array([0., 1., 2., 3.])
    """
    a3, vec = _as_3d(a, N, T)
    out = (a3 - (1.0 - theta) * a3.mean(axis=0, keepdims=True)).reshape(N * T, -1)
    return out[:, 0] if vec else out


def n_effective(N: int, T: int, effects: str | None, *, lee_yu: bool = False) -> int:
    """Number of observations in the panel likelihood after the transformation.

    ``NT`` for the direct approach; with ``lee_yu=True``: ``N (T-1)`` (region),
    ``(N-1) T`` (time), ``(N-1)(T-1)`` (two-way).

    Examples
    --------
    >>> n_effective(31, 20, "region", lee_yu=True)
    589
    """
    if not lee_yu or effects not in _FE:
        return N * T
    n_r = N - 1 if effects in ("time", "twoways") else N
    n_t = T - 1 if effects in ("region", "twoways") else T
    return n_r * n_t


def logdet_panel(ld_W: float, rho: float, T: int, effects: str | None, *, lee_yu: bool = False) -> float:
    """Jacobian term of the panel likelihood from ``ld_W = log|I - rho W|``.

    Direct approach: ``T * ld_W``. Lee-Yu: ``(T-1) ld_W`` (region),
    ``T (ld_W - log(1 - rho))`` (time), ``(T-1)(ld_W - log(1 - rho))`` (two-way).
    The ``log(1 - rho)`` term assumes row-standardised W (eigenvalue 1 with
    eigenvector ``1``).

    Examples
    --------
    >>> logdet_panel(-0.5, 0.3, 10, "region", lee_yu=True)
    -4.5
    """
    if not lee_yu or effects not in _FE:
        return T * ld_W
    mult = T - 1 if effects in ("region", "twoways") else T
    val = ld_W
    if effects in ("time", "twoways"):
        val = ld_W - np.log1p(-rho)
    return mult * val


def lee_yu_sigma2(sse: float, N: int, T: int, effects: str | None) -> float:
    """Lee-Yu sigma^2: ``SSE / n_effective``.

    For region effects this is the closed form ``T / (T - 1)`` times the direct
    ``SSE / NT``; for two-way effects it is ``SSE / ((N-1)(T-1))`` at the
    transformation-approach estimates.

    Examples
    --------
    >>> lee_yu_sigma2(90.0, 10, 10, "region") / (90.0 / 100)
    1.1111111111111112
    """
    return float(sse) / n_effective(N, T, effects, lee_yu=True)


def _base_traces(W: sp.spmatrix, rho: float, *, method: str, n_vectors: int, seed, bounds=None,
                 reuse=None) -> dict:
    """``tr(G)``, ``tr(GG)``, ``tr(G'G)`` of one N x N W (the core's ``lag_traces``)."""
    from .covariance import lag_traces

    return dict(lag_traces(W, rho, method=method, n_vectors=n_vectors, seed=seed, bounds=bounds, **(reuse or {})))


def panel_traces(
    W: sp.spmatrix | np.ndarray | list,
    rho: float,
    *,
    T: int,
    effects: str | None = None,
    lee_yu: bool = False,
    method: str = "auto",
    n_vectors: int = 100,
    seed=None,
    bounds=None,
    reuse: dict | None = None,
) -> dict:
    """Trace terms of the panel information matrix.

    With ``G = W (I - rho W)^{-1}`` the cross-section terms are ``tr(G)``,
    ``tr(G G)``, ``tr(G'G)`` (from :func:`spatialecon.estimation.covariance.lag_traces`:
    exact dense for moderate N, stochastic/series estimates beyond). For a panel with
    constant W they are multiplied by the number of periods in the likelihood
    (``T``, or ``T - 1`` under Lee-Yu with region/two-way effects). Under
    Lee-Yu with time/two-way effects the terms of ``G* = F_N' G F_N`` are used,
    exactly: ``tr(G*) = tr(G) - c``, ``tr(G*^2) = tr(G^2) - c^2`` and
    ``tr(G*'G*) = tr(G'G) - ||G'1||^2 / N`` with ``c = 1/(1 - rho)`` and
    ``G'1 = (I - rho W')^{-1} W' 1`` (row-standardised W, so ``G 1 = c 1``).
    ``bounds`` (the admissible interval of rho) keeps the difference stencil of the
    stochastic method inside it (see :func:`spatialecon.estimation.traces.info_traces`).
    ``reuse`` (constant W only): keyword arguments for the stochastic method from
    the design (``sparse_logdet``, ``solver``, ``logdet_at_rho``, ``guide``,
    ``known_logdets``; see :func:`spatialecon.estimation.covariance.lag_traces`).
    For time-varying W (a list of T matrices) the per-period terms are summed
    (the models accept a time-varying W with Lee-Yu for time effects only; the
    ``(T-1)/T`` scaling applied here with region/two-way Lee-Yu effects would be
    an approximation, and the models reject that combination).

    Returns
    -------
    dict with ``tr_G``, ``tr_GG``, ``tr_GtG`` (floats), ``method`` and ``se``
    (None when exact).

    Examples
    --------
    >>> W = np.array([[0, 1.0], [1.0, 0]])
    >>> round(panel_traces(W, 0.0, T=3)["tr_GG"], 6)
    6.0
    """
    mats = list(W) if isinstance(W, (list, tuple)) else [W]
    out = {"tr_G": 0.0, "tr_GG": 0.0, "tr_GtG": 0.0}
    ly_time = lee_yu and effects in ("time", "twoways")
    used, ses = "exact", []
    cache: dict = {}
    for Wt in mats:
        if id(Wt) in cache:
            for key, val in zip(("tr_G", "tr_GG", "tr_GtG"), cache[id(Wt)]):
                out[key] += val
            continue
        Ws = sp.csr_matrix(Wt) if sp.issparse(Wt) else sp.csr_matrix(np.asarray(Wt, dtype=float))
        n = Ws.shape[0]
        base = _base_traces(Ws, rho, method=method, n_vectors=n_vectors, seed=seed, bounds=bounds,
                            reuse=reuse if len(mats) == 1 else None)
        used = base.get("method", used)
        if base.get("se") is not None:
            ses.append(base["se"])
        trg, trgg, trgtg = base["tr_G"], base["tr_GG"], base["tr_GtG"]
        if ly_time:
            rs = np.asarray(Ws.sum(axis=1)).ravel()
            if not np.allclose(rs[rs > 0], 1.0):
                raise WeightsError("Lee-Yu with time effects needs a row-standardised W.")
            c = 1.0 / (1.0 - rho)
            A_t = sp.csc_matrix(sp.identity(n) - rho * Ws.T)
            g1 = spla.spsolve(A_t, np.asarray(Ws.T @ np.ones(n)).ravel())
            trg, trgg, trgtg = trg - c, trgg - c * c, trgtg - float(g1 @ g1) / n
        cache[id(Wt)] = (float(trg), float(trgg), float(trgtg))
        out["tr_G"] += float(trg)
        out["tr_GG"] += float(trgg)
        out["tr_GtG"] += float(trgtg)
    if len(mats) == 1:
        mult = T - 1 if (lee_yu and effects in ("region", "twoways")) else T
        out = {k: v * mult for k, v in out.items()}
    elif lee_yu and effects in ("region", "twoways"):
        out = {k: v * (T - 1) / T for k, v in out.items()}
    out["method"] = used
    out["se"] = ses or None
    return out


def orthonormal_deviation(T: int) -> np.ndarray:
    """``F_{T,T-1}``: T x (T-1) orthonormal eigenvectors of ``I_T - J_T/T``.

    ``F F' = I - J/T`` and ``F' 1 = 0`` (Lee and Yu 2010, sec. 2). Used to check
    the closed forms of :func:`n_effective` and :func:`logdet_panel`.

    Examples
    --------
    >>> F = orthonormal_deviation(4)
    >>> np.allclose(F @ F.T, np.eye(4) - 1 / 4)
    True
    """
    vals, vecs = np.linalg.eigh(np.eye(T) - np.full((T, T), 1.0 / T))
    return vecs[:, vals > 0.5]


def re_covariance(V: np.ndarray, *, theta: float, sigma2: float, N: int, tr_G: float) -> tuple[np.ndarray, float]:
    """Random-effects covariance accounting for the estimated ``theta``.

    ``V`` is the covariance of ``(beta, rho|lambda, sigma2)`` computed with theta
    known (last two rows: the spatial coefficient, then sigma2). With
    ``theta = 1/sqrt(1 + T phi)``, ``L = ... + N log theta + T log|A| - e'e/(2 s2)``
    and ``e = P_theta (A y - X b)`` (``P_theta`` the quasi-demeaning), the
    expected information adds (derived for this package; cf. Elhorst 2014,
    sec. 3.4, whose entries differ):
    ``I_tt = 2N/theta^2``, ``I_t,s2 = -N/(theta s2)``, ``I_t,rho = -2 tr(G)/theta``
    (``tr(G)`` of one period, ``G = W (I - rho W)^{-1}``; the same with lambda
    for the KKP error model) and ``I_t,beta = 0``.

    Returns
    -------
    (V_marginal, theta_se)
        ``V_marginal`` has the shape of ``V`` (theta integrated out).

    Examples
    --------
    >>> V = np.diag([0.01, 0.001, 1e-6])
    >>> Va, se = re_covariance(V, theta=0.5, sigma2=0.01, N=50, tr_G=0.0)
    >>> bool(np.allclose(Va[0, 0], 0.01)), round(se, 6) > 0
    (True, True)
    """
    Inf = np.linalg.inv(np.asarray(V, dtype=float))
    p = Inf.shape[0]
    A = np.zeros((p + 1, p + 1))
    A[:p, :p] = Inf
    A[p, p] = 2.0 * N / theta**2
    A[p, p - 1] = A[p - 1, p] = -N / (theta * sigma2)
    A[p, p - 2] = A[p - 2, p] = -2.0 * tr_G / theta
    Va = np.linalg.inv(A)
    return Va[:p, :p], float(np.sqrt(max(Va[p, p], 0.0)))

