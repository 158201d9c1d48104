"""What every feed file writer shares: used as a context manager, it keeps the file on success and removes it on
an error."""

from __future__ import annotations

from typing import Self


class FileWriter:
    """Base of the writers: subclasses implement `close()` (finish, flush, fsync) and `abort()` (remove)."""

    def close(self) -> None:
        raise NotImplementedError

    def abort(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type, exc, traceback) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()
