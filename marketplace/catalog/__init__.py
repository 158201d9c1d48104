"""Catalog: UMKM products with e-Katalog data, their review, reference lists, search and bulk upload."""
