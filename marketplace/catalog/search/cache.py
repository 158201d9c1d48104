"""A small per-process cache of search results: which products match, in which order, and how many.

Only ids and counts are kept; the cards are read fresh on every request, so a product withdrawn meanwhile is simply
left out and prices and stock are always current. A product approved meanwhile shows up when the entry expires.
`CATALOG_SEARCH_CACHE_SECONDS`: 30 s in production, off in development and tests.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class CachedResult:
    total: int
    total_capped: bool
    product_ids: tuple[int, ...]


class ResultCache:
    """Least-recently-used entries that expire after the given number of seconds."""

    def __init__(self, size: int = 4096) -> None:
        self.size = size
        self._items: OrderedDict[Hashable, tuple[float, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Any:
        with self._lock:
            found = self._items.get(key)
            if found is None:
                return None
            if found[0] < time.monotonic():
                del self._items[key]
                return None
            self._items.move_to_end(key)
            return found[1]

    def put(self, key: Hashable, value: Any, seconds: float) -> None:
        with self._lock:
            self._items[key] = (time.monotonic() + seconds, value)
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


RESULTS = ResultCache()
