"""The KBKI code list: search it, and import it from a CSV (`kode,judul`) as a whole or not at all."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import Select, or_, select

from marketplace.accounts.models import User
from marketplace.catalog.models import KbkiCode
from marketplace.catalog.services.reference.common import require_operator
from marketplace.core.audit import record_event
from marketplace.core.errors import ValidationFailed
from marketplace.extensions import db

KBKI_LENGTHS = frozenset({1, 2, 3, 4, 5, 7, 10})
KBKI_HEADER = ("kode", "judul")
MAX_KBKI_FILE_BYTES = 5 * 1024 * 1024
_CHUNK = 500


def kbki_query(*, search: str | None = None) -> Select:
    """KBKI codes by code; `search` matches the start of a code or any part of a title."""
    statement = select(KbkiCode).order_by(KbkiCode.code)
    text = (search or "").strip()
    if text:
        escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        conditions = [KbkiCode.title.ilike(f"%{escaped}%", escape="\\")]
        if text.isdigit():
            conditions.append(KbkiCode.code.like(f"{text}%"))
        statement = statement.where(or_(*conditions))
    return statement


@dataclass
class KbkiImportResult:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0


class KbkiImportFailed(ValidationFailed):
    """The file has bad rows (nothing was imported); `rows` lists (line number, message), line 0 = the file."""

    def __init__(self, rows: list[tuple[int, str]]) -> None:
        self.rows = rows
        message = _("Nothing was imported. Correct the rows listed below and upload the file again.")
        super().__init__(message, {"file": message})


def _read_kbki_rows(data: bytes) -> tuple[list[tuple[int, str, str]], list[tuple[int, str]]]:
    """Parse the CSV into (line, code, title) and (line, problem) lists."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [], [(0, _("The file is not UTF-8 text. Save it as “CSV UTF-8”."))]
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if ";" in first_line and "," not in first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = next(reader, None)
    if header is None or tuple(cell.strip().lower() for cell in header if cell.strip()) != KBKI_HEADER:
        return [], [(1, _("The first row must be the header kode,judul."))]
    good: list[tuple[int, str, str]] = []
    problems: list[tuple[int, str]] = []
    seen: dict[str, int] = {}
    line = reader.line_num
    for cells in reader:
        start, line = line + 1, reader.line_num
        while cells and not cells[-1].strip():
            cells = cells[:-1]
        if not cells:
            continue
        problem = _kbki_row_problem(cells, seen)
        if problem:
            problems.append((start, problem))
            continue
        code, title = cells[0].strip(), " ".join(cells[1].split())
        seen[code] = start
        good.append((start, code, title))
    if not good and not problems:
        problems.append((1, _("The file has no KBKI codes below the header.")))
    return good, problems


def _kbki_row_problem(cells: list[str], seen: dict[str, int]) -> str | None:
    if len(cells) != 2:
        return _("Expected 2 columns (kode, judul), found %(n)d.", n=len(cells))
    code, title = cells[0].strip(), " ".join(cells[1].split())
    if not re.fullmatch(r"\d+", code) or len(code) not in KBKI_LENGTHS:
        return _("The code “%(code)s” must be 1, 2, 3, 4, 5, 7 or 10 digits.", code=code[:20])
    if code in seen:
        return _("The code %(code)s appears already on line %(line)d.", code=code, line=seen[code])
    if not title:
        return _("The title (judul) is empty.")
    if len(title) > 300:
        return _("The title has more than %(n)d characters.", n=300)
    return None


def import_kbki_csv(*, actor: User, data: bytes) -> KbkiImportResult:
    """Add or update KBKI codes from a CSV with the header `kode,judul` (UTF-8, with or without BOM).

    The level of a code is its number of digits. Any bad row stops the whole import: KbkiImportFailed lists each
    bad row with its line number. Audited once as `kbki.import` with the counts.
    """
    require_operator(actor)
    if len(data) > MAX_KBKI_FILE_BYTES:
        raise KbkiImportFailed(rows=[(0, _("The file is larger than %(n)d MB.", n=5))])
    good, problems = _read_kbki_rows(data)
    if problems:
        raise KbkiImportFailed(rows=problems)
    result = KbkiImportResult(rows=len(good))
    for start in range(0, len(good), _CHUNK):
        chunk = good[start : start + _CHUNK]
        existing = {
            item.code: item
            for item in db.session.scalars(select(KbkiCode).where(KbkiCode.code.in_([row[1] for row in chunk])))
        }
        for _line, code, title in chunk:
            current = existing.get(code)
            if current is None:
                db.session.add(KbkiCode(code=code, title=title, level=len(code)))
                result.created += 1
            elif current.title != title or current.level != len(code):
                current.title, current.level = title, len(code)
                result.updated += 1
            else:
                result.unchanged += 1
        db.session.flush()
    record_event(
        "kbki.import",
        subject_type="kbki",
        subject_id=None,
        actor_id=actor.id,
        after={"rows": result.rows, "created": result.created, "updated": result.updated},
    )
    db.session.commit()
    return result
