"""File storage behind a small interface: a local folder by default (`instance/files/`).

Keys are generated relative paths such as `products/12/3f2a9c.jpg`; never a name a user typed. Writes are atomic:
a file appears under its key only once it is complete.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from flask import current_app

KEY_PATTERN = re.compile(r"[a-z0-9][a-z0-9_\-]*(/[a-z0-9][a-z0-9_\-.]*)*")


class LocalStorage:
    """Files in a folder on this machine (shared by web and workers on one host, or a network mount)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, key: str) -> Path:
        """The absolute path of `key`; raises ValueError for keys outside the storage."""
        if not KEY_PATTERN.fullmatch(key) or ".." in key:
            raise ValueError(f"invalid storage key {key!r}")
        return self.root / key

    def save(self, key: str, data: bytes | BinaryIO) -> int:
        """Write `data` under `key` atomically (temporary file in the same folder, fsync, rename); return its size."""
        target = self.path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".partial-")
        try:
            with os.fdopen(handle, "wb") as out:
                if isinstance(data, bytes):
                    out.write(data)
                else:
                    shutil.copyfileobj(data, out, 1024 * 1024)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        return target.stat().st_size

    def open(self, key: str) -> BinaryIO:
        return self.path(key).open("rb")

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()

    def delete(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)

    def iter_keys(self, prefix: str) -> Iterator[str]:
        base = self.path(prefix)
        if base.is_dir():
            for path in sorted(base.rglob("*")):
                if path.is_file() and not path.name.startswith(".partial-"):
                    yield path.relative_to(self.root).as_posix()


def storage() -> LocalStorage:
    """The app's file storage."""
    return LocalStorage(Path(current_app.config["STORAGE_DIR"]))
