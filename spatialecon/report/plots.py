"""Maps and plots for reports: choropleths, LISA clusters, Moran scatter, series, beta scatter.

All functions return a matplotlib ``Figure`` and never call ``plt.show()``.
Palettes are colour-blind safe (viridis/cividis for sequential data, a
blue-white-red diverging map for signed data, the Okabe-Ito set for categories),
and figure sizes are at journal column width (about 7 x 5 inches).

Examples
--------
>>> import pandas as pd
>>> fig = series_plot(pd.DataFrame({"sd_log": [0.5, 0.4]}, index=[2000, 2001]), ["sd_log"], title="t")
>>> fig.axes[0].get_title()
't'
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

__all__ = ["choropleth", "lisa_map", "moran_scatter", "series_plot", "beta_scatter", "OKABE_ITO", "cjk_font"]

OKABE_ITO = ["#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000"]
_SIZE = (7.0, 5.0)


def cjk_font() -> str | None:
    """Name of an installed font that can draw Chinese characters, or None.

    Examples
    --------
    >>> cjk_font() is None or isinstance(cjk_font(), str)
    True
    """
    from matplotlib import font_manager

    wanted = ("Noto Sans CJK", "Noto Serif CJK", "WenQuanYi", "Source Han", "SimHei", "Microsoft YaHei", "AR PL", "Droid Sans Fallback")
    for f in font_manager.fontManager.ttflist:
        if any(w.lower() in f.name.lower() for w in wanted):
            return f.name
    return None


def font_context(font: str | None):
    """Context manager that draws text with ``font`` (e.g. from :func:`cjk_font`); no-op for None.

    Examples
    --------
    >>> with font_context(None):
    ...     pass
    """
    import contextlib

    import matplotlib as mpl

    if font is None:
        return contextlib.nullcontext()
    # Latin glyphs from DejaVu Sans, Chinese ones from the CJK font (matplotlib's per-glyph fallback)
    return mpl.rc_context({"font.family": ["DejaVu Sans", font]})


def choropleth(gdf, values: pd.Series, *, title: str = "", cmap: str | None = None, diverging: bool = False,
               outline=None, legend_label: str = "", labels: pd.Series | None = None):
    """Choropleth of ``values`` (indexed like ``gdf``).

    Parameters
    ----------
    gdf : GeoDataFrame
        Geometries indexed by region id.
    values : Series
        Aligned by index (missing regions drawn hatched grey, never dropped).
    title, legend_label : str
    cmap : str, optional
        Default "viridis" (sequential) or "RdBu_r" centred on zero when ``diverging``.
    outline : sequence of ids, optional
        Regions drawn with a thick black outline (e.g. spillover sources).
    labels : Series, optional
        Short labels to write at representative points (use sparingly).

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.colors import TwoSlopeNorm

    data = gdf.copy()
    data["_v"] = values.reindex(data.index)
    fig, ax = plt.subplots(figsize=_SIZE)
    kw = {}
    if diverging:
        v = data["_v"].abs().max()
        v = v if np.isfinite(v) and v > 0 else 1.0
        kw["norm"] = TwoSlopeNorm(vmin=-v, vcenter=0.0, vmax=v)
        cmap = cmap or "RdBu_r"
    data.plot(column="_v", ax=ax, cmap=cmap or "viridis", legend=True, edgecolor="white", linewidth=0.3,
              missing_kwds={"color": "lightgrey", "hatch": "///", "label": "no value"},
              legend_kwds={"label": legend_label, "shrink": 0.6}, **kw)
    if outline is not None:
        data.loc[[o for o in outline if o in data.index]].boundary.plot(ax=ax, color="black", linewidth=1.6)
    if labels is not None:
        pts = data.representative_point()
        for idx, lab in labels.reindex(data.index).dropna().items():
            ax.annotate(str(lab), xy=(pts[idx].x, pts[idx].y), ha="center", fontsize=6)
    ax.set_axis_off()
    ax.set_title(title)
    fig.tight_layout()
    return fig


def lisa_map(gdf, values: pd.Series, w, *, permutations: int = 999, seed: int = 0, alpha: float = 0.05, title: str = ""):
    """LISA cluster map (High-High, Low-Low, High-Low, Low-High, not significant) via ``esda.Moran_Local``.

    ``w`` is a libpysal Graph whose ids are ``gdf``'s index; values are aligned by id.
    """
    import esda

    ids = list(w.unique_ids)
    y = values.reindex(ids).to_numpy(dtype=float)
    lisa = esda.Moran_Local(y, w.to_W(), transformation="o", permutations=permutations, seed=seed)
    names = {1: "High-High", 2: "Low-High", 3: "Low-Low", 4: "High-Low"}
    cat = pd.Series([names[q] if p <= alpha else "not significant" for q, p in zip(lisa.q, lisa.p_sim)], index=ids)
    colours = {"High-High": "#D55E00", "Low-Low": "#0072B2", "High-Low": "#E69F00", "Low-High": "#56B4E9", "not significant": "#EEEEEE"}
    data = gdf.copy()
    data["_c"] = cat.reindex(data.index)
    fig, ax = plt.subplots(figsize=_SIZE)
    for label, colour in colours.items():
        part = data[data["_c"] == label]
        if len(part):
            part.plot(ax=ax, color=colour, edgecolor="grey", linewidth=0.3, label=label)
    from matplotlib.patches import Patch

    ax.legend(handles=[Patch(facecolor=c, edgecolor="grey", label=lab) for lab, c in colours.items()], loc="lower left", fontsize=7, frameon=False)
    ax.set_axis_off()
    ax.set_title(title)
    fig.tight_layout()
    return fig


def moran_scatter(values: pd.Series, w, *, title: str = "", xlabel: str = "standardised value"):
    """Moran scatter plot: standardised values against their spatial lag, with the slope I."""
    import scipy.sparse as sp

    ids = list(w.unique_ids)
    y = values.reindex(ids).to_numpy(dtype=float)
    z = (y - y.mean()) / y.std()
    W = sp.csr_matrix(w.sparse)
    wz = W @ z
    slope = float(z @ wz / (z @ z))
    fig, ax = plt.subplots(figsize=(5.0, 5.0))
    ax.scatter(z, wz, s=14, color=OKABE_ITO[4], alpha=0.8)
    xs = np.linspace(z.min(), z.max(), 10)
    ax.plot(xs, slope * xs, color=OKABE_ITO[5], label=f"slope = {slope:.3f}")
    ax.axhline(0, color="grey", lw=0.5)
    ax.axvline(0, color="grey", lw=0.5)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("spatial lag")
    ax.set_title(title)
    ax.legend(frameon=False)
    fig.tight_layout()
    return fig


def series_plot(table: pd.DataFrame, columns, *, title: str = "", ylabel: str = "", labels: dict | None = None):
    """Line plot of ``columns`` of a year-indexed table (sigma, Theil components, Moran's I)."""
    fig, ax = plt.subplots(figsize=(7.0, 4.0))
    for k, c in enumerate(columns):
        ax.plot(table.index, table[c], marker="o", ms=3, color=OKABE_ITO[k % len(OKABE_ITO)], label=(labels or {}).get(c, c))
    ax.set_title(title)
    ax.set_ylabel(ylabel)
    ax.set_xlabel("year")
    ax.legend(frameon=False, fontsize=8)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def beta_scatter(data: pd.DataFrame, *, x: str = "ln_y0", y: str = "growth", groups: pd.Series | None = None, title: str = "",
                 labels: pd.Series | None = None):
    """Beta-convergence scatter (growth on initial log level) with the OLS line."""
    fig, ax = plt.subplots(figsize=(6.0, 4.5))
    if groups is not None:
        g = groups.reindex(data.index)
        for k, lab in enumerate(sorted(g.dropna().unique())):
            m = g == lab
            ax.scatter(data.loc[m, x], data.loc[m, y], s=18, color=OKABE_ITO[k % 8], label=str(lab))
        ax.legend(frameon=False, fontsize=8)
    else:
        ax.scatter(data[x], data[y], s=18, color=OKABE_ITO[4])
    b, a = np.polyfit(data[x].to_numpy(float), data[y].to_numpy(float), 1)
    xs = np.linspace(data[x].min(), data[x].max(), 10)
    ax.plot(xs, a + b * xs, color="black", lw=1, label=f"slope {b:.4f}")
    if labels is not None:
        for idx, lab in labels.reindex(data.index).dropna().items():
            ax.annotate(str(lab), (data.loc[idx, x], data.loc[idx, y]), fontsize=6, xytext=(2, 2), textcoords="offset points")
    ax.set_xlabel("initial log level" if x == "ln_y0" else x)
    ax.set_ylabel("average annual log growth" if y == "growth" else y)
    ax.set_title(title)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig
