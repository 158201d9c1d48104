"""Zip files whose members are deflated while they are written, several at once, and joined without inflating.

`zipfile` lets one member be written at a time; a CSV feed writes three sheets side by side. Each `DeflatedMember`
compresses into its own hidden temporary file next to the zip (tracking CRC-32 and sizes); `write_zip` then lays
out the archive (local headers with the known sizes, the data copied as is, the central directory; Zip64 records
when a size passes 4 GiB).

Members end with a sync flush plus an empty final block, and may start with a separately flushed head (a CSV
header): so `join_members` can build one member from many by copying their compressed bodies byte for byte (the
way pigz joins streams), combining their CRCs arithmetically. A stream that does not have that shape (another zlib,
another writer) is inflated and deflated again instead.
"""

from __future__ import annotations

import os
import shutil
import struct
import tempfile
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import BinaryIO

#: zlib level 1: CSV still shrinks about 4×, at several times the speed of the default level.
LEVEL = 1
_SYNC_MARK = b"\x00\x00\xff\xff"
#: An empty final block with fixed Huffman codes: ends a stream that was sync-flushed.
_FINAL_BLOCK = b"\x03\x00"
_COPY_CHUNK = 1024 * 1024
_ZIP64_LIMIT = 0xFFFFFFFF


@dataclass
class MemberData:
    """A finished member: its deflated bytes in `path`, and what the zip's headers need."""

    name: str
    path: Path
    crc: int
    size: int
    compressed_size: int


class DeflatedMember:
    """A member being written: bytes in, deflated into a hidden temporary file beside the zip."""

    def __init__(self, name: str, directory: Path, head: bytes = b"") -> None:
        self.name = name
        handle, temp = tempfile.mkstemp(prefix=".feed-", suffix=".part", dir=directory)
        self.path = Path(temp)
        self._file: BinaryIO = os.fdopen(handle, "wb", buffering=_COPY_CHUNK)
        self._deflate = _compressor()
        self.crc = 0
        self.size = 0
        self.compressed_size = 0
        if head:
            self.write(head)
            self._emit(self._deflate.flush(zlib.Z_FULL_FLUSH))

    def _emit(self, data: bytes) -> None:
        if data:
            self._file.write(data)
            self.compressed_size += len(data)

    def write(self, data: bytes) -> None:
        self.crc = zlib.crc32(data, self.crc)
        self.size += len(data)
        self._emit(self._deflate.compress(data))

    def finish(self) -> MemberData:
        """End the stream (sync flush, empty final block) and close the temporary file."""
        self._emit(self._deflate.flush(zlib.Z_SYNC_FLUSH) + _FINAL_BLOCK)
        self._file.close()
        return MemberData(self.name, self.path, self.crc, self.size, self.compressed_size)

    def discard(self) -> None:
        if not self._file.closed:
            self._file.close()
        self.path.unlink(missing_ok=True)


def _compressor() -> zlib._Compress:
    return zlib.compressobj(LEVEL, zlib.DEFLATED, -zlib.MAX_WBITS)


def head_bytes(head: bytes) -> bytes:
    """The compressed form `DeflatedMember` gives a head (deterministic for one zlib and level)."""
    deflate = _compressor()
    return deflate.compress(head) + deflate.flush(zlib.Z_FULL_FLUSH)


# Writing the archive -----------------------------------------------------------------------------------------------


def _dos_time(moment: datetime | None) -> tuple[int, int]:
    """The zip's DOS time and date of `moment` in UTC (now when None): a rebuilt feed gets the same bytes."""
    local = (moment or datetime.now(UTC)).astimezone(UTC).timetuple()
    dos_date = (max(local.tm_year, 1980) - 1980) << 9 | local.tm_mon << 5 | local.tm_mday
    return local.tm_hour << 11 | local.tm_min << 5 | local.tm_sec // 2, dos_date


_LOCAL_HEADER = struct.Struct("<IHHHHHIIIHH")
_CENTRAL_HEADER = struct.Struct("<IHHHHHHIIIHHHHHII")
_UTF8_NAMES = 0x0800
_DEFLATED = 8


def write_zip(
    target: BinaryIO,
    members: Iterable[MemberData],
    *,
    moment: datetime | None = None,
    zip64_at: int = _ZIP64_LIMIT,
) -> None:
    """Write a zip of deflated members to `target` (at its current position, which must be 0).

    Zip64 records are written for members whose sizes or offset reach `zip64_at` (4 GiB: the classic fields' limit).
    """
    dos_time, dos_date = _dos_time(moment)
    central = []
    for member in members:
        offset = target.tell()
        name = member.name.encode("utf-8")
        zip64 = max(member.size, member.compressed_size, offset) >= zip64_at
        extra = struct.pack("<HHQQ", 1, 16, member.size, member.compressed_size) if zip64 else b""
        sizes = (_ZIP64_LIMIT, _ZIP64_LIMIT) if zip64 else (member.compressed_size, member.size)
        version = 45 if zip64 else 20
        header = (version, _UTF8_NAMES, _DEFLATED, dos_time, dos_date, member.crc, *sizes, len(name))
        target.write(_LOCAL_HEADER.pack(0x04034B50, *header, len(extra)) + name + extra)
        with member.path.open("rb") as source:
            shutil.copyfileobj(source, target, _COPY_CHUNK)
        central.append((header, name, offset, zip64, member))
    _write_central_directory(target, central, zip64_at)


def _write_central_directory(target: BinaryIO, central: list, zip64_at: int) -> None:
    start = target.tell()
    for header, name, offset, zip64, member in central:
        fields = [member.size, member.compressed_size, offset] if zip64 else []
        extra = struct.pack(f"<HH{len(fields)}Q", 1, 8 * len(fields), *fields) if zip64 else b""
        attributes = (0, 0, 0, 0o100644 << 16, _ZIP64_LIMIT if zip64 else offset)
        target.write(_CENTRAL_HEADER.pack(0x02014B50, header[0], *header, len(extra), *attributes) + name + extra)
    size = target.tell() - start
    count = len(central)
    if start >= zip64_at or any(entry[3] for entry in central):
        end64 = target.tell()
        target.write(struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, 45, 45, 0, 0, count, count, size, start))
        target.write(struct.pack("<IIQI", 0x07064B50, 0, end64, 1))
        start = min(start, _ZIP64_LIMIT)
    target.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, count, count, size, start, 0))


# Joining members of several zips -----------------------------------------------------------------------------------


def _gf2_times(matrix: list[int], vector: int) -> int:
    total = 0
    index = 0
    while vector:
        if vector & 1:
            total ^= matrix[index]
        vector >>= 1
        index += 1
    return total


def _gf2_square(matrix: list[int]) -> list[int]:
    return [_gf2_times(matrix, row) for row in matrix]


@cache
def _zero_byte_operators() -> tuple[list[int], ...]:
    """GF(2) matrices that advance a CRC-32 over 2**k zero bytes, for k = 0…63 (computed once)."""
    operator = [0xEDB88320] + [1 << n for n in range(31)]  # one zero bit
    for _ in range(3):  # two, four, eight zero bits: one zero byte
        operator = _gf2_square(operator)
    operators = [operator]
    for _ in range(63):
        operators.append(_gf2_square(operators[-1]))
    return tuple(operators)


def crc32_combine(crc1: int, crc2: int, length2: int) -> int:
    """The CRC-32 of A+B from crc(A), crc(B) and len(B) (zlib's crc32_combine, which Python does not expose)."""
    operators = _zero_byte_operators()
    power = 0
    while length2 > 0:
        if length2 & 1:
            crc1 = _gf2_times(operators[power], crc1)
        length2 >>= 1
        power += 1
    return crc1 ^ crc2


def crc32_remove_head(crc_whole: int, crc_head: int, length_tail: int) -> int:
    """crc(B) from crc(A+B), crc(A) and len(B): the combination is linear, so it can be undone."""
    return crc_whole ^ crc32_combine(crc_head, 0, length_tail)


class JoinedMember:
    """One member made of the bodies of the same member in several zips, after one head."""

    def __init__(self, name: str, directory: Path, head: bytes) -> None:
        self.head = head
        self.compressed_head = head_bytes(head)
        self.member = DeflatedMember(name, directory, head)

    def append_from(self, archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
        """Add the member's content without its head: copied as is when it has our shape, else re-deflated."""
        if not self._append_raw(archive, info):
            with archive.open(info) as source:
                first = source.read(len(self.head))
                if first != self.head:
                    self.member.write(first)
                while chunk := source.read(_COPY_CHUNK):
                    self.member.write(chunk)
            self.member._emit(self.member._deflate.flush(zlib.Z_FULL_FLUSH))

    def _append_raw(self, archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
        member = self.member
        if info.compress_type != zipfile.ZIP_DEFLATED or info.file_size < len(self.head):
            return False
        with open(archive.filename, "rb") as raw:
            raw.seek(info.header_offset)
            header = raw.read(30)
            name_length, extra_length = struct.unpack("<HH", header[26:30])
            raw.seek(info.header_offset + 30 + name_length + extra_length)
            start = raw.tell()
            prefix = raw.read(len(self.compressed_head))
            raw.seek(start + info.compress_size - 6)
            tail = raw.read(6)
            if prefix != self.compressed_head or tail != _SYNC_MARK + _FINAL_BLOCK:
                return False
            # The body: after the head, up to the final block (the sync flush stays: a byte-aligned empty block).
            raw.seek(start + len(self.compressed_head))
            remaining = info.compress_size - len(self.compressed_head) - len(_FINAL_BLOCK)
            member._emit(member._deflate.flush(zlib.Z_FULL_FLUSH))  # nothing after may refer back
            while remaining > 0:
                chunk = raw.read(min(_COPY_CHUNK, remaining))
                if not chunk:
                    raise zipfile.BadZipFile("truncated member")
                member._emit(chunk)
                remaining -= len(chunk)
        body_size = info.file_size - len(self.head)
        body_crc = crc32_remove_head(info.CRC, zlib.crc32(self.head), body_size)
        member.crc = crc32_combine(member.crc, body_crc, body_size)
        member.size += body_size
        return True

    def finish(self) -> MemberData:
        return self.member.finish()

    def discard(self) -> None:
        self.member.discard()
