"""The demo's disputes: one waiting for the operator with both sides' evidence, one decided
with a part refunded from the store's settled balance — and a second seeding adds nothing."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from agora import ledger
from agora.core import security
from agora.core.uow import UnitOfWork
from agora.demo.disputes import OPERATOR, seed_disputes
from agora.demo.seed import seed
from agora.identity import Principal, User
from agora.ordering import dispute_queue
from factories import demo_with


@pytest.fixture(autouse=True)
def _quick(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        security, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )
    demo_with(monkeypatch, "seed_disputes")


def test_the_demo_has_a_dispute_waiting_and_one_decided(uow: UnitOfWork) -> None:
    seed(uow)
    with uow.read() as session:
        users = {u.email: u for u in session.scalars(select(User)) if u.email}
    ops = Principal(user_id=users[OPERATOR].id, display_name="ops", is_operator=True)

    [waiting] = dispute_queue(uow, actor=ops)
    [decided] = dispute_queue(uow, actor=ops, status="decided")

    assert waiting.dispute.reason == "return_rejected"
    assert [e.side for e in waiting.dispute.evidence] == ["buyer", "merchant"]
    assert all(e.image_urls for e in waiting.dispute.evidence)
    assert (decided.dispute.reason, decided.dispute.outcome) == ("not_genuine", "refund_partial")
    assert decided.dispute.refunded == decided.order_total // 2
    assert decided.dispute.from_store > 0
    assert seed_disputes(uow, shoppers=users, stores={}, password="") == {"disputes_steps_run": 0}
    assert ledger.check(uow).ok
