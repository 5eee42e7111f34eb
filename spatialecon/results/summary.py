"""Summary table of one fitted model (text, LaTeX booktabs, HTML, Markdown).

The header records what a reader needs to reproduce the numbers: model, estimation
method, the log-determinant strategy actually used (and its error band when it is
an approximation: accuracy is never traded silently), N, T, panel effects, the
log-likelihood, AIC/BIC (AIC counts sigma^2 as a parameter, the R spatialreg
convention), sigma^2 and the admissible interval of rho/lambda.

Examples
--------
>>> import numpy as np, pandas as pd
>>> from spatialecon.results.base import SpatialResults, ModelSpec
>>> p = pd.Series({"const": 1.0, "x": 0.5})
>>> ids = pd.Index(["a", "b", "c"])
>>> r = SpatialResults("OLS", ModelSpec("ols", ("const", "x")), p,
...     pd.DataFrame(np.eye(2) * .01, index=p.index, columns=p.index), 1.0, -4.0, 3,
...     pd.Series(0., ids), pd.Series(0., ids), pd.Series(0., ids), pd.DataFrame(), ids, None, method="OLS")
>>> "x" in summary(r).as_text()
True
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .._options import Lang, validate
from ._tables import fmt_num, render, stars_for

__all__ = ["Summary", "summary"]

# form of the random-effects spatial error panel (info["random_error"])
_RE_FORM = {"kkp": "KKP error: W filters mu too", "baltagi": "Baltagi-Song-Koh error: W filters e only"}

_LABELS = {
    "en": {"model": "Model", "method": "Method", "logdet": "Log-determinant", "n": "N (regions)",
           "t": "T (periods)", "nobs": "Observations", "effects": "Effects", "loglik": "Log-likelihood",
           "aic": "AIC", "bic": "BIC", "sigma2": "sigma^2", "bounds": "rho/lambda interval",
           "coef": "coef", "se": "std.err", "z": "z", "p": "P>|z|", "lower": "lower", "upper": "upper",
           "dep": "Dependent variable", "version": "spatialecon", "lee_yu": "Lee-Yu correction",
           "aic_note": "AIC/BIC count sigma^2 as a parameter (R spatialreg convention).",
           "stars_note": "* p<0.1, ** p<0.05, *** p<0.01", "traces": "Trace method"},
    "zh": {"model": "模型", "method": "估计方法", "logdet": "对数行列式", "n": "N（地区数）",
           "t": "T（期数）", "nobs": "观测数", "effects": "固定/随机效应", "loglik": "对数似然值",
           "aic": "AIC", "bic": "BIC", "sigma2": "sigma^2", "bounds": "rho/lambda 取值区间",
           "coef": "系数", "se": "标准误", "z": "z", "p": "P>|z|", "lower": "下限", "upper": "上限",
           "dep": "被解释变量", "version": "spatialecon", "lee_yu": "Lee-Yu 修正",
           "aic_note": "AIC/BIC 将 sigma^2 计为参数（与 R spatialreg 一致）。",
           "stars_note": "* p<0.1, ** p<0.05, *** p<0.01", "traces": "迹的计算方法"},
}


class Summary:
    """Summary of a fitted model; render with ``as_text``, ``as_latex``, ``as_html``, ``as_markdown``.

    Attributes
    ----------
    header : list of (str, str)
        Key/value lines above the table.
    table : pandas.DataFrame
        Numeric coefficient table (coef, se, z, p, lower, upper).
    notes : list of str

    Examples
    --------
    >>> import pandas as pd
    >>> s = Summary([("Model", "OLS")], pd.DataFrame({"coef": [1.0]}, index=["x"]), [], digits=3)
    >>> s.as_markdown().splitlines()[0]
    '- Model: OLS'
    """

    def __init__(self, header, table: pd.DataFrame, notes, *, digits: int = 4, stars: bool = False,
                 title: str = "", pvalues=None):
        self.header = list(header)
        self.table = table
        self.notes = list(notes)
        self.digits = int(digits)
        self.stars = bool(stars)
        self.title = title
        self.pvalues = None if pvalues is None else np.asarray(pvalues, dtype=float)

    def _cells(self) -> pd.DataFrame:
        t = self.table.copy()
        out = pd.DataFrame(index=t.index)
        for c in t.columns:
            out[c] = [fmt_num(v, self.digits) for v in t[c]]
        if self.stars and self.pvalues is not None and len(out.columns):
            first = out.columns[0]
            out[first] = [f"{v}{stars_for(p)}" for v, p in zip(out[first], self.pvalues)]
        return out

    def _render(self, fmt: str) -> str:
        return render(self._cells(), fmt, title=self.title, header=self.header, notes=self.notes)

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


def _logdet_line(res) -> str | None:
    m = res.logdet_method
    if m is None:
        return None
    band = res.info.get("logdet_error_band") if isinstance(res.info, dict) else None
    if m in ("chebyshev", "mc"):
        if band is not None:
            b = f"{band:.3g}" if isinstance(band, (int, float)) else str(band)
            return f"{m} (approximate; log-likelihood error band +/- {b})"
        return f"{m} (approximate)"
    return f"{m} (exact)"


def _trace_text(res, tm) -> str:
    """Trace method, with the largest relative Monte Carlo/truncation error when estimated."""
    tr = res.info.get("traces") if isinstance(res.info, dict) else None
    se = (tr or {}).get("se") or {}
    rel = [abs(float(se[k])) / abs(float(tr[k])) for k in se if k in tr and tr[k] and se[k]]
    if tm != "exact" and rel:
        return f"{tm} (relative s.e. of traces <= {max(rel):.1g})"
    return str(tm)


def summary(res, *, lang: str = "en", stars: bool = False, level: float = 0.95, digits: int = 4) -> Summary:
    """Summary of a fitted model.

    Parameters
    ----------
    res : SpatialResults
    lang : {"en", "zh"}
        Language of the labels.
    stars : bool, default False
        Append significance stars to the coefficients.
    level : float, default 0.95
        Level of the confidence intervals.
    digits : int, default 4
        Decimals shown.

    Returns
    -------
    Summary

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from spatialecon.results.base import SpatialResults, ModelSpec
    >>> p = pd.Series({"const": 1.0, "x": 0.5})
    >>> ids = pd.Index(["a", "b", "c"])
    >>> r = SpatialResults("OLS", ModelSpec("ols", ("const", "x")), p,
    ...     pd.DataFrame(np.eye(2) * .01, index=p.index, columns=p.index), 1.0, -4.0, 3,
    ...     pd.Series(0., ids), pd.Series(0., ids), pd.Series(0., ids), pd.DataFrame(), ids, None)
    >>> "toprule" in summary(r).as_latex()
    True
    """
    validate("lang", lang, Lang)
    L = _LABELS[lang]
    ci = res.conf_int(level)
    lo_lab = f"[{(1 - level) / 2:.3g}"
    hi_lab = f"{(1 + level) / 2:.3g}]"
    table = pd.DataFrame({L["coef"]: res.params, L["se"]: res.bse, L["z"]: res.tvalues, "p": res.pvalues,
                          lo_lab: ci["lower"], hi_lab: ci["upper"]})
    table = table.rename(columns={"p": L["p"]})
    header = [(L["model"], f"{res.model_name}" + (f" ({res.spec.kind.upper()})" if res.spec.kind.upper()
                                                  != res.model_name.upper() else ""))]
    if res.y is not None and res.y.name is not None:
        header.append((L["dep"], str(res.y.name)))
    header.append((L["method"], str(res.method)))
    ld = _logdet_line(res)
    if ld:
        header.append((L["logdet"], ld))
    tm = res.info.get("trace_method") if isinstance(res.info, dict) else None
    if tm:
        header.append((L["traces"], _trace_text(res, tm)))
    header.append((L["n"], str(res.n_regions)))
    if res.n_periods and res.n_periods > 1:
        header.append((L["t"], str(res.n_periods)))
        form = res.info.get("random_error") if isinstance(res.info, dict) else None
        header.append((L["effects"], str(res.spec.effects) + (f" ({_RE_FORM.get(form, form)})" if form else "")))
        if res.spec.lee_yu:
            header.append((L["lee_yu"], "yes"))
    header.append((L["nobs"], str(res.nobs)))
    if res.loglik is not None:
        header.append((L["loglik"], fmt_num(res.loglik, digits)))
        header.append((L["aic"], fmt_num(res.aic, digits)))
        header.append((L["bic"], fmt_num(res.bic, digits)))
    header.append((L["sigma2"], fmt_num(res.sigma2, digits)))
    b = res.info.get("bounds") if isinstance(res.info, dict) else None
    if b is not None and (res.spec.has_lag or res.spec.has_error):
        header.append((L["bounds"], f"({fmt_num(b[0], 4)}, {fmt_num(b[1], 4)})"))
    if isinstance(res.info, dict) and res.info.get("estimator"):
        header.append(("Estimator", str(res.info["estimator"])))
    if res.version:
        header.append((L["version"], res.version))
    notes = []
    if res.loglik is not None:
        notes.append(L["aic_note"])
    if stars:
        notes.append(L["stars_note"])
    return Summary(header, table, notes, digits=digits, stars=stars, pvalues=res.pvalues.to_numpy())
