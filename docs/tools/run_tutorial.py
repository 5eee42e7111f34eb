"""Build docs/tutorial.md from docs/tools/tutorial.md.in by running its code.

Every fenced block marked ``python run`` in the template is executed, in order, in one
namespace (like a REPL session: the value of a final bare expression is shown with ``repr``).
The block is written to the page as ``python`` code followed by a ``text`` block with what it
printed (including warnings). The outputs in the tutorial are therefore real outputs
of the installed package, not typed in by hand.

Run from the repository root::

    python docs/tools/run_tutorial.py
"""

from __future__ import annotations

import ast
import contextlib
import io
import os
import re
import sys
import time
import traceback
import warnings
from pathlib import Path

HERE = Path(__file__).resolve().parent
SRC = HERE / "tutorial.md.in"
OUT = HERE.parent / "tutorial.md"
BLOCK = re.compile(r"^```python run\n(.*?)^```\n", re.MULTILINE | re.DOTALL)


def run_block(code: str, ns: dict) -> str:
    buf = io.StringIO()
    tree = ast.parse(code)
    last = tree.body[-1] if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    body = tree.body[:-1] if last is not None else tree.body
    with warnings.catch_warnings(record=True) as caught, contextlib.redirect_stdout(buf):
        warnings.simplefilter("default")
        try:
            exec(compile(ast.Module(body=body, type_ignores=[]), "<tutorial>", "exec"), ns)
            if last is not None:
                value = eval(compile(ast.Expression(last.value), "<tutorial>", "eval"), ns)
                if value is not None:
                    print(repr(value))
        except Exception:  # noqa: BLE001 - shown in the page, as a reader would see it
            etype, evalue, _ = sys.exc_info()
            print("".join(traceback.format_exception_only(etype, evalue)).rstrip())
    out = buf.getvalue()
    for w in caught:
        if w.category.__module__.startswith(("spatialecon", "builtins")):
            out += f"{w.category.__name__}: {w.message}\n"
    return out.rstrip("\n")


def main() -> int:
    os.environ.setdefault("MPLBACKEND", "Agg")
    text = SRC.read_text(encoding="utf-8")
    ns: dict = {"__name__": "__tutorial__"}
    parts, pos, t0 = [], 0, time.time()
    for m in BLOCK.finditer(text):
        parts.append(text[pos:m.start()])
        code = m.group(1)
        out = run_block(code, ns)
        parts.append(f"```python\n{code}```\n")
        if out:
            parts.append(f"\n```text\n{out}\n```\n")
        pos = m.end()
        print(f"block {len(parts) // 2}: {time.time() - t0:.1f}s", file=sys.stderr)
    parts.append(text[pos:])
    OUT.write_text("".join(parts), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
