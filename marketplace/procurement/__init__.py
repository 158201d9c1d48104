"""Procurement: carts, checkout, orders through the e-purchasing lifecycle, documents, shipments and receipt."""
