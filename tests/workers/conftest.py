"""A real Celery worker for this folder's tests, on the test database and a real broker."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from tests.support.worker import CeleryWorker, broker_url, worker_publisher


@pytest.fixture(scope="module")
def worker_instance(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("worker-instance")


@pytest.fixture(scope="module")
def worker_app(app: Flask, worker_instance: Path, database_url: str) -> Iterator[Flask]:
    """An app that publishes to the worker's broker; the queues are purged before and after."""
    with worker_publisher(app, instance_path=worker_instance, database_url=database_url) as flask_app:
        yield flask_app


@pytest.fixture(scope="module")
def celery_worker(worker_app: Flask, worker_instance: Path, database_url: str) -> Iterator[CeleryWorker]:
    """`celery -A workers.celery_app worker` running until the module's tests are done."""
    worker = CeleryWorker(
        database_url=database_url,
        broker=broker_url(),
        instance_path=worker_instance,
        log_path=worker_instance / "worker.log",
    )
    worker.start()
    try:
        yield worker
    finally:
        worker.stop()
