"""The blank upload template, written from the sheet definitions: an XLSX with the three sheets (input columns in
spec order, an example product), a sheet explaining every column and the category and unit lists; or the same as
a ZIP of CSV files (UTF-8 with BOM, comma separated, CRLF line ends)."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date, timedelta
from typing import Any

import xlsxwriter
from flask_babel import gettext as _
from sqlalchemy import func, select

from marketplace.catalog.imports.sheet import CODE, DATE, DECIMAL, INTEGER, PRODUK, SHEETS, SPESIFIKASI, Column, Sheet
from marketplace.catalog.models import Category, KbkiCode, Unit
from marketplace.extensions import db

XLSX_NAME = "template_produk.xlsx"
ZIP_NAME = "template_produk_csv.zip"
FALLBACK_CATEGORY = ("Bahan Pokok", "Beras dan Serealia", "Beras")
FALLBACK_KBKI = "2316110001"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def category_paths() -> list[tuple[str, str, str]]:
    """Every active level-3 category as its three names, sorted."""
    categories = {c.id: c for c in db.session.scalars(select(Category))}
    paths = []
    for category in categories.values():
        chain = [category]
        while chain[0].parent_id is not None and chain[0].parent_id in categories:
            chain.insert(0, categories[chain[0].parent_id])
        if len(chain) == 3 and all(node.is_active for node in chain):
            paths.append(tuple(node.name for node in chain))
    return sorted(paths)


def unit_names() -> list[str]:
    return list(
        db.session.scalars(select(Unit.name).where(Unit.is_active.is_(True)).order_by(Unit.position, Unit.name))
    )


def example_values(today: date) -> dict[str, Any]:
    """Values of the example product that fit this installation's reference lists."""
    paths = category_paths()
    kbki = db.session.scalar(select(func.min(KbkiCode.code)).where(KbkiCode.level == 10)) or FALLBACK_KBKI
    first = paths[0] if paths else FALLBACK_CATEGORY
    values = {column.name: column.example for column in PRODUK.columns if column.example is not None}
    values.update(dict(zip(("kategori_1", "kategori_2", "kategori_3"), first, strict=True)))
    values.update({"kbki_id": kbki, "berlaku_sampai": today + timedelta(days=90)})
    units = unit_names()
    if units and values["unit_pengukuran"] not in units:
        values["unit_pengukuran"] = units[0]
    return values


def _rows(sheet: Sheet, today: date) -> list[list[Any]]:
    """The example rows of a sheet (one product, one regional price, two specifications)."""
    if sheet is PRODUK:
        example = example_values(today)
        return [[example.get(column.name) for column in sheet.input_columns]]
    example = {column.name: column.example for column in sheet.input_columns}
    rows = [[example[column.name] for column in sheet.input_columns]]
    if sheet is SPESIFIKASI:
        rows.append(["BRS-001", "Asal", "Mojokerto, Jawa Timur"])
    return rows


def _explanations() -> list[list[str]]:
    rows = []
    for sheet in SHEETS:
        for column in sheet.columns:
            need = _("ignored on upload") if column.output_only else _("required") if column.required else _("optional")
            rows.append([sheet.name, column.name, need, str(column.help)])
    return rows


def _explanation_header() -> list[str]:
    return [_("Sheet"), _("Column"), _("Needed"), _("What to fill in")]


def template_xlsx(*, today: date) -> bytes:
    """The XLSX template."""
    output = io.BytesIO()
    options = {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False}
    workbook = xlsxwriter.Workbook(output, options)
    bold = workbook.add_format({"bold": True, "bg_color": "#F6E3E1", "border": 1})
    formats = {
        CODE: workbook.add_format({"num_format": "@"}),
        DATE: workbook.add_format({"num_format": "yyyy-mm-dd"}),
        "wrap": workbook.add_format({"text_wrap": True, "valign": "top"}),
    }
    for sheet in SHEETS:
        worksheet = workbook.add_worksheet(sheet.name)
        for index, column in enumerate(sheet.input_columns):
            worksheet.write_string(0, index, column.name, bold)
            worksheet.write_comment(0, index, str(column.help))
            worksheet.set_column(index, index, max(len(column.name) + 3, 14), formats.get(column.kind))
        for number, row in enumerate(_rows(sheet, today), start=1):
            for index, (column, value) in enumerate(zip(sheet.input_columns, row, strict=True)):
                _write_cell(worksheet, number, index, column, value, formats)
        worksheet.freeze_panes(1, 0)
    _write_table(workbook, _("Instructions")[:31], _explanation_header(), _explanations(), bold, [14, 24, 16, 90])
    header = ["kategori_1", "kategori_2", "kategori_3"]
    _write_table(workbook, _("Categories")[:31], header, [list(p) for p in category_paths()], bold, [30, 30, 30])
    _write_table(workbook, _("Units")[:31], ["unit_pengukuran"], [[name] for name in unit_names()], bold, [24])
    workbook.close()
    return output.getvalue()


def _write_cell(worksheet: Any, row: int, col: int, column: Column, value: Any, formats: dict) -> None:
    if value is None:
        return
    if column.kind in (INTEGER, DECIMAL) and isinstance(value, int | float):
        worksheet.write_number(row, col, value)
    elif column.kind == DATE and isinstance(value, date):
        worksheet.write_datetime(row, col, value, formats[DATE])
    else:
        worksheet.write_string(row, col, str(value), formats["wrap"] if "\n" in str(value) else None)


def _write_table(workbook: Any, name: str, header: list[str], rows: list[list[Any]], bold: Any, widths: list) -> None:
    worksheet = workbook.add_worksheet(name)
    for index, title in enumerate(header):
        worksheet.write_string(0, index, title, bold)
        worksheet.set_column(index, index, widths[index])
    for number, row in enumerate(rows, start=1):
        for index, value in enumerate(row):
            worksheet.write_string(number, index, str(value))
    worksheet.freeze_panes(1, 0)


def _csv_text(value: Any) -> str:
    """A cell as CSV text: dates as YYYY-MM-DD, and text that a spreadsheet would run as a formula quoted with '."""
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _csv_bytes(header: list[str], rows: list[list[Any]]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([[_csv_text(value) for value in row] for row in rows])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def template_zip(*, today: date) -> bytes:
    """The CSV template: one CSV per sheet and one explaining the columns, in a ZIP."""
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for sheet in SHEETS:
            header = [column.name for column in sheet.input_columns]
            archive.writestr(f"template_{sheet.csv_suffix}.csv", _csv_bytes(header, _rows(sheet, today)))
        archive.writestr("template_petunjuk.csv", _csv_bytes(_explanation_header(), _explanations()))
    return output.getvalue()
