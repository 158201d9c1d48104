"""A writer's file work in a forked child process: same bytes as in-process, errors come back, nothing is left."""

from __future__ import annotations

import os
import signal
from datetime import UTC, datetime
from pathlib import Path

import pytest

from marketplace.feeds.writers import TooManyRows, xlsx
from marketplace.feeds.writers.child import ChildFailed, ChildProcess

CREATED = datetime(2026, 1, 2, 3, 4, 6, tzinfo=UTC)


class FileSink:
    """Writes each item as a line, with the writing process's id first; `fail_at` raises on that item."""

    def __init__(self, path: Path, fail_at: str | None = None) -> None:
        self.path, self.fail_at = path, fail_at
        self.handle = path.open("w")
        self.handle.write(f"{os.getpid()}\n")

    def take(self, item: str) -> None:
        if item == self.fail_at:
            raise ValueError(f"refused {item}")
        self.handle.write(item + "\n")

    def close(self) -> None:
        self.handle.close()

    def abort(self) -> None:
        self.handle.close()
        self.path.unlink()


def test_the_child_writes_every_item_in_another_process(tmp_path) -> None:
    path = tmp_path / "out.txt"
    child = ChildProcess(lambda: FileSink(path), batch_items=3)
    for number in range(10):
        child.send(f"item {number}")
    child.finish()
    pid, *lines = path.read_text().splitlines()
    assert int(pid) != os.getpid()
    assert lines == [f"item {number}" for number in range(10)]


def test_an_error_in_the_child_is_raised_in_the_parent_and_the_file_is_gone(tmp_path) -> None:
    path = tmp_path / "out.txt"
    child = ChildProcess(lambda: FileSink(path, fail_at="item 2"), batch_items=2)
    with pytest.raises(ValueError, match="refused item 2"):
        for number in range(1000):  # the parent learns of it on a later send or at the end
            child.send(f"item {number}")
        child.finish()
    assert not path.exists()


def test_a_parent_that_stops_leaves_no_file(tmp_path) -> None:
    path = tmp_path / "out.txt"
    child = ChildProcess(lambda: FileSink(path), batch_items=1)
    child.send("item 0")
    pid = child.pid
    child.abort()
    assert not path.exists()
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # the child was waited for: no zombie left


def test_a_killed_child_is_a_clear_error(tmp_path) -> None:
    child = ChildProcess(lambda: FileSink(tmp_path / "out.txt"), batch_items=1)
    os.kill(child.pid, signal.SIGKILL)
    with pytest.raises(ChildFailed):
        for number in range(10_000):
            child.send(f"item {number}")
        child.finish()


def _workbook(path: Path, records: list, *, in_child: bool) -> bytes:
    writer = xlsx.XlsxWriter(path, created=CREATED, in_child=in_child)
    with writer:
        for record in records:
            writer.write(record)
    return path.read_bytes()


def test_xlsx_written_in_a_child_is_the_same_workbook(tmp_path, records) -> None:
    assert _workbook(tmp_path / "child.xlsx", records, in_child=True) == _workbook(
        tmp_path / "here.xlsx", records, in_child=False
    )


@pytest.mark.parametrize("in_child", [True, False])
def test_too_many_rows_is_raised_either_way(tmp_path, records, monkeypatch, in_child) -> None:
    monkeypatch.setattr(xlsx, "MAX_ROWS", 3)
    with pytest.raises(TooManyRows):
        _workbook(tmp_path / "big.xlsx", records, in_child=in_child)
    assert list(tmp_path.iterdir()) == []
