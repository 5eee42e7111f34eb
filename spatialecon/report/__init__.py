"""spatialecon.report (under construction)."""
