"""The demo's group deals: three deals, an open team one member short, an open team of one, a
complete team whose orders went to the store — and a second seeding that adds nothing."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select

from agora import groupbuy, ordering
from agora.core import security
from agora.core.uow import UnitOfWork
from agora.demo.seed import seed
from agora.identity import User
from factories import demo_with


@pytest.fixture(autouse=True)
def _quick(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cheap password hashing, only the demo products the trading buys plus the three under a
    group deal (listing all 350 would take most of the test's time), and of the social-buying
    demos only this one."""
    monkeypatch.setattr(
        security, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )
    # The other social-buying demos have tests of their own and products of their own choosing.
    demo_with(monkeypatch, "seed_groupbuy")


def _counts(uow: UnitOfWork) -> dict[str, int]:
    with uow.read() as session:
        return {
            model.__tablename__: int(session.scalar(select(func.count()).select_from(model)) or 0)
            for model in (
                groupbuy.GroupDeal,
                groupbuy.GroupTeam,
                groupbuy.GroupTeamMember,
                ordering.Order,
            )
        }


def _name(uow: UnitOfWork, user_id: object) -> str:
    with uow.read() as session:
        user = session.get(User, user_id)
        assert user is not None
        return user.display_name


def test_the_demo_has_teams_in_every_state_and_seeds_once(uow: UnitOfWork) -> None:
    first = seed(uow)
    before = _counts(uow)
    second = seed(uow)

    assert (first["group_deals"], first["group_teams"], first["group_team_joins"]) == (3, 3, 2)
    assert (second["group_deals"], second["group_teams"], second["group_team_joins"]) == (0, 0, 0)
    assert _counts(uow) == before
    with uow.read() as session:
        teams = list(session.scalars(select(groupbuy.GroupTeam).order_by(groupbuy.GroupTeam.size)))
        orders = {
            o.id: o
            for o in session.scalars(
                select(ordering.Order).where(ordering.Order.deal_kind == "group")
            )
        }
    states = [(t.size, t.joined, t.status, _name(uow, t.leader_id)) for t in teams]
    assert states == [
        (2, 2, "complete", "Zhao Yu 赵宇"),
        (3, 2, "open", "Wang Lei 王磊"),
        (4, 1, "open", "Lin Mei 林梅"),
    ]
    assert len(orders) == 5
    held = {o.deal_id: o.held for o in orders.values()}
    assert held == {teams[0].id: False, teams[1].id: True, teams[2].id: True}
    assert all(o.status == "paid" for o in orders.values())
    for team in teams:
        listed = groupbuy.product_deal(uow, product_id=_product_of(uow, team))
        assert listed is not None
        assert [t.id for t in listed.teams] == ([] if team.status == "complete" else [team.id])


def _product_of(uow: UnitOfWork, team: groupbuy.GroupTeam) -> object:
    with uow.read() as session:
        deal = session.get(groupbuy.GroupDeal, team.deal_id)
        assert deal is not None
        return deal.product_id
