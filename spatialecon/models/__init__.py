"""spatialecon.models (under construction)."""
