"""Uploads made in memory: real images (Pillow), PDFs and impostors."""

from __future__ import annotations

import os
from io import BytesIO

from PIL import Image
from werkzeug.datastructures import FileStorage


def image_bytes(
    image_format: str = "JPEG",
    size: tuple[int, int] = (1200, 900),
    *,
    mode: str = "RGB",
    color: tuple[int, ...] = (180, 40, 30),
    orientation: int | None = None,
) -> bytes:
    """An image in `image_format`; `orientation` writes that EXIF Orientation tag."""
    picture = Image.new(mode, size, color)
    stripe = {"RGB": (20, 120, 200), "RGBA": (20, 120, 200, 255)}.get(mode, 7)
    picture.paste(stripe, (0, 0, size[0] // 2, size[1] // 4))
    buffer = BytesIO()
    options: dict = {}
    if orientation is not None:
        exif = Image.Exif()
        exif[0x0112] = orientation
        options["exif"] = exif.tobytes()
    picture.save(buffer, image_format, **options)
    return buffer.getvalue()


def noise_png(side: int) -> bytes:
    """A PNG of random pixels: it does not compress, so `side` 1500 is about 6.7 MB."""
    picture = Image.frombytes("RGB", (side, side), os.urandom(side * side * 3))
    buffer = BytesIO()
    picture.save(buffer, "PNG", compress_level=1)
    return buffer.getvalue()


def pdf_bytes(padding: int = 0) -> bytes:
    """A minimal but well-formed PDF (header, one page, xref, trailer, %%EOF)."""
    body = (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
        b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
    )
    body += b"%" + b"0" * padding + b"\n" if padding else b""
    return body + b"xref\n0 4\ntrailer<</Root 1 0 R/Size 4>>\nstartxref\n0\n%%EOF\n"


def upload(data: bytes, filename: str = "foto.jpg", content_type: str = "image/jpeg") -> FileStorage:
    """A werkzeug upload, as a form post hands it to the services."""
    return FileStorage(stream=BytesIO(data), filename=filename, content_type=content_type)


def as_file(data: bytes, filename: str) -> tuple[BytesIO, str]:
    """A file for the test client's multipart `data`."""
    return BytesIO(data), filename
