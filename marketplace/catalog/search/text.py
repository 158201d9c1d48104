"""Indonesian text for search: words, Snowball stems (the algorithm PostgreSQL's `indonesian` configuration uses).

Words that contain a digit (`2l`, `5kg`, `a4`, `15`) are kept as they are, because PostgreSQL's parser files them
as numbers or "numword" tokens and indexes them unstemmed (`simple` dictionary); everything else is stemmed. So the
stems made here are exactly the lexemes of `to_tsvector('indonesian', …)` for text made of `words()` joined by
spaces (see `index.search_text_of`).
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache

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
    return [_stem_word(word) for word in words(text)]


def stem(word: str) -> str:
    """The stem of one word (a word with a digit is its own stem)."""
    return _stem_word(word.lower())


@lru_cache(maxsize=50_000)
def _stem_word(word: str) -> str:
    """Stem a lower-case word; cached, as catalogs and queries repeat the same few thousand words."""
    if any(character.isdigit() for character in word):
        return word
    return _stemmer().stemWord(word)
