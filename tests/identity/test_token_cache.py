"""The token cache: bounded in size and age, never past a session's expiry, cleared by user."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from agora.core.clock import clock
from agora.identity import Principal
from agora.identity.token_cache import Profile, TokenCache

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen_at_now() -> None:
    # Session expiries are written relative to NOW; an unfrozen clock would let them lapse
    # on the day after these tests were written.
    clock.freeze(NOW)


def principal() -> Principal:
    return Principal(user_id=uuid.uuid4(), display_name="Alice", session_id=uuid.uuid4())


def profile(p: Principal) -> Profile:
    return Profile(p.user_id, p.display_name, "a@example.com", None, False, "active", NOW)


def test_a_cached_token_is_answered_with_its_principal_and_profile() -> None:
    cache, alice = TokenCache(), principal()
    cache.put("digest", alice, NOW + timedelta(days=1), profile(alice))

    assert cache.get("digest") == alice
    assert cache.profile(alice.user_id) == profile(alice)
    assert cache.get("unknown") is None


def test_an_entry_is_forgotten_when_its_session_expires() -> None:
    cache, alice = TokenCache(), principal()
    cache.put("digest", alice, NOW + timedelta(minutes=5))

    clock.freeze(NOW + timedelta(minutes=5))

    assert cache.get("digest") is None
    assert len(cache) == 0


def test_an_entry_is_forgotten_after_its_max_age() -> None:
    cache, alice = TokenCache(max_age_seconds=0.05), principal()
    cache.put("digest", alice, NOW + timedelta(days=1), profile(alice))

    time.sleep(0.08)

    assert cache.get("digest") is None
    assert cache.profile(alice.user_id) is None


def test_forgetting_a_user_drops_every_token_of_theirs_only() -> None:
    cache, alice, bob = TokenCache(), principal(), principal()
    later = NOW + timedelta(days=1)
    cache.put("phone", alice, later, profile(alice))
    cache.put("laptop", alice, later)
    cache.put("bob", bob, later)

    cache.forget_user(alice.user_id)

    assert (cache.get("phone"), cache.get("laptop"), cache.get("bob")) == (None, None, bob)
    assert cache.profile(alice.user_id) is None


def test_the_oldest_entries_go_first_when_full() -> None:
    cache = TokenCache(max_size=3)
    people = [principal() for _ in range(5)]
    for n, person in enumerate(people):
        cache.put(f"d{n}", person, NOW + timedelta(days=1))

    assert len(cache) == 3
    assert [cache.get(f"d{n}") for n in range(5)] == [None, None, *people[2:]]


def test_a_second_put_of_one_token_keeps_the_profile() -> None:
    # Several requests with a new token miss together and each stores what it read
    cache, alice = TokenCache(), principal()
    cache.put("digest", alice, NOW + timedelta(days=1), profile(alice))
    cache.put("digest", alice, NOW + timedelta(days=1), profile(alice))

    assert cache.profile(alice.user_id) == profile(alice)
