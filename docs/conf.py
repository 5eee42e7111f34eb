"""Sphinx configuration for the spatialecon documentation.

Built in CI (tests/test_docs.py) with warnings as errors (``-W``).
"""

from __future__ import annotations

import spatialecon

project = "spatialecon"
author = "spatialecon developers"
copyright = "2026, spatialecon developers"
release = spatialecon.__version__
version = release

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.napoleon",
    "sphinx.ext.mathjax",
]
source_suffix = {".md": "markdown", ".rst": "restructuredtext"}
master_doc = "index"
exclude_patterns = ["_build"]
myst_enable_extensions = ["dollarmath"]
myst_heading_anchors = 3
napoleon_numpy_docstring = True
napoleon_google_docstring = False
autodoc_typehints = "none"
autodoc_member_order = "bysource"
autosummary_generate = False
html_theme = "alabaster"
suppress_warnings = ["myst.header", "myst.xref_missing"]
