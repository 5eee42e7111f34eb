"""The documentation site builds with Sphinx, warnings treated as errors.

Runs ``python -m sphinx -W --keep-going -b html docs <tmp>`` in a subprocess
(fresh environment, so autodoc imports the installed package) and prints
Sphinx's warnings when the build fails. Skipped only when Sphinx or
myst-parser are not installed.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("sphinx")
pytest.importorskip("myst_parser")

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_docs_build_without_warnings(tmp_path: Path) -> None:
    out = tmp_path / "html"
    warnings_file = tmp_path / "warnings.txt"
    cmd = [
        sys.executable, "-m", "sphinx",
        "-W", "--keep-going", "-q", "-E",
        "-b", "html",
        "-d", str(tmp_path / "doctrees"),
        "-w", str(warnings_file),
        str(DOCS), str(out),
    ]
    env = dict(os.environ, MPLBACKEND="Agg", PYTHONWARNINGS="ignore")
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300, env=env)
    warnings = warnings_file.read_text() if warnings_file.exists() else ""
    assert proc.returncode == 0, (
        f"sphinx build failed (exit {proc.returncode})\n--- warnings ---\n{warnings}"
        f"\n--- stderr ---\n{proc.stderr[-5000:]}"
    )
    assert (out / "index.html").is_file()
    for page in ("weights", "panels", "scale", "validation", "api", "tutorial"):
        assert (out / f"{page}.html").is_file(), f"{page}.html was not built"


def test_api_page_covers_every_public_module() -> None:
    """docs/api.md has an ``automodule`` block for every public module (the doctest walk's list)."""
    from test_doctests import MODULES

    text = (DOCS / "api.md").read_text(encoding="utf-8")
    documented = {line.split("::", 1)[1].strip() for line in text.splitlines() if "automodule::" in line}
    missing = [m for m in MODULES if m not in documented]
    assert not missing, f"public modules missing from docs/api.md: {missing}"
