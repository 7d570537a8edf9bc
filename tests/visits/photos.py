"""Test photos: small real JPEGs and PNGs (Pillow), each with distinct bytes and an EXIF time."""

import io
from itertools import count

from PIL import Image

_shade = count(1)
EXIF_IFD = 0x8769


def jpeg(taken: str | None = "2026:11:15 09:31:00", *, size: int = 16, pad_to: int = 0) -> bytes:
    """A JPEG of a colour no other call produced, with DateTimeOriginal `taken` (local time)."""
    shade = next(_shade)
    image = Image.new("RGB", (size, size), (shade % 256, (shade // 256) % 256, 90))
    exif = Image.Exif()
    # Nearby colours can compress to the same bytes; a numbered description never does.
    exif[270] = f"test photo {shade}"
    if taken is not None:
        exif.get_ifd(EXIF_IFD)[36867] = taken
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif.tobytes())
    data = buffer.getvalue()
    # A JPEG decoder stops at EOI, so trailing bytes make a large photo without a large image.
    return data + b"\0" * max(0, pad_to - len(data))


def png() -> bytes:
    """A PNG without EXIF."""
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (next(_shade) % 256, 10, 10)).save(buffer, "PNG")
    return buffer.getvalue()
