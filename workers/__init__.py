"""Celery workers: entry point, schedule and thin task wrappers around marketplace services."""
