"""Pictures made with Pillow for the image tests: JPEG, PNG and WebP bytes, with EXIF if asked."""

from __future__ import annotations

import io

from PIL import Image

ORIENTATION = 0x0112
MAKE = 0x010F


def picture(
    fmt: str = "JPEG",
    *,
    size: tuple[int, int] = (64, 48),
    colour: tuple[int, int, int] = (200, 40, 40),
    orientation: int | None = None,
    camera: str | None = None,
) -> bytes:
    """A ``size`` picture in ``fmt``: its left half ``colour``, its right half white, so a
    test can tell which way up it is."""
    image = Image.new("RGB", size, (255, 255, 255))
    image.paste(colour, (0, 0, size[0] // 2, size[1]))
    exif = Image.Exif()
    if orientation is not None:
        exif[ORIENTATION] = orientation
    if camera is not None:
        exif[MAKE] = camera
    out = io.BytesIO()
    options = {"exif": exif.tobytes()} if len(exif) else {}
    image.save(out, format=fmt, **options)
    return out.getvalue()


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image
