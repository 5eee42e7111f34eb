"""Spatial models: OLS, SLX, SAR, SEM, SDM, SDEM, SAC (cross-section and panel).

Examples
--------
>>> from spatialecon.models import SAR
>>> SAR.name
'SAR'
"""

from .base import SpatialModel
from .cross import OLS, SAC, SAR, SDEM, SDM, SEM, SLX

__all__ = ["SpatialModel", "OLS", "SLX", "SAR", "SEM", "SDM", "SDEM", "SAC"]
