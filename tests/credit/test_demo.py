"""The demo's credit: Lin Mei's line with a partly repaid statement and an instalment plan, Wang
Lei's line with an unbilled purchase — real orders paid on credit — and a second seeding that
adds nothing."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select

from agora import credit, ordering
from agora.core import security
from agora.core.clock import clock
from agora.core.uow import UnitOfWork
from agora.demo.seed import seed
from agora.demo.trading import SHOPPER, WANG
from agora.identity import Principal, User
from factories import demo_with


@pytest.fixture(autouse=True)
def _quick(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        security, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )
    demo_with(monkeypatch, "seed_credit")


def _counts(uow: UnitOfWork) -> dict[str, int]:
    with uow.read() as session:
        return {
            model.__tablename__: int(session.scalar(select(func.count()).select_from(model)) or 0)
            for model in (
                credit.CreditLine,
                credit.CreditPurchase,
                credit.CreditStatement,
                credit.CreditPlan,
                credit.CreditRepayment,
                ordering.Order,
            )
        }


def _seed_all(uow: UnitOfWork) -> dict[str, object]:
    return dict(seed(uow))


def test_demo_credit(uow: UnitOfWork) -> None:
    now_before = clock.now()
    result = _seed_all(uow)
    assert result["credit_ok"] is True and result["credit_lines"] == 2
    assert abs((clock.now() - now_before).total_seconds()) < 600  # the clock is back
    with uow.read() as session:
        lin = session.scalar(select(User).where(User.email == SHOPPER))
        wang = session.scalar(select(User).where(User.email == WANG))
    assert lin is not None and wang is not None
    lin_view = credit.summary(uow, actor=Principal(user_id=lin.id, display_name="Lin"))
    (statement,) = lin_view.statements
    assert 0 < statement.repaid < statement.amount
    assert statement.repaid >= statement.minimum
    assert [p.plan.months for p in lin_view.plans] == [3]
    assert lin_view.plans[0].billed == 1
    wang_view = credit.summary(uow, actor=Principal(user_id=wang.id, display_name="Wang"))
    assert wang_view.statements == [] and len(wang_view.unbilled) == 1

    before = _counts(uow)
    _seed_all(uow)
    assert _counts(uow) == before
    assert credit.audit(uow).ok
