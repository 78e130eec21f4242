"""Uploaded images are checked by their content and re-encoded without metadata."""

from __future__ import annotations

import hashlib
import io

import pytest
from PIL import Image

from agora.media import ImageTooLarge, NotAnImage, TooManyPixels, process_image
from agora.media.images import rendition_key
from pictures import MAKE, ORIENTATION, opened, picture

LIMITS = {"max_bytes": 1_000_000, "max_pixels": 5_000_000}


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_each_accepted_format_becomes_three_webp_renditions(fmt: str) -> None:
    data = picture(fmt, size=(2000, 1000))

    image = process_image(data, **LIMITS)

    assert image.digest == hashlib.sha256(data).hexdigest()
    assert (image.width, image.height) == (1080, 540)
    sizes = {width: opened(body).size for width, body in image.renditions.items()}
    assert sizes == {240: (240, 120), 480: (480, 240), 1080: (1080, 540)}
    assert {opened(body).format for body in image.renditions.values()} == {"WEBP"}
    assert image.key(480) == f"products/{image.digest[:2]}/{image.digest}-480.webp"
    assert rendition_key(image.digest, 240) == image.key(240)


def test_a_small_picture_is_not_enlarged() -> None:
    image = process_image(picture("PNG", size=(100, 80)), **LIMITS)

    assert {opened(body).size for body in image.renditions.values()} == {(100, 80)}
    assert (image.width, image.height) == (100, 80)


def test_exif_orientation_is_applied_and_metadata_is_dropped() -> None:
    # Orientation 6: the camera was turned; the stored pixels lie on their side.
    data = picture("JPEG", size=(200, 100), orientation=6, camera="Spy Camera 3000")
    assert Image.open(io.BytesIO(data)).getexif()[MAKE] == "Spy Camera 3000"

    image = process_image(data, **LIMITS)

    upright = opened(image.renditions[1080])
    assert upright.size == (100, 200)
    top, bottom = upright.getpixel((50, 10)), upright.getpixel((50, 190))
    assert top[0] > 150 and top[1] < 100  # the red half is now on top
    assert bottom[:3] > (230, 230, 230)
    for body in image.renditions.values():
        stored = opened(body)
        assert not stored.getexif()
        assert ORIENTATION not in stored.getexif()
        assert "exif" not in stored.info and "xmp" not in stored.info
        assert b"Spy Camera" not in body


def test_a_text_file_named_like_a_picture_is_refused() -> None:
    with pytest.raises(NotAnImage):
        process_image(b"GIF89a? no: just text pretending to be a .jpg\n" * 10, **LIMITS)


@pytest.mark.parametrize(
    "data",
    [
        b"",
        picture("JPEG")[:40],  # a JPEG cut short
        picture("BMP"),  # a real picture, but not a format shops take
        picture("GIF"),
    ],
    ids=["empty", "truncated", "bmp", "gif"],
)
def test_anything_but_a_whole_jpeg_png_or_webp_is_refused(data: bytes) -> None:
    with pytest.raises(NotAnImage) as refused:
        process_image(data, **LIMITS)
    assert refused.value.status == 415


def test_a_file_over_the_size_limit_is_refused_before_it_is_decoded() -> None:
    data = picture("PNG", size=(300, 300))

    with pytest.raises(ImageTooLarge) as refused:
        process_image(data, max_bytes=len(data) - 1, max_pixels=LIMITS["max_pixels"])
    assert refused.value.status == 413


def test_a_decompression_bomb_is_refused_from_its_header() -> None:
    # 6,000 x 6,000 of one colour: a few kilobytes on the wire, 108 MB once decoded.
    bomb = io.BytesIO()
    Image.new("RGB", (6000, 6000), (0, 0, 0)).save(bomb, format="PNG", optimize=True)
    assert len(bomb.getvalue()) < 1_000_000

    with pytest.raises(TooManyPixels) as refused:
        process_image(bomb.getvalue(), **LIMITS)
    assert refused.value.status == 422
