"""What the assistant can recognise: a catalog's categories and colours plus the built-in lexicons.

``Vocabulary.build`` turns the catalog's rows into two dictionaries of terms — Latin phrases
(normalised word by word) and Chinese words — each mapped to what it means. ``scan`` then reads a
lower-cased message once, longest term first, in both scripts, and returns the hits in reading
order, so a negation knows which colours come after it.

Chinese is matched by longest substring against the lexicon rather than by adding our words to
jieba's dictionary: that dictionary is the process's one, shared with catalog search, and words
added to it would segment a query differently from the products indexed before. jieba (loaded
once, by ``catalog.text``) still has a say where one character could be a word or part of one:
"红" is red on its own but not inside "红包" or "网红", and "包" is a bag but not inside "钱包".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from agora.assistant import lexicons
from agora.assistant.embedding import CategoryIndex, Embedder
from agora.catalog import text as search_text

CATEGORY = "category"
COLOUR = "colour"
IGNORE = "ignore"
NEGATION = "negation"
POSITIVE = "positive"
REPLACE = "replace"
ADD = "add"
ANY_COLOUR = "any_colour"
CHEAPER = "cheaper"
PRICIER = "pricier"
INTENT = "intent"
WOMEN = "women"
MEN = "men"
BREAK = "break"
DISLIKE = "dislike"
OTHER_COLOUR = "other_colour"
ANY_PRICE = "any_price"
SIZE_UP = "size_up"
SIZE_DOWN = "size_down"

_LATIN_WORD = re.compile(r"[a-z]+(?:['\-][a-z]+)*")
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_BREAKS = re.compile(r"[,.;!?，。；！？\n]")
# A single character is only trusted as a word when jieba agrees (see the module docstring).
_GUARDED = frozenset({CATEGORY, COLOUR, WOMEN, MEN})
_MEASURE_WORDS = frozenset("双个件条款只台部顶副块把套支瓶盒")
_GENDER_PREFIX = re.compile(r"^(?:women's|womens|women|ladies'|men's|mens|men)\s+")
_ZH_GENDER_PREFIX = re.compile(r"^(?:女士|男士|女式|男式|女款|男款|女|男)")

Meaning = tuple[str, str]
CategoryRow = tuple[str, str, str] | tuple[str, str, str, str | None]


@dataclass(frozen=True, slots=True)
class Hit:
    start: int
    end: int
    kind: str
    value: str


def _word(word: str) -> str:
    word = word.replace("’", "'")
    if word.endswith("'s"):
        word = word[:-2]
    return search_text.singular(word)


def _latin_key(phrase: str) -> str:
    return " ".join(_word(word) for word in _LATIN_WORD.findall(phrase.lower()))


def _is_latin(term: str) -> bool:
    return not _CJK_RUN.search(term)


def _gender_of(name_en: str, name_zh: str) -> str | None:
    if "女" in name_zh or name_en.lower().startswith(("women", "lady", "ladies")):
        return WOMEN
    if "男" in name_zh or name_en.lower().startswith("men"):
        return MEN
    return None


@dataclass(frozen=True)
class Vocabulary:
    """Categories and colours with every name they go by; build one with ``Vocabulary.build``.

    ``categories`` maps each leaf category slug to the terms that reach it (a term reaching
    several slugs makes a group, see ``agora.assistant.domain``); ``colours`` maps each colour key
    to its names.
    """

    categories: Mapping[str, tuple[str, ...]]
    colours: Mapping[str, tuple[str, ...]]
    gender: Mapping[str, str | None] = field(default_factory=dict)
    # Slugs that are one kind of thing for different people ("外套": women's and men's coats).
    families: Mapping[str, frozenset[str]] = field(default_factory=dict)
    descriptions: Mapping[str, str] = field(default_factory=dict)
    latin: Mapping[str, tuple[Meaning, ...]] = field(default_factory=dict, repr=False)
    chinese: Mapping[str, tuple[Meaning, ...]] = field(default_factory=dict, repr=False)
    _indexes: dict[int, tuple[Embedder, CategoryIndex]] = field(
        default_factory=dict, repr=False, compare=False
    )

    @classmethod
    def build(
        cls,
        *,
        categories: Iterable[CategoryRow],
        colours: Iterable[tuple[str, str, str]],
    ) -> Vocabulary:
        """A vocabulary of ``(slug, name_en, name_zh[, parent_slug])`` and ``(key, en, zh)`` rows.

        Products sit in leaf categories, so a parent's names ("Shoes", "鞋靴") reach its leaves.
        """
        rows = [tuple(row) for row in categories]
        parents = {str(row[3]) for row in rows if len(row) > 3 and row[3]}
        leaves = [(str(r[0]), str(r[1]), str(r[2])) for r in rows if r[0] not in parents]
        order = {slug: n for n, (slug, _, _) in enumerate(leaves)}
        reach: dict[str, set[str]] = {}

        def add(term: str, slugs: Iterable[str]) -> None:
            term = term.strip().lower()
            if term:
                reach.setdefault(term, set()).update(slugs)

        bases: dict[str, set[str]] = {}
        for slug, name_en, name_zh in leaves:
            en, zh = name_en.lower(), name_zh.lower()
            for term in (en, zh, slug.replace("-", " ")):
                add(term, [slug])
            base_en = _GENDER_PREFIX.sub("", en)
            for part in re.split(r"\s*(?:&|\band\b|/|,)\s*", base_en):
                add(part, [slug])
                bases.setdefault(_latin_key(part), set()).add(slug)
            base_zh = _ZH_GENDER_PREFIX.sub("", zh)
            add(base_zh, [slug])
            bases.setdefault(base_zh, set()).add(slug)
        for row in rows:
            if str(row[0]) in parents:
                children = [s for r in rows if len(r) > 3 and r[3] == row[0] for s in [str(r[0])]]
                for term in (str(row[1]), str(row[2])):
                    add(term, [s for s in children if s in order])
        descriptions: dict[str, str] = {slug: f"{en} {zh}" for slug, en, zh in leaves}
        for head, synonyms in lexicons.CATEGORY_SYNONYMS.items():
            heads = head.split("|")
            slugs = [s for s, en, zh in leaves if any(h in f"{en} {zh}".lower() for h in heads)]
            for term in synonyms:
                add(term, slugs)
            for slug in slugs:
                described = lexicons.CATEGORY_DESCRIPTIONS.get(head)
                if described:
                    descriptions[slug] += " " + described
        families = {
            slug: frozenset(s for group in bases.values() if slug in group for s in group)
            for slug in order
        }

        meanings: dict[str, list[Meaning]] = {}

        def mean(term: str, kind: str, value: str = "") -> None:
            found = meanings.setdefault(term.lower(), [])
            if (kind, value) not in found:
                found.append((kind, value))

        by_slug: dict[str, list[str]] = {slug: [] for slug in order}
        for term, reached in reach.items():
            ordered = sorted((s for s in reached if s in order), key=order.__getitem__)
            if ordered:
                mean(term, CATEGORY, ",".join(ordered))
                for slug in ordered:
                    by_slug[slug].append(term)
        colour_terms: dict[str, set[str]] = {}
        by_colour: dict[str, list[str]] = {}
        for key, name_en, name_zh in colours:
            names = [name_en.lower(), name_zh, *lexicons.COLOUR_SHADES.get(key, ())]
            if name_zh.endswith("色") and len(name_zh) > 2:
                names.append(name_zh[:-1])
            for term in names:
                colour_terms.setdefault(term.lower(), set()).add(key)
            by_colour[key] = names
        colour_order = {key: n for n, key in enumerate(by_colour)}
        for term, keys in colour_terms.items():
            mean(term, COLOUR, ",".join(sorted(keys, key=colour_order.__getitem__)))
        for kind, terms in (
            (NEGATION, lexicons.NEGATION),
            (POSITIVE, lexicons.POSITIVE),
            (REPLACE, lexicons.REPLACE),
            (ADD, lexicons.ADD),
            (ANY_COLOUR, lexicons.ANY_COLOUR),
            (CHEAPER, lexicons.CHEAPER),
            (PRICIER, lexicons.PRICIER),
            (INTENT, lexicons.INTENT),
            (WOMEN, lexicons.WOMEN),
            (MEN, lexicons.MEN),
            (DISLIKE, lexicons.DISLIKE),
            (OTHER_COLOUR, lexicons.OTHER_COLOUR),
            (ANY_PRICE, lexicons.ANY_PRICE),
            (SIZE_UP, lexicons.SIZE_UP),
            (SIZE_DOWN, lexicons.SIZE_DOWN),
        ):
            for term in terms:
                mean(term, kind)
        for term in lexicons.IGNORED:
            meanings[term.lower()] = [(IGNORE, "")]

        latin: dict[str, tuple[Meaning, ...]] = {}
        chinese: dict[str, tuple[Meaning, ...]] = {}
        for term, found in meanings.items():
            if _is_latin(term):
                key = _latin_key(term)
                if key:
                    latin[key] = tuple(found) + tuple(
                        m for m in latin.get(key, ()) if m not in found
                    )
            else:
                chinese[term] = tuple(found)
        return cls(
            categories={slug: tuple(terms) for slug, terms in by_slug.items()},
            colours={key: tuple(names) for key, names in by_colour.items()},
            gender={slug: _gender_of(en, zh) for slug, en, zh in leaves},
            families=families,
            descriptions=descriptions,
            latin=latin,
            chinese=chinese,
        )

    # -- reading -------------------------------------------------------------------------------

    def scan(self, text: str) -> list[Hit]:
        """Every known term in a lower-cased message, longest first, in reading order."""
        hits = [Hit(m.start(), m.end(), BREAK, "") for m in _BREAKS.finditer(text)]
        hits.extend(self._scan_latin(text))
        for run in _CJK_RUN.finditer(text):
            hits.extend(self._scan_chinese(run.group(0), run.start()))
        hits.sort(key=lambda hit: hit.start)
        return hits

    def _scan_latin(self, text: str) -> list[Hit]:
        words = list(_LATIN_WORD.finditer(text))
        keys = [_word(w.group(0)) for w in words]
        longest = 4
        out: list[Hit] = []
        i = 0
        while i < len(words):
            for n in range(min(longest, len(words) - i), 0, -1):
                # A phrase's words stand next to each other, not across a comma.
                if n > 1 and any(
                    text[words[j].end() : words[j + 1].start()].strip() for j in range(i, i + n - 1)
                ):
                    continue
                found = self.latin.get(" ".join(keys[i : i + n]))
                if found:
                    start, end = words[i].start(), words[i + n - 1].end()
                    out.extend(Hit(start, end, kind, value) for kind, value in found)
                    i += n
                    break
            else:
                i += 1
        return out

    def _scan_chinese(self, run: str, offset: int) -> list[Hit]:
        found: list[tuple[int, int, tuple[Meaning, ...]]] = []
        i = 0
        while i < len(run):
            for n in range(min(8, len(run) - i), 0, -1):
                meanings = self.chinese.get(run[i : i + n])
                if meanings:
                    found.append((i, i + n, meanings))
                    i += n
                    break
            else:
                i += 1
        if any(end - start == 1 and _guarded(m) for start, end, m in found):
            found = _trust_single_characters(run, found)
        return [
            Hit(offset + start, offset + end, kind, value)
            for start, end, meanings in found
            for kind, value in meanings
        ]

    # -- categories ------------------------------------------------------------------------------

    def group(self, slugs: Iterable[str]) -> str:
        """The category key of some slugs: one slug, or several comma-joined in catalog order."""
        wanted = set(slugs)
        return ",".join(slug for slug in self.categories if slug in wanted)

    def for_gender(self, slugs: Sequence[str], gender: str) -> list[str]:
        """``slugs`` narrowed (or moved) to the ones for women or for men.

        "For my wife" on women's and men's coats keeps the women's; on men's coats it moves to
        the women's; on dresses or sneakers (for anyone) it changes nothing.
        """
        family = {s for slug in slugs for s in self.families.get(slug, {slug})}
        keep = [s for s in self.categories if s in family and self.gender.get(s) == gender]
        keep += [s for s in slugs if self.gender.get(s) is None and s not in keep]
        return keep or list(slugs)

    def nearest(self, embedder: Embedder, text: str) -> list[str]:
        """The category (with its family) a message is about by embedding, or [] when unclear."""
        # Keyed by the model's id and holding the model itself, so the id cannot be reused by
        # another model while the entry lives.
        held = self._indexes.get(id(embedder))
        if held is not None and held[0] is embedder:
            index = held[1]
        else:
            slugs = list(self.categories)
            index = CategoryIndex(embedder, slugs, [self.descriptions.get(s, s) for s in slugs])
            self._indexes[id(embedder)] = (embedder, index)
        slug = index.nearest(embedder, text)
        if slug is None:
            return []
        family = self.families.get(slug, frozenset({slug}))
        return [s for s in self.categories if s in family]


def _guarded(meanings: tuple[Meaning, ...]) -> bool:
    return any(kind in _GUARDED for kind, _ in meanings)


def _trust_single_characters(
    run: str, found: list[tuple[int, int, tuple[Meaning, ...]]]
) -> list[tuple[int, int, tuple[Meaning, ...]]]:
    """Drop one-character hits that jieba reads as part of a longer word ("红" in "红包")."""
    search_text.warm_up()
    import jieba

    alone: set[int] = set()
    position = 0
    for token in jieba.cut(run):
        if len(token) == 1:
            alone.add(position)
        position += len(token)
    starts = {
        start
        for start, _, meanings in found
        if any(kind in (CATEGORY, COLOUR) for kind, _ in meanings)
    }
    kept = []
    for start, end, meanings in found:
        # "红外套": jieba reads "红外" (infra-red), but a category right after says it is red;
        # "买双鞋": jieba reads "双鞋", but after a measure word one character is the thing.
        if (
            end - start > 1
            or not _guarded(meanings)
            or start in alone
            or end in starts
            or (start > 0 and run[start - 1] in _MEASURE_WORDS)
        ):
            kept.append((start, end, meanings))
    return kept
