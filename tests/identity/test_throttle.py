"""The sign-in throttle under concurrent guesses, and the per-address slow-down (not a lock)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

import factories
from agora.config import get_settings
from agora.core.clock import clock
from agora.core.errors import RateLimited
from agora.core.uow import UnitOfWork
from agora.identity import AuthSession, Client, InvalidCredentials, SecurityEvent, register, sign_in

PASSWORD = factories.PASSWORD
MEI = "mei@example.com"


def count(uow: UnitOfWork, model: type, *where: object) -> int:
    with uow.read() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def attempt(uow: UnitOfWork, password: str, *, ip: str, identifier: str = MEI) -> object:
    try:
        return sign_in(uow, identifier=identifier, password=password, client=Client(ip=ip))
    except (InvalidCredentials, RateLimited) as exc:
        return exc


@pytest.mark.parametrize("guesses", [31, 101])
def test_concurrent_guesses_check_at_most_the_limit(uow: UnitOfWork, guesses: int) -> None:
    # Given an account, and a burst of sign-ins released at once: all wrong but one.
    register(uow, identifier=MEI, password=PASSWORD, display_name="Mei", client=Client())
    right = guesses // 2

    # When they all race (from many addresses, so only the account's limit applies).
    outcomes = factories.race(
        guesses,
        lambda i: attempt(
            UnitOfWork(uow.db),
            PASSWORD if i == right else f"wrong-guess-{i}",
            ip=f"198.51.100.{i % 200}",
        ),
        workers=32,
    )

    # Then no more passwords were checked than the limit allows; the rest were refused unchecked.
    limit = get_settings().signin_max_failures
    checked = [o for o in outcomes if not isinstance(o, RateLimited)]
    assert len(checked) == limit
    assert sum(isinstance(o, RateLimited) for o in outcomes) == guesses - limit
    failed = sum(isinstance(o, InvalidCredentials) for o in checked)
    assert count(uow, SecurityEvent, SecurityEvent.kind == "signin_failed") == failed
    assert count(uow, AuthSession) == limit - failed  # 1 when the right one was checked, else 0


def test_a_right_password_gives_its_attempt_back(uow: UnitOfWork) -> None:
    register(uow, identifier=MEI, password=PASSWORD, display_name="Mei", client=Client())
    for _ in range(4):
        assert isinstance(attempt(uow, "wrong-guess", ip="192.0.2.1"), InvalidCredentials)
    for _ in range(3):
        assert not isinstance(attempt(uow, PASSWORD, ip="192.0.2.1"), Exception)

    # Four failures, three successes: the fifth failure is still allowed, the sixth is not.
    assert isinstance(attempt(uow, "wrong-guess", ip="192.0.2.1"), InvalidCredentials)
    refused = attempt(uow, PASSWORD, ip="192.0.2.1")
    assert isinstance(refused, RateLimited)
    assert count(uow, AuthSession) == 3


def test_an_address_over_its_limit_is_slowed_down_not_locked(
    uow: UnitOfWork, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given many accounts behind one address, and a guesser there who used up its limit.
    monkeypatch.setattr(get_settings(), "signin_address_max_failures", 6)
    monkeypatch.setattr(get_settings(), "signin_address_interval_seconds", 5)
    shared = "203.0.113.50"
    register(uow, identifier=MEI, password=PASSWORD, display_name="Mei", client=Client())
    for i in range(6):
        outcome = attempt(uow, "wrong", ip=shared, identifier=f"nobody{i}@example.com")
        assert isinstance(outcome, InvalidCredentials)

    # When the next attempt comes at once, it waits; the guesser's next one must wait too.
    assert isinstance(attempt(uow, "wrong", ip=shared, identifier="x@example.com"), RateLimited)
    clock.travel(timedelta(seconds=5))
    assert isinstance(
        attempt(uow, "wrong", ip=shared, identifier="y@example.com"), InvalidCredentials
    )
    refused = attempt(uow, PASSWORD, ip=shared)
    assert isinstance(refused, RateLimited)
    assert refused.extra["retry_after"] == 5

    # Then Mei, with the right password, gets in once the interval has passed (no 15-minute lock).
    clock.travel(timedelta(seconds=5))
    assert not isinstance(attempt(uow, PASSWORD, ip=shared), Exception)
    assert count(uow, AuthSession) == 1


def test_the_address_limit_is_per_window(uow: UnitOfWork, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(get_settings(), "signin_address_max_failures", 2)
    for i in range(2):
        attempt(uow, "wrong", ip="203.0.113.9", identifier=f"a{i}@example.com")
    assert isinstance(
        attempt(uow, "wrong", ip="203.0.113.9", identifier="b@example.com"), RateLimited
    )

    clock.travel(timedelta(seconds=get_settings().signin_window_seconds + 1))
    for i in range(2):
        outcome = attempt(uow, "wrong", ip="203.0.113.9", identifier=f"c{i}@example.com")
        assert isinstance(outcome, InvalidCredentials)
