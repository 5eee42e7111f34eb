"""Plain table formatters (text, LaTeX booktabs, HTML, Markdown) without extra dependencies.

Used by :mod:`spatialecon.results.summary` and :mod:`spatialecon.report.compare`.

Examples
--------
>>> import pandas as pd
>>> t = pd.DataFrame({"coef": ["1.000"]}, index=["x"])
>>> "x" in render(t, "markdown")
True
"""

from __future__ import annotations

import html as _html

import numpy as np
import pandas as pd

from .._options import TableFormat, validate

__all__ = ["fmt_num", "stars_for", "render"]


def fmt_num(x, digits: int = 3) -> str:
    """Format a number with ``digits`` decimals (scientific for very large/small; '' for None/NaN).

    Examples
    --------
    >>> fmt_num(3.14159, 2)
    '3.14'
    """
    if x is None:
        return ""
    if isinstance(x, (int, np.integer)) and not isinstance(x, bool):
        return str(int(x))
    try:
        v = float(x)
    except (TypeError, ValueError):
        return str(x)
    if not np.isfinite(v):
        return "" if np.isnan(v) else str(v)
    if v != 0 and (abs(v) >= 1e7 or abs(v) < 10 ** (-digits)):
        return f"{v:.{digits}e}"
    return f"{v:.{digits}f}"


def stars_for(p) -> str:
    """Significance stars: *** p<0.01, ** p<0.05, * p<0.1.

    Examples
    --------
    >>> stars_for(0.03)
    '**'
    """
    if p is None or not np.isfinite(p):
        return ""
    return "***" if p < 0.01 else "**" if p < 0.05 else "*" if p < 0.1 else ""


def _latex_escape(s: str) -> str:
    rep = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
           "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}
    return "".join(rep.get(c, c) for c in str(s))


def render(table: pd.DataFrame, fmt: str = "text", *, title: str = "", header: list | None = None,
           notes: list | None = None, sections: dict | None = None) -> str:
    """Render a DataFrame of strings with an optional title, header key/value lines and notes.

    Parameters
    ----------
    table : pandas.DataFrame
        Cells already formatted as strings; the index gives the row labels.
    fmt : {"text", "latex", "html", "markdown"}
    title : str
    header : list of (str, str)
        Key/value lines printed above the table.
    notes : list of str
        Lines printed below the table.
    sections : dict, optional
        Row position -> label of a mid rule (e.g. start of the statistics block).

    Returns
    -------
    str

    Examples
    --------
    >>> import pandas as pd
    >>> print(render(pd.DataFrame({"a": ["1"]}, index=["x"]), "text"))
    ======
         a
    ------
    x    1
    ======
    """
    validate("fmt", fmt, TableFormat)
    header = list(header or [])
    notes = list(notes or [])
    sections = dict(sections or {})
    t = table.astype(str)
    rows = [str(i) for i in t.index]
    cols = [str(c) for c in t.columns]
    cells = t.to_numpy()
    if fmt == "text":
        w0 = max([len(r) for r in rows] + [0]) + 2
        widths = [max([len(c)] + [len(str(v)) for v in cells[:, j]]) + 2 for j, c in enumerate(cols)]
        total = w0 + sum(widths)
        out = []
        if title:
            out.append(title.center(total).rstrip())
        if header:
            kw = max(len(str(k)) for k, _ in header)
            out.append("=" * total)
            out.extend(f"{str(k):<{kw}} : {v}" for k, v in header)
        out.append("=" * total)
        out.append((" " * w0 + "".join(c.rjust(wd) for c, wd in zip(cols, widths))).rstrip())
        out.append("-" * total)
        for i, r in enumerate(rows):
            if i in sections and i > 0:
                out.append("-" * total)
            out.append((r.ljust(w0) + "".join(str(v).rjust(wd) for v, wd in zip(cells[i], widths))).rstrip())
        out.append("=" * total)
        out.extend(notes)
        return "\n".join(out)
    if fmt == "markdown":
        def m(v):
            return str(v).replace("|", "\\|")
        cols = [m(c) for c in cols]
        rows = [m(r) for r in rows]
        cells = np.vectorize(m, otypes=[object])(cells) if cells.size else cells
        out = []
        if title:
            out.append(f"**{title}**\n")
        if header:
            out.extend(f"- {k}: {v}" for k, v in header)
            out.append("")
        out.append("| | " + " | ".join(cols) + " |")
        out.append("|---|" + "---:|" * len(cols))
        for i, r in enumerate(rows):
            out.append(f"| {r} | " + " | ".join(str(v) for v in cells[i]) + " |")
        if notes:
            out.append("")
            out.extend(notes)
        return "\n".join(out)
    if fmt == "latex":
        e = _latex_escape
        out = []
        if title:
            out.append(f"% {title}")
        out.append("\\begin{tabular}{l" + "r" * len(cols) + "}")
        out.append("\\toprule")
        if header:
            for k, v in header:
                out.append(f"\\multicolumn{{{len(cols) + 1}}}{{l}}{{{e(k)}: {e(v)}}} \\\\")
            out.append("\\midrule")
        out.append(" & " + " & ".join(e(c) for c in cols) + " \\\\")
        out.append("\\midrule")
        for i, r in enumerate(rows):
            if i in sections and i > 0:
                out.append("\\midrule")
            out.append(e(r) + " & " + " & ".join(e(v) for v in cells[i]) + " \\\\")
        out.append("\\bottomrule")
        out.append("\\end{tabular}")
        for n in notes:
            out.append(f"% {n}")
        return "\n".join(out)
    # html
    h = _html.escape
    out = ['<table class="spatialecon">']
    if title:
        out.append(f"<caption>{h(title)}</caption>")
    if header:
        out.append("<tbody class=\"header\">")
        for k, v in header:
            out.append(f"<tr><th style=\"text-align:left\">{h(str(k))}</th>"
                       f"<td colspan=\"{max(len(cols), 1)}\">{h(str(v))}</td></tr>")
        out.append("</tbody>")
    out.append("<thead><tr><th></th>" + "".join(f"<th>{h(c)}</th>" for c in cols) + "</tr></thead>")
    out.append("<tbody>")
    for i, r in enumerate(rows):
        style = ' style="border-top:1px solid"' if (i in sections and i > 0) else ""
        out.append(f"<tr{style}><th style=\"text-align:left\">{h(r)}</th>"
                   + "".join(f"<td style=\"text-align:right\">{h(str(v))}</td>" for v in cells[i]) + "</tr>")
    out.append("</tbody>")
    if notes:
        out.append("<tfoot>" + "".join(f"<tr><td colspan=\"{len(cols) + 1}\">{h(n)}</td></tr>" for n in notes)
                   + "</tfoot>")
    out.append("</table>")
    return "\n".join(out)
