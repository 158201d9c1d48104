"""Generated pictures for the demo products: a plain drawing of the product kind and its name in large type.

`render_product_image(...)` returns the bytes of an 800 × 800 JPEG. Pictures are drawn with Pillow only (no image
files ship with the demo); the same arguments always give the same picture, and results are cached per process,
so seeding the demo twice draws each picture once.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from functools import lru_cache
from io import BytesIO

from PIL import Image, ImageDraw, ImageFont

SIZE = 800
JPEG_QUALITY = 88
#: The drawing occupies this box (left, top, right, bottom); the name is written below it.
ART_BOX = (200, 90, 600, 470)
TEXT_TOP = 500
TEXT_MARGIN = 56
INK = (38, 38, 38)
WHITE = (255, 255, 255)
#: Background and accent colours by top-level category.
PALETTES = {
    "Bahan Pokok": ((246, 236, 214), (201, 148, 62)),
    "Makanan Olahan": ((250, 229, 211), (196, 98, 45)),
    "Tekstil": ((226, 232, 240), (59, 82, 128)),
    "Alas Kaki": ((236, 228, 220), (110, 72, 44)),
    "Jasa": ((223, 240, 232), (46, 125, 90)),
}
DEFAULT_PALETTE = ((238, 238, 238), (90, 90, 90))
SOGAN, INDIGO, CREAM = (107, 62, 31), (31, 58, 95), (240, 226, 196)
FONT_FILES = ("DejaVuSans-Bold.ttf", "LiberationSans-Bold.ttf", "Arial Bold.ttf")

Box = tuple[int, int, int, int]


@lru_cache(maxsize=16)
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """A bold sans-serif font when the system has one, else Pillow's built-in font at that size."""
    for name in FONT_FILES:
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    return ImageFont.load_default(size=size)


def _wrap(draw: ImageDraw.ImageDraw, text: str, font, width: int) -> list[str]:
    """Split `text` into lines no wider than `width` pixels (a word longer than a line stays whole)."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}".strip()
        if not current or draw.textlength(candidate, font=font) <= width:
            current = candidate
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    return lines


def _write_name(draw: ImageDraw.ImageDraw, name: str) -> None:
    """The product name, centred under the drawing, as large as fits in four lines."""
    width = SIZE - 2 * TEXT_MARGIN
    for size in (58, 52, 46, 40, 34, 30):
        font = _font(size)
        lines = _wrap(draw, name, font, width)
        line_height = int(size * 1.18)
        if len(lines) * line_height <= SIZE - TEXT_TOP - 30 and all(
            draw.textlength(line, font=font) <= width for line in lines
        ):
            break
    top = TEXT_TOP + (SIZE - TEXT_TOP - 30 - len(lines) * line_height) // 2
    for index, line in enumerate(lines):
        draw.text((SIZE // 2, top + index * line_height), line, font=font, fill=INK, anchor="ma")


def _shade(colour: tuple[int, int, int], factor: float) -> tuple[int, int, int]:
    return tuple(max(0, min(255, int(channel * factor))) for channel in colour)


def _sack(draw: ImageDraw.ImageDraw, box: Box, accent, light) -> None:
    left, top, right, bottom = box
    draw.rounded_rectangle((left + 30, top + 40, right - 30, bottom), 60, fill=light, outline=accent, width=8)
    draw.polygon([(left + 70, top + 40), (left + 110, top), (right - 110, top), (right - 70, top + 40)], fill=accent)
    draw.rectangle((left + 90, top + 150, right - 90, top + 250), fill=accent)
    for x in range(left + 60, right - 40, 28):
        draw.line((x, bottom - 40, x + 14, bottom - 20), fill=_shade(light, 0.85), width=4)


def _pouch(draw: ImageDraw.ImageDraw, box: Box, accent, light) -> None:
    left, top, right, bottom = box
    draw.polygon(
        [(left + 70, top + 20), (right - 70, top + 20), (right - 40, bottom), (left + 40, bottom)],
        fill=light,
        outline=accent,
        width=8,
    )
    draw.rectangle((left + 70, top + 20, right - 70, top + 60), fill=accent)
    draw.ellipse((left + 130, top + 150, right - 130, top + 300), fill=accent)


def _bottle(draw: ImageDraw.ImageDraw, box: Box, accent, light) -> None:
    left, top, right, bottom = box
    middle = (left + right) // 2
    draw.rectangle((middle - 28, top, middle + 28, top + 50), fill=accent)
    shoulder = [(middle - 40, top + 50), (middle + 40, top + 50), (middle + 100, top + 140), (middle - 100, top + 140)]
    draw.polygon(shoulder, fill=(236, 196, 60))
    draw.rounded_rectangle((middle - 100, top + 130, middle + 100, bottom), 30, fill=(236, 196, 60))
    draw.rectangle((middle - 100, top + 200, middle + 100, top + 300), fill=light, outline=accent, width=6)


def _jerrycan(draw: ImageDraw.ImageDraw, box: Box, accent, light) -> None:
    left, top, right, bottom = box
    draw.rounded_rectangle((left + 40, top + 80, right - 40, bottom), 36, fill=(236, 196, 60), outline=accent, width=6)
    draw.rounded_rectangle((left + 80, top + 20, left + 220, top + 80), 20, outline=accent, width=14)
    draw.rectangle((right - 130, top + 30, right - 80, top + 80), fill=accent)
    draw.rectangle((left + 90, top + 200, right - 90, top + 300), fill=light)


def _carton(draw: ImageDraw.ImageDraw, box: Box, accent, light) -> None:
    left, top, right, bottom = box
    draw.polygon([(left + 20, top + 120), (right - 20, top + 120), (right - 20, bottom), (left + 20, bottom)],
                 fill=(205, 160, 105), outline=_shade((205, 160, 105), 0.7), width=6)  # fmt: skip
    draw.polygon([(left + 20, top + 120), (left + 90, top + 40), (right - 90, top + 40), (right - 20, top + 120)],
                 fill=(225, 184, 130))  # fmt: skip
    draw.rectangle((left + 170, top + 120, right - 170, bottom), fill=(236, 216, 170))
    draw.rectangle((left + 60, top + 200, left + 150, top + 280), fill=accent)


def _eggs(draw: ImageDraw.ImageDraw, box: Box, accent, light) -> None:
    left, top, right, bottom = box
    draw.rounded_rectangle((left, bottom - 120, right, bottom), 20, fill=(190, 170, 140))
    for row, y in enumerate((top + 90, top + 190)):
        for column in range(4 - row):
            x = left + 40 + row * 45 + column * 90
            draw.ellipse((x, y, x + 80, y + 110), fill=(236, 205, 170), outline=(200, 160, 120), width=3)
    for column in range(4):
        x = left + 20 + column * 95
        draw.ellipse((x, bottom - 150, x + 84, bottom - 40), fill=(242, 215, 182), outline=(200, 160, 120), width=3)


def _cloth(draw: ImageDraw.ImageDraw, box: Box, accent, light, motif: str = "") -> None:
    left, top, right, bottom = box
    left, right = left - 90, right + 90
    base, ink = (SOGAN, CREAM) if zlib.crc32(motif.encode()) % 2 else (INDIGO, CREAM)
    draw.rectangle((left, top, right, bottom), fill=base)
    step = 76
    for y in range(top + step // 2, bottom, step):
        for x in range(left + step // 2, right, step):
            _batik_motif(draw, x, y, motif, ink, base)
    draw.rectangle((left, top, right, bottom), outline=_shade(base, 0.6), width=10)
    draw.rectangle((right - 60, top, right, bottom), fill=_shade(base, 0.8))


def _batik_motif(draw: ImageDraw.ImageDraw, x: int, y: int, motif: str, ink, base) -> None:
    """One repeat of a batik motif centred on (x, y): sun rays, pepper dots, bamboo or kawung."""
    name = motif.lower()
    if "surya" in name or "matahari" in name:
        for angle in range(0, 360, 45):
            vector = _polar(angle, 30)
            draw.line((x, y, x + vector[0], y + vector[1]), fill=ink, width=4)
        draw.ellipse((x - 13, y - 13, x + 13, y + 13), fill=ink)
    elif "mrico" in name:
        for dx, dy in ((-16, -16), (16, -16), (-16, 16), (16, 16), (0, 0)):
            draw.ellipse((x + dx - 9, y + dy - 9, x + dx + 9, y + dy + 9), fill=ink)
            draw.ellipse((x + dx - 3, y + dy - 3, x + dx + 3, y + dy + 3), fill=base)
    elif "pring" in name:
        draw.line((x - 30, y + 30, x + 30, y - 30), fill=ink, width=5)
        for offset in (-15, 5):
            draw.ellipse((x + offset - 4, y - offset - 22, x + offset + 18, y - offset - 2), fill=ink)
    else:
        for dx, dy in ((0, -17), (0, 17), (-17, 0), (17, 0)):
            wide = dx != 0
            draw.ellipse((x + dx - (14 if wide else 8), y + dy - (8 if wide else 14),
                          x + dx + (14 if wide else 8), y + dy + (8 if wide else 14)), fill=ink)  # fmt: skip


def _polar(angle: int, length: int) -> tuple[int, int]:
    """A vector of `length` at `angle` degrees, without trigonometry (8 directions suffice here)."""
    diagonal = int(length * 0.7071)
    return {
        0: (length, 0), 45: (diagonal, diagonal), 90: (0, length), 135: (-diagonal, diagonal),
        180: (-length, 0), 225: (-diagonal, -diagonal), 270: (0, -length), 315: (diagonal, -diagonal),
    }[angle]  # fmt: skip


def _shirt(draw: ImageDraw.ImageDraw, box: Box, accent, light, motif: str = "") -> None:
    left, top, right, bottom = box
    middle = (left + right) // 2
    body = [(middle - 70, top + 20), (middle - 150, top + 60), (left, top + 160), (left + 60, top + 210),
            (middle - 120, top + 160), (middle - 120, bottom), (middle + 120, bottom), (middle + 120, top + 160),
            (right - 60, top + 210), (right, top + 160), (middle + 150, top + 60), (middle + 70, top + 20)]  # fmt: skip
    draw.polygon(body, fill=accent, outline=_shade(accent, 0.6), width=5)
    if motif:
        for y in range(top + 90, bottom - 20, 60):
            for x in range(middle - 90, middle + 100, 60):
                _batik_motif(draw, x, y, motif, CREAM, accent)
    draw.polygon([(middle - 70, top + 20), (middle, top + 90), (middle + 70, top + 20)], fill=light)
    draw.line((middle, top + 90, middle, bottom), fill=_shade(accent, 0.6), width=4)


def _box(draw: ImageDraw.ImageDraw, box: Box, accent, light) -> None:
    left, top, right, bottom = box
    draw.rectangle((left + 10, top + 150, right - 10, bottom), fill=WHITE, outline=accent, width=8)
    draw.polygon([(left + 10, top + 150), (left + 60, top + 70), (right - 60, top + 70), (right - 10, top + 150)],
                 fill=light, outline=accent, width=6)  # fmt: skip
    draw.rectangle((left + 90, top + 220, right - 90, top + 330), fill=accent)


def _balls(draw: ImageDraw.ImageDraw, box: Box, accent, light) -> None:
    left, _top, right, bottom = box
    draw.ellipse((left - 20, bottom - 90, right + 20, bottom + 10), fill=(200, 200, 200))
    spots = ((-110, 40), (0, 20), (110, 40), (-55, -60), (55, -60), (0, -150))
    middle, base = (left + right) // 2, bottom - 130
    for dx, dy in spots:
        x, y = middle + dx, base + dy
        draw.ellipse((x - 62, y - 62, x + 62, y + 62), fill=(214, 160, 80), outline=(170, 115, 50), width=3)
        for sx, sy in ((-25, -20), (10, -35), (30, 5), (-5, 15), (-30, 25), (20, 35)):
            draw.ellipse((x + sx - 4, y + sy - 2, x + sx + 4, y + sy + 2), fill=(250, 240, 220))


def _bread(draw: ImageDraw.ImageDraw, box: Box, accent, light) -> None:
    left, top, right, bottom = box
    draw.rounded_rectangle((left + 10, top + 160, right - 10, bottom - 20), 50, fill=(196, 128, 60))
    for x in range(left + 40, right - 60, 80):
        draw.ellipse((x, top + 110, x + 110, top + 240), fill=(214, 150, 78), outline=(160, 100, 40), width=3)


def _chips(draw: ImageDraw.ImageDraw, box: Box, accent, light) -> None:
    left, _top, right, bottom = box
    draw.ellipse((left - 30, bottom - 170, right + 30, bottom), fill=accent)
    middle = (left + right) // 2
    pieces = ((-120, 0), (-40, -20), (40, -10), (110, 10), (-80, 60), (0, 50), (80, 70), (-30, -90), (50, -80))
    for dx, dy in pieces:
        x, y = middle + dx - 55, bottom - 170 + dy
        points = [(x, y + 40), (x + 30, y), (x + 80, y + 10), (x + 110, y + 50), (x + 70, y + 90), (x + 20, y + 80)]
        draw.polygon(points, fill=(244, 226, 186), outline=(205, 170, 110), width=3)


def _shoe(draw: ImageDraw.ImageDraw, box: Box, accent, light) -> None:
    left, top, right, bottom = box
    leather, sole = (52, 40, 34), (25, 20, 18)
    left, right = left - 40, right + 40
    draw.rounded_rectangle((left, bottom - 50, right, bottom), 18, fill=sole)
    draw.rectangle((left, bottom - 90, left + 90, bottom - 40), fill=sole)
    draw.ellipse((right - 230, bottom - 200, right, bottom - 30), fill=leather)
    upper = [(left, bottom - 40), (left + 10, top + 150), (left + 170, top + 180), (right - 150, bottom - 200),
             (right - 120, bottom - 40)]  # fmt: skip
    draw.polygon(upper, fill=leather)
    draw.ellipse((left + 30, top + 135, left + 190, top + 195), fill=(20, 16, 14))
    draw.line((left + 200, top + 190, right - 170, bottom - 170), fill=(110, 90, 70), width=5)


def _sandal(draw: ImageDraw.ImageDraw, box: Box, accent, light) -> None:
    left, top, right, bottom = box
    draw.rounded_rectangle((left + 60, top + 20, right - 60, bottom), 90, fill=_shade(accent, 1.2))
    draw.rounded_rectangle((left + 60, top + 120, right - 60, top + 200), 30, fill=_shade(accent, 0.7))
    draw.rounded_rectangle((left + 60, top + 230, right - 60, top + 290), 25, fill=_shade(accent, 0.7))


def _meal(draw: ImageDraw.ImageDraw, box: Box, accent, light) -> None:
    left, top, right, bottom = box
    draw.rectangle((left, top + 80, right, bottom), fill=WHITE, outline=accent, width=8)
    draw.ellipse((left + 25, top + 110, left + 205, top + 290), fill=(250, 250, 245), outline=(220, 220, 210), width=3)
    draw.rounded_rectangle((left + 220, top + 110, right - 25, top + 200), 20, fill=(170, 95, 40))
    draw.rounded_rectangle((left + 220, top + 215, right - 25, top + 290), 20, fill=(96, 150, 60))
    draw.rectangle((left + 25, top + 305, right - 25, bottom - 20), fill=(236, 200, 120))


def _paper(draw: ImageDraw.ImageDraw, box: Box, accent, light) -> None:
    left, top, right, bottom = box
    for offset in (36, 18, 0):
        draw.rectangle((left + 40 + offset, top + offset, right - 40 + offset, bottom - 40 + offset),
                       fill=WHITE, outline=(180, 180, 180), width=3)  # fmt: skip
    draw.rectangle((left + 70, top + 30, right - 70, top + 90), fill=accent)
    for y in range(top + 120, bottom - 80, 34):
        draw.line((left + 70, y, right - 90, y), fill=(170, 170, 170), width=6)


def _coffee(draw: ImageDraw.ImageDraw, box: Box, accent, light) -> None:
    left, top, right, bottom = box
    draw.polygon([(left + 60, top + 20), (right - 60, top + 20), (right - 40, bottom), (left + 40, bottom)],
                 fill=(70, 45, 30))  # fmt: skip
    draw.rectangle((left + 60, top + 20, right - 60, top + 60), fill=(45, 28, 18))
    draw.rectangle((left + 95, top + 140, right - 95, top + 280), fill=light)
    for dx, dy in ((-40, -25), (10, 0), (45, 30), (-15, 40)):
        x, y = (left + right) // 2 + dx, top + 210 + dy
        draw.ellipse((x - 18, y - 12, x + 18, y + 12), fill=(92, 58, 36))
        draw.line((x - 12, y, x + 12, y), fill=(50, 30, 20), width=3)


SHAPES: dict[str, Callable] = {
    "sack": _sack,
    "pouch": _pouch,
    "bottle": _bottle,
    "jerrycan": _jerrycan,
    "carton": _carton,
    "eggs": _eggs,
    "cloth": _cloth,
    "shirt": _shirt,
    "box": _box,
    "balls": _balls,
    "bread": _bread,
    "chips": _chips,
    "shoe": _shoe,
    "sandal": _sandal,
    "meal": _meal,
    "paper": _paper,
    "coffee": _coffee,
}
#: Shapes that draw a batik motif when given one.
PATTERNED = frozenset({"cloth", "shirt"})


@lru_cache(maxsize=512)
def render_product_image(*, name: str, brand: str, shape: str, top_category: str, motif: str = "") -> bytes:
    """An 800 × 800 JPEG: the drawing for `shape` on the category's colour, the brand above, the name below."""
    background, accent = PALETTES.get(top_category, DEFAULT_PALETTE)
    picture = Image.new("RGB", (SIZE, SIZE), background)
    draw = ImageDraw.Draw(picture)
    light = _shade(background, 1.06)
    drawing = SHAPES.get(shape, _box)
    if shape in PATTERNED:
        drawing(draw, ART_BOX, accent, light, motif=motif)
    else:
        drawing(draw, ART_BOX, accent, light)
    draw.rectangle((0, 0, SIZE, 14), fill=accent)
    if brand:
        draw.text((TEXT_MARGIN, 34), brand.upper(), font=_font(26), fill=_shade(accent, 0.8))
    draw.line((TEXT_MARGIN, TEXT_TOP - 14, SIZE - TEXT_MARGIN, TEXT_TOP - 14), fill=_shade(background, 0.85), width=3)
    _write_name(draw, name)
    buffer = BytesIO()
    picture.save(buffer, "JPEG", quality=JPEG_QUALITY)
    return buffer.getvalue()


@lru_cache(maxsize=256)
def render_certificate_pdf(*, number: str, product: str, maker: str, tkdn: str, bmp: str) -> bytes:
    """A one-page PDF that looks like a TKDN certificate and says plainly that it is demo data, not a real one."""
    width, height = 827, 1169  # A4 at 100 dpi
    page = Image.new("RGB", (width, height), WHITE)
    draw = ImageDraw.Draw(page)
    draw.rectangle((30, 30, width - 30, height - 30), outline=(46, 84, 140), width=6)
    draw.text((width // 2, 110), "SERTIFIKAT", font=_font(40), fill=(46, 84, 140), anchor="ma")
    draw.text((width // 2, 165), "TINGKAT KOMPONEN DALAM NEGERI (TKDN)", font=_font(26), fill=INK, anchor="ma")
    draw.text((width // 2, 215), f"Nomor: {number}", font=_font(22), fill=INK, anchor="ma")
    rows = (("Nama produk", product), ("Produsen", maker), ("Nilai TKDN", f"{tkdn} %"), ("Nilai BMP", f"{bmp} %"))
    top = 320
    for label, value in rows:
        draw.text((90, top), label, font=_font(22), fill=(90, 90, 90))
        for line in _wrap(draw, value, _font(24), width - 400):
            draw.text((330, top), line, font=_font(24), fill=INK)
            top += 34
        top += 26
    notice = "DATA DEMO - bukan sertifikat resmi Kementerian Perindustrian."
    draw.text((width // 2, height - 120), notice, font=_font(20), fill=(180, 40, 40), anchor="ma")
    buffer = BytesIO()
    page.save(buffer, "PDF", resolution=100.0)
    return buffer.getvalue()
