"""Export records into a feed file and its validation report, and join per-cooperative parts into one feed.

`export_records` validates each active record (`validation.check_record`): a record with an error is listed in
the report and left out, except in a delta whose `was_exported` says e-Katalog holds the product from an earlier
feed: then it is written withdrawn (`produk_aktif` 0), so e-Katalog takes down the last version it received.
Warnings are listed and the record is written; withdrawn records are written as they are (`produk_aktif` 0).
Messages are in Indonesian. Files are written at the given paths (staging paths: the caller publishes them); on an
exception nothing is left there.

`join_parts` makes the all-cooperatives feed from the parts' files, without reading the database again:
- CSV: each sheet's CSV is the parts' same sheet one after the other, one header. The parts' deflated bodies are
  copied byte for byte (see `writers.zipfiles`), so joining costs little more than copying the files.
- Datafeed: the parts' product arrays one after the other, the totals added up.
- XLSX: the parts' rows streamed again (openpyxl, read-only) into one constant-memory workbook; Excel's limit of
  1,048,576 rows per sheet applies (`TooManyRows`), which is why XLSX feeds are meant per cooperative.
"""

from __future__ import annotations

import os
import re
import shutil
import zipfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from marketplace.feeds.columns import SHEETS
from marketplace.feeds.records import FeedRecord
from marketplace.feeds.states import FeedShape
from marketplace.feeds.validation import Issue, catalog_translator, check_record
from marketplace.feeds.writers import FeedWriter, ReportWriter, open_report, open_writer
from marketplace.feeds.writers.csv_zip import header_bytes
from marketplace.feeds.writers.datafeed import HEAD, TAIL, TOTAL_WIDTH, DatafeedWriter, product_document
from marketplace.feeds.writers.report import HEADER as REPORT_HEADER
from marketplace.feeds.writers.zipfiles import JoinedMember, write_zip

#: Progress is reported after this many records (and at the end).
PROGRESS_EVERY = 1000
#: The language of report messages.
REPORT_LOCALE = "id"


@dataclass
class ExportResult:
    """What an export wrote."""

    #: Products written (active and withdrawn).
    product_count: int = 0
    #: Of which withdrawn (`produk_aktif` 0).
    withdrawn_count: int = 0
    #: Products with a validation error: left out, or written withdrawn when exported before (see `was_exported`).
    error_count: int = 0
    #: Warnings listed in the report (products kept).
    warning_count: int = 0
    #: Records gone through (written or left out).
    processed: int = 0


DuplicateSkus = Callable[[int], set[str]] | Mapping[int, set[str]]
#: Whether e-Katalog holds the record's product from an earlier feed (a delta withdraws it on a validation error).
WasExported = Callable[[FeedRecord], bool]


def _duplicates_lookup(source: DuplicateSkus) -> Callable[[int], set[str]]:
    """Each cooperative's duplicate SKUs, asked once per cooperative."""
    cache: dict[int, set[str]] = {}

    def lookup(cooperative_id: int) -> set[str]:
        found = cache.get(cooperative_id)
        if found is None:
            found = source.get(cooperative_id, set()) if isinstance(source, Mapping) else source(cooperative_id)
            cache[cooperative_id] = found = {sku.strip().lower() for sku in found}
        return found

    return lookup


def export_records(
    records: Iterable[FeedRecord],
    *,
    shape: FeedShape | str,
    file_path: Path,
    report_path: Path,
    base_name: str,
    today: date,
    duplicate_skus_by_cooperative: DuplicateSkus,
    on_progress: Callable[[int], None] | None = None,
    on_item: Callable[[FeedRecord, dict], None] | None = None,
    progress_every: int = PROGRESS_EVERY,
    created: datetime | None = None,
    was_exported: WasExported | None = None,
) -> ExportResult:
    """Validate and write `records` (in feed order) as a `shape` feed at `file_path`, the report at `report_path`.

    `on_progress(processed)` is called every `progress_every` records and at the end; `on_item(record, document)`
    with each written record and its datafeed document (made once, also for the datafeed file). `was_exported`
    (deltas): asked for each record with an error; a record it accepts is written withdrawn instead of left out.
    """
    shape = FeedShape(shape)
    result = ExportResult()
    duplicates = _duplicates_lookup(duplicate_skus_by_cooperative)
    needs_document = on_item is not None or shape == FeedShape.DATAFEED
    translate = catalog_translator(REPORT_LOCALE)

    def check(record: FeedRecord) -> list[Issue]:
        return check_record(record, today=today, duplicate_skus=duplicates(record.cooperative.id), translate=translate)

    def vet(record: FeedRecord) -> FeedRecord | None:
        return _vetted(record, result, report, check, was_exported)

    writer = open_writer(shape, file_path, base_name=base_name, created=created)
    with writer, open_report(report_path) as report:
        for record in records:
            result.processed += 1
            _export_one(vet(record), result, writer, on_item, needs_document)
            if on_progress is not None and result.processed % progress_every == 0:
                on_progress(result.processed)
    if on_progress is not None and result.processed % progress_every:
        on_progress(result.processed)
    return result


def _vetted(
    record: FeedRecord,
    result: ExportResult,
    report: ReportWriter,
    check: Callable[[FeedRecord], list[Issue]],
    was_exported: WasExported | None,
) -> FeedRecord | None:
    """The record to write after validation, reporting its issues: itself, withdrawn (an error on a product
    exported before, in a delta), or None (an error: left out)."""
    if not record.is_active:
        return record
    issues = check(record)
    if not issues:
        return record
    report.write(record, issues)
    errors = sum(1 for issue in issues if issue.is_error)
    result.warning_count += len(issues) - errors
    if not errors:
        return record
    result.error_count += 1
    if was_exported is not None and was_exported(record):
        return record._replace(is_active=False)
    return None


def _export_one(
    record: FeedRecord | None,
    result: ExportResult,
    writer: FeedWriter,
    on_item: Callable[[FeedRecord, dict], None] | None,
    needs_document: bool,
) -> None:
    """Write one vetted record (None: left out)."""
    if record is None:
        return
    if not record.is_active:
        result.withdrawn_count += 1
    result.product_count += 1
    if not needs_document:
        writer.write(record)
        return
    document = product_document(record)
    if isinstance(writer, DatafeedWriter):
        writer.write(record, document)
    else:
        writer.write(record)
    if on_item is not None:
        on_item(record, document)


# Joining parts ------------------------------------------------------------------------------------------------------


def join_parts(
    shape: FeedShape | str, part_paths: list[Path], file_path: Path, base_name: str, created: datetime | None = None
) -> None:
    """Write the feed at `file_path` made of the parts' files, in the order given (see the module doc).

    `created` is stamped in the zip's and workbook's metadata as `open_writer` does."""
    shape = FeedShape(shape)
    file_path = Path(file_path)
    try:
        if shape == FeedShape.CSV:
            _join_csv(part_paths, file_path, base_name, created)
        elif shape == FeedShape.DATAFEED:
            _join_datafeed(part_paths, file_path)
        else:
            _join_xlsx(part_paths, file_path, base_name, created)
    except BaseException:
        file_path.unlink(missing_ok=True)
        raise


def _join_csv(part_paths: list[Path], file_path: Path, base_name: str, created: datetime | None) -> None:
    joined = [JoinedMember(sheet.filename(base_name), file_path.parent, header_bytes(sheet)) for sheet in SHEETS]
    try:
        for part in part_paths:
            with zipfile.ZipFile(part) as archive:
                infos = archive.infolist()
                for sheet, member in zip(SHEETS, joined, strict=True):
                    info = next(info for info in infos if info.filename.endswith(f"_{sheet.file_suffix}.csv"))
                    member.append_from(archive, info)
        members = [member.finish() for member in joined]
        with file_path.open("wb") as target:
            write_zip(target, members, moment=created)
            _sync(target)
    finally:
        for member in joined:
            member.discard()


def _join_datafeed(part_paths: list[Path], file_path: Path) -> None:
    total = 0
    with file_path.open("wb") as target:
        target.write(HEAD)
        for part in part_paths:
            size = part.stat().st_size
            with part.open("rb") as source:
                head = source.read(len(HEAD))
                count = int(head[len(b'{"total":') : len(b'{"total":') + TOTAL_WIDTH])
                if not count:
                    continue
                if total:
                    target.write(b",")
                _copy_range(source, target, size - len(HEAD) - len(TAIL))
                total += count
        target.write(TAIL)
        target.seek(len(b'{"total":'))
        target.write(str(total).ljust(TOTAL_WIDTH).encode("ascii"))
        _sync(target)


def _join_xlsx(part_paths: list[Path], file_path: Path, base_name: str, created: datetime | None) -> None:
    from openpyxl import load_workbook

    from marketplace.feeds.writers.xlsx import XlsxRowWriter

    with XlsxRowWriter(file_path, created=created) as writer:
        for part in part_paths:
            workbook = load_workbook(part, read_only=True)
            try:
                for sheet in SHEETS:
                    rows = workbook[sheet.name].iter_rows(min_row=2, values_only=True)
                    writer.write_rows(sheet.name, map(_unescaped, rows))
            finally:
                workbook.close()


_OOXML_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def _unescaped(row: tuple) -> tuple:
    """Cell texts as written: openpyxl leaves OOXML escapes (`_x000D_` for a carriage return) in what it reads."""
    if not any(isinstance(value, str) and "_x" in value for value in row):
        return row
    return tuple(
        _OOXML_ESCAPE.sub(lambda found: chr(int(found.group(1), 16)), value) if isinstance(value, str) else value
        for value in row
    )


def join_reports(report_paths: list[Path], file_path: Path) -> None:
    """One report made of the parts' reports (one header)."""
    file_path = Path(file_path)
    try:
        with file_path.open("wb") as target:
            target.write(REPORT_HEADER)
            for part in report_paths:
                with Path(part).open("rb") as source:
                    head = source.read(len(REPORT_HEADER))
                    if head != REPORT_HEADER:
                        target.write(head)
                    shutil.copyfileobj(source, target, 1024 * 1024)
            _sync(target)
    except BaseException:
        file_path.unlink(missing_ok=True)
        raise


def _copy_range(source, target, length: int) -> None:
    while length > 0:
        chunk = source.read(min(1024 * 1024, length))
        if not chunk:
            raise ValueError("the part ended early")
        target.write(chunk)
        length -= len(chunk)


def _sync(target) -> None:
    target.flush()
    os.fsync(target.fileno())
