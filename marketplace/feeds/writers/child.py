"""A writer's file work done in a forked child process, so that a feed uses both cores: the building process reads,
validates and reports while the child turns rows into the file (for XLSX, xlsxwriter's XML: the larger half of the
work, see `benchmarks/feed_export.py`).

The parent sends batches of rows through a pipe (pickled); the child hands each batch to its sink and, at the end,
closes the sink (the file is complete, flushed and fsynced) and answers with `None`, or with the exception that
stopped it. If the parent stops without saying it is done (an error, or the process killed), the child sees the
pipe end, aborts the sink (no file is left) and exits. The child never touches what it inherited (database
connections, logging, Celery): it leaves with `os._exit`.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import traceback
from collections.abc import Callable
from typing import Any, Protocol

#: Rows sent per pickled batch.
BATCH_ITEMS = 256


class Sink(Protocol):
    """What runs in the child: takes each batch item, then is closed (success) or aborted."""

    def take(self, item: Any) -> None: ...
    def close(self) -> None: ...
    def abort(self) -> None: ...


class ChildFailed(RuntimeError):
    """The child process stopped without telling why (killed, or an exception that could not be sent)."""


def can_fork() -> bool:
    """Whether this platform can run a writer in a child process."""
    return hasattr(os, "fork")


class ChildProcess:
    """A forked child running the sink that `open_sink()` makes (called in the child)."""

    def __init__(self, open_sink: Callable[[], Sink], *, batch_items: int = BATCH_ITEMS) -> None:
        rows_read, rows_write = os.pipe()
        result_read, result_write = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:  # the child
            os.close(rows_write)
            os.close(result_read)
            _serve(open_sink, rows_read, result_write)
        os.close(rows_read)
        os.close(result_write)
        self.rows = os.fdopen(rows_write, "wb", buffering=1024 * 1024)
        self.result = os.fdopen(result_read, "rb")
        self.batch: list[Any] = []
        self.batch_items = batch_items

    def send(self, item: Any) -> None:
        """Queue one item for the child (sent with the next full batch)."""
        self.batch.append(item)
        if len(self.batch) >= self.batch_items:
            self._flush()

    def finish(self) -> None:
        """Send what is queued, tell the child to close its sink and wait: raises what stopped the child."""
        self._flush()
        self._send(None)
        try:
            self.rows.close()
        except BrokenPipeError:
            self._raise_child_error()
        self._raise_child_error()

    def abort(self) -> None:
        """Stop the child without a file (it aborts its sink when the pipe ends) and wait for it."""
        with contextlib.suppress(OSError):
            self.rows.close()
        self._wait()

    def _flush(self) -> None:
        if self.batch:
            batch, self.batch = self.batch, []
            self._send(batch)

    def _send(self, message: list[Any] | None) -> None:
        try:
            pickle.dump(message, self.rows, protocol=pickle.HIGHEST_PROTOCOL)
        except BrokenPipeError:  # the child stopped: say why
            self._raise_child_error()

    def _raise_child_error(self) -> None:
        try:
            error = pickle.load(self.result)  # noqa: S301 - our own child, through our own pipe
        except EOFError:
            error = ChildFailed("the feed writer process stopped")
        finally:
            self._wait()
        if error is not None:
            raise error

    def _wait(self) -> None:
        self.result.close()
        if self.pid:
            os.waitpid(self.pid, 0)
            self.pid = 0


def _serve(open_sink: Callable[[], Sink], rows_fd: int, result_fd: int) -> None:
    """The child's whole life: take batches until the end marker, answer, exit."""
    error: BaseException | None = None
    try:
        with os.fdopen(rows_fd, "rb", buffering=1024 * 1024) as rows:
            sink = open_sink()
            try:
                while (batch := pickle.load(rows)) is not None:  # noqa: S301 - from our parent
                    for item in batch:
                        sink.take(item)
            except BaseException:
                sink.abort()
                raise
            sink.close()
    except EOFError:
        error = ChildFailed("the feed was stopped before it was complete")
    except BaseException as raised:  # everything goes back to the parent
        error = raised
    try:
        with os.fdopen(result_fd, "wb") as result:
            _answer(result, error)
    finally:
        os._exit(0)


def _answer(result, error: BaseException | None) -> None:
    try:
        pickle.dump(error, result)
    except Exception:  # an exception that does not pickle: its text
        text = "".join(traceback.format_exception_only(type(error), error)).strip()
        pickle.dump(ChildFailed(text), result)
