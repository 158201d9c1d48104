"""Real Celery workers for the feed benchmark, and what they cost: memory and CPU read from /proc.

`Workers` starts `celery -A workers.celery_app worker` (the Procfile's command: prefork pool) on the benchmark
database and a Redis broker, configured by environment variables only, and stops it; `purge_broker` empties that
Redis database first. `Backends` lists the benchmark database's PostgreSQL backends. `Sampler` watches a set of
processes from a thread: every process of the worker (the main process and its pool children, found through their
parent ids) and the database's backends, and records
- the peak RSS of each process (the kernel's high-water mark `VmHWM`, so nothing between two samples is missed),
- the peak of the worker's total PSS (shared pages counted once, from `smaps_rollup`), sampled twice a
  second,
- the CPU seconds each process used (a process's last moments before it exits are missed: the measured code
  calls `sample()` before closing its own database connection).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.feed_data import plain_url

ROOT = Path(__file__).resolve().parent.parent
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024


def _read(path: str) -> str | None:
    try:
        with open(path) as handle:
            return handle.read()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None


def status_kb(pid: int, field_name: str) -> int:
    """A `kB` field of /proc/<pid>/status (VmRSS, VmHWM); 0 when the process is gone."""
    text = _read(f"/proc/{pid}/status") or ""
    for line in text.splitlines():
        if line.startswith(field_name + ":"):
            return int(line.split()[1])
    return 0


def pss_kb(pid: int) -> int:
    """Proportional set size: the process's private pages plus its share of pages shared with others."""
    text = _read(f"/proc/{pid}/smaps_rollup") or ""
    for line in text.splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1])
    return 0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far (0 when it is gone)."""
    text = _read(f"/proc/{pid}/stat")
    if not text:
        return 0.0
    fields = text.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def descendants(root: int) -> set[int]:
    """The process and all its descendants."""
    parents: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            text = _read(f"/proc/{entry.name}/stat")
            if text:
                parents[int(entry.name)] = int(text.rsplit(")", 1)[1].split()[1])
    found, frontier = {root}, [root]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, ppid in parents.items() if ppid == parent and pid not in found]
        found.update(children)
        frontier.extend(children)
    return found


class Workers:
    """One `celery worker` (prefork, `concurrency` pool processes) on the feeds and default queues."""

    def __init__(self, *, database_url: str, broker: str, instance: Path, concurrency: int, env: dict) -> None:
        self.log_path = instance / "worker.log"
        self.concurrency = concurrency
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("CELERY_")},
            "MARKETPLACE_ENV": "production",
            "DATABASE_URL": database_url,
            "CELERY_BROKER_URL": broker,
            "INSTANCE_PATH": str(instance),
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
            **env,
        }
        self.process: subprocess.Popen | None = None

    def start(self, timeout: float = 90) -> Workers:
        """Start the worker and wait until its pool is ready."""
        command = [
            sys.executable, "-m", "celery", "-A", "workers.celery_app", "worker", "--queues", "feeds,default",
            "--concurrency", str(self.concurrency), "--loglevel", "INFO", "--without-gossip", "--without-mingle",
            "--hostname", f"bench-feeds-{os.getpid()}@%h",
        ]  # fmt: skip
        with self.log_path.open("ab") as log:
            log.write(f"\n=== start {time.strftime('%H:%M:%S')}\n".encode())
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        deadline = time.monotonic() + timeout
        while " ready." not in self.log().rsplit("=== start", 1)[-1]:
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"the Celery worker did not start; its log:\n{self.log()[-4000:]}")
            time.sleep(0.2)
        return self

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def check_alive(self) -> None:
        if self.process is None or self.process.poll() is not None:
            raise RuntimeError(f"the Celery worker exited; its log:\n{self.log()[-4000:]}")

    def pids(self) -> set[int]:
        return descendants(self.process.pid) if self.process and self.process.poll() is None else set()

    def stop(self, timeout: float = 30) -> None:
        """Warm shutdown (SIGTERM); kill the process group when it does not exit in time."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=timeout)


class Backends:
    """The PostgreSQL backends of the benchmark database (their CPU is part of each measurement)."""

    def __init__(self, url: str) -> None:
        import psycopg

        self.name = plain_url(url).rsplit("/", 1)[1]
        self.connection = psycopg.connect(plain_url(url), autocommit=True)

    def __call__(self) -> list[int]:
        query = "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()"
        return [row[0] for row in self.connection.execute(query, (self.name,))]


def purge_broker(url: str) -> None:
    """Empty the benchmark's Redis database (left-over messages of an interrupted run would start feeds)."""
    if url.startswith("redis://"):
        import redis

        redis.Redis.from_url(url).flushdb()


@dataclass
class Usage:
    """What the watched processes used during one measurement."""

    peak_rss_mb: float = 0.0
    peak_pss_total_mb: float = 0.0
    worker_cpu_s: float = 0.0
    database_cpu_s: float = 0.0
    per_process_rss_mb: dict[int, float] = field(default_factory=dict)


class Sampler:
    """Samples the worker's processes (and the database's backends) until stopped."""

    def __init__(self, workers: Workers | None, backends, interval: float = 0.5) -> None:
        self.workers = workers
        #: A callable returning the pids of the database's backends (always called under the lock).
        self.backends = backends
        self.interval = interval
        self.usage = Usage()
        self._worker_cpu: dict[int, float] = {}
        self._database_cpu: dict[int, float] = {}
        self._cpu_before: dict[int, float] = {}
        self._hwm: dict[int, int] = {}
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._pids: set[int] | None = None
        self._ticks = 0
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Sampler:
        with self._lock:
            for pid in self._worker_pids() | set(self.backends()):
                self._cpu_before[pid] = cpu_seconds(pid)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.sample()
        usage = self.usage
        usage.per_process_rss_mb = {pid: kb / 1024 for pid, kb in sorted(self._hwm.items())}
        usage.peak_rss_mb = max(usage.per_process_rss_mb.values(), default=0.0)
        usage.worker_cpu_s = sum(cpu - self._cpu_before.get(pid, 0.0) for pid, cpu in self._worker_cpu.items())
        usage.database_cpu_s = sum(cpu - self._cpu_before.get(pid, 0.0) for pid, cpu in self._database_cpu.items())

    def _worker_pids(self) -> set[int]:
        """The worker's processes, looked up again every few samples (the pool seldom changes)."""
        if not self.workers:
            return {os.getpid()}
        self._ticks += 1
        if self._pids is None or self._ticks % 4 == 0:
            self._pids = self.workers.pids()
        return self._pids

    def _sample(self) -> None:
        total = 0
        for pid in self._worker_pids():
            total += pss_kb(pid)
            self._hwm[pid] = max(self._hwm.get(pid, 0), status_kb(pid, "VmHWM"))
            cpu = cpu_seconds(pid)
            if cpu:
                self._worker_cpu[pid] = cpu
        self.usage.peak_pss_total_mb = max(self.usage.peak_pss_total_mb, total / 1024)
        for pid in self.backends():
            cpu = cpu_seconds(pid)
            if cpu:
                self._database_cpu[pid] = cpu

    def sample(self) -> None:
        """Sample now (e.g. just before a measured connection closes, which takes its backend's CPU with it)."""
        with self._lock:
            self._sample()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample()
