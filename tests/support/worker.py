"""A real Celery worker process for the tests marked `worker`.

The worker runs `celery -A workers.celery_app worker` (the production entry point) as a subprocess configured by
environment variables only, on the test database and on a broker: CELERY_BROKER_URL from the environment when set
(CI: Redis), else kombu's filesystem transport in a temporary instance folder. The test side publishes through a
second app built on the same broker (`publishing_app`), since the suite's own app publishes to `memory://`.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from flask import Flask

REPO_ROOT = Path(__file__).resolve().parents[2]
QUEUES = ("default", "email", "feeds")
SECRET_KEY = "worker-test-secret-key"
T = TypeVar("T")


def broker_url() -> str:
    """The broker the worker tests use: CELERY_BROKER_URL when set, else the filesystem transport."""
    return os.environ.get("CELERY_BROKER_URL") or "filesystem://"


def publishing_app(*, instance_path: Path, database_url: str, broker: str) -> Flask:
    """An app like the suite's, but publishing to the worker's broker (the filesystem one lives in instance/)."""
    from marketplace import create_app

    return create_app(
        "testing",
        {
            "INSTANCE_PATH": instance_path,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "CELERY_BROKER_URL": broker,
            "MAIL_FILE_DIR": str(instance_path / "mail"),
            "SERVER_NAME": None,
        },
    )


def purge_queues(app: Flask) -> int:
    """Drop every message waiting in the worker's queues; return how many there were."""
    celery = app.extensions["celery"]
    dropped = 0
    with celery.connection_for_write() as connection:
        channel = connection.default_channel
        for queue in QUEUES:
            dropped += channel.queue_purge(queue) or 0
    return dropped


@contextmanager
def worker_publisher(suite_app: Flask, *, instance_path: Path, database_url: str) -> Iterator[Flask]:
    """An app that publishes to the workers' broker, its queues purged before and after; the suite's app stays
    Celery's default app afterwards."""
    from marketplace.extensions import db

    flask_app = publishing_app(instance_path=instance_path, database_url=database_url, broker=broker_url())
    purge_queues(flask_app)
    try:
        yield flask_app
    finally:
        purge_queues(flask_app)
        with flask_app.app_context():
            db.session.remove()
            db.engine.dispose()
        suite_app.extensions["celery"].set_default()


class CeleryWorker:
    """`celery worker` in a subprocess of its own session, stopped reliably (terminate, then kill)."""

    def __init__(
        self,
        *,
        database_url: str,
        broker: str,
        instance_path: Path,
        log_path: Path,
        extra_env: dict[str, str] | None = None,
    ) -> None:
        self.instance_path = instance_path
        self.log_path = log_path
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("CELERY_", "MAIL_"))},
            # Development, not testing: TestingConfig forces the in-memory broker.
            "MARKETPLACE_ENV": "development",
            "DATABASE_URL": database_url,
            "CELERY_BROKER_URL": broker,
            "INSTANCE_PATH": str(instance_path),
            "MAIL_BACKEND": "file",
            "MAIL_FILE_DIR": str(instance_path / "mail"),
            "SECRET_KEY": SECRET_KEY,
            "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")])),
            **(extra_env or {}),
        }
        self.process: subprocess.Popen | None = None

    @property
    def mail_dir(self) -> Path:
        return self.instance_path / "mail"

    def start(self, timeout: float = 60) -> CeleryWorker:
        """Start the worker and wait until it reports ready."""
        command = [
            sys.executable, "-m", "celery", "-A", "workers.celery_app", "worker",
            "--queues", ",".join(QUEUES), "--pool", "solo", "--loglevel", "INFO",
            "--without-gossip", "--without-mingle", "--without-heartbeat", "--hostname", f"tests-{os.getpid()}@%h",
        ]  # fmt: skip
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                command, cwd=REPO_ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        try:
            wait_for(lambda: " ready." in self.log(), timeout=timeout, what="the worker to be ready", worker=self)
        except BaseException:
            self.stop()
            raise
        return self

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def check_alive(self) -> None:
        """Fail with the worker's log when the process has exited."""
        if self.process is None or self.process.poll() is not None:
            code = None if self.process is None else self.process.returncode
            raise AssertionError(f"the Celery worker is not running (exit code {code}); its log:\n{self.log()[-4000:]}")

    def kill(self, timeout: float = 15) -> None:
        """Kill the worker's whole process group at once (SIGKILL: no shutdown, no acknowledgement, no cleanup)."""
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=timeout)

    def stop(self, timeout: float = 15) -> None:
        """Warm shutdown (SIGTERM); kill the whole process group when it does not exit in time."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=timeout)


def wait_for(
    condition: Callable[[], T], *, timeout: float = 30, interval: float = 0.2, what: str, worker: CeleryWorker
) -> T:
    """Poll `condition` until it returns something truthy; fail with the worker's log on timeout or exit."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        worker.check_alive()
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}; worker log:\n{worker.log()[-4000:]}")
        time.sleep(interval)
