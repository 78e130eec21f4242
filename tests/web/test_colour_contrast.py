"""The colour tokens in agora.css meet WCAG AA where the pages put text on them: 4.5:1 for the
small text of prices, links, muted lines, chips and placeholders, on every background that
text sits on. A token changed for looks alone fails here before it fails a reader."""

from __future__ import annotations

import re

import pytest

from agora.web.pages import STATIC

AA = 4.5


def _tokens() -> dict[str, str]:
    css = (STATIC / "css" / "agora.css").read_text(encoding="utf-8")
    root = css[css.index(":root {") : css.index("}", css.index(":root {"))]
    return dict(re.findall(r"(--[\w-]+):\s*([^;]+);", root))


TOKENS = _tokens()


def _colour(value: str) -> str:
    """A token's hex colour, following ``var(--x)`` references."""
    while match := re.fullmatch(r"var\((--[\w-]+)\)", value.strip()):
        value = TOKENS[match.group(1)]
    value = value.strip()
    assert re.fullmatch(r"#[0-9a-fA-F]{6}", value), value
    return value


def _luminance(hex_colour: str) -> float:
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(a: str, b: str) -> float:
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_contrast_is_computed_as_wcag_defines_it() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    assert contrast("#ff5000", "#ffffff") < AA  # why the brand orange is no text colour


TEXT_ON = {
    "--text-muted": ("--surface", "--page", "--grey-100", "--accent-soft", "--accent-softer"),
    "--accent-hover": ("--surface", "--page", "--grey-100", "--accent-soft", "--accent-softer"),
    "--price": ("--surface", "--page", "--accent-soft", "--accent-softer"),
    "--text-placeholder": ("--surface",),
    "--amber": ("--surface", "--amber-bg"),
    "--green": ("--surface", "--green-bg"),
    "--red": ("--surface", "--red-bg"),
    "--blue": ("--surface", "--blue-bg"),
    "--purple": ("--surface", "--purple-bg"),
}


@pytest.mark.parametrize(("text", "backgrounds"), TEXT_ON.items())
def test_text_tokens_read_at_aa_on_their_backgrounds(
    text: str, backgrounds: tuple[str, ...]
) -> None:
    low = {
        background: round(contrast(_colour(TOKENS[text]), _colour(TOKENS[background])), 2)
        for background in backgrounds
        if contrast(_colour(TOKENS[text]), _colour(TOKENS[background])) < AA
    }
    assert low == {}


def test_white_reads_on_the_strong_accent_buttons_and_badges() -> None:
    # both ends of the "Buy now", search button, avatar and banner gradients
    for background in ("--accent-strong", "--accent-warm"):
        assert contrast("#ffffff", _colour(TOKENS[background])) >= AA, background
