"""The demo's bargains: two offers, Lin Mei's campaign with three friends' help, Wang Lei's at
its floor; a second seeding adds nothing."""

from __future__ import annotations

from typing import Any

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select

from agora import bargain
from agora.core import security
from agora.core.uow import UnitOfWork
from agora.demo.seed import seed
from agora.demo.trading import SHOPPER, WANG
from agora.identity import Principal, User
from factories import demo_with


@pytest.fixture(autouse=True)
def _quick(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cheap password hashing; only the demo products the trading buys and the two bargained;
    the other social-buying demos left out (they are tested in their own packages)."""
    monkeypatch.setattr(
        security, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )
    demo_with(monkeypatch, "seed_bargain")


def _counts(uow: UnitOfWork) -> dict[str, int]:
    with uow.read() as session:
        return {
            model.__tablename__: int(session.scalar(select(func.count()).select_from(model)) or 0)
            for model in (bargain.BargainOffer, bargain.Bargain, bargain.BargainHelp)
        }


def _person(uow: UnitOfWork, email: str) -> Principal:
    with uow.read() as session:
        user = session.scalar(select(User).where(User.email == email))
        assert user is not None
        return Principal(user_id=user.id, display_name=user.display_name)


def test_the_demo_bargains_once(uow: UnitOfWork) -> None:
    first: dict[str, Any] = seed(uow)
    before = _counts(uow)
    second: dict[str, Any] = seed(uow)

    assert first["bargain_steps"] == first["bargain_steps_run"] == 2 + 2 + 6
    assert second["bargain_steps_run"] == 0
    assert _counts(uow) == before == {"bargain_offers": 2, "bargains": 2, "bargain_helps": 6}

    [lin] = bargain.my_bargains(uow, actor=_person(uow, SHOPPER))
    assert (lin.status, lin.helpers_done, lin.helpers_needed) == ("open", 3, 8)
    assert lin.floor_price < lin.price < lin.start_price
    [wang] = bargain.my_bargains(uow, actor=_person(uow, WANG))
    assert (wang.status, wang.helpers_done, wang.price) == ("reached", 3, wang.floor_price)
