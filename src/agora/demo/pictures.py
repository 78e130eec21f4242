"""Photos for a few demo products, painted with Pillow when the demo loads and uploaded the way
a merchant's are (checked, rendered, stored), so the product page's gallery is alive on first
run: one picture per colour, each tied to its colour.

Each picture is a soft silhouette of the item in its colour, lit from the upper left, on a
gradient of the same hue with a floor shadow. Drawn at twice the size and scaled down, so the
edges are smooth; about a tenth of a second each.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from io import BytesIO

from PIL import Image, ImageDraw, ImageFilter

from agora import catalog, media
from agora.catalog.images import COLOURS
from agora.core.uow import UnitOfWork
from agora.identity import Principal

SIZE = 800
_S = 2  # drawn at twice the size
Box = tuple[float, float, float, float]
RGB = tuple[int, int, int]

# The demo products that get photos, by key: what they are drawn as. Products the demo itself
# sells (seed.products_in_play), so the pictures also show in carts and orders.
PHOTOGRAPHED = {
    "organic-cotton-slim-fit-tee-0086": "tshirt",
    "stoneware-couple-mug-0227": "mug",
    "hi-res-over-ear-headphones-0199": "headphones",
    "canvas-commuter-backpack-0178": "backpack",
}
COLOURS_PER_PRODUCT = 3


def _rgb(hex_: str) -> RGB:
    value = hex_.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def _mix(a: RGB, b: RGB, t: float) -> RGB:
    r, g, bl = (round(x + (y - x) * t) for x, y in zip(a, b, strict=True))
    return r, g, bl


WHITE: RGB = (255, 255, 255)
INK: RGB = (28, 28, 32)


def _xy(*points: float) -> list[tuple[float, float]]:
    pairs = zip(points[::2], points[1::2], strict=True)
    return [(x * _S, y * _S) for x, y in pairs]


def _box(x0: float, y0: float, x1: float, y1: float) -> Box:
    return x0 * _S, y0 * _S, x1 * _S, y1 * _S


def _tshirt(draw: ImageDraw.ImageDraw, base: RGB, shade: RGB, light: RGB) -> None:
    body = _xy(250, 190, 330, 160, 370, 185, 430, 185, 470, 160, 550, 190, 640, 290, 580, 350,
               545, 320, 545, 640, 255, 640, 255, 320, 220, 350, 160, 290)  # fmt: skip
    draw.polygon(body, fill=base)
    draw.polygon(_xy(255, 320, 300, 300, 300, 640, 255, 640), fill=light)
    draw.polygon(_xy(545, 320, 500, 300, 500, 640, 545, 640), fill=shade)
    draw.chord(_box(350, 140, 450, 230), 0, 180, fill=shade)


def _mug(draw: ImageDraw.ImageDraw, base: RGB, shade: RGB, light: RGB) -> None:
    draw.ellipse(_box(470, 330, 620, 520), outline=shade, width=34 * _S)
    draw.rounded_rectangle(_box(200, 250, 520, 620), radius=40 * _S, fill=base)
    draw.rectangle(_box(230, 270, 290, 600), fill=light)
    draw.rectangle(_box(460, 270, 500, 600), fill=shade)
    draw.ellipse(_box(200, 225, 520, 285), fill=shade)
    draw.ellipse(_box(215, 232, 505, 276), fill=_mix(shade, INK, 0.35))


def _headphones(draw: ImageDraw.ImageDraw, base: RGB, shade: RGB, light: RGB) -> None:
    draw.arc(_box(200, 150, 600, 560), 180, 360, fill=base, width=42 * _S)
    draw.arc(_box(214, 164, 586, 546), 195, 260, fill=light, width=10 * _S)
    for x0 in (175, 505):
        draw.rounded_rectangle(_box(x0, 330, x0 + 120, 560), radius=50 * _S, fill=shade)
        draw.rounded_rectangle(_box(x0 + 12, 342, x0 + 108, 548), radius=44 * _S, fill=base)
    draw.rounded_rectangle(_box(200, 360, 232, 520), radius=16 * _S, fill=light)


def _backpack(draw: ImageDraw.ImageDraw, base: RGB, shade: RGB, light: RGB) -> None:
    draw.arc(_box(330, 120, 470, 260), 180, 360, fill=shade, width=22 * _S)
    draw.rounded_rectangle(_box(230, 180, 570, 650), radius=90 * _S, fill=base)
    draw.rounded_rectangle(_box(250, 200, 300, 620), radius=25 * _S, fill=light)
    draw.rounded_rectangle(_box(290, 430, 510, 620), radius=40 * _S, fill=shade)
    draw.line(_xy(300, 470, 500, 470), fill=_mix(shade, INK, 0.4), width=6 * _S)
    draw.rounded_rectangle(_box(385, 450, 415, 490), radius=8 * _S, fill=light)


_DRAW: dict[str, Callable[[ImageDraw.ImageDraw, RGB, RGB, RGB], None]] = {
    "tshirt": _tshirt,
    "mug": _mug,
    "headphones": _headphones,
    "backpack": _backpack,
}


def paint(shape: str, colour: str) -> bytes:
    """A PNG photo of ``shape`` in ``colour`` (keys of ``_DRAW`` and ``COLOURS``)."""
    base = _rgb(COLOURS[colour].hex)
    luma = (0.299 * base[0] + 0.587 * base[1] + 0.114 * base[2]) / 255
    shade = _mix(base, INK, 0.28 if luma > 0.3 else 0.45)
    light = _mix(base, WHITE, 0.3 if luma < 0.8 else 0.6)
    tint = base if luma < 0.85 else (150, 160, 175)
    top, bottom = _mix(tint, WHITE, 0.82), _mix(tint, WHITE, 0.93)
    ramp = Image.linear_gradient("L").resize((SIZE, SIZE), Image.Resampling.BILINEAR)
    picture = Image.composite(
        Image.new("RGB", (SIZE, SIZE), bottom), Image.new("RGB", (SIZE, SIZE), top), ramp
    )
    # The floor shadow is soft anyway: blurred small, then scaled up.
    shadow = Image.new("L", (SIZE // 4, SIZE // 4), 0)
    ImageDraw.Draw(shadow).ellipse((50, 157, 150, 172), fill=90)
    shadow = shadow.filter(ImageFilter.GaussianBlur(4.5))
    shadow = shadow.resize((SIZE, SIZE), Image.Resampling.BILINEAR)
    picture.paste(Image.new("RGB", (SIZE, SIZE), _mix(tint, INK, 0.5)), (0, 0), shadow)
    # Only the item is drawn large: scaled down by averaging, its edges come out smooth.
    item = Image.new("RGBA", (SIZE * _S, SIZE * _S), (0, 0, 0, 0))
    _DRAW[shape](ImageDraw.Draw(item), base, shade, light)
    item = item.reduce(_S)
    picture.paste(item, (0, 0), item)
    buffer = BytesIO()
    picture.save(buffer, format="PNG", compress_level=1)
    return buffer.getvalue()


def seed_pictures(
    uow: UnitOfWork,
    *,
    actor: Principal,
    storage: media.Storage,
    listed: list[tuple[uuid.UUID, str]],
) -> int:
    """Photograph the products of ``PHOTOGRAPHED`` among those just ``listed`` (id, demo key);
    the number of pictures added."""
    added = 0
    for product_id, key in listed:
        shape = PHOTOGRAPHED.get(key)
        if shape is None:
            continue
        detail = catalog.product_detail(uow, product_id, actor=actor)
        colours = list(dict.fromkeys(s.colour for s in detail.skus if s.colour in COLOURS))
        colours = colours[:COLOURS_PER_PRODUCT]
        images = [
            media.process_image(paint(shape, colour), max_bytes=8 << 20, max_pixels=4_000_000)
            for colour in colours
        ]
        with uow:
            views = catalog.add_product_images(
                uow,
                actor=actor,
                storage=storage,
                product_id=product_id,
                images=images,
                max_images=len(images),
            )
            for view, colour in zip(views, colours, strict=True):
                catalog.set_image_colour(
                    uow,
                    actor=actor,
                    storage=storage,
                    product_id=product_id,
                    image_id=view.id,
                    colour=colour,
                )
        added += len(images)
    return added
