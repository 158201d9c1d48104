"""Catalog search: the denormalised `catalog_entries`, full-text indexes and typo-tolerant queries."""
