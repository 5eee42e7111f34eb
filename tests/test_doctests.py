"""Run the docstring examples of every public module, and require that they exist.

Modules are collected by walking the package (:func:`pkgutil.walk_packages`), so a
new public module is tested without editing this file. Private modules (a path
component starting with ``_``), the study driver (``report/study.py``) and the
command line (``cli.py``) are skipped: the study is exercised by
``tests/test_study.py``.

Two checks per module:

* ``test_module_doctests``: every ``>>>`` example in the module (module, function,
  class and method docstrings defined *in* that module) runs under :mod:`doctest`
  with ``NORMALIZE_WHITESPACE | ELLIPSIS``.
* ``test_public_objects_have_examples``: every public function and class of the
  module (its ``__all__``, or else the public names defined in it) has a numpydoc
  ``Examples`` section. The lazily loaded names of ``spatialecon.__all__`` are
  checked the same way in ``test_top_level_names_have_examples`` (lazy names that
  are modules must import and carry a module docstring).

Examples run with numpy's ``legacy="1.25"`` print options so that scalars print
as ``0.25`` rather than ``np.float64(0.25)``.
"""

from __future__ import annotations

import doctest
import importlib
import inspect
import pkgutil
import re

import numpy as np
import pytest

import spatialecon

# dotted names (relative to ``spatialecon``) whose module and sub-modules are public
PUBLIC_PREFIXES = (
    "regions",
    "data",
    "datasets",
    "geo",
    "weights",
    "models",
    "results",
    "report.compare",
    "report.tables",
    "formula",
)
SKIP = {"spatialecon.report.study", "spatialecon.cli"}
OPTIONFLAGS = doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS
EXAMPLES_RE = re.compile(r"^[ \t]*Examples[ \t]*\r?\n[ \t]*-{3,}[ \t]*$", re.MULTILINE)


def _is_public(dotted: str) -> bool:
    if dotted in SKIP:
        return False
    parts = dotted.split(".")
    if any(p.startswith("_") for p in parts):
        return False
    rel = ".".join(parts[1:])
    return any(rel == p or rel.startswith(p + ".") for p in PUBLIC_PREFIXES)


def _public_modules() -> list[str]:
    """Dotted names of the public modules, found by walking the package.

    ``walk_packages`` imports sub-packages to find their contents; an import
    error there is ignored at collection and surfaces as a failing test of that
    module instead.
    """
    names = {"spatialecon"}
    for info in pkgutil.walk_packages(
        spatialecon.__path__, prefix="spatialecon.", onerror=lambda name: None
    ):
        if _is_public(info.name):
            names.add(info.name)
    return sorted(names)


MODULES = _public_modules()


@pytest.mark.parametrize("modname", MODULES)
def test_module_doctests(modname: str) -> None:
    module = importlib.import_module(modname)
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=OPTIONFLAGS)
    report: list[str] = []
    saved = np.get_printoptions()
    # numpy >= 2 shows scalars as ``np.float64(0.25)``; examples are written as a
    # user reads printed output (``0.25``), as numpy's own doctests do.
    np.set_printoptions(legacy="1.25")
    try:
        for test in finder.find(module, modname, globs=dict(vars(module))):
            runner.run(test, out=report.append)
    finally:
        np.set_printoptions(**saved)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, f"{result.failed} doctest example(s) failed in {modname}:\n" + "".join(report)


def _has_examples(obj: object) -> bool:
    doc = inspect.getdoc(obj) or ""
    return bool(EXAMPLES_RE.search(doc))


def _public_objects(module) -> dict[str, object]:
    """Public functions and classes of *module*: its ``__all__`` or, failing that,
    the public names defined in it (not merely imported). An object re-exported by a
    facade is checked in its defining module, unless that module is private."""
    if hasattr(module, "__all__"):
        names = list(module.__all__)
    else:
        names = [
            n
            for n, v in vars(module).items()
            if not n.startswith("_") and getattr(v, "__module__", None) == module.__name__
        ]
    out = {}
    for name in names:
        obj = getattr(module, name)
        home = str(getattr(obj, "__module__", ""))
        if not (inspect.isfunction(obj) or inspect.isclass(obj)) or not home.startswith("spatialecon"):
            continue
        # each object is checked once: in the module defining it, or here when that one is private
        if home == module.__name__ or not _is_public(home):
            out[name] = obj
    return out


@pytest.mark.parametrize("modname", MODULES)
def test_public_objects_have_examples(modname: str) -> None:
    module = importlib.import_module(modname)
    if modname == "spatialecon":
        pytest.skip("the lazy top-level names are checked by test_top_level_names_have_examples")
    missing = [
        f"{modname}.{name}" for name, obj in _public_objects(module).items() if not _has_examples(obj)
    ]
    if module.__doc__ is None:
        missing.append(f"{modname} (module docstring)")
    assert not missing, "public objects without a docstring 'Examples' section:\n  " + "\n  ".join(missing)


@pytest.mark.parametrize("name", sorted(n for n in spatialecon.__all__ if not n.startswith("_")))
def test_top_level_names_have_examples(name: str) -> None:
    obj = getattr(spatialecon, name)  # resolves the lazy import: must not fail
    if inspect.ismodule(obj):
        assert obj.__doc__, f"spatialecon.{name} has no module docstring"
        return
    assert _has_examples(obj), f"spatialecon.{name} has no docstring 'Examples' section"


def test_walk_finds_the_public_modules() -> None:
    """The walk sees the facade modules (guards against an empty parametrisation)."""
    for expected in ("spatialecon.weights", "spatialecon.geo", "spatialecon.models"):
        assert expected in MODULES
    assert not any(m in MODULES for m in SKIP)
