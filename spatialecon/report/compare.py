"""Side-by-side comparison table of several fitted models (like statsmodels ``summary_col``).

Examples
--------
>>> import numpy as np, pandas as pd
>>> from spatialecon.results.base import SpatialResults, ModelSpec
>>> p = pd.Series({"const": 1.0, "x": 0.5})
>>> ids = pd.Index(["a", "b", "c"])
>>> r = SpatialResults("OLS", ModelSpec("ols", ("const", "x")), p,
...     pd.DataFrame(np.eye(2) * .01, index=p.index, columns=p.index), 1.0, -4.0, 3,
...     pd.Series(0., ids), pd.Series(0., ids), pd.Series(0., ids), pd.DataFrame(), ids, None)
>>> compare([r, r]).to_frame().shape[1]
2
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._options import CompareStat, validate
from ..errors import OptionError
from ..results._tables import fmt_num, render, stars_for

__all__ = ["Comparison", "compare"]

_STAT_ROWS = ("Log-likelihood", "AIC", "BIC", "N", "sigma2", "Model", "Method", "Effects")


class Comparison:
    """Multi-model table; ``to_frame`` (numbers) and ``as_text``/``as_latex``/``as_html``/``as_markdown``.

    Examples
    --------
    >>> import pandas as pd
    >>> c = Comparison(pd.DataFrame({"(1)": ["1.000", "(0.100)"]}, index=["x", ""]), pd.DataFrame(), 2, "se")
    >>> "(0.100)" in c.as_text()
    True
    """

    def __init__(self, cells: pd.DataFrame, frame: pd.DataFrame, n_coef_rows: int, stat: str, notes=()):
        self.cells = cells
        self.frame = frame
        self.n_coef_rows = n_coef_rows
        self.stat = stat
        self.notes = list(notes)

    def to_frame(self) -> pd.DataFrame:
        """Numbers: MultiIndex rows (term, "coef"/stat) plus model statistics rows; one column per model."""
        return self.frame

    def _render(self, fmt: str) -> str:
        return render(self.cells, fmt, notes=self.notes, sections={self.n_coef_rows: "stats"})

    def as_text(self) -> str:
        """Plain-text table."""
        return self._render("text")

    def as_latex(self) -> str:
        """LaTeX ``tabular`` with booktabs rules."""
        return self._render("latex")

    def as_html(self) -> str:
        """HTML table."""
        return self._render("html")

    def as_markdown(self) -> str:
        """Markdown table."""
        return self._render("markdown")

    def __str__(self) -> str:
        return self.as_text()

    def __repr__(self) -> str:
        return self.as_text()

    def _repr_html_(self) -> str:
        return self.as_html()


def _order_terms(results) -> list:
    names: list = []
    for r in results:
        for n in r.params.index:
            if n not in names and n not in ("rho", "lambda"):
                names.append(n)
    # constant first, then regressors, then Durbin terms, then spatial parameters
    const = [n for n in names if n == "const"]
    durbin = [n for n in names if str(n).startswith("W_")]
    others = [n for n in names if n not in const and n not in durbin]
    spatial = [n for n in ("rho", "lambda") if any(n in r.params.index for r in results)]
    return const + others + durbin + spatial


def compare(results, *, names=None, stat: str = "se", stars: bool = True, digits: int = 3) -> Comparison:
    """Compare several fitted models in one table.

    Parameters
    ----------
    results : sequence of SpatialResults (or a dict name -> result)
    names : list of str, optional
        Column titles (default ``(1)``, ``(2)``, ... with the model name).
    stat : {"se", "t", "p"}
        Statistic shown in parentheses below each coefficient.
    stars : bool, default True
        Significance stars on coefficients (one, two and three stars for p below 0.1, 0.05 and 0.01).
    digits : int, default 3

    Returns
    -------
    Comparison

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from spatialecon.results.base import SpatialResults, ModelSpec
    >>> p = pd.Series({"const": 1.0, "x": 0.5})
    >>> ids = pd.Index(["a", "b", "c"])
    >>> r = SpatialResults("OLS", ModelSpec("ols", ("const", "x")), p,
    ...     pd.DataFrame(np.eye(2) * .01, index=p.index, columns=p.index), 1.0, -4.0, 3,
    ...     pd.Series(0., ids), pd.Series(0., ids), pd.Series(0., ids), pd.DataFrame(), ids, None)
    >>> "(0.100)" in compare([r], stat="se").as_text()
    True
    """
    validate("stat", stat, CompareStat)
    if isinstance(results, dict):
        names = list(results) if names is None else names
        results = list(results.values())
    results = list(results)
    if not results:
        raise OptionError("compare() needs at least one result.")
    if names is None:
        names = [f"({i + 1}) {r.model_name}" for i, r in enumerate(results)]
    names = [str(n) for n in names]
    if len(names) != len(results) or len(set(names)) != len(names):
        raise OptionError("names must be unique and one per result.")
    terms = _order_terms(results)
    stat_label = {"se": "se", "t": "z", "p": "p"}[stat]
    idx = pd.MultiIndex.from_product([terms, ["coef", stat_label]], names=["term", "statistic"])
    num = pd.DataFrame(np.nan, index=idx, columns=names)
    cell_rows, cell_index = [], []
    for term in terms:
        crow, srow = [], []
        for name, r in zip(names, results):
            if term in r.params.index:
                b = float(r.params[term])
                s = {"se": r.bse, "t": r.tvalues, "p": r.pvalues}[stat][term]
                num.loc[(term, "coef"), name] = b
                num.loc[(term, stat_label), name] = float(s)
                star = stars_for(float(r.pvalues[term])) if stars else ""
                crow.append(fmt_num(b, digits) + star)
                srow.append(f"({fmt_num(s, digits)})")
            else:
                crow.append("")
                srow.append("")
        cell_rows += [crow, srow]
        cell_index += [str(term), ""]
    n_coef = len(cell_rows)
    stats_num = {
        "Log-likelihood": [r.loglik for r in results],
        "AIC": [r.aic if r.loglik is not None else np.nan for r in results],
        "BIC": [r.bic if r.loglik is not None else np.nan for r in results],
        "N": [r.nobs for r in results],
        "sigma2": [r.sigma2 for r in results],
    }
    for key, vals in stats_num.items():
        cell_rows.append([fmt_num(v, digits) if key != "N" else str(int(v)) for v in vals])
        cell_index.append(key)
    cell_rows.append([r.model_name for r in results])
    cell_index.append("Model")
    cell_rows.append([str(r.method) for r in results])
    cell_index.append("Method")
    if any(getattr(r, "n_periods", 1) > 1 for r in results):
        cell_rows.append([str(r.spec.effects) for r in results])
        cell_index.append("Effects")
    cells = pd.DataFrame(cell_rows, index=cell_index, columns=names)
    extra = pd.DataFrame({n: [stats_num[k][i] for k in stats_num] for i, n in enumerate(names)},
                         index=pd.MultiIndex.from_product([list(stats_num), [""]], names=["term", "statistic"]))
    frame = pd.concat([num, extra.astype(float)])
    notes = [f"{ {'se': 'Standard errors', 't': 'z statistics', 'p': 'p-values'}[stat]} in parentheses."]
    if stars:
        notes.append("* p<0.1, ** p<0.05, *** p<0.01")
    if any(r.loglik is not None for r in results):
        notes.append("AIC/BIC count sigma^2 as a parameter (R spatialreg convention).")
    return Comparison(cells, frame, n_coef, stat, notes)
