"""Phillips-Sul log t test and clubs: simulation recovery from a known DGP."""

import numpy as np
import pandas as pd
import pytest

from spatialecon.errors import DataError
from spatialecon.results.clubs import club_convergence, log_t_test


def _simulate(seed=0, n_per=8, T=40):
    """Two clubs: each converges (at rate t^-alpha, alpha = 0.5) to its own growth path."""
    rng = np.random.default_rng(seed)
    t = np.arange(1, T + 1)
    rows, names = [], []
    for club, level in enumerate([3.0, 2.0]):
        for i in range(n_per):
            dev = rng.normal(0, 0.4) / t ** 0.5
            noise = rng.normal(0, 0.01, T) / t ** 0.5
            rows.append(np.exp(level + 0.02 * t + dev + noise))
            names.append(f"c{club}_{i}")
    return pd.DataFrame(np.vstack(rows), index=names, columns=range(1990, 1990 + T))


def test_log_t_accepts_a_converging_club_and_rejects_two():
    df = _simulate()
    one = log_t_test(df.iloc[:8])
    assert one.converges and one.b > 0
    both = log_t_test(df)
    assert not both.converges and both.stat < -1.65
    assert both.pvalue < 0.05


def test_two_clubs_recovered():
    df = _simulate(seed=1)
    res = club_convergence(df)
    assert len(res.clubs) == 2
    assert set(res.clubs[0].members) == {f"c0_{i}" for i in range(8)}
    assert set(res.clubs[1].members) == {f"c1_{i}" for i in range(8)}
    assert res.divergent == ()
    frame = res.to_frame()
    assert (frame.loc["c1_3", "club"]) == 2
    assert res.summary().loc[1, "size"] == 8


def test_hp_filter_option_and_errors():
    df = _simulate(seed=2)
    res = club_convergence(df, hp_filter=True)
    assert len(res.clubs) == 2
    bad = df.copy()
    bad.iloc[0, 0] = np.nan
    with pytest.raises(DataError, match="complete"):
        club_convergence(bad)
    with pytest.raises(DataError, match="rescale"):
        log_t_test(df / 1e6)


def test_panel_input_matches_table_input():
    df = _simulate(seed=3)
    long = df.stack().rename("y").rename_axis(["code", "year"]).to_frame()
    a = club_convergence(long, "y")
    b = club_convergence(df)
    assert [c.members for c in a.clubs] == [c.members for c in b.clubs]
