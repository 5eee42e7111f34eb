"""Time-varying W for panels: a mapping year -> Graph with identical ids.

Examples
--------
>>> import numpy as np, pandas as pd
>>> from spatialecon.weights import economic_distance, time_varying
>>> ws = {2000: economic_distance(pd.Series([1.0, 2.0, 4.0], index=["a", "b", "c"])),
...       2001: economic_distance(pd.Series([1.0, 3.0, 4.0], index=["a", "b", "c"]))}
>>> tv = time_varying(ws)
>>> tv.years, list(tv.ids)
([2000, 2001], ['a', 'b', 'c'])
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import pandas as pd
import scipy.sparse as sp
from libpysal.graph import Graph

from ..errors import WeightsError
from .normalise import normalisation_of
from .properties import align, region_ids

__all__ = ["TimeVaryingW", "time_varying"]


class TimeVaryingW(Mapping):
    """Immutable mapping ``year -> Graph``; every Graph has the same set of ids.

    Parameters
    ----------
    mapping : Mapping[int, Graph]

    Attributes
    ----------
    years : list of int
        Sorted years.
    ids : pandas.Index
        Region ids (in the order of the first year's Graph).

    Examples
    --------
    >>> import numpy as np
    >>> from spatialecon.weights import from_matrix
    >>> w = from_matrix(np.array([[0, 1.0], [1.0, 0]]), ids=["a", "b"])
    >>> tv = TimeVaryingW({2001: w, 2000: w})
    >>> tv.years
    [2000, 2001]
    """

    def __init__(self, mapping: Mapping):
        if not isinstance(mapping, Mapping) or len(mapping) == 0:
            raise WeightsError("time_varying needs a non-empty mapping year -> Graph")
        items = {}
        for year, g in mapping.items():
            if not isinstance(g, Graph):
                raise WeightsError(f"W for year {year!r} is a {type(g).__name__}, not a libpysal Graph")
            try:
                y = int(year)
            except (TypeError, ValueError) as exc:
                raise WeightsError(f"year keys must be integers, got {year!r}") from exc
            if y in items:
                raise WeightsError(f"duplicate year {y}")
            items[y] = g
        self._years = sorted(items)
        self._w = {y: items[y] for y in self._years}
        first = self._w[self._years[0]]
        self._ids = pd.Index(first.unique_ids)
        ref = set(self._ids)
        for y in self._years[1:]:
            ids = set(self._w[y].unique_ids)
            if ids != ref:
                raise WeightsError(
                    f"W for year {y} has different ids from year {self._years[0]}: "
                    f"only in {y}: {sorted(map(str, ids - ref))}, "
                    f"only in {self._years[0]}: {sorted(map(str, ref - ids))}")

    def __getitem__(self, year) -> Graph:
        try:
            return self._w[int(year)]
        except (KeyError, TypeError, ValueError) as exc:
            raise KeyError(f"no W for year {year!r}; years {self._years[0]}..{self._years[-1]}") from exc

    def __iter__(self) -> Iterator[int]:
        return iter(self._years)

    def __len__(self) -> int:
        return len(self._years)

    def __repr__(self) -> str:
        return (f"TimeVaryingW(years={self._years[0]}..{self._years[-1]} ({len(self)}), "
                f"n={len(self._ids)})")

    @property
    def years(self) -> list[int]:
        return list(self._years)

    @property
    def ids(self) -> pd.Index:
        return self._ids

    @property
    def normalisations(self) -> dict:
        """Normalisation recorded on each year's Graph."""
        return {y: normalisation_of(g) for y, g in self._w.items()}

    def align(self, index, years=None) -> dict[int, sp.csr_matrix]:
        """Per-year CSR matrices in the order of ``index`` (see :func:`spatialecon.weights.align`).

        ``index`` may be a (code, year) MultiIndex: codes are taken with
        :func:`region_ids` and, when ``years`` is None, the years from the level
        named ``"year"`` (or level 1); every year must have a W.
        """
        if years is None and isinstance(index, pd.MultiIndex):
            lev = "year" if "year" in index.names else 1
            years = list(pd.unique(index.get_level_values(lev)))
        years = self._years if years is None else [int(y) for y in years]
        missing = [y for y in years if y not in self._w]
        if missing:
            raise WeightsError(f"no W for years {missing}")
        ids = region_ids(index)
        return {y: align(self._w[y], ids) for y in years}


def time_varying(mapping: Mapping) -> TimeVaryingW:
    """Validate a mapping ``year -> Graph`` (same ids every year) into a :class:`TimeVaryingW`.

    Examples
    --------
    >>> import numpy as np
    >>> from spatialecon.weights import from_matrix
    >>> w = from_matrix(np.array([[0, 1.0], [1.0, 0]]), ids=["a", "b"])
    >>> len(time_varying({2000: w, 2001: w}))
    2
    """
    return TimeVaryingW(mapping)
