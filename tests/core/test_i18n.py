"""Languages: Accept-Language negotiation, locale names, catalogs and per-record text."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from agora.core import i18n


@pytest.fixture(autouse=True)
def _english_by_default() -> Iterator[None]:
    token = i18n.set_locale("en")
    yield
    i18n.reset_locale(token)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("zh-CN,zh;q=0.9,en;q=0.8", "zh"),
        ("en-US", "en"),
        ("en-US,en;q=0.9", "en"),
        ("fr", "en"),
        ("fr-FR,fr;q=0.9", "en"),
        ("fr-FR,fr;q=0.9,zh;q=0.5", "zh"),
        ("en;q=0.5, zh;q=0.9", "zh"),
        ("zh;q=0.1,en;q=0.2", "en"),
        ("zh, en", "zh"),  # equal quality: the earlier one
        ("en, zh", "en"),
        ("ZH-cn", "zh"),
        ("zh-Hans-CN", "zh"),
        ("zh;q=0, en;q=0.1", "en"),  # q=0 means "not acceptable"
        ("*", "en"),
        ("", "en"),
        (None, "en"),
        (";;;,,,", "en"),
        ("zh;q=abc", "en"),  # an unreadable quality counts as 0
        ("zh;q=", "en"),
        ("\x00\xff garbage ;q=1", "en"),
    ],
)
def test_negotiate(header: str | None, expected: str) -> None:
    assert i18n.negotiate(header) == expected


def test_negotiate_uses_the_given_default() -> None:
    assert i18n.negotiate("fr", default="zh") == "zh"
    assert i18n.negotiate(None, default="zh") == "zh"
    assert i18n.negotiate("en", default="zh") == "en"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("zh", "zh"),
        ("zh_Hans", "zh"),
        ("zh-CN", "zh"),
        (" ZH-tw ", "zh"),
        ("EN-us", "en"),
        ("en", "en"),
        ("fr", None),
        ("", None),
        (None, None),
    ],
)
def test_normalize(raw: str | None, expected: str | None) -> None:
    assert i18n.normalize(raw) == expected


def test_set_and_reset_locale() -> None:
    token = i18n.set_locale("zh")
    assert i18n.get_locale() == "zh"

    i18n.reset_locale(token)
    assert i18n.get_locale() == "en"


def test_lazy_pick_chooses_the_chinese_text_only_in_chinese() -> None:
    assert i18n.lazy_pick("Wool Coat", "羊毛外套") == "Wool Coat"

    token = i18n.set_locale("zh")
    try:
        assert i18n.lazy_pick("Wool Coat", "羊毛外套") == "羊毛外套"
        assert i18n.lazy_pick("Wool Coat", None) == "Wool Coat"
        assert i18n.lazy_pick("Wool Coat", "") == "Wool Coat"
    finally:
        i18n.reset_locale(token)


def test_gettext_falls_back_to_the_english_text() -> None:
    msgid = "agora-test: a message no catalog contains"
    assert i18n.gettext(msgid) == msgid
    assert i18n.ngettext("one item", "{n} items", 1) == "one item"
    assert i18n.ngettext("one item", "{n} items", 3) == "{n} items"

    token = i18n.set_locale("zh")
    try:
        assert i18n.gettext(msgid) == msgid
        assert i18n.ngettext("agora-test: one", "agora-test: many", 2) == "agora-test: many"
    finally:
        i18n.reset_locale(token)


def test_languages_without_a_catalog_directory_use_no_translation() -> None:
    assert i18n.translations("en").gettext("Cart") == "Cart"
    assert i18n.translations("fr").gettext("Cart") == "Cart"


def test_a_po_catalog_is_compiled_in_memory_and_used_for_chinese(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a catalog directory holding only a .po file (no compiled .mo)
    folder = tmp_path / "zh_Hans" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "messages.po").write_text(
        'msgid ""\n'
        'msgstr ""\n'
        '"Content-Type: text/plain; charset=UTF-8\\n"\n'
        '"Plural-Forms: nplurals=1; plural=0;\\n"\n'
        "\n"
        'msgid "Cart"\n'
        'msgstr "购物车"\n'
        "\n"
        'msgid "{n} item"\n'
        'msgid_plural "{n} items"\n'
        'msgstr[0] "{n} 件商品"\n',
        encoding="utf-8",
    )
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    i18n.translations.cache_clear()
    try:
        # When the locale is Chinese, messages come from that catalog
        token = i18n.set_locale("zh")
        try:
            assert i18n.gettext("Cart") == "购物车"
            assert i18n.ngettext("{n} item", "{n} items", 5) == "{n} 件商品"
            assert i18n.gettext("Checkout") == "Checkout"
        finally:
            i18n.reset_locale(token)
        # and English stays untranslated
        assert i18n.gettext("Cart") == "Cart"
        assert not list(tmp_path.rglob("*.mo"))
    finally:
        i18n.translations.cache_clear()
