"""Cooperatives (the e-Katalog providers) and their members."""
