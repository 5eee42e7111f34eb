"""Import rules of docs/design.md, checked with ``ast`` (imports point downward only)."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[1] / "spatialecon"

# layer -> package-internal modules it must never import
FORBIDDEN = {
    "estimation": {"regions", "data", "datasets", "geo", "weights", "formula", "models", "results", "report", "cli"},
    "regions": {"data", "datasets", "geo", "weights", "formula", "estimation", "models", "results", "report", "cli"},
    "data": {"datasets", "weights", "formula", "estimation", "models", "results", "report", "cli"},
    "weights": {"datasets", "formula", "estimation", "models", "results", "report", "cli"},
    "models": {"report", "cli"},
    "results": {"report", "cli"},
    "report": {"cli", "estimation"},
}

STDLIB = set(sys.stdlib_module_names)


def _layer(path: Path) -> str:
    rel = path.relative_to(PKG)
    return rel.parts[0].removesuffix(".py")


def _internal_targets(path: Path, node: ast.AST) -> list[str]:
    """Top-level spatialecon sub-module names an import statement refers to."""
    out = []
    if isinstance(node, ast.Import):
        for a in node.names:
            parts = a.name.split(".")
            if parts[0] == "spatialecon" and len(parts) > 1:
                out.append(parts[1])
    elif isinstance(node, ast.ImportFrom):
        if node.level == 0:
            parts = (node.module or "").split(".")
            if parts[0] == "spatialecon":
                if len(parts) > 1:
                    out.append(parts[1])
                else:
                    out.extend(a.name for a in node.names)
        else:
            rel = path.relative_to(PKG)
            base = list(rel.parts[:-1])
            up = node.level - 1
            base = base[: len(base) - up] if up else base
            mod = base + ((node.module or "").split(".") if node.module else [])
            if mod:
                out.append(mod[0].removesuffix(".py"))
            else:
                out.extend(a.name for a in node.names)
    return out


def _modules():
    return sorted(p for p in PKG.rglob("*.py"))


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PKG)))
def test_imports_point_downward(path):
    layer = _layer(path)
    forbidden = FORBIDDEN.get(layer, set())
    tree = ast.parse(path.read_text(encoding="utf-8"))
    bad = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            for target in _internal_targets(path, node):
                if target in forbidden:
                    bad.append(target)
    assert not bad, f"{path.relative_to(PKG)} ({layer}) imports {sorted(set(bad))}"


@pytest.mark.parametrize(
    "path", sorted((PKG / "estimation").glob("*.py")), ids=lambda p: p.name
)
def test_estimation_core_is_pure_numpy_scipy(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    allowed_third_party = {"numpy", "scipy"}
    # optional accelerators: allowed only inside ``try: ... except ImportError`` (docs/design.md)
    optional = {"sksparse"}
    guarded = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Try) and any(
            isinstance(h.type, ast.Name) and h.type.id in ("ImportError", "ModuleNotFoundError")
            or isinstance(h.type, ast.Tuple) and any(getattr(e, "id", "") in ("ImportError", "ModuleNotFoundError") for e in h.type.elts)
            for h in node.handlers
        ):
            for inner in node.body:
                guarded.update(id(n) for n in ast.walk(inner))
    bad = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name.split(".")[0] for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names = [(node.module or "").split(".")[0]]
        else:
            continue
        for n in names:
            if n in optional and id(node) in guarded:
                continue
            if n not in STDLIB and n not in allowed_third_party and n != "spatialecon":
                bad.append(n)
    assert not bad, f"estimation/{path.name} imports {sorted(set(bad))}"


def test_no_print_or_bare_except():
    offenders = []
    for path in _modules():
        if path.name == "cli.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "print":
                offenders.append(f"{path.relative_to(PKG)}:{node.lineno} print")
            if isinstance(node, ast.ExceptHandler) and node.type is None:
                offenders.append(f"{path.relative_to(PKG)}:{node.lineno} bare except")
            if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
                f = node.exc.func
                if isinstance(f, ast.Name) and f.id == "Exception":
                    offenders.append(f"{path.relative_to(PKG)}:{node.lineno} raise Exception")
    assert not offenders, offenders


def test_the_rule_checker_catches_a_violation(tmp_path):
    """The checker itself must be able to fail."""
    fake = PKG / "estimation" / "logdet.py"
    tree = ast.parse("from ..models import base\nimport pandas\n")
    targets = [t for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom)) for t in _internal_targets(fake, n)]
    assert "models" in targets
