"""Pillow work for product images: recognise an upload by its content, and make the resized versions.

Nothing here touches the database or storage; `services/media/` does, so this module is easy to test alone.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from io import BytesIO
from pathlib import PurePosixPath
from typing import BinaryIO

from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError

#: Pillow format → (content type, file extension) of the images we accept.
ACCEPTED_FORMATS = {
    "JPEG": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    "WEBP": ("image/webp", "webp"),
}
#: Longest side, in pixels, of the versions made for pages and feeds.
SIZES = (50, 100, 300, 800)
#: 40 megapixels: larger images are refused (decompression bombs and phone panoramas alike).
MAX_PIXELS = 40_000_000
JPEG_QUALITY = 85
#: EXIF orientations that turn the picture a quarter, so width and height swap when shown.
_SIDEWAYS = {5, 6, 7, 8}


class ImageProblem(ValueError):
    """An upload that is not an acceptable image; `kind` is `type`, `too_large` or `broken`."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


@dataclass(frozen=True)
class ImageInfo:
    format: str
    content_type: str
    extension: str
    #: As the picture is shown (EXIF orientation applied).
    width: int
    height: int


def inspect_image(data: bytes) -> ImageInfo:
    """Identify `data` as a JPEG, PNG or WebP image by its content; raise ImageProblem otherwise."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(BytesIO(data), formats=list(ACCEPTED_FORMATS)) as image:
                width, height = image.size
                if width < 1 or height < 1:
                    raise ImageProblem("broken")
                if width * height > MAX_PIXELS:
                    raise ImageProblem("too_large")
                image_format = image.format
                image.verify()
            with Image.open(BytesIO(data), formats=[image_format]) as image:
                orientation = _orientation(image)  # read after verify(), which must come first
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
            raise ImageProblem("too_large") from error
        except UnidentifiedImageError as error:
            raise ImageProblem("type") from error
        except ImageProblem:
            raise
        except (OSError, SyntaxError, ValueError, EOFError, IndexError, TypeError) as error:
            raise ImageProblem("broken") from error
    if image_format not in ACCEPTED_FORMATS:
        raise ImageProblem("type")
    if orientation in _SIDEWAYS:
        width, height = height, width
    content_type, extension = ACCEPTED_FORMATS[image_format]
    return ImageInfo(image_format, content_type, extension, width, height)


def _orientation(image: Image.Image) -> int:
    try:
        return int(image.getexif().get(ExifTags.Base.Orientation, 1))
    except (ValueError, TypeError, OSError, SyntaxError):
        return 1


def sizes_for(width: int, height: int) -> list[int]:
    """The versions worth making for an image: never larger than the original (no upscaling)."""
    longest = max(width, height)
    return [size for size in SIZES if size <= longest]


def sized_key(original_key: str, size: int, extension: str) -> str:
    """`products/12/3f2a….jpg` → `products/12/3f2a…_300.jpg`."""
    path = PurePosixPath(original_key)
    return str(path.with_name(f"{path.stem}_{size}.{extension}"))


def sized_extensions(content_type: str) -> tuple[str, ...]:
    """The extensions a resized version of this type may have (JPEG never has transparency)."""
    return ("jpg",) if content_type == "image/jpeg" else ("png", "jpg")


def make_versions(source: BinaryIO, sizes: list[int]) -> dict[int, tuple[bytes, str]]:
    """Resize to each size (longest side), EXIF orientation applied; return {size: (data, extension)}.

    Pictures with transparency stay PNG; everything else becomes JPEG at quality 85. Metadata is not copied.
    """
    if not sizes:
        return {}
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        with Image.open(source, formats=list(ACCEPTED_FORMATS)) as opened:
            if opened.format == "JPEG":
                opened.draft("RGB", (max(sizes), max(sizes)))  # decode at a reduced scale: much faster
            picture = ImageOps.exif_transpose(opened)
            picture.load()
    if _has_alpha(picture):
        picture, image_format, extension = picture.convert("RGBA"), "PNG", "png"
    else:
        picture, image_format, extension = picture.convert("RGB"), "JPEG", "jpg"
    versions: dict[int, tuple[bytes, str]] = {}
    for size in sorted(sizes, reverse=True):
        picture = picture.copy()
        picture.thumbnail((size, size), Image.Resampling.LANCZOS)
        buffer = BytesIO()
        if image_format == "JPEG":
            picture.save(buffer, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
        else:
            picture.save(buffer, "PNG", optimize=True)
        versions[size] = (buffer.getvalue(), extension)
    return versions


def _has_alpha(picture: Image.Image) -> bool:
    if picture.mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        return True
    return picture.mode == "P" and "transparency" in picture.info
