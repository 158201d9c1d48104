"""Task modules; importing this package registers every task."""

from workers.tasks import accounts, catalog, catalog_imports, feeds, notifications, payments, procurement  # noqa: F401
