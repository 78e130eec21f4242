"""An uploaded image, checked by its content and turned into the renditions pages show.

What a browser receives is never the upload itself: the picture is decoded, turned upright by
its EXIF orientation, copied without any metadata (no camera, no GPS position) and encoded again
as WebP at each width in ``RENDITION_WIDTHS``. So a file that only claims to be an image, or one
whose metadata says more than its owner meant, does not reach anyone.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from agora.core.errors import N_, AgoraError

# Thumbnails, product cards and the cart; the gallery on phones; the gallery on wide screens.
RENDITION_WIDTHS = (240, 480, 1080)
ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP")
CONTENT_TYPE = "image/webp"
_QUALITY = 82


class ImageTooLarge(AgoraError):
    status = 413
    code = "image_too_large"
    title = N_("The image file is too large.")


class NotAnImage(AgoraError):
    status = 415
    code = "not_an_image"
    title = N_("The file is not a JPEG, PNG or WebP image.")


class TooManyPixels(AgoraError):
    status = 422
    code = "image_too_many_pixels"
    title = N_("The image has too many pixels.")


@dataclass(frozen=True, slots=True)
class ProcessedImage:
    """The renditions of one upload, by width, all WebP; ``digest`` names them."""

    digest: str
    width: int
    height: int
    renditions: dict[int, bytes]

    def key(self, width: int) -> str:
        return rendition_key(self.digest, width)


def rendition_key(digest: str, width: int) -> str:
    return f"products/{digest[:2]}/{digest}-{width}.webp"


def process_image(data: bytes, *, max_bytes: int, max_pixels: int) -> ProcessedImage:
    """Check ``data`` is a JPEG, PNG or WebP within the limits, and render it.

    Raises:
        ImageTooLarge: more than ``max_bytes``.
        TooManyPixels: more than ``max_pixels`` (checked from the header, before decoding).
        NotAnImage: anything Pillow cannot open and verify as one of the accepted formats.
    """
    if len(data) > max_bytes:
        raise ImageTooLarge()
    if not data:
        raise NotAnImage()
    with warnings.catch_warnings():
        # Pillow warns (and past twice its own limit, raises) on huge images; ours is lower.
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS) as probe:
                width, height = probe.size
                if width * height > max_pixels:
                    raise TooManyPixels()
                probe.verify()
            picture = _upright(data)
        except Image.DecompressionBombError as exc:
            raise TooManyPixels() from exc
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
            raise NotAnImage() from exc
    renditions = {width: _encode(picture, width) for width in RENDITION_WIDTHS}
    largest = _scaled_size(picture.size, RENDITION_WIDTHS[-1])
    return ProcessedImage(
        digest=hashlib.sha256(data).hexdigest(),
        width=largest[0],
        height=largest[1],
        renditions=renditions,
    )


def _upright(data: bytes) -> Image.Image:
    """The first frame, turned by its EXIF orientation, as a new image with no metadata."""
    with Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS) as source:
        # A JPEG decodes at a fraction of its size when that is still larger than needed.
        source.draft("RGB", (RENDITION_WIDTHS[-1], RENDITION_WIDTHS[-1]))
        source.seek(0)
        turned = ImageOps.exif_transpose(source)
        has_alpha = turned.mode in ("RGBA", "LA", "PA") or (
            turned.mode == "P" and "transparency" in turned.info
        )
        converted = turned.convert("RGBA" if has_alpha else "RGB")
    # Built from the pixels alone: EXIF, XMP, ICC and comments stay behind.
    return Image.frombytes(converted.mode, converted.size, converted.tobytes())


def _scaled_size(size: tuple[int, int], width: int) -> tuple[int, int]:
    w, h = size
    if w <= width:
        return w, h
    return width, max(1, round(h * width / w))


def _encode(picture: Image.Image, width: int) -> bytes:
    size = _scaled_size(picture.size, width)
    scaled = picture if size == picture.size else picture.resize(size, Image.Resampling.LANCZOS)
    out = io.BytesIO()
    scaled.save(out, format="WEBP", quality=_QUALITY, method=4)
    return out.getvalue()
