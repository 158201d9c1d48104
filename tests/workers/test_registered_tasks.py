"""Every task name the marketplace enqueues is a task the worker registers (`marketplace` never imports `workers`)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.worker import REPO_ROOT, SECRET_KEY

LITERAL_CALL = re.compile(r"""enqueue_after_commit\(\s*["']([\w.]+)["']""")
CONSTANT = re.compile(r"""^\s*[A-Z][A-Z0-9_]*_TASK\s*(?::\s*[\w\[\]]+\s*)?=\s*["']([\w.]+)["']""", re.MULTILINE)
ANY_CALL = re.compile(r"""(?<!def )enqueue_after_commit\(\s*([^,)\s]+)""")


def enqueued_task_names() -> tuple[set[str], list[str]]:
    """Task names in marketplace/ (literal arguments and *_TASK constants) and call sites passing anything else."""
    names: set[str] = set()
    unresolved: list[str] = []
    for path in sorted((REPO_ROOT / "marketplace").rglob("*.py")):
        text = path.read_text()
        names |= set(LITERAL_CALL.findall(text)) | set(CONSTANT.findall(text))
        for argument in ANY_CALL.findall(text):
            if not (argument[0] in "\"'" or argument.endswith("_TASK") or argument == "task_name"):
                unresolved.append(f"{path.relative_to(REPO_ROOT)}: enqueue_after_commit({argument}, …)")
    return names, unresolved


def worker_tasks(instance_path: Path) -> dict[str, list[str]]:
    """The worker's registered tasks and beat schedule, read by importing its entry point in a fresh process."""
    script = (
        "import json, workers.celery_app as w; "
        "print(json.dumps({'tasks': sorted(w.celery_app.tasks), "
        "'beat': sorted(e['task'] for e in (w.celery_app.conf.beat_schedule or {}).values())}))"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CELERY_", "DATABASE_URL"))}
    env.update(MARKETPLACE_ENV="development", INSTANCE_PATH=str(instance_path), SECRET_KEY=SECRET_KEY)
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def registered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    return worker_tasks(tmp_path_factory.mktemp("registry-instance"))


def test_every_enqueued_task_name_is_registered(registered) -> None:
    names, unresolved = enqueued_task_names()
    assert "notifications.send_email" in names  # the scan finds the email task, so it can find the others
    assert unresolved == [], "pass task names as literals or *_TASK constants so this test can check them"
    missing = sorted(names - set(registered["tasks"]))
    assert missing == [], f"enqueued but not registered by the worker: {missing}"


def test_every_scheduled_task_is_registered(registered) -> None:
    assert registered["beat"], "the beat schedule is empty"
    assert sorted(set(registered["beat"]) - set(registered["tasks"])) == []


def test_marketplace_never_imports_workers() -> None:
    offenders = [
        str(path.relative_to(REPO_ROOT))
        for path in (REPO_ROOT / "marketplace").rglob("*.py")
        if re.search(r"^\s*(from|import)\s+workers\b", path.read_text(), re.MULTILINE)
    ]
    assert offenders == []
