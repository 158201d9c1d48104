"""What every feed file writer shares: used as a context manager, it keeps the file on success and removes it on
an error."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Self


class FileWriter(ABC):
    """Base of the writers: subclasses implement `close()` (finish, flush, fsync) and `abort()` (remove)."""

    @abstractmethod
    def close(self) -> None:
        """Finish the file, flush and fsync it; the caller renames it into place."""

    @abstractmethod
    def abort(self) -> None:
        """Remove what was written."""

    def __enter__(self) -> Self:
        return self

    def __exit__(self, exc_type, exc, traceback) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()
