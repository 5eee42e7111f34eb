"""The ``spatialecon`` command line.

``spatialecon study`` runs the whole chain on the bundled China provincial data and
writes a report; with ``--data`` it runs on a user's table.  User mistakes give a
one-line reason and a non-zero exit code, never a traceback.

Examples
--------
>>> from spatialecon.cli import build_parser
>>> build_parser().parse_args(["study", "--quiet"]).quiet
True
"""

from __future__ import annotations

import argparse
import sys

from .errors import SpatialEconError

__all__ = ["main", "build_parser"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="spatialecon", description="Spatial econometrics of regional development.")
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    sub = parser.add_subparsers(dest="command")
    st = sub.add_parser("study", help="run the full study (bundled China data unless --data is given)")
    st.add_argument("--out", default="spatialecon-study", help="output folder (default ./spatialecon-study)")
    st.add_argument("--quiet", action="store_true", help="no progress messages")
    st.add_argument("--data", help="your own table (CSV or Excel; long or wide)")
    st.add_argument("--region", help="region column of --data (names, pinyin, English or adcodes)")
    st.add_argument("--year", help="year column of --data (long tables)")
    st.add_argument("--variable", help="the income variable (default: derived GDP per capita of the bundled panel)")
    st.add_argument("--population", help="population column (for weighted measures)")
    st.add_argument("--geometry", help="a geometry file keyed by region code (default: bundled provinces)")
    st.add_argument("--start", type=int, help="first year (default 2006: one GRP vintage, see panels/PROVENANCE.md)")
    st.add_argument("--end", type=int, help="last year (default: last year with data)")
    st.add_argument("--draws", type=int, default=1000, help="simulation draws for impacts and spillovers (default 1000)")
    st.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    st.add_argument("--lang", choices=["en", "zh"], default="en", help="language of region names in tables and maps")
    st.add_argument("--spec", help="a TOML study spec with the same keys as these options")
    return parser


def main(argv=None) -> int:
    """Entry point of the ``spatialecon`` command; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.version:
        from . import __version__

        sys.stdout.write(f"spatialecon {__version__}\n")
        return 0
    if args.command != "study":
        parser.print_help(sys.stderr)
        return 2
    try:
        from .report.study import StudyOptions, run_study

        options = StudyOptions.from_args(args)
        out = run_study(options, progress=None if args.quiet else _progress)
    except SpatialEconError as exc:
        sys.stderr.write(f"spatialecon: error: {exc}\n")
        return 2
    except (FileNotFoundError, PermissionError, IsADirectoryError) as exc:
        sys.stderr.write(f"spatialecon: error: {exc}\n")
        return 2
    if not args.quiet:
        sys.stdout.write(f"report written to {out}\n")
    return 0


def _progress(message: str) -> None:
    sys.stderr.write(f"[spatialecon] {message}\n")
    sys.stderr.flush()


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
