"""spatialecon.data (under construction)."""
