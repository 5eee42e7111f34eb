"""spatialecon.estimation (under construction)."""
