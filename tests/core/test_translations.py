"""The Indonesian catalogs are complete and safe: every message of the app (and of WTForms) is translated, and
every translation keeps the placeholders of its source text.

The messages are extracted the way `make messages` does it (`pybabel extract -F babel.cfg -k _l -k lazy_gettext`),
so a new `_("…")` in the code or a template fails here until it is translated in messages.po.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
import wtforms
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_keywords, parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "marketplace" / "translations"
LOCALE = "id"
#: The keywords `make messages` adds to pybabel's defaults (`_`, `gettext`, `ngettext`, …).
EXTRA_KEYWORDS = ["_l", "lazy_gettext"]
WTFORMS_POT = Path(wtforms.__file__).parent / "locale" / "wtforms.pot"
HOW_TO_FIX = "Run `make messages`, then translate them in {po} (and `make translations` to compile)."

#: %(name)s, %(n)d, %s, %d … (and %% for a literal percent sign, which is not a placeholder).
PLACEHOLDER = re.compile(r"%%|%(?:\(\w+\))?[#0+-]*\d*(?:\.\d+)?[sdifr]")


def po_path(domain: str) -> Path:
    return TRANSLATIONS / LOCALE / "LC_MESSAGES" / f"{domain}.po"


def load_catalog(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as fileobj:
        return read_po(fileobj, locale=locale)


def extract_app_messages() -> set[tuple[str, str | None]]:
    """(singular msgid, context) of every message `make messages` would extract from the repository."""
    with (ROOT / "babel.cfg").open() as fileobj:
        method_map, options_map = parse_mapping_cfg(fileobj, "babel.cfg")
    keywords = {**DEFAULT_KEYWORDS, **parse_keywords(EXTRA_KEYWORDS)}
    found = set()
    for _filename, _lineno, message, _comments, context in extract_from_dir(
        ROOT, method_map, options_map, keywords=keywords
    ):
        msgid = message[0] if isinstance(message, tuple | list) else message
        if msgid:
            found.add((msgid, context))
    return found


def is_translated(message: Message | None) -> bool:
    """A translation that `pybabel compile` puts in the .mo: present, not fuzzy, every plural form filled in."""
    if message is None or message.fuzzy:
        return False
    forms = message.string if isinstance(message.string, tuple | list) else (message.string,)
    return bool(forms) and all(form and form.strip() for form in forms)


def untranslated(wanted: set[tuple[str, str | None]], catalog: Catalog) -> list[str]:
    return sorted(
        repr(msgid) if context is None else f"{msgid!r} (context {context!r})"
        for msgid, context in wanted
        if not is_translated(catalog.get(msgid, context))
    )


def placeholders(text: str) -> tuple[Counter, list[str]]:
    """Named placeholders (any order) and positional ones (in order) of a %-format string."""
    tokens = [token for token in PLACEHOLDER.findall(text) if token != "%%"]
    named = Counter(token for token in tokens if token.startswith("%("))
    positional = [token for token in tokens if not token.startswith("%(")]
    return named, positional


def placeholder_mismatches(catalog: Catalog) -> list[str]:
    problems = []
    for message in catalog:
        if not message.id or not message.string:
            continue
        ids = message.id if isinstance(message.id, tuple | list) else (message.id,)
        forms = message.string if isinstance(message.string, tuple | list) else (message.string,)
        for index, form in enumerate(forms):
            if not form:
                continue  # reported by the completeness tests
            source = ids[0] if index == 0 else ids[-1]  # plural form 0 is the singular, the others the plural
            if placeholders(form) != placeholders(source):
                problems.append(f"{source!r} → {form!r}")
    return problems


@pytest.fixture(scope="module")
def messages_catalog() -> Catalog:
    return load_catalog(po_path("messages"))


@pytest.fixture(scope="module")
def wtforms_catalog() -> Catalog:
    return load_catalog(po_path("wtforms"))


def test_every_message_of_the_app_is_translated_to_indonesian(messages_catalog: Catalog) -> None:
    extracted = extract_app_messages()
    assert len(extracted) > 100, "the extraction found almost nothing: is babel.cfg still right?"

    missing = untranslated(extracted, messages_catalog)

    assert not missing, (
        f"{len(missing)} message(s) have no Indonesian translation:\n  "
        + "\n  ".join(missing)
        + "\n"
        + HOW_TO_FIX.format(po=po_path("messages").relative_to(ROOT))
    )


def test_every_wtforms_message_is_translated_to_indonesian(wtforms_catalog: Catalog) -> None:
    template = load_catalog(WTFORMS_POT)
    wanted = {(message.id[0] if isinstance(message.id, tuple) else message.id, message.context) for message in template}
    wanted.discard(("", None))  # the header
    assert wanted, f"no message found in {WTFORMS_POT}"

    missing = untranslated(wanted, wtforms_catalog)

    assert not missing, (
        f"{len(missing)} WTForms message(s) have no Indonesian translation:\n  "
        + "\n  ".join(missing)
        + f"\nUpdate {po_path('wtforms').relative_to(ROOT)} from {WTFORMS_POT} and translate them."
    )


@pytest.mark.parametrize("domain", ["messages", "wtforms"])
def test_translations_keep_the_placeholders_of_their_source(domain: str, request: pytest.FixtureRequest) -> None:
    catalog = request.getfixturevalue(f"{domain}_catalog")

    problems = placeholder_mismatches(catalog)

    assert not problems, (
        f"{len(problems)} translation(s) in {po_path(domain).relative_to(ROOT)} do not have the placeholders "
        "(%(name)s, %(n)d, %s, %d) of their source text:\n  " + "\n  ".join(problems)
    )


def test_placeholder_check_catches_a_broken_translation() -> None:
    """The checks above would notice a lost, renamed or retyped placeholder (and a missing plural form)."""
    catalog = Catalog(locale=LOCALE)
    catalog.add("Page %(page)s of %(pages)s", "Halaman %(page)s dari %(pages)s")  # fine
    catalog.add("%(pages)s of %(page)s", "%(page)s dari %(pages)s")  # reordered: fine
    catalog.add("At most %(n)d characters.", "Maksimal %(n)s karakter.")  # retyped
    catalog.add("Hello %(name)s", "Halo %(nama)s")  # renamed
    catalog.add("%s and %d", "%s dan")  # lost
    catalog.add("100%% sure", "100%% yakin")  # a literal percent sign is no placeholder
    catalog.add(("%(num)d user", "%(num)d users"), ("%(num)d pengguna", "pengguna"))  # lost in the plural

    assert placeholder_mismatches(catalog) == [
        "'At most %(n)d characters.' → 'Maksimal %(n)s karakter.'",
        "'Hello %(name)s' → 'Halo %(nama)s'",
        "'%s and %d' → '%s dan'",
        "'%(num)d users' → 'pengguna'",
    ]
    assert untranslated({("%(num)d user", None)}, catalog) == []
    catalog.add(("%(num)d event", "%(num)d events"), ("%(num)d peristiwa", ""))
    catalog.add("Fuzzy", "Kabur", flags=["fuzzy"])
    assert untranslated({("%(num)d event", None), ("Fuzzy", None), ("Absent", None)}, catalog) == [
        "'%(num)d event'",
        "'Absent'",
        "'Fuzzy'",
    ]
