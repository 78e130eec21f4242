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

ALLOWED: frozenset[str] = frozenset(
    {
        # The brand and the carriers' brand names.
        "Agora",
        "Fleet",
        "Swift",
        "Pine",
        # Acronyms a Chinese shopper reads as they are.
        "API",
        "CNY",
        "SKU",
        "ID",
        "HLS",
        "UTC",
        "GMT",
        # Units.
        "kg",
        "g",
        "cm",
        "km",
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
