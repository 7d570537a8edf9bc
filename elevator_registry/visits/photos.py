"""What a photo is: its type from its first bytes, and its capture time from EXIF.

The type is read from the magic bytes, never from the file name or the Content-Type a phone
sends: JPEG (FF D8 FF), PNG (the 8-byte signature) and HEIC/HEIF (an ISO-BMFF ``ftyp`` box with a
HEIF brand, what iPhones save). EXIF is read with Pillow from JPEG and PNG; Pillow cannot open
HEIC without a plug-in, so a HEIC photo keeps no capture time (stated in the README).
"""

import io
from datetime import datetime
from zoneinfo import ZoneInfo

from elevator_registry.errors import DomainError

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}
_EXIF_IFD = 0x8769
_DATE_TIME_ORIGINAL = 36867
_OFFSET_TIME_ORIGINAL = 36881
_DATE_TIME = 306


class PhotoTooLarge(DomainError):
    """The upload is larger than `visit_photo_max_bytes`."""

    status_code = 413


class NotAPhoto(DomainError):
    """The bytes are not a JPEG, PNG or HEIC image."""

    status_code = 415


def content_type_of(data: bytes) -> str:
    """image/jpeg, image/png or image/heic by magic bytes; 415 PHOTO_TYPE_NOT_ALLOWED otherwise."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(_PNG_SIGNATURE):
        return "image/png"
    if data[4:8] == b"ftyp" and data[8:12] in _HEIF_BRANDS:
        return "image/heic"
    raise NotAPhoto(
        "PHOTO_TYPE_NOT_ALLOWED",
        "photo: the file is not a JPEG, PNG or HEIC image (read from its first bytes)",
        field="photo",
        message_zh="照片格式不支持：只接受 JPEG、PNG 或 HEIC 图片",
    )


def check_size(size: int, max_bytes: int) -> None:
    """413 PHOTO_TOO_LARGE above `max_bytes`, 422 PHOTO_EMPTY for no bytes."""
    if size == 0:
        raise NotAPhoto(
            "PHOTO_EMPTY", "photo: the upload is empty", field="photo", message_zh="照片为空"
        )
    if size > max_bytes:
        raise PhotoTooLarge(
            "PHOTO_TOO_LARGE",
            f"photo: {size} bytes; at most {max_bytes} bytes are accepted",
            field="photo",
            message_zh=f"照片过大：最大 {max_bytes // (1024 * 1024)} MB",
        )


def capture_time(data: bytes, content_type: str, timezone: str) -> datetime | None:
    """The EXIF capture time (DateTimeOriginal, else DateTime), or None if the photo has none."""
    if content_type == "image/heic":
        return None
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            exif = image.getexif()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        # A photo whose header Pillow cannot parse still is a photo of the right type.
        return None
    details = exif.get_ifd(_EXIF_IFD)
    raw = details.get(_DATE_TIME_ORIGINAL) or exif.get(_DATE_TIME)
    if not isinstance(raw, str):
        return None
    try:
        naive = datetime.strptime(raw.strip("\x00 "), "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None
    offset = details.get(_OFFSET_TIME_ORIGINAL)
    if isinstance(offset, str):
        try:
            return datetime.strptime(f"{naive.isoformat()}{offset.strip()}", "%Y-%m-%dT%H:%M:%S%z")
        except ValueError:
            pass
    # EXIF without an offset is the camera's wall clock: the district's time.
    return naive.replace(tzinfo=ZoneInfo(timezone))
