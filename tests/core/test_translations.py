"""The Simplified Chinese catalog: complete, up to date with the sources, placeholders intact.

When a test here fails after you added or changed a user-visible string, refresh the catalog::

    .venv/bin/pybabel extract -F babel.cfg -k _ -k gettext -k ngettext:1,2 -k N_ \\
        --no-location --sort-output -o src/agora/locale/messages.pot .
    .venv/bin/pybabel update -i src/agora/locale/messages.pot -d src/agora/locale -l zh_Hans

then translate the new entries in ``src/agora/locale/zh_Hans/LC_MESSAGES/messages.po`` and
remove any ``#, fuzzy`` flags once the suggested translation has been checked.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from functools import cache
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from agora.core import i18n

ROOT = Path(__file__).resolve().parents[2]
BABEL_CFG = ROOT / "babel.cfg"
PO_PATH = i18n.LOCALE_DIR / "zh_Hans" / "LC_MESSAGES" / "messages.po"
# The same keywords as the documented `pybabel extract -k _ -k gettext -k ngettext:1,2 -k N_`.
KEYWORDS = {**DEFAULT_KEYWORDS, "_": None, "gettext": None, "ngettext": (1, 2), "N_": None}

MsgId = str | tuple[str, ...]

_PLACEHOLDER = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]|\{(\w*)[^{}]*\}")


@pytest.fixture(autouse=True)
def _english_by_default() -> Iterator[None]:
    token = i18n.set_locale("en")
    yield
    i18n.reset_locale(token)


@cache
def _catalog() -> Catalog:
    with PO_PATH.open("rb") as handle:
        return read_po(handle, locale="zh_Hans")


def _messages() -> list[Message]:
    return [m for m in _catalog() if m.id]


def _key(msgid: str | Sequence[str]) -> MsgId:
    return msgid if isinstance(msgid, str) else tuple(msgid)


def _label(msgid: str | Sequence[str]) -> str:
    return repr(msgid if isinstance(msgid, str) else msgid[0])


def _translations(message: Message) -> list[str]:
    string = message.string
    if isinstance(string, str):
        return [string]
    return [s or "" for s in string or ()]


def _placeholders(text: str) -> set[str]:
    found = set()
    for match in _PLACEHOLDER.finditer(text.replace("%%", "").replace("{{", "").replace("}}", "")):
        named, braced = match.groups()
        found.add(f"%({named})" if named is not None else f"{{{braced}}}")
    return found


@cache
def _source_msgids() -> frozenset[MsgId]:
    """Every msgid `pybabel extract -F babel.cfg` finds in the current sources."""
    with BABEL_CFG.open(encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(  # type: ignore[no-untyped-call]
            handle, filename=str(BABEL_CFG)
        )
    found: set[MsgId] = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS
    ):
        key = _key(message)
        if key if isinstance(key, str) else key[0]:
            found.add(key)
    return frozenset(found)


def test_the_catalog_parses_and_is_simplified_chinese() -> None:
    catalog = _catalog()

    assert str(catalog.locale) == "zh_Hans"
    assert catalog.num_plurals == 1
    assert len(_messages()) > 0


def test_no_entry_is_fuzzy() -> None:
    fuzzy = [_label(m.id) for m in _messages() if m.fuzzy]

    assert not fuzzy, "check these translations and remove their `#, fuzzy` flag: " + ", ".join(
        fuzzy
    )


def test_every_message_is_translated() -> None:
    empty = [_label(m.id) for m in _messages() if not all(s.strip() for s in _translations(m))]

    assert not empty, "translate these messages: " + ", ".join(empty)


def test_the_source_extraction_finds_the_known_strings() -> None:
    msgids = _source_msgids()

    assert "Sign in" in msgids
    assert "%(n)s sold" in msgids  # a template
    assert "Welcome back, {name}." in msgids  # Python code


def test_every_string_in_the_sources_is_in_the_catalog() -> None:
    in_catalog = {_key(m.id) for m in _messages()}

    missing = sorted(_source_msgids() - in_catalog, key=_label)

    assert not missing, (
        "these strings are marked for translation but missing from the zh_Hans catalog "
        "(re-run pybabel extract and update, then translate them): "
        + ", ".join(_label(m) for m in missing)
    )


def test_translations_keep_the_placeholders_of_their_msgid() -> None:
    wrong = []
    for message in _messages():
        # A Chinese catalog has one plural form, which follows the English plural.
        source = message.id if isinstance(message.id, str) else message.id[-1]
        expected = _placeholders(source)
        for translation in _translations(message):
            if translation and _placeholders(translation) != expected:
                wrong.append(f"{_label(message.id)} -> {translation!r}")

    assert not wrong, "placeholders differ from the msgid: " + "; ".join(wrong)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("%(n)s sold", {"%(n)"}),
        ("Page %(page)s of %(pages)d", {"%(page)", "%(pages)"}),
        ("Welcome back, {name}.", {"{name}"}),
        ("{n} in stock, {price:.2f}", {"{n}", "{price}"}),
        ("100%% sure, {{literal}}", set()),
        ("No placeholders.", set()),
    ],
)
def test_placeholder_detection(text: str, expected: set[str]) -> None:
    assert _placeholders(text) == expected


def test_chinese_uses_the_catalog_and_english_stays_english() -> None:
    assert i18n.translations("zh").ugettext("Sign in") == "登录"
    assert i18n.translations("zh").ugettext("Add to cart") == "加入购物车"
    assert i18n.translations("en").ugettext("Sign in") == "Sign in"

    assert i18n.gettext("Sign in") == "Sign in"
    token = i18n.set_locale("zh")
    try:
        assert i18n.gettext("Sign in") == "登录"
        assert i18n.gettext("%(n)s sold") % {"n": 12} == "已售 12"
    finally:
        i18n.reset_locale(token)
