"""The demo's sharing: a bar in every channel of the operators' report, and a second seeding
that adds nothing."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select

from agora import sharing
from agora.core import security
from agora.core.uow import UnitOfWork
from agora.demo.seed import seed
from agora.identity import Principal, User
from factories import demo_with


@pytest.fixture(autouse=True)
def _quick(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cheap password hashing, and only the demo products the trading buys (they include every
    product the sharing demo shares)."""
    monkeypatch.setattr(
        security, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )
    # Social buying runs on top of this picture; tests/demo/test_whole_demo.py covers it all.
    demo_with(monkeypatch)


def _counts(uow: UnitOfWork) -> dict[str, int]:
    with uow.read() as session:
        return {
            model.__tablename__: int(session.scalar(select(func.count()).select_from(model)) or 0)
            for model in (sharing.Share, sharing.ShareVisit, sharing.Attribution, User)
        }


def test_the_demo_fills_every_channel_once(uow: UnitOfWork) -> None:
    first = seed(uow)
    before = _counts(uow)
    second = seed(uow)

    assert first["sharing_steps"] == first["sharing_steps_run"] > 0
    assert second["sharing_steps_run"] == 0
    assert _counts(uow) == before
    with uow.read() as session:
        ops = session.scalar(select(User).where(User.email == "operator@agora.demo"))
        assert ops is not None
    report = sharing.share_report(
        uow, actor=Principal(user_id=ops.id, display_name="Ops", is_operator=True)
    )
    figures = {r.key: (r.shares, r.new_users, r.orders, r.gmv > 0) for r in report.channels}
    assert figures == {
        "chat_direct": (1, 2, 1, True),
        "chat_group": (1, 1, 1, True),
        "moments": (1, 1, 1, True),
        "partner": (1, 1, 0, False),
        "external": (1, 1, 0, False),
    }
    assert report.sharers[0].label.startswith("Lin Mei")
