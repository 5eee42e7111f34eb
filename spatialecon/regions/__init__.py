"""spatialecon.regions (under construction)."""
