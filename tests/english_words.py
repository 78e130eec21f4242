"""English left on a Chinese page: the words that may stay, and a finder for the ones that may not.

A Chinese page may still show a few Latin words that a Chinese shopping app shows too: the brand,
the carriers' brand names, currency and unit symbols, and acronyms Chinese readers use as they are.
Everything else in Latin letters is a string that missed the catalog.

Not words at all, and so never reported: URLs and paths, e-mail addresses, codes that mix letters
and digits (order numbers, waybills, hex ids, SKU codes) and numbers with an allowed unit
("2.5kg"). A number with any other suffix is reported by its suffix: "已售 2.6k" reports "k".
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

ALLOWED: frozenset[str] = frozenset(
    {
        # The brand and the carriers' brand names.
        "Agora",
        "Fleet",
        "Swift",
        "Pine",
        # Browsers and systems, by the names Chinese pages use for them too (WeChat is 微信).
        "Chrome",
        "Chromium",
        "Safari",
        "Firefox",
        "Edge",
        "Opera",
        "Windows",
        "macOS",
        "ChromeOS",
        "Linux",
        "Android",
        "iPhone",
        "iPad",
        "HarmonyOS",
        # Acronyms a Chinese shopper reads as they are.
        "API",
        "CNY",
        "SKU",
        "ID",
        "IP",
        "HLS",
        "UTC",
        "GMT",
        # Units, clothing sizes and picture formats, written this way in Chinese shops too.
        "kg",
        "g",
        "cm",
        "mm",
        "km",
        "ml",
        "L",
        "MB",
        "XS",
        "XL",
        "XXL",
        "JPEG",
        "PNG",
        "WebP",
    }
)

_URL = re.compile(r"(?:https?://|wss?://|www\.)\S+|(?<![\w/])/[\w\-./?=&%#~:]*")
_EMAIL = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+")
# A run of ASCII letters and digits, joined by the marks that hold codes and numbers together.
_TOKEN = re.compile(
    r"[A-Za-z0-9\u00c0-\u024f](?:[A-Za-z0-9\u00c0-\u024f'._\-]*[A-Za-z0-9\u00c0-\u024f])?"
)
_NUMBER_WITH_UNIT = re.compile(r"\d+(?:[.,]\d+)*([A-Za-z\u00c0-\u024f]+)")
_WORD = re.compile(r"[A-Za-z\u00c0-\u024f]+")
_HEX = re.compile(r"[0-9a-fA-F]{16,}")


def stray_english(text: str) -> list[str]:
    """The Latin-letter words in `text` that a Chinese page should not show, each once, in order."""
    text = _EMAIL.sub(" ", _URL.sub(" ", text))
    found: dict[str, None] = {}
    for match in _TOKEN.finditer(text):
        token = match.group()
        if not any(c.isalpha() for c in token):
            continue
        if any(c.isdigit() for c in token):
            unit = _NUMBER_WITH_UNIT.fullmatch(token)
            if unit and unit.group(1) not in ALLOWED:
                found.setdefault(unit.group(1))
            continue  # a number with an allowed unit, or a code (order number, waybill, id)
        if _HEX.fullmatch(token):
            continue
        for word in _WORD.findall(token):
            if len(word) >= 2 and word not in ALLOWED:
                found.setdefault(word)
    return list(found)


_SKIPPED = frozenset({"script", "style", "template", "noscript", "svg"})
_VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
)
# Attributes a person reads or hears: placeholders, tooltips, screen-reader labels. (A picture's
# alt text is the product's title: the merchant's words, not ours.)
_READ_ATTRIBUTES = ("placeholder", "title", "aria-label")


class _Reader(HTMLParser):
    """Collects the text a page shows, leaving out scripts, styles and `translate="no"` parts."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._open: list[tuple[str, bool]] = []  # (tag, hidden from the reader)

    @property
    def _hidden(self) -> bool:
        return bool(self._open) and self._open[-1][1]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        hidden = self._hidden or tag in _SKIPPED or values.get("translate") == "no"
        if not hidden:
            for name in _READ_ATTRIBUTES:
                if values.get(name):
                    self.parts.append(values[name] or "")
            if tag == "input" and values.get("type") in ("submit", "button", "reset"):
                self.parts.append(values.get("value") or "")
        if tag not in _VOID:
            self._open.append((tag, hidden))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self._open) - 1, -1, -1):
            if self._open[index][0] == tag:
                del self._open[index:]
                return

    def handle_data(self, data: str) -> None:
        if not self._hidden and data.strip():
            self.parts.append(data.strip())


def visible_text(html: str) -> str:
    """What a page shows a reader, one line per text run, without user content marked
    `translate="no"` and without scripts and styles."""
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return "\n".join(reader.parts)
