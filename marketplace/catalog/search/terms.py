"""A buyer's search words as index terms: Snowball stems, with one-letter typos corrected from `search_terms`.

The same terms drive PostgreSQL (a tsquery of lexemes) and SQLite (an FTS5 query over the stems table), so both
databases find the same products.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from functools import lru_cache

from marketplace.catalog.search.text import stem, words
from marketplace.extensions import db

#: Words this long or longer (in letters) are corrected when their stem is unknown.
TYPO_MIN_LETTERS = 5
#: At most this many known terms replace one misspelt word (the most frequent ones).
MAX_CANDIDATES = 8
#: Words of a query beyond this are ignored (a search box, not a document).
MAX_QUERY_WORDS = 10
ALPHABET = string.ascii_lowercase


@dataclass(frozen=True)
class QueryWord:
    """One word of the query and the index terms that satisfy it (any of them)."""

    word: str
    terms: tuple[str, ...]
    #: True when `terms` are known words close to a misspelt `word`.
    corrected: bool = False


def edits1(term: str) -> set[str]:
    """Every string one deletion, transposition, substitution or insertion (a-z) away from `term`."""
    splits = [(term[:i], term[i:]) for i in range(len(term) + 1)]
    deletes = {left + right[1:] for left, right in splits if right}
    transposes = {left + right[1] + right[0] + right[2:] for left, right in splits if len(right) > 1}
    replaces = {left + letter + right[1:] for left, right in splits if right for letter in ALPHABET}
    inserts = {left + letter + right for left, right in splits for letter in ALPHABET}
    return (deletes | transposes | replaces | inserts) - {term, ""}


def _correctable(word: str) -> bool:
    return word.isalpha() and word.isascii() and len(word) >= TYPO_MIN_LETTERS


def _known_terms(candidates: set[str]) -> dict[str, int]:
    """The candidates that are catalog terms, with how many entries contain each (one query, run straight through
    the driver: it runs for most searches)."""
    if not candidates:
        return {}
    connection = db.session.connection()
    terms = sorted(candidates)
    if connection.dialect.name == "postgresql":  # one statement for any number of terms (prepared once)
        sql, parameters = "SELECT term, entries FROM search_terms WHERE term = ANY(%s)", [terms]
    else:
        sql, parameters = _sqlite_known_terms_sql(len(terms)), terms
    cursor = connection.connection.driver_connection.cursor()
    try:
        cursor.execute(sql, parameters)
        return dict(cursor.fetchall())
    finally:
        cursor.close()


@lru_cache(maxsize=64)
def _sqlite_known_terms_sql(count: int) -> str:
    """`SELECT term, entries … IN (?, …)` with `count` placeholders."""
    return f"SELECT term, entries FROM search_terms WHERE term IN ({', '.join(['?'] * count)})"  # noqa: S608


def query_words(text: str | None) -> list[QueryWord]:
    """The query's distinct words as index terms; a misspelt word of 5+ letters becomes its known neighbours."""
    seen: dict[str, str] = {}
    for word in words(text or ""):
        if word not in seen and len(seen) < MAX_QUERY_WORDS:
            seen[word] = stem(word)
    checked = {term for word, term in seen.items() if _correctable(word)}
    known = _known_terms(checked) if checked else {}
    unknown = {word: term for word, term in seen.items() if term in checked and term not in known}
    variants = {word: edits1(term) for word, term in unknown.items()}
    neighbours = _known_terms(set().union(*variants.values())) if variants else {}
    result: dict[tuple[str, ...], QueryWord] = {}
    for word, term in seen.items():
        item = QueryWord(word, (term,))
        if word in unknown:
            found = sorted((t for t in variants[word] if t in neighbours), key=lambda t: (-neighbours[t], t))
            if found:
                item = QueryWord(word, tuple(sorted(found[:MAX_CANDIDATES])), corrected=True)
        result.setdefault(item.terms, item)  # "beras berasnya" is one condition
    return list(result.values())


def tsquery_text(query: list[QueryWord]) -> str:
    """PostgreSQL tsquery input: every word (AND), any of its terms (OR); lexemes quoted, never raw text."""
    return " & ".join("(" + " | ".join(_quote(term, "'") for term in item.terms) + ")" for item in query)


def fts5_query_text(query: list[QueryWord]) -> str:
    """SQLite FTS5 query: every word (AND), any of its terms (OR); each term a quoted string."""
    return " AND ".join("(" + " OR ".join(_quote(term, '"') for term in item.terms) + ")" for item in query)


def _quote(term: str, mark: str) -> str:
    escaped = term.replace("\\", "\\\\") if mark == "'" else term
    return mark + escaped.replace(mark, mark * 2) + mark
