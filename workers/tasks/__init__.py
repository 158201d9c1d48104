"""Task modules; importing this package registers every task."""

from workers.tasks import accounts, notifications  # noqa: F401
