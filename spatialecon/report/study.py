"""The study: the whole chain from a provincial table to a report.

Steps: load the panel and geometries; build W (queen with the Hainan rule, and a
k-nearest-neighbour W as a robustness check); descriptive maps; sigma-convergence
and the Theil decomposition by region4; Moran's I by year; beta-convergence (OLS,
SAR, SEM, SDM cross-section, and a two-way fixed-effects panel); LM tests and
model choice; impacts with inference; spillovers from growth poles.  Output:
``report.md``, ``report.html``, tables as ``.tex`` and ``.csv``, figures as ``.png``,
and ``run.json`` (versions, options, seed, data hashes).

Choices (documented in docs/study.md):

* Income is GDP per capita **relative to the population-weighted national mean**
  (``relative="national"``): no provincial deflator is bundled, and a common deflator
  cancels in the ratio.
* Default period 2006-2023: one GRP vintage (the latest NBS revision) and the
  usual-resident population throughout, so no vintage break enters the growth rates.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import time
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import DataError, SpatialEconError

__all__ = ["StudyOptions", "run_study"]


@dataclasses.dataclass(frozen=True)
class StudyOptions:
    """Options of a study run (also readable from a TOML spec)."""

    out: str = "spatialecon-study"
    data: str | None = None
    region: str | None = None
    year: str | None = None
    variable: str | None = None
    population: str | None = None
    geometry: str | None = None
    start: int | None = None
    end: int | None = None
    draws: int = 1000
    seed: int = 0
    lang: str = "en"

    @classmethod
    def from_args(cls, args) -> "StudyOptions":
        values = {f.name: getattr(args, f.name, None) for f in dataclasses.fields(cls)}
        if getattr(args, "spec", None):
            import tomllib

            with open(args.spec, "rb") as fh:
                spec = tomllib.load(fh)
            unknown = set(spec) - {f.name for f in dataclasses.fields(cls)}
            if unknown:
                raise DataError(f"unknown keys in the study spec {args.spec}: {sorted(unknown)}")
            for k, v in spec.items():
                if values.get(k) in (None, cls.__dataclass_fields__[k].default):
                    values[k] = v
        values = {k: v for k, v in values.items() if v is not None}
        return cls(**values)


def _hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


class _Writer:
    def __init__(self, out: Path):
        self.out = out
        self.md: list[str] = []
        self.files: list[str] = []
        out.mkdir(parents=True, exist_ok=True)
        (out / "tables").mkdir(exist_ok=True)
        (out / "figures").mkdir(exist_ok=True)

    def h(self, text: str, level: int = 2):
        self.md.append("#" * level + " " + text + "\n")

    def p(self, text: str):
        self.md.append(text + "\n")

    def table(self, name: str, df: pd.DataFrame, caption: str, floatfmt: str = "%.4f"):
        csv = self.out / "tables" / f"{name}.csv"
        tex = self.out / "tables" / f"{name}.tex"
        df.to_csv(csv)
        tex.write_text(_tex_table(df, caption, f"tab:{name}"), encoding="utf-8")
        self.files += [str(csv.relative_to(self.out)), str(tex.relative_to(self.out))]
        self.md.append(f"**{caption}** (`tables/{name}.csv`, `tables/{name}.tex`)\n")
        self.md.append(_md_table(df) + "\n")

    def figure(self, name: str, fig, caption: str):
        import matplotlib.pyplot as plt

        path = self.out / "figures" / f"{name}.png"
        if not hasattr(fig, "savefig") and hasattr(fig, "figure"):  # an Axes
            fig = fig.figure
        fig.savefig(path, dpi=150)
        plt.close(fig)
        self.files.append(str(path.relative_to(self.out)))
        self.md.append(f"![{caption}](figures/{name}.png)\n\n*{caption}*\n")


def _load(options: StudyOptions, say):
    from .. import datasets

    if options.data is None:
        say("loading the bundled provincial panel and geometries")
        panel = datasets.china_panel()
        gdf = datasets.china_provinces()
        variable = options.variable or "gdppc"
        population = options.population or "pop"
        return panel, gdf, variable, population, {"panel": "bundled panels/", "geometry": "bundled shapefiles/"}
    from ..data import build_panel, read_table

    path = Path(options.data)
    if not path.exists():
        raise DataError(f"--data file not found: {path}")
    if not options.region or not options.variable:
        raise DataError("--data needs --region and --variable (and --year for long tables)")
    raw = read_table(path)
    rp = build_panel(raw, region=options.region, year=options.year)
    panel = rp.data
    if options.geometry:
        import geopandas as gpd

        gdf = gpd.read_file(options.geometry)
        if "code" in gdf.columns:
            gdf = gdf.set_index("code")
    else:
        gdf = datasets.china_provinces()
    return panel, gdf, options.variable, options.population, {"panel": str(path), "panel_sha256": _hash(path)}


def run_study(options: StudyOptions = StudyOptions(), progress=None) -> Path:
    """Run the study and return the output folder.

    Parameters
    ----------
    options : StudyOptions
    progress : callable, optional
        Called with a short message before each long step.

    Returns
    -------
    pathlib.Path
        The folder with ``report.md``, ``report.html``, ``tables/``, ``figures/``, ``run.json``.
    """
    from .. import __version__, regions
    from .. import weights as wts
    from ..results import convergence, inequality
    from ..results.diagnostics import lm_tests
    from . import plots
    from .compare import compare

    say = progress or (lambda m: None)
    t0 = time.time()
    out = Path(options.out)
    wr = _Writer(out)
    panel, gdf, variable, population, data_info = _load(options, say)
    years = sorted(panel.index.get_level_values(1).unique())
    start = options.start or (2006 if options.data is None else years[0])
    end = options.end or years[-1]
    codes = list(gdf.index)
    from .._options import Lang, validate

    lang = validate("lang", options.lang, Lang)
    if options.data is None or all(len(str(c)) == 6 and str(c).isdigit() for c in codes):
        names = regions.name_of(codes, lang="zh_short" if lang == "zh" else "en")
    else:
        names = pd.Series(codes, index=codes)
    en_names = regions.name_of(codes, lang="en") if lang == "zh" else names
    font = plots.cjk_font() if lang == "zh" else None
    map_names = names if font else en_names

    wr.h("spatialecon study", 1)
    wr.p(f"spatialecon {__version__}. Variable `{variable}`, {start}-{end}, {len(codes)} regions. "
         "Income is taken relative to the population-weighted national mean (no provincial deflator is bundled; "
         "a common deflator cancels in the ratio).")

    if options.data is None:
        window = panel.loc[(slice(None), slice(start, end)), :]
        used = {c: sorted(window[f"{c}_source"].dropna().unique()) for c in ("grp", "pop") if f"{c}_source" in window}
        wr.p("Data sources in the period (source ids of `panels/sources.csv`; see `panels/CODEBOOK.md`): "
             + "; ".join(f"`{c}`: {', '.join(v)}" for c, v in used.items())
             + ". GDP per capita is derived as GRP / year-end population (not the official per-capita series). "
             "Where a variable changes source inside the period the break is the compiler's, not a change of "
             "definition: check PROVENANCE.md before reading growth across it.")
    if lang == "zh":
        wr.p("Region names in tables are given in Chinese (`lang='zh'`). "
             + (f"Maps use the CJK font '{font}'." if font else
                "No CJK font was found on this machine (e.g. Debian's fonts-noto-cjk), so map titles keep English names."))
    say("building spatial weights")
    w = wts.contiguity(gdf, islands="nearest")
    w_knn = wts.knn(gdf, k=4)
    wr.h("Spatial weights")
    wr.p(f"Queen contiguity, row-standardised; islands linked to their nearest neighbour by boundary distance "
         f"({w.n_edges} directed links in all, the island links included). Robustness: 4 nearest neighbours by great-circle distance between "
         "equal-area centroids, row-standardised.")

    say("descriptive maps and dispersion")
    data = panel[[variable] + ([population] if population else [])].copy()
    table = data[variable].unstack(0)
    pop = data[population].unstack(0) if population else None
    nat = (table * pop).sum(axis=1) / pop.sum(axis=1) if pop is not None else table.mean(axis=1)
    rel = table.div(nat, axis=0)
    data["relative"] = rel.stack().reorder_levels([1, 0]).reindex(data.index)
    wr.h("Levels and growth")
    wr.figure("map_level_start", plots.choropleth(gdf, rel.loc[start], title=f"Relative income {start}", legend_label="ratio to national mean"), f"Relative income, {start}")
    wr.figure("map_level_end", plots.choropleth(gdf, rel.loc[end], title=f"Relative income {end}", legend_label="ratio to national mean"), f"Relative income, {end}")
    growth = (np.log(table.loc[end]) - np.log(table.loc[start])) / (end - start)
    wr.figure("map_growth", plots.choropleth(gdf, growth, title=f"Average annual log growth {start}-{end}", legend_label="log points per year"), "Average annual growth (nominal)")
    wr.figure("lisa_end", plots.lisa_map(gdf, rel.loc[end], w, seed=options.seed, title=f"LISA clusters of relative income, {end}"), f"LISA clusters, {end}")
    wr.figure("moran_scatter_end", plots.moran_scatter(np.log(rel.loc[end]), w, title=f"Moran scatter, log relative income {end}"), "Moran scatter")

    wr.h("Sigma-convergence and inequality")
    sig = convergence.sigma_convergence(data.loc[(slice(None), slice(start, end)), :], variable, population=population)
    wr.table("sigma", sig, "Dispersion by year")
    wr.figure("sigma", plots.series_plot(sig, ["sd_log", "cv"] + (["cv_weighted"] if population else []), title="Sigma-convergence"), "Dispersion of income by year")
    th = inequality.theil(data.loc[(slice(None), slice(start, end)), :], variable, groups="region4" if options.data is None else None, population=population)
    wr.table("theil", th, "Theil T by year (population weighted), between and within region4")
    wr.figure("theil", plots.series_plot(th, [c for c in ("total", "between", "within") if c in th.columns], title="Theil T decomposition"), "Theil decomposition")
    mo = convergence.moran_by_year(data.loc[(slice(None), slice(start, end)), :], variable, w, permutations=999, seed=options.seed, log=True)
    wr.table("moran", mo, "Global Moran's I of log income by year (queen W, permutation p-values)")
    wr.figure("moran", plots.series_plot(mo, ["I"], title="Moran's I by year"), "Moran's I by year")

    say("beta-convergence models")
    wr.h("Beta-convergence")
    beta_rows, fits = {}, {}
    for model in ("OLS", "SAR", "SEM", "SDM"):
        b = convergence.beta_convergence(data, variable, start, end, model=model, w=None if model == "OLS" else w,
                                         relative="national" if population else "sample_mean", population=population)
        fits[model] = b
        beta_rows[model] = {"beta": b.beta.estimate, "beta_se": b.beta.se, "speed": b.speed.estimate, "speed_se": b.speed.se,
                            "half_life": b.half_life.estimate, "half_life_se": b.half_life.se, "basis": b.basis}
    bt = pd.DataFrame(beta_rows).T
    wr.table("beta_cross_section", bt, "Cross-section beta-convergence: beta (on the stated basis), speed and half-life")
    wr.p(compare([f.model_result for f in fits.values()], names=list(fits)).as_markdown())
    ols_fit = fits["OLS"]
    wr.figure("beta_scatter", plots.beta_scatter(ols_fit.data, groups=regions.groups("region4") if options.data is None else None,
                                                  title=f"Growth {start}-{end} on initial relative income"), "Beta-convergence scatter")
    panel_rows = {}
    for model in ("OLS", "SAR", "SDM"):
        try:
            bp = convergence.beta_convergence(data, variable, start, end, model=model, w=None if model == "OLS" else w, horizon=1,
                                              effects="twoways", relative="national" if population else "sample_mean", population=population)
            panel_rows[model] = {"beta": bp.beta.estimate, "beta_se": bp.beta.se, "speed": bp.speed.estimate, "half_life": bp.half_life.estimate, "basis": bp.basis}
        except SpatialEconError as exc:  # a panel step that cannot run is reported, not hidden
            panel_rows[model] = {"beta": np.nan, "beta_se": np.nan, "speed": np.nan, "half_life": np.nan, "basis": f"not estimated: {exc}"}
    wr.table("beta_panel", pd.DataFrame(panel_rows).T, "Panel beta-convergence, annual spans, two-way fixed effects")

    say("LM tests and impacts")
    wr.h("Model choice")
    lm = lm_tests(ols_fit.model_result, w)
    lmt = pd.DataFrame({k: {"stat": v.stat, "pvalue": v.pvalue, "df": v.df} for k, v in lm.items()}).T
    wr.table("lm_tests", lmt, "LM tests on the OLS convergence regression (queen W)")
    from ..results.diagnostics import common_factor_test, lr_test

    sdm_r, sar_r, sem_r = (fits[m].model_result for m in ("SDM", "SAR", "SEM"))
    lr = {"SDM vs SAR (theta = 0)": lr_test(sar_r, sdm_r), "SDM vs SEM (common factor)": common_factor_test(sdm_r, sem_r),
          "SAR vs OLS (rho = 0)": lr_test(ols_fit.model_result, sar_r), "SEM vs OLS (lambda = 0)": lr_test(ols_fit.model_result, sem_r)}
    lrt = pd.DataFrame({k: {"stat": v.stat, "pvalue": v.pvalue, "df": v.df} for k, v in lr.items()}).T
    lrt.index.name = "test"
    wr.table("lr_tests", lrt, "Likelihood-ratio tests between the cross-section convergence models")
    resid = ols_fit.model_result.resid
    resid.index = [i[0] if isinstance(i, tuple) else i for i in resid.index]
    wr.figure("map_ols_residuals", plots.choropleth(gdf, resid, title="OLS convergence residuals", diverging=True,
                                                    legend_label="residual"), "Residuals of the OLS convergence regression")
    robust = {}
    for model in ("SAR", "SDM"):
        b = convergence.beta_convergence(data, variable, start, end, model=model, w=w_knn,
                                         relative="national" if population else "sample_mean", population=population)
        robust[model] = {"beta": b.beta.estimate, "beta_se": b.beta.se, "speed": b.speed.estimate,
                         "half_life": b.half_life.estimate, "rho": b.model_result.rho, "basis": b.basis}
    rb = pd.DataFrame(robust).T
    rb.index.name = "model"
    wr.table("beta_robust_knn", rb, "Robustness: cross-section beta-convergence with the 4-nearest-neighbour W")
    sdm = fits["SDM"].model_result
    imp = sdm.impacts(draws=options.draws, seed=options.seed)
    wr.table("impacts_sdm", imp, f"SDM impacts with {options.draws} simulation draws")

    if options.data is None:
        say("growth-pole spillovers")
        wr.h("Spillovers from growth poles")
        sources = regions.growth_poles("beijing_shanghai_guangdong") if hasattr(regions, "growth_poles") else ["110000", "310000", "440000"]
        sp = sdm.spillovers(source=list(sources), variable="ln_y0", by="region4", draws=options.draws, seed=options.seed)
        wr.p("Effect of a one-unit change in a growth pole's log initial relative income on each province's average "
             f"annual growth (SDM, queen W), with {options.draws}-draw simulated {95}% bands. A region's response "
             "includes feedback through its neighbours; `outward` sums the responses of all other provinces.")
        label = names.to_dict()
        wr.table("spillovers_sources", sp.to_frame().rename(index=label), "Own, outward and total effects of each growth pole's initial income")
        grp = sp.by_group("region4", own_separate=True)
        grp = grp.rename(index=label, level=0)
        wr.table("spillovers_groups", grp, "Spillovers by receiving region group (source taken out of its group)")
        order = sp.by_order(orders=4).rename(index=label, level=0)
        wr.table("spillovers_orders", order, "Spillovers by neighbour order (ring 0 = the source)")
        wr.table("spillovers_responses", sp.responses.rename(index=label, columns=label), "Response of each province to each growth pole")
        for s in sources:
            with plots.font_context(font):
                ax = sp.map(gdf, source=s)
                ax.set_title(f"{map_names.get(s, s)}: responses of growth to its initial income")
                wr.figure(f"spillover_map_{s}", ax, f"Responses to {names.get(s, s)} (source outlined)")
    run = {
        "spatialecon": __version__, "options": dataclasses.asdict(options), "start": start, "end": end,
        "variable": variable, "seed": options.seed, "data": data_info, "seconds": round(time.time() - t0, 2),
        "versions": _versions(), "files": wr.files,
    }
    (out / "run.json").write_text(json.dumps(run, indent=2, default=str), encoding="utf-8")
    md = "\n".join(wr.md)
    (out / "report.md").write_text(md, encoding="utf-8")
    (out / "report.html").write_text(_html(md), encoding="utf-8")
    return out


def _fmt(v) -> str:
    if isinstance(v, (float, np.floating)):
        return "" if not np.isfinite(v) else f"{v:.4f}" if abs(v) >= 1e-3 or v == 0 else f"{v:.3e}"
    return str(v)


def _idx(i) -> str:
    return " / ".join(str(x) for x in i) if isinstance(i, tuple) else str(i)


def _index_name(df: pd.DataFrame) -> str:
    return " / ".join(str(n or "") for n in df.index.names) if df.index.nlevels > 1 else str(df.index.name or "")


def _md_table(df: pd.DataFrame) -> str:
    """Pipe table (GitHub Markdown) of a DataFrame, index included."""
    head = [_index_name(df)] + [str(c) for c in df.columns]
    rows = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for idx, *row in df.itertuples(index=True, name=None):
        rows.append("| " + " | ".join([_idx(idx)] + [_fmt(v) for v in row]) + " |")
    return "\n".join(rows)


def _tex_escape(s: str) -> str:
    for a, b in (("\\", r"\textbackslash{}"), ("&", r"\&"), ("%", r"\%"), ("_", r"\_"), ("#", r"\#"), ("$", r"\$")):
        s = s.replace(a, b)
    return s


def _tex_table(df: pd.DataFrame, caption: str, label: str) -> str:
    """booktabs LaTeX table of a DataFrame, index included."""
    cols = "l" + "r" * len(df.columns)
    head = " & ".join([_tex_escape(_index_name(df))] + [_tex_escape(str(c)) for c in df.columns]) + r" \\"
    body = [" & ".join([_tex_escape(_idx(i))] + [_tex_escape(_fmt(v)) for v in row]) + r" \\" for i, *row in df.itertuples(index=True, name=None)]
    return "\n".join([r"\begin{table}[htbp]", r"\centering", rf"\caption{{{_tex_escape(caption)}}}", rf"\label{{{label}}}",
                      rf"\begin{{tabular}}{{{cols}}}", r"\toprule", head, r"\midrule", *body, r"\bottomrule", r"\end{tabular}", r"\end{table}", ""])


def _versions() -> dict:
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for pkg in ("numpy", "scipy", "pandas", "geopandas", "libpysal", "esda", "spreg", "statsmodels", "matplotlib"):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            out[pkg] = None
    return out


def _html(md: str) -> str:
    """Minimal Markdown -> HTML (headings, paragraphs, images, pipe tables) without extra dependencies."""
    import html

    lines, out, in_table = md.splitlines(), [], False
    for line in lines:
        s = line.strip()
        if s.startswith("|"):
            cells = [c.strip() for c in s.strip("|").split("|")]
            if all(set(c) <= set("-: ") for c in cells):
                continue
            if not in_table:
                out.append("<table>")
                in_table = True
                out.append("<tr>" + "".join(f"<th>{html.escape(c)}</th>" for c in cells) + "</tr>")
            else:
                out.append("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>")
            continue
        if in_table:
            out.append("</table>")
            in_table = False
        if s.startswith("#"):
            level = len(s) - len(s.lstrip("#"))
            out.append(f"<h{level}>{html.escape(s[level:].strip())}</h{level}>")
        elif s.startswith("!["):
            alt, src = s[2:].split("](", 1)
            out.append(f'<figure><img src="{html.escape(src.rstrip(")"))}" alt="{html.escape(alt)}" style="max-width:700px"></figure>')
        elif s:
            out.append(f"<p>{html.escape(s)}</p>")
    if in_table:
        out.append("</table>")
    style = "body{font-family:sans-serif;max-width:960px;margin:auto}table{border-collapse:collapse;font-size:12px}td,th{border:1px solid #ccc;padding:2px 6px}"
    return f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>spatialecon study</title><style>{style}</style></head><body>{''.join(out)}</body></html>"
