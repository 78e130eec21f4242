"""Locally drawn product pictures: valid, sized, coloured, and addressable."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from agora.catalog.images import COLOURS, SHAPES, image_url, render_product_svg

SVG = "{http://www.w3.org/2000/svg}"
REQUIRED_COLOURS = {
    "red",
    "black",
    "white",
    "grey",
    "navy",
    "blue",
    "green",
    "beige",
    "brown",
    "pink",
    "purple",
    "yellow",
    "orange",
    "khaki",
}
REQUIRED_SHAPES = {
    "coat",
    "jacket",
    "dress",
    "tshirt",
    "shirt",
    "jeans",
    "sneakers",
    "boots",
    "handbag",
    "backpack",
    "phone",
    "headphones",
    "laptop",
    "watch",
    "mug",
    "pan",
    "pillow",
    "lipstick",
    "cream",
    "snack",
    "tea",
    "ball",
    "yoga_mat",
    "toy",
}


def test_catalogue_of_colours_and_shapes() -> None:
    assert REQUIRED_COLOURS.issubset(COLOURS)
    assert REQUIRED_SHAPES.issubset(SHAPES)
    assert len(SHAPES) >= 20
    for key, colour in COLOURS.items():
        assert colour.key == key
        assert len(colour.hex) == 7 and colour.hex.startswith("#")
        int(colour.hex[1:], 16)
        assert colour.name_en and colour.name_zh


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_every_colour_renders_valid_svg(shape: str) -> None:
    for colour in COLOURS.values():
        for variant in (0, 1, 2, 5):
            svg = render_product_svg(shape, colour.key, variant=variant)
            root = ET.fromstring(svg)
            assert root.tag == f"{SVG}svg"
            assert root.get("viewBox") == "0 0 600 600"
            assert root.get("role") == "img"
            title = root.find(f"{SVG}title")
            assert title is not None and title.text and colour.name_en in title.text
            assert colour.hex in svg
            assert "http" not in svg.replace("http://www.w3.org/2000/svg", "")
            assert len(svg.encode()) < 4096


def test_variants_differ_but_are_stable() -> None:
    first = render_product_svg("coat", "red", variant=0)
    assert first == render_product_svg("coat", "red")
    assert render_product_svg("coat", "red", variant=1) != first
    assert render_product_svg("coat", "blue") != first


def test_unknown_keys_raise_key_error() -> None:
    with pytest.raises(KeyError):
        render_product_svg("spaceship", "red")
    with pytest.raises(KeyError):
        render_product_svg("coat", "ultraviolet")
    with pytest.raises(KeyError):
        image_url("spaceship", "red")
    with pytest.raises(KeyError):
        image_url("coat", "ultraviolet")


def test_image_url_format() -> None:
    assert image_url("coat", "red") == "/media/p/coat/red.svg"
    assert image_url("coat", "red", 0) == "/media/p/coat/red.svg"
    assert image_url("yoga_mat", "navy", 3) == "/media/p/yoga_mat/navy.svg?v=3"
