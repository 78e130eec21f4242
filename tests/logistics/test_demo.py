"""The demo's address books: every demo shopper can be delivered to, and a second seeding adds
nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from agora import logistics
from agora.core.uow import UnitOfWork
from agora.demo.logistics import seed_addresses
from agora.demo.seed import seed
from agora.identity import User
from factories import demo_with, principal


@pytest.fixture(autouse=True)
def _quick(monkeypatch: pytest.MonkeyPatch) -> None:
    demo_with(monkeypatch)  # the address books are seeded before any order, always


def test_every_demo_shopper_has_a_default_address_and_seeding_again_adds_none(
    uow: UnitOfWork,
) -> None:
    seed(uow)
    with uow.read() as session:
        shoppers = {u.email: u for u in session.scalars(select(User)) if u.email}

    assert seed_addresses(uow, shoppers=shoppers, stores={}, password="") == {"addresses": 0}
    lin = logistics.list_addresses(uow, actor=principal(shoppers["shopper@agora.demo"]))
    assert len(lin) == 2 and lin[0].is_default and lin[0].postcode == "200030"
    for email in ("wang.lei@agora.demo", "chen.jing@agora.demo", "zhao.yu@agora.demo"):
        book = logistics.list_addresses(uow, actor=principal(shoppers[email]))
        assert len(book) == 1 and book[0].is_default
