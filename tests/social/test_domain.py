"""Pure social rules: the pair key, text cleaning and limits, share codes, the feed cursor."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from agora.core.ids import new_id
from agora.social import domain


@given(st.uuids(), st.uuids())
def test_a_pair_has_one_key_whoever_acts(a: uuid.UUID, b: uuid.UUID) -> None:
    assert domain.pair(a, b) == domain.pair(b, a)
    assert set(domain.pair(a, b)) == {a, b}


def test_clean_text_trims_and_drops_control_characters() -> None:
    assert domain.clean_text("  hi\x00 there\r\n\tok \x07 ") == "hi there\n\tok"
    assert domain.text_problem("", limit=5, required=True) == "must not be empty"
    assert domain.text_problem("", limit=5, required=False) is None
    assert domain.text_problem("123456", limit=5, required=False) == "at most 5 characters"


def test_share_codes_and_card_links() -> None:
    assert domain.valid_share_code("abC-9_x")
    assert not domain.valid_share_code("a b") and not domain.valid_share_code("../x")
    assert not domain.valid_share_code("x" * 65)
    assert domain.card_url("p1", "abc") == "/s/abc"
    assert domain.card_url("p1", None) == "/p/p1"


@given(st.datetimes(timezones=st.just(UTC)))
def test_a_cursor_round_trips(moment: datetime) -> None:
    cursor = domain.Cursor(moment, new_id())
    token = cursor.encode()
    assert domain.Cursor.decode(token) == cursor
    assert "=" not in token and "/" not in token and "+" not in token


@given(st.text(max_size=80))
def test_anything_else_is_not_a_cursor_or_decodes_cleanly(token: str) -> None:
    decoded = domain.Cursor.decode(token)  # never raises
    assert decoded is None or decoded.created_at.tzinfo is not None


def test_a_naive_time_is_not_a_cursor() -> None:
    import base64

    raw = base64.urlsafe_b64encode(f"2026-01-01T00:00:00|{uuid.uuid4()}".encode()).decode()
    assert domain.Cursor.decode(raw) is None
