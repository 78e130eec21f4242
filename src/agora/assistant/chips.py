"""What the assistant understood, as stored and as shown: ``Preferences`` to and from the state
row's JSON, one part taken away, and the chips of the panel ("Coats · red · under ¥398") with
their labels in both languages, so a push to the shopper's socket serves whichever page is open.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import Any

from agora.assistant.cards import price_text
from agora.assistant.domain import Preferences
from agora.assistant.domain import category_slugs as domain_category_slugs
from agora.assistant.errors import UnknownPart
from agora.catalog.images import COLOURS
from agora.core import i18n
from agora.core.errors import N_


@dataclass(frozen=True, slots=True)
class Chip:
    """One thing understood, as the panel shows it: ``key`` names it for ``service.remove_part``."""

    key: str
    label_en: str
    label_zh: str

    @property
    def label(self) -> str:
        return i18n.lazy_pick(self.label_en, self.label_zh)

    def as_json(self) -> dict[str, Any]:
        return {"key": self.key, "label": {"en": self.label_en, "zh": self.label_zh}}


def dump_preferences(preferences: Preferences) -> dict[str, Any]:
    """JSON for the state row: sets as sorted lists, every other field as it is."""
    out: dict[str, Any] = {}
    for field in dataclasses.fields(preferences):
        value = getattr(preferences, field.name)
        out[field.name] = sorted(value) if isinstance(value, frozenset) else value
    return out


def load_preferences(stored: dict[str, Any]) -> Preferences:
    """The row's JSON back as ``Preferences``; fields it does not hold keep their defaults."""
    empty = Preferences()
    values: dict[str, Any] = {}
    for field in dataclasses.fields(empty):
        if field.name not in stored:
            continue
        value = stored[field.name]
        is_set = isinstance(getattr(empty, field.name), frozenset)
        values[field.name] = frozenset(value or ()) if is_set else value
    return dataclasses.replace(empty, **values)


def without(preferences: Preferences, part: str) -> Preferences:
    """``preferences`` with one part removed. Raises UnknownPart when it holds no such part."""
    kind, _, value = part.partition(":")
    if kind in ("category", "size", "max_price", "min_price") and not value:
        if getattr(preferences, kind) is None:
            raise UnknownPart()
        cleared: dict[str, Any] = {kind: None}
        return dataclasses.replace(preferences, **cleared)
    if kind == "colour" and value in preferences.colours:
        return dataclasses.replace(preferences, colours=preferences.colours - {value})
    if kind == "not" and value in preferences.excluded_colours:
        return dataclasses.replace(
            preferences, excluded_colours=preferences.excluded_colours - {value}
        )
    raise UnknownPart()


CategoryNames = dict[str, tuple[str, str]]
"""slug -> (English name, Chinese name) of every category."""


def parts_of(preferences: Preferences, names: CategoryNames) -> tuple[Chip, ...]:
    """The chips, in the order a person would say them: "coat · red · not black · under ¥420"."""
    parts: list[Chip] = []
    if preferences.category is not None:
        en, zh = _category_names(preferences.category, names)
        parts.append(Chip("category", en, zh))
    for colour in sorted(preferences.colours):
        en, zh = _colour_names(colour)
        parts.append(Chip(f"colour:{colour}", en, zh))
    for colour in sorted(preferences.excluded_colours):
        en, zh = _colour_names(colour)
        not_colour = N_("not %(colour)s")
        parts.append(
            Chip(
                f"not:{colour}", _in("en", not_colour, colour=en), _in("zh", not_colour, colour=zh)
            )
        )
    if preferences.size is not None:
        parts.append(_worded("size", N_("size %(size)s"), size=preferences.size))
    if preferences.min_price is not None:
        parts.append(
            _worded("min_price", N_("from %(price)s"), price=price_text(preferences.min_price))
        )
    if preferences.max_price is not None:
        parts.append(
            _worded("max_price", N_("under %(price)s"), price=price_text(preferences.max_price))
        )
    return tuple(parts)


def _worded(key: str, message: str, **values: str) -> Chip:
    """A chip whose label is ``message`` in each language with the same values."""
    return Chip(key, _in("en", message, **values), _in("zh", message, **values))


def _in(locale: str, message: str, **values: str) -> str:
    return str(i18n.translations(locale).ugettext(message)) % values


def _colour_names(key: str) -> tuple[str, str]:
    colour = COLOURS.get(key)
    if colour is None:
        return key, key
    return colour.name_en.lower(), colour.name_zh


_FOR_WHOM_EN = re.compile(r"^(?:women's|men's|women|men|ladies')\s+", re.IGNORECASE)
_FOR_WHOM_ZH = re.compile(r"^(?:女士|男士|女式|男式|女款|男款)")


def _category_names(key: str, names: CategoryNames) -> tuple[str, str]:
    slugs = category_slugs(key, names)
    if len(slugs) == 1:
        return names[slugs[0]]
    if slugs:  # a group (women's and men's coats) is named by what its members are: "Coats"
        en, zh = names[slugs[0]]
        return _FOR_WHOM_EN.sub("", en), _FOR_WHOM_ZH.sub("", zh) or zh
    return key, key


def category_slugs(key: str | None, names: CategoryNames) -> tuple[str, ...]:
    """The catalog categories a preference's category stands for: one slug, or a group's
    (comma-joined, see ``Vocabulary.group``); categories gone from the catalog drop out."""
    return tuple(slug for slug in domain_category_slugs(key) if slug in names)
