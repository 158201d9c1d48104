"""Indonesian text for search: words, Snowball stems (the algorithm PostgreSQL's `indonesian` configuration uses)."""

from __future__ import annotations

import re
import threading

import snowballstemmer

WORD = re.compile(r"[^\W_]+", re.UNICODE)
_local = threading.local()


def _stemmer() -> snowballstemmer.stemmer:
    """One stemmer per thread: Snowball stemmer objects keep state between calls."""
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:
        stemmer = _local.stemmer = snowballstemmer.stemmer("indonesian")
    return stemmer


def words(text: str) -> list[str]:
    """Lower-case words of `text` (letters and digits)."""
    return WORD.findall(text.lower())


def stems(text: str) -> list[str]:
    """Snowball Indonesian stems of every word, in order (duplicates kept)."""
    return _stemmer().stemWords(words(text))


def stem(word: str) -> str:
    return _stemmer().stemWord(word.lower())
