"""Search tokens: the same words come out of a product's texts and a shopper's query."""

from __future__ import annotations

import pytest

from agora.catalog import text


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("coats", "coat"),
        ("coat", "coat"),
        ("dresses", "dress"),
        ("dress", "dress"),
        ("watches", "watch"),
        ("boxes", "box"),
        ("dishes", "dish"),
        ("glasses", "glass"),
        ("categories", "category"),
        ("phones", "phone"),
        ("bus", "bus"),
        ("status", "status"),
        ("iris", "iris"),
    ],
)
def test_plurals_meet_their_singular(word: str, expected: str) -> None:
    assert text.singular(word) == expected


def test_english_is_lower_cased_and_singular() -> None:
    assert text.query("Red COATS, Dresses & Smart-Watches!") == [
        "red",
        "coat",
        "dress",
        "smart",
        "watch",
    ]


def test_chinese_is_segmented_into_words() -> None:
    assert text.query("红色外套") == ["红色", "外套"]
    assert text.query("红色 外套") == ["红色", "外套"]
    # Indexing also emits the parts of a compound, so 羽绒 finds 羽绒服.
    assert text.tokens("黑色羽绒服外套", for_index=True) == ["黑色", "羽绒", "羽绒服", "外套"]


def test_mixed_text_keeps_both_languages() -> None:
    assert text.query("iPhone 15 手机") == ["iphone", "15", "手机"]


def test_punctuation_alone_has_no_tokens() -> None:
    assert text.query("!!! ？！。，—— ()") == []


def test_query_tokens_are_distinct_and_capped() -> None:
    words = " ".join(f"w{n}" for n in range(20))
    assert text.query("red red RED") == ["red"]
    assert text.query(words) == [f"w{n}" for n in range(text.MAX_QUERY_TOKENS)]


def test_document_adds_filter_tokens_once() -> None:
    assert text.document(["Red Coat", "red coats"], ["c_red", "c_red"]) == ["red", "coat", "c_red"]
    assert text.colour_token("Red") == "c_red"
