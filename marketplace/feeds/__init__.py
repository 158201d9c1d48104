"""Feeds: the approved catalog exported in e-Katalog format (datafeed JSON, CSV zip, XLSX), full and delta."""
