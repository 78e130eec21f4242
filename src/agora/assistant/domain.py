"""One chat message in, the shopper's updated preferences out: the assistant's rules, pure.

``interpret`` reads a message (English, Chinese or both mixed) against a ``Vocabulary`` and the
preferences held so far, and returns the new preferences, whether anything changed, and the parts
it understood (what the panel shows: "coat · red · under ¥420"). It touches no database.

The rules, as a shopper would meet them:

- **Category.** ``Preferences.category`` is one leaf slug (``"womens-coats"``) or, when the word
  said fits several, a *group*: those slugs comma-joined in catalog order
  (``"womens-coats,mens-coats"`` for "coat"/"外套"; ``category_slugs`` splits it). A word for
  whom ("for my wife", "女士", "men's") narrows a group or moves to the counterpart for the other
  sex. Of two category words the head noun wins ("a bag for my laptop": bag; "能装电脑的包": 包).
  With no category word, a short shopping request ("something warm for winter", "a gift for my
  dad who runs") is matched by embedding when an ``embedder`` is given (see ``embedding``) —
  unless it refines the topic held ("有没有便宜一点的" while on coats is about coats).
- **Topic change.** A category that is not within the one held switches topic — with or
  without "actually"/"算了"/"换成". The chosen colours, the size and the price band belonged to
  the old topic and are reset (a coat's size is no shoe size, a coat's budget no phone's); the
  excluded colours carry over, as a dislike of black is about the shopper, not the item. Whatever
  the same message says is then applied on top. Narrowing (coats -> women's coats) resets nothing.
- **Colours.** New colours replace the ones held, unless the message adds ("also", "too",
  "I like", "也", "喜欢"). A negation ("not", "no", "anything but", "不要", "别要", "除了") covers
  the colours after it up to a comma or a "but"/"要", moving them to ``excluded_colours``; so do
  a dislike after colours ("pink is ugly", "黑色不行") and a Chinese negation with no colour after
  it ("红色的不要了"). "Other colours?"/"有别的颜色吗" turns down the ones held; "any
  colour"/"颜色无所谓" clears both.
- **Size.** "42码", "size L", "L码", "XL", "尺码M", "穿42的" set ``size`` (upper-case letters);
  "too small"/"大一码" and "too big"/"小一号" step from the size held (S M L XL..., or by one).
- **Budget.** Stated bands ("under 300", "三百块以内", "200到400之间", "两百多" = 200-299) set
  prices in fen, both bounds inclusive; "price doesn't matter"/"预算不限" drops them.
  "Too expensive"/"太贵了" with cards shown sets ``max_price`` to the last whole yuan below the
  median price shown (the lower middle one of an even count), so the dearer half of what the
  shopper just rejected goes; with nothing shown, to four fifths of the current ``max_price``.
  "Better quality"/"贵一点" mirrors it with ``min_price`` just above the median.
- **Small talk** ("hi", "红包收到了", "see you at 8") understands nothing: ``changed`` is False
  and the state comes back as it was.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from agora.assistant import vocabulary as v
from agora.assistant.embedding import Embedder
from agora.assistant.numbers import Budget, read_budget, read_size, to_digits
from agora.assistant.vocabulary import Vocabulary

__all__ = [
    "Part",
    "Preferences",
    "TurnResult",
    "Vocabulary",
    "category_slugs",
    "interpret",
]

# A shopping request is a line or two; a long paste is read only this far, and the model (whose
# cost grows with the text) is asked only about a message this short.
MAX_CHARS = 500
MAX_ASKED_CHARS = 160

# Kinds of Part, in the order the panel lists them.
CATEGORY = "category"
COLOUR = "colour"
NOT_COLOUR = "not_colour"
SIZE = "size"
MIN_PRICE = "min_price"
MAX_PRICE = "max_price"


def category_slugs(category: str | None) -> tuple[str, ...]:
    """The leaf slugs a ``Preferences.category`` stands for (one, or a group's several)."""
    return tuple(slug for slug in (category or "").split(",") if slug)


@dataclass(frozen=True, slots=True)
class Preferences:
    """What the shopper is looking for, as understood so far in one conversation."""

    category: str | None = None
    colours: frozenset[str] = frozenset()
    excluded_colours: frozenset[str] = frozenset()
    size: str | None = None
    max_price: int | None = None
    min_price: int | None = None

    @property
    def category_slugs(self) -> tuple[str, ...]:
        return category_slugs(self.category)

    @property
    def is_empty(self) -> bool:
        return self == Preferences()


@dataclass(frozen=True, slots=True)
class Part:
    """One thing understood in a message: ``kind`` (CATEGORY, COLOUR, ...) and its value.

    Values: a category key, a colour key, a size, or a price in fen (MIN_PRICE, MAX_PRICE).
    """

    kind: str
    value: str | int


@dataclass(frozen=True, slots=True)
class TurnResult:
    preferences: Preferences
    changed: bool
    parts: tuple[Part, ...] = ()
    # The category came from the embedding fallback, not from a word (for the bench's share).
    by_embedding: bool = False


@dataclass(slots=True)
class _Reading:
    """What one message says, before it meets the state."""

    slugs: list[str] = field(default_factory=list)
    gender: str | None = None
    colours: list[str] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)
    replace: bool = False
    add: bool = False
    any_colour: bool = False
    cheaper: bool = False
    pricier: bool = False
    intent: bool = False
    other_colour: bool = False
    any_price: bool = False
    size_up: bool = False
    size_down: bool = False

    @property
    def refines(self) -> bool:
        """Says something about the item held: a colour, a price, a size, whom it is for."""
        return bool(
            self.colours
            or self.excluded
            or self.any_colour
            or self.other_colour
            or self.cheaper
            or self.pricier
            or self.any_price
            or self.size_up
            or self.size_down
            or self.gender is not None
        )


_FLAGS = {
    v.ANY_COLOUR: "any_colour",
    v.CHEAPER: "cheaper",
    v.PRICIER: "pricier",
    v.INTENT: "intent",
    v.OTHER_COLOUR: "other_colour",
    v.ANY_PRICE: "any_price",
    v.SIZE_UP: "size_up",
    v.SIZE_DOWN: "size_down",
}


def _normalise(text: str) -> str:
    # "T恤" is one Chinese word written half in Latin; its spoken form keeps it in one script.
    return text.lower().replace("’", "'").replace("t恤", "体恤")


def _read(text: str, hits: list[v.Hit]) -> _Reading:
    reading = _Reading()
    negated = False
    # Positive colours of the current clause, and whether a colour came after its negation.
    clause: list[str] = []
    negation_covered = True
    chinese_negation = False
    named: list[v.Hit] = []

    def turn_down(colours: list[str]) -> None:
        for colour in colours:
            if colour in reading.colours:
                reading.colours.remove(colour)
            if colour not in reading.excluded:
                reading.excluded.append(colour)

    for hit in hits:
        kind = hit.kind
        if kind in (v.BREAK, v.POSITIVE, v.REPLACE, v.ADD):
            # "红色的不要": in Chinese the negation may follow what it turns down.
            if negated and not negation_covered and chinese_negation:
                turn_down(clause)
            negated = False
            if kind == v.BREAK:
                clause = []
        if kind == v.NEGATION:
            negated, negation_covered = True, False
            chinese_negation = not text[hit.start].isascii()
        elif kind == v.DISLIKE:
            turn_down(clause)
            clause = []
        elif kind == v.COLOUR:
            said = hit.value.split(",")
            if negated:
                negation_covered = True
                turn_down(said)
            else:
                reading.colours.extend(c for c in said if c not in reading.colours)
                clause.extend(said)
        elif kind == v.CATEGORY and not negated:
            named.append(hit)
        elif kind in (v.WOMEN, v.MEN):
            reading.gender = kind
        elif kind == v.REPLACE:
            reading.replace = True
        elif kind == v.ADD:
            reading.add = True
        elif kind in _FLAGS:
            setattr(reading, _FLAGS[kind], True)
    if negated and not negation_covered and chinese_negation:
        turn_down(clause)
    if named:
        # Two category words are mostly a thing and what it is for: "a bag for my laptop" names
        # the bag first, "能装电脑的包" last (Chinese puts the head noun at the end).
        chinese = [hit for hit in named if not text[hit.start].isascii()]
        reading.slugs = (chinese[-1] if chinese else named[0]).value.split(",")
    return reading


def _median_low(prices: Sequence[int]) -> int | None:
    ordered = sorted(p for p in prices if p > 0)
    return ordered[(len(ordered) - 1) // 2] if ordered else None


def _median_high(prices: Sequence[int]) -> int | None:
    ordered = sorted(p for p in prices if p > 0)
    return ordered[len(ordered) // 2] if ordered else None


def _cheaper(prefs: Preferences, shown_prices: Sequence[int]) -> Preferences:
    median = _median_low(shown_prices)
    if median is not None:
        ceiling = (median - 1) // 100 * 100 if median > 100 else median - 1
    elif prefs.max_price is not None:
        ceiling = prefs.max_price * 4 // 5 // 100 * 100
    else:
        return prefs
    if ceiling <= 0:
        return prefs
    floor = prefs.min_price if prefs.min_price is not None and prefs.min_price < ceiling else None
    return replace(prefs, max_price=ceiling, min_price=floor)


def _pricier(prefs: Preferences, shown_prices: Sequence[int]) -> Preferences:
    median = _median_high(shown_prices)
    if median is not None:
        floor = (median // 100 + 1) * 100
    elif prefs.max_price is not None:
        floor = prefs.max_price
    elif prefs.min_price is not None:
        floor = prefs.min_price * 5 // 4 // 100 * 100
    else:
        return prefs
    ceiling = prefs.max_price if prefs.max_price is not None and prefs.max_price > floor else None
    return replace(prefs, min_price=floor, max_price=ceiling)


def _with_colours(prefs: Preferences, reading: _Reading, parts: list[Part]) -> Preferences:
    colours, excluded = set(prefs.colours), set(prefs.excluded_colours)
    if reading.any_colour:
        colours, excluded = set(), set()
    if reading.other_colour:
        parts.extend(Part(NOT_COLOUR, c) for c in sorted(colours))
        colours, excluded = set(), excluded | colours
    if reading.colours:
        added = reading.add and not reading.replace
        colours = colours | set(reading.colours) if added else set(reading.colours)
        excluded -= set(reading.colours)
        parts.extend(Part(COLOUR, c) for c in reading.colours)
    if reading.excluded:
        excluded |= set(reading.excluded)
        colours -= set(reading.excluded)
        parts.extend(Part(NOT_COLOUR, c) for c in reading.excluded)
    return replace(prefs, colours=frozenset(colours), excluded_colours=frozenset(excluded))


_LETTER_SIZES = ("XXS", "XS", "S", "M", "L", "XL", "XXL", "XXXL")
_SIZE_ALIASES = {"2XL": "XXL", "3XL": "XXXL"}


def _next_size(size: str, step: int) -> str | None:
    """The size one up (``step`` 1) or down (-1) from ``size``: "M" -> "L", "42" -> "43"."""
    size = _SIZE_ALIASES.get(size, size)
    if size in _LETTER_SIZES:
        n = _LETTER_SIZES.index(size) + step
        return _LETTER_SIZES[n] if 0 <= n < len(_LETTER_SIZES) else None
    try:
        number = float(size) + step
    except ValueError:
        return None
    return (str(int(number)) if number.is_integer() else str(number)) if number > 0 else None


def _with_size(
    prefs: Preferences, size: str | None, reading: _Reading, parts: list[Part]
) -> Preferences:
    if size is None and prefs.size is not None and reading.size_up != reading.size_down:
        size = _next_size(prefs.size, 1 if reading.size_up else -1)
    if size is None:
        return prefs
    parts.append(Part(SIZE, size))
    return replace(prefs, size=size)


def _with_prices(
    prefs: Preferences,
    budget: Budget | None,
    reading: _Reading,
    shown_prices: Sequence[int],
    parts: list[Part],
) -> Preferences:
    if reading.any_price:
        prefs = replace(prefs, min_price=None, max_price=None)
    if budget is not None:
        low, high = budget.min_price, budget.max_price
        if low is None and high is not None:
            low = (
                prefs.min_price if prefs.min_price is not None and prefs.min_price < high else None
            )
        elif high is None and low is not None:
            high = (
                prefs.max_price if prefs.max_price is not None and prefs.max_price > low else None
            )
        prefs = replace(prefs, min_price=low, max_price=high)
    elif reading.cheaper and not reading.pricier:
        prefs = _cheaper(prefs, shown_prices)
    elif reading.pricier:
        prefs = _pricier(prefs, shown_prices)
    else:
        return prefs
    if prefs.min_price is not None:
        parts.append(Part(MIN_PRICE, prefs.min_price))
    if prefs.max_price is not None:
        parts.append(Part(MAX_PRICE, prefs.max_price))
    return prefs


def interpret(
    text: str,
    state: Preferences,
    vocab: Vocabulary,
    *,
    shown_prices: Sequence[int] = (),
    embedder: Embedder | None = None,
) -> TurnResult:
    """The preferences after ``text``, given ``state`` and the prices of the cards on screen."""
    lowered = _normalise(text[:MAX_CHARS])
    reading = _read(lowered, vocab.scan(lowered))
    size, rest = read_size(to_digits(lowered))
    budget = read_budget(rest)
    parts: list[Part] = []
    prefs = state

    slugs = list(reading.slugs)
    by_embedding = False
    # "有没有便宜一点的" while looking at coats asks about coats: a message that refines the topic
    # held is no request for a new one, and the model (the slow part) is not asked.
    refines = state.category is not None and (
        reading.refines or size is not None or budget is not None
    )
    asks = not slugs and reading.intent and not refines and len(text) <= MAX_ASKED_CHARS
    if asks and embedder is not None:
        slugs = vocab.nearest(embedder, text)
        by_embedding = bool(slugs)
    if reading.gender is not None and (slugs or state.category):
        slugs = vocab.for_gender(slugs or list(state.category_slugs), reading.gender)
    if slugs:
        key = vocab.group(slugs)
        if state.category is not None and not set(slugs) <= set(state.category_slugs):
            prefs = Preferences(excluded_colours=state.excluded_colours)
        prefs = replace(prefs, category=key)
        parts.append(Part(CATEGORY, key))

    prefs = _with_colours(prefs, reading, parts)
    prefs = _with_size(prefs, size, reading, parts)
    prefs = _with_prices(prefs, budget, reading, shown_prices, parts)
    return TurnResult(
        preferences=prefs,
        changed=prefs != state,
        parts=tuple(parts),
        by_embedding=by_embedding,
    )
