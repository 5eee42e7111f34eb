"""Locate the bundled data folders (``panels/`` and ``shapefiles/``).

In a source checkout (or an editable install) the folders sit next to the
package; in a wheel they are installed as the packages
``spatialecon_data.panels`` and ``spatialecon_data.shapefiles`` (see
``pyproject.toml``).
"""

from __future__ import annotations

import importlib.resources
from pathlib import Path

from .errors import DataError

__all__ = ["bundled"]


def bundled(folder: str, filename: str) -> Path:
    """Path of ``filename`` inside the bundled ``folder`` ("panels" or "shapefiles").

    Examples
    --------
    >>> bundled("panels", "PROVENANCE.md").name
    'PROVENANCE.md'
    """
    if folder not in ("panels", "shapefiles"):
        raise DataError(f"unknown bundled folder {folder!r}; expected 'panels' or 'shapefiles'")
    here = Path(__file__).resolve().parent.parent / folder / filename
    if here.exists():
        return here
    try:
        res = importlib.resources.files(f"spatialecon_data.{folder}") / filename
        with importlib.resources.as_file(res) as p:
            if Path(p).exists():
                return Path(p)
    except ModuleNotFoundError:
        pass
    raise DataError(f"bundled file {folder}/{filename} not found; reinstall spatialecon")
