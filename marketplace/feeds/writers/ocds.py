"""The OCDS feed: an OCDS 1.1 release package of orders (`procurement.ocds` makes the releases), streamed.

The file is one JSON document, `{"uri": …, "version": "1.1", "publishedDate": …, "publisher": {…}, "releases":
[…]}`: the package metadata first, then each release as it comes, so any number of orders is written in constant
memory.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from marketplace.feeds.writers.base import FileWriter
from marketplace.procurement.ocds import OCDS_VERSION

_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False)


def package_head(*, uri: str, published_date: str, publisher: Mapping[str, Any]) -> dict[str, Any]:
    """The release package's metadata (everything but the releases)."""
    return {"uri": uri, "version": OCDS_VERSION, "publishedDate": published_date, "publisher": dict(publisher)}


class ReleasePackageWriter(FileWriter):
    """Streams releases into the release package at `path`."""

    def __init__(self, path: Path, *, head: Mapping[str, Any]) -> None:
        self.path = Path(path)
        self.file = self.path.open("wb", buffering=1024 * 1024)
        self.file.write(_JSON.encode(dict(head))[:-1].encode("utf-8") + b',"releases":[')
        self.count = 0

    def write(self, release: Mapping[str, Any]) -> None:
        """Add a release."""
        text = _JSON.encode(release).encode("utf-8")
        self.file.write(b"," + text if self.count else text)
        self.count += 1

    def close(self) -> None:
        """Write the end, flush and fsync; the caller renames the file."""
        self.file.write(b"]}")
        self.file.flush()
        os.fsync(self.file.fileno())
        self.file.close()

    def abort(self) -> None:
        self.file.close()
        self.path.unlink(missing_ok=True)
