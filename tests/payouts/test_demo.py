"""The demo's payouts: every store's merchant finds a payout account and a completed payout on
/merchant/payouts, the first store a declined one too; a second run adds nothing."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select

from agora import ledger, payouts
from agora.catalog import Store
from agora.core import security
from agora.core.uow import UnitOfWork
from agora.demo.catalog_data import demo_stores
from agora.demo.seed import merchant_email, seed
from agora.demo.steps import principal
from agora.identity import User
from agora.payments.models import WithdrawalRow
from factories import demo_with


@pytest.fixture(autouse=True)
def _quick(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        security, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )
    demo_with(monkeypatch, "seed_payouts")


def test_every_demo_merchant_has_an_account_and_a_completed_payout(uow: UnitOfWork) -> None:
    first = seed(uow)
    with uow.read() as session:
        withdrawals = session.scalar(select(func.count()).select_from(WithdrawalRow))
    second = seed(uow)

    assert first["payout_steps_run"] > 0 and second["payout_steps_run"] == 0
    with uow.read() as session:
        assert session.scalar(select(func.count()).select_from(WithdrawalRow)) == withdrawals
    for n, demo_store in enumerate(demo_stores()):
        with uow.read() as session:
            store = session.scalar(select(Store).where(Store.slug == demo_store.key))
            owner = session.scalar(select(User).where(User.email == merchant_email(demo_store.key)))
        assert store is not None and owner is not None
        page = payouts.store_payouts(uow, actor=principal(owner), store_id=store.id)
        assert page.account is not None and page.account.masked_number.startswith("•••• ")
        statuses = sorted(p.status for p in page.items)
        assert statuses == (["failed", "paid"] if n == 0 else ["paid"])
        assert page.balance > 0
    assert ledger.check(uow).ok
