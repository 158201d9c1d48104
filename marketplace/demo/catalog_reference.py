"""Catalog reference data for the demo: a three-level category tree, the extra unit `Pasang` and a small KBKI list.

The KBKI list (`data/kbki.csv`, in the `kode,judul` layout the operator's KBKI import reads) covers the demo's
staples and crafts. KBKI codes are BPS's 10-digit commodity codes derived from UN CPC: in this file the first five
digits of each code are the UN CPC subclass of the product (rice 23161, refined palm oil 21652, refined sugar 23520,
hen eggs 02312, wheat flour 23110, …), while the 7- and 10-digit extensions and their titles are ILLUSTRATIVE,
made up for the demo; they are not BPS's official KBKI 2015 list. Load the official list through the operator's
KBKI import before real use.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path

from sqlalchemy import func, select

from marketplace.catalog.models import Category, KbkiCode, Unit
from marketplace.extensions import db

KBKI_FILE = Path(__file__).with_name("data") / "kbki.csv"

#: Level 1 → level 2 → level 3 names, in display order.
CATEGORY_TREE: dict[str, dict[str, tuple[str, ...]]] = {
    "Bahan Pokok": {
        "Beras dan Serealia": ("Beras", "Beras Ketan", "Beras Merah dan Hitam"),
        "Minyak dan Lemak": ("Minyak Goreng",),
        "Gula": ("Gula Pasir",),
        "Telur": ("Telur Ayam",),
        "Tepung": ("Tepung Terigu",),
        "Paket Sembako": ("Paket Sembako",),
    },
    "Makanan Olahan": {
        "Kue Tradisional": ("Onde-onde", "Kue Basah"),
        "Roti dan Kue": ("Roti", "Bolu dan Cake"),
        "Makanan Ringan": ("Kerupuk", "Keripik"),
        "Kopi dan Teh": ("Kopi Bubuk", "Kopi Biji"),
    },
    "Tekstil": {
        "Batik": ("Batik Tulis", "Batik Cap"),
        "Pakaian Jadi": ("Kemeja", "Seragam Kerja"),
    },
    "Alas Kaki": {
        "Sepatu": ("Sepatu Kulit",),
        "Sandal": ("Sandal Kulit", "Sandal Karet dan Spons"),
    },
    "Jasa": {
        "Katering": ("Nasi Kotak", "Prasmanan", "Snack Box", "Tumpeng"),
        "Percetakan": (
            "Cetak Dokumen",
            "Cetak Undangan dan Kartu",
            "Cetak Spanduk dan Banner",
            "Cetak Buku dan Laporan",
        ),
    },
}
#: The unit the demo adds to the spec's list (the operator extends the list the same way).
EXTRA_UNIT = "Pasang"


def kbki_rows() -> list[tuple[str, str]]:
    """(code, title) pairs of the demo's KBKI list."""
    with KBKI_FILE.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        if next(reader) != ["kode", "judul"]:
            raise ValueError(f"{KBKI_FILE.name}: the header must be kode,judul")
        return [(code.strip(), title.strip()) for code, title in reader]


def ensure_catalog_reference(unit_names: Iterable[str] = ()) -> dict[str, int]:
    """Add whatever of the demo's categories, KBKI codes and units (`Pasang` and `unit_names`) is missing.

    Flushes, never commits. Returns the id of each level-3 category by its path (`Bahan Pokok/Gula/Gula Pasir`).
    """
    leaves: dict[str, int] = {}
    for top_position, (top_name, middles) in enumerate(CATEGORY_TREE.items()):
        top = _category(top_name, None, 1, top_position)
        for middle_position, (middle_name, leaf_names) in enumerate(middles.items()):
            middle = _category(middle_name, top, 2, middle_position)
            for leaf_position, leaf_name in enumerate(leaf_names):
                leaf = _category(leaf_name, middle, 3, leaf_position)
                leaves[f"{top_name}/{middle_name}/{leaf_name}"] = leaf.id
    _ensure_units([*unit_names, EXTRA_UNIT])
    _ensure_kbki(kbki_rows())
    db.session.flush()
    return leaves


def _category(name: str, parent: Category | None, level: int, position: int) -> Category:
    parent_id = parent.id if parent is not None else None
    statement = select(Category).where(Category.name == name, Category.level == level)
    statement = statement.where(Category.parent_id == parent_id if parent_id else Category.parent_id.is_(None))
    category = db.session.scalars(statement).first()
    if category is None:
        category = Category(name=name, parent_id=parent_id, level=level, position=position)
        db.session.add(category)
        db.session.flush()
    return category


def _ensure_units(names: list[str]) -> None:
    existing = {name.lower() for name in db.session.scalars(select(Unit.name))}
    position = db.session.scalar(select(func.max(Unit.position))) or 0
    for name in dict.fromkeys(names):
        if name.lower() not in existing:
            existing.add(name.lower())
            position += 1
            db.session.add(Unit(name=name, position=position))


def _ensure_kbki(rows: list[tuple[str, str]]) -> None:
    existing = set(db.session.scalars(select(KbkiCode.code).where(KbkiCode.code.in_([code for code, _ in rows]))))
    for code, title in rows:
        if code not in existing:
            db.session.add(KbkiCode(code=code, title=title, level=len(code)))
