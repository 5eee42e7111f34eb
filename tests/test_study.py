"""The study command end to end on the bundled data (issue 8)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from spatialecon.report.study import StudyOptions, run_study

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def study_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("study")
    return run_study(StudyOptions(out=str(out), draws=200, seed=1))


def test_every_promised_file_exists_and_is_non_empty(study_dir):
    for name in ("report.md", "report.html", "run.json"):
        assert (study_dir / name).stat().st_size > 0, name
    run = json.loads((study_dir / "run.json").read_text())
    assert run["seed"] == 1 and run["spatialecon"]
    assert run["files"], "run.json lists the written files"
    for rel in run["files"]:
        assert (study_dir / rel).stat().st_size > 0, rel
    tables = {p.stem for p in (study_dir / "tables").glob("*.csv")}
    assert {"sigma", "theil", "moran", "beta_cross_section", "beta_panel", "lm_tests", "impacts_sdm",
            "spillovers_sources", "spillovers_responses"} <= tables
    for stem in tables:
        assert (study_dir / "tables" / f"{stem}.tex").read_text().count(r"\toprule") == 1
    assert len(list((study_dir / "figures").glob("*.png"))) >= 8


def test_report_mentions_choices(study_dir):
    md = (study_dir / "report.md").read_text()
    assert "population-weighted national mean" in md
    assert "Spillovers from growth poles" in md


def test_same_seed_same_numbers(study_dir, tmp_path):
    again = run_study(StudyOptions(out=str(tmp_path / "again"), draws=200, seed=1))
    for name in ("impacts_sdm.csv", "spillovers_sources.csv", "beta_cross_section.csv"):
        assert (again / "tables" / name).read_text() == (study_dir / "tables" / name).read_text()


@pytest.mark.skipif(CHROMIUM is None, reason="Debian chromium not installed (.ci/run installs it when apt is available)")
def test_html_report_renders_in_headless_chromium(study_dir, tmp_path):
    shot = tmp_path / "report.png"
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           f"--user-data-dir={tmp_path / 'profile'}", "--window-size=1200,2400",
           f"--screenshot={shot}", (study_dir / "report.html").as_uri()]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert shot.exists() and shot.stat().st_size > 10_000


def test_cli_bad_input_gives_one_line_and_nonzero_exit(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "spatialecon.cli", "study", "--data", str(tmp_path / "missing.csv"),
                           "--region", "省份", "--variable", "gdppc", "--out", str(tmp_path / "o")],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    assert "missing.csv" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


def test_unknown_language_is_a_typed_error(tmp_path):
    from spatialecon.errors import OptionError

    with pytest.raises(OptionError, match="lang"):
        run_study(StudyOptions(out=str(tmp_path / "x"), lang="fr"))
