"""Generate docs/api.md: each public object documented once, at the shallowest public module exporting it.

Public modules are those of ``tests/test_doctests.py`` (walked from the package, so new modules
are picked up), plus the estimation core. Run from the repository root after adding or
renaming public modules or objects::

    python docs/tools/gen_api.py

``tests/test_docs.py`` checks that every public module has an ``automodule`` block in api.md.
"""
import importlib
import inspect
import pkgutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))
import spatialecon
import spatialecon.estimation
from test_doctests import _is_public

mods = ["spatialecon", "spatialecon.errors"]
for info in pkgutil.walk_packages(spatialecon.__path__, prefix="spatialecon.", onerror=lambda n: None):
    if _is_public(info.name):
        mods.append(info.name)
mods += [i.name for i in pkgutil.walk_packages(spatialecon.estimation.__path__, prefix="spatialecon.estimation.")
         if not i.name.rsplit(".", 1)[1].startswith("_")] + ["spatialecon.estimation"]
mods = sorted(set(mods), key=lambda m: (m.count("."), m))
loaded = {}
for m in mods:
    try:
        loaded[m] = importlib.import_module(m)
    except Exception as e:
        print("SKIP", m, e, file=sys.stderr)
canon = {}   # id(obj) -> module
members = {m: [] for m in loaded}
for m, mod in sorted(loaded.items(), key=lambda kv: (kv[0].count("."), kv[0])):
    if m == "spatialecon":
        continue
    names = getattr(mod, "__all__", None)
    if names is None:
        names = [n for n, v in vars(mod).items() if not n.startswith("_") and getattr(v, "__module__", None) == m]
    for n in names:
        obj = getattr(mod, n, None)
        if obj is None or inspect.ismodule(obj):
            continue
        if not (inspect.isclass(obj) or inspect.isfunction(obj)):
            continue
        if not str(getattr(obj, "__module__", "")).startswith("spatialecon"):
            continue
        if id(obj) in canon:
            continue
        canon[id(obj)] = m
        members[m].append(n)

import re
def _methods_in_docstrings(m):
    """Names listed in numpydoc 'Methods' sections of m's classes (napoleon documents them;
    autodoc must not document them a second time)."""
    out = []
    for n in members[m]:
        obj = getattr(loaded[m], n)
        doc = inspect.getdoc(obj) or ""
        mm = re.search(r"^Methods\n-+\n(.*?)(?:\n\S[^\n]*\n-{3,}|\Z)", doc, re.S | re.M)
        if inspect.isclass(obj) and mm:
            out += re.findall(r"^(\w+)\s*\(", mm.group(1), re.M)
    return sorted(set(out))


documented_names = {f"{canon[id(getattr(loaded[m], n))]}.{n}" for m in members for n in members[m]}
SECTIONS = [
    ("Package and errors", ["spatialecon", "spatialecon.errors"]),
    ("Regions", ["spatialecon.regions"]),
    ("Data and datasets", ["spatialecon.data", "spatialecon.datasets"]),
    ("Geometry", ["spatialecon.geo"]),
    ("Weights", ["spatialecon.weights"]),
    ("Formula interface", ["spatialecon.formula"]),
    ("Models", ["spatialecon.models"]),
    ("Results", ["spatialecon.results"]),
    ("Reports", ["spatialecon.report"]),
    ("Estimation core", ["spatialecon.estimation"]),
]
out = ["# API reference", "",
       "Generated from the docstrings. Each object is documented once, under the module that",
       "exports it publicly (for example {func}`spatialecon.weights.contiguity`, defined in",
       "`spatialecon/weights/builders.py`). Private modules (leading underscore) are not listed;",
       "the estimation core (pure numpy/scipy, no labels) is listed last; it is what models and",
       "panels build on, see [Design](design.md) and [Scale](scale.md).", ""]
done = set()
for title, prefixes in SECTIONS:
    sel = [m for m in loaded if any(m == p or (p != "spatialecon" and m.startswith(p + ".")) for p in prefixes)
           and m not in done]
    if not sel:
        continue
    out += [f"## {title}", ""]
    for m in sel:
        done.add(m)
        out += ["```{eval-rst}", f".. automodule:: {m}"]
        if m in documented_names:
            out.append("   :no-index:")
        if members[m]:
            out.append(f"   :members: {', '.join(members[m])}")
            ex = _methods_in_docstrings(m)
            if ex:
                out.append(f"   :exclude-members: {', '.join(ex)}")
        out += ["```", ""]
rest = [m for m in loaded if m not in done]
if rest:
    out += ["## Other modules", ""]
    for m in rest:
        out += ["```{eval-rst}", f".. automodule:: {m}"]
        if m in documented_names:
            out.append("   :no-index:")
        if members[m]:
            out.append(f"   :members: {', '.join(members[m])}")
        out += ["```", ""]
open(ROOT / "docs" / "api.md", "w", encoding="utf-8").write("\n".join(out).rstrip() + "\n")
print("modules:", len(loaded), "objects:", len(canon))
