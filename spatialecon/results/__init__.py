"""spatialecon.results (under construction)."""
