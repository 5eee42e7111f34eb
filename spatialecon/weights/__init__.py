"""Spatial weights on :class:`libpysal.graph.Graph`, labelled by region code.

Builders (:mod:`.builders`, :mod:`.economic`, :mod:`.user`), normalisation
(:mod:`.normalise`), properties used by models (:mod:`.properties`: ``align``,
``rho_bounds``, ``summary``), GAL/GWT exchange (:mod:`.io`) and time-varying W
for panels (:mod:`.timevarying`).

Examples
--------
>>> import spatialecon as se
>>> w = se.weights.contiguity(se.geo.read_provinces(), islands="nearest")
>>> se.weights.align(w, w.unique_ids).shape
(31, 31)
"""

from .builders import contiguity, distance_band, graph_from_sparse, inverse_distance, knn
from .economic import economic_distance, nested
from .io import read_gal, read_gwt, write_gal, write_gwt
from .normalise import normalisation_of, normalise, spectral_radius
from .properties import align, eigen_range, region_ids, rho_bounds, summary
from .timevarying import TimeVaryingW, time_varying
from .user import from_edges, from_matrix

__all__ = [
    "contiguity", "knn", "distance_band", "inverse_distance", "graph_from_sparse",
    "economic_distance", "nested",
    "from_matrix", "from_edges",
    "normalise", "normalisation_of", "spectral_radius",
    "align", "rho_bounds", "eigen_range", "summary", "region_ids",
    "time_varying", "TimeVaryingW",
    "read_gal", "write_gal", "read_gwt", "write_gwt",
]
