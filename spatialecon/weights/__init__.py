"""spatialecon.weights (under construction)."""
