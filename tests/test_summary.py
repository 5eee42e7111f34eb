"""Summary and compare tables: content in every format, numbers equal to the results."""

import dataclasses

import geopandas as gpd
import libpysal
import numpy as np
import pandas as pd
import pytest
from libpysal.graph import Graph

import spatialecon as se
from spatialecon.errors import OptionError
from spatialecon.report import Comparison, compare


@pytest.fixture(scope="module")
def fits():
    df = gpd.read_file(libpysal.examples.get_path("columbus.shp"))
    df.index = pd.Index(df["POLYID"].astype(str), name="id")
    g = Graph.build_contiguity(df, rook=False).transform("r")
    y, X = df["CRIME"], df[["INC", "HOVAL"]]
    return [se.OLS(y, X).fit(), se.SAR(y, X, g).fit(), se.SEM(y, X, g).fit(), se.SDM(y, X, g).fit()]


def test_summary_formats(fits):
    sdm = fits[3]
    s = sdm.summary()
    text, latex, html, md = s.as_text(), s.as_latex(), s.as_html(), s.as_markdown()
    for out in (text, html, md):
        for label in ("INC", "HOVAL", "W_INC", "rho", "SDM", "eigen"):
            assert label in out
    assert "W\\_INC" in latex and "\\toprule" in latex and "\\bottomrule" in latex
    assert "spatialreg convention" in text
    assert str(s) == text and s._repr_html_() == html
    assert f"{sdm.loglik:.4f}" in text and f"{sdm.aic:.4f}" in text
    assert f"{sdm.params['rho']:.4f}" in text and f"{sdm.bse['rho']:.4f}" in text
    assert "P\\>\\|z\\|" not in md and "P>\\|z\\|" in md  # pipes escaped in Markdown


def test_summary_options(fits):
    sar = fits[1]
    st = sar.summary(stars=True).as_text()
    assert "***" in st
    zh = sar.summary(lang="zh").as_text()
    assert "对数似然值" in zh
    with pytest.raises(OptionError):
        sar.summary(lang="fr")
    assert "lower" not in sar.summary(level=0.9).as_text() and "0.05" in sar.summary(level=0.9).as_text()


def test_summary_flags_approximate_logdet(fits):
    sar = fits[1]
    approx = dataclasses.replace(sar, logdet_method="chebyshev", info={**sar.info, "logdet_error_band": "1e-6"})
    assert "approximate" in approx.summary().as_text() and "1e-6" in approx.summary().as_text()
    assert "exact" in sar.summary().as_text()


def test_compare_frame_and_text(fits):
    c = compare(fits)
    assert isinstance(c, Comparison)
    f = c.to_frame()
    assert list(f.columns) == ["(1) OLS", "(2) SAR", "(3) SEM", "(4) SDM"]
    assert f.loc[("rho", "coef"), "(2) SAR"] == fits[1].params["rho"]
    assert f.loc[("lambda", "se"), "(3) SEM"] == fits[2].bse["lambda"]
    assert np.isnan(f.loc[("rho", "coef"), "(1) OLS"])
    assert f.loc[("Log-likelihood", ""), "(4) SDM"] == fits[3].loglik
    assert f.loc[("AIC", ""), "(2) SAR"] == pytest.approx(fits[1].aic)
    txt = c.as_text()
    assert txt.index("const") < txt.index("W_INC") < txt.index("rho") < txt.index("Log-likelihood")
    assert f"({fits[1].bse['INC']:.3f})" in txt
    t = compare(fits, stat="t", stars=False)
    assert f"({fits[1].tvalues['INC']:.3f})" in t.as_text() and "***" not in t.as_text()
    assert "\\midrule" in c.as_latex() and "<table" in c.as_html() and "| const |" in c.as_markdown()
    named = compare({"a": fits[0], "b": fits[1]})
    assert list(named.to_frame().columns) == ["a", "b"]
    with pytest.raises(OptionError):
        compare(fits, stat="bse")
    with pytest.raises(OptionError):
        compare(fits, names=["x"])
    assert se.compare is compare


def test_summary_panel_header():
    df = gpd.read_file(libpysal.examples.get_path("columbus.shp"))
    df.index = pd.Index(df["POLYID"].astype(str), name="id")
    g = Graph.build_contiguity(df, rook=False).transform("r")
    rng = np.random.default_rng(1)
    idx = pd.MultiIndex.from_product([df.index, range(2001, 2004)], names=["id", "year"])
    X = pd.DataFrame({"x": rng.normal(size=len(idx))}, index=idx)
    y = pd.Series(X["x"] + rng.normal(size=len(idx)), index=idx, name="y")
    r = se.SAR(y, X, g, effects="region").fit()
    text = r.summary().as_text()
    assert "T (periods)" in text and "region" in text and f"{r.nobs}" in text
    c = compare([r, se.SAR(y, X, g, effects="twoways").fit()])
    assert "Effects" in c.as_text() and "twoways" in c.as_text()
