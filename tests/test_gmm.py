"""GMM through spreg: our wrapper reproduces spreg's numbers on columbus with our labels."""

import geopandas as gpd
import libpysal
import numpy as np
import pandas as pd
import pytest
import spreg
from libpysal.graph import Graph

import spatialecon as se
from spatialecon.errors import OptionError


@pytest.fixture(scope="module")
def columbus():
    df = gpd.read_file(libpysal.examples.get_path("columbus.shp"))
    df.index = pd.Index(df["POLYID"].astype(str), name="id")
    g = Graph.build_contiguity(df, rook=False).transform("r")
    w = libpysal.weights.Queen.from_dataframe(df, use_index=False)
    w.transform = "r"
    return df, g, w


CASES = [
    ("SAR", spreg.GM_Lag, {}, ["const", "INC", "HOVAL", "rho"]),
    ("SDM", spreg.GM_Lag, {"slx_lags": 1}, ["const", "INC", "HOVAL", "W_INC", "W_HOVAL", "rho"]),
    ("SEM", spreg.GM_Error_Het, {}, ["const", "INC", "HOVAL", "lambda"]),
    ("SDEM", spreg.GM_Error_Het, {"slx_lags": 1}, ["const", "INC", "HOVAL", "W_INC", "W_HOVAL", "lambda"]),
    ("SAC", spreg.GM_Combo_Het, {}, ["const", "INC", "HOVAL", "rho", "lambda"]),
]


@pytest.mark.parametrize("name,est,kw,labels", CASES)
def test_matches_spreg(columbus, name, est, kw, labels, capsys):
    df, g, w = columbus
    # shuffle the rows: our wrapper aligns by id, spreg gets the original order
    perm = np.random.default_rng(0).permutation(len(df))
    d2 = df.iloc[perm]
    r = getattr(se, name)(d2["CRIME"], d2[["INC", "HOVAL"]], g).fit(method="gmm")
    assert capsys.readouterr().out == ""  # spreg's prints are swallowed
    ref = est(df[["CRIME"]].to_numpy(), df[["INC", "HOVAL"]].to_numpy(), w=w, **kw)
    assert list(r.params.index) == labels
    np.testing.assert_allclose(r.params.to_numpy(), np.asarray(ref.betas).ravel(), rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(r.bse.to_numpy(), np.sqrt(np.diag(ref.vm)), rtol=1e-6, atol=1e-9)
    assert r.method == "GMM" and r.loglik is None
    assert r.info["estimator"].startswith(f"spreg.{est.__name__}")
    text = r.summary().as_text()
    assert "GMM" in text and "spreg" in text


def test_gmm_results_work_downstream(columbus):
    df, g, _ = columbus
    r = se.SAR(df["CRIME"], df[["INC", "HOVAL"]], g).fit(method="gmm")
    imp = r.impacts()
    b, rho = r.params["INC"], r.params["rho"]
    assert imp.loc["INC", "total"] == pytest.approx(b / (1 - rho), rel=1e-10)
    c = se.compare([r, se.SAR(df["CRIME"], df[["INC", "HOVAL"]], g).fit()])
    assert "GMM" in c.as_text()


def test_gmm_options_rejected(columbus):
    df, g, _ = columbus
    with pytest.raises(OptionError):
        se.SAR(df["CRIME"], df[["INC", "HOVAL"]], g).fit(method="gmm", bogus=1)
    with pytest.raises(OptionError):
        se.OLS(df["CRIME"], df[["INC", "HOVAL"]]).fit(method="gmm")


def test_partial_durbin_matches_spreg_slx_vars(columbus):
    df, g, w = columbus
    r = se.SDM(df["CRIME"], df[["INC", "HOVAL"]], g, durbin=["HOVAL"]).fit(method="gmm")
    ref = spreg.GM_Lag(df[["CRIME"]].to_numpy(), df[["INC", "HOVAL"]].to_numpy(), w=w, slx_lags=1,
                       slx_vars=[False, True])
    assert list(r.params.index) == ["const", "INC", "HOVAL", "W_HOVAL", "rho"]
    np.testing.assert_allclose(r.params.to_numpy(), np.asarray(ref.betas).ravel(), rtol=1e-7)
    np.testing.assert_allclose(r.bse.to_numpy(), np.sqrt(np.diag(ref.vm)), rtol=1e-6)
