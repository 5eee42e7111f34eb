"""Reporting: multi-model comparison tables (and, from the lead, plots and the study driver).

Examples
--------
>>> from spatialecon.report import compare
>>> callable(compare)
True
"""

from .compare import Comparison, compare

__all__ = ["Comparison", "compare"]
