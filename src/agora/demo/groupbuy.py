"""The demo's group deals: three products at a group price, teams in every state a shopper meets.

- Organic Cotton Slim Fit Tee (Agora self-operated): teams of 3 at ¥49 — Wang Lei's team waits
  for one more member (Chen Jing joined).
- Waffle Knit Oversized Hoodie (Yunshang Fashion): teams of 2 at ¥159 — Zhao Yu's team is complete
  (Lin Mei joined), so both orders are with the store.
- Cute Bedtime Teddy Bear (Warm Home): teams of 4 at ¥49 — Lin Mei's team needs three more.

Everything goes through the public use cases on the real clock, as the store's owner and the
shoppers: the open teams close 24 hours after seeding, and are then refunded like any team. Each
step runs once under ``agora-demo:groupbuy:<step>`` in the acting user's scope (as in
``demo/trading.py``), so a re-run replays the finished steps and adds nothing. A product the
catalog does not hold (a partial catalog in tests) is skipped.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from sqlalchemy import select

from agora import catalog, groupbuy, inventory
from agora.core.errors import AgoraError
from agora.core.uow import UnitOfWork
from agora.demo.steps import principal, run_once, store_owner
from agora.identity import Principal, User

SHOPPER, WANG = "shopper@agora.demo", "wang.lei@agora.demo"
CHEN, ZHAO = "chen.jing@agora.demo", "zhao.yu@agora.demo"
STEP_PREFIX = "agora-demo:groupbuy:"


@dataclass(frozen=True, slots=True)
class DemoDeal:
    key: str
    store_key: str
    title_en: str
    team_size: int
    group_price: int  # fen
    stock: int
    user_limit: int
    leader: str
    joiners: tuple[str, ...]


DEALS = (
    DemoDeal("tee", "agora-self", "Organic Cotton Slim Fit Tee", 3, 4900, 300, 2, WANG, (CHEN,)),
    DemoDeal(
        "hoodie",
        "yunshang-fashion",
        "Waffle Knit Oversized Hoodie",
        2,
        15900,
        100,
        1,
        ZHAO,
        (SHOPPER,),
    ),
    DemoDeal("bear", "warm-home", "Cute Bedtime Teddy Bear", 4, 4900, 100, 2, SHOPPER, ()),
)


def seed_groupbuy(
    uow: UnitOfWork, *, shoppers: dict[str, User], stores: dict[str, catalog.Store], password: str
) -> dict[str, Any]:
    """Put the demo deals on and play their teams; returns what this run added."""
    people = {email: principal(user) for email, user in shoppers.items()}
    added = {"group_deals": 0, "group_teams": 0, "group_team_joins": 0}
    for demo in DEALS:
        store = stores.get(demo.store_key)
        product = _product(uow, store, demo.title_en) if store else None
        if store is None or product is None or demo.leader not in people:
            continue
        owner = store_owner(uow, store.id)
        deal_id, ran = _step(
            uow, owner, f"deal:{demo.key}", partial(_deal, uow, owner, product, demo)
        )
        added["group_deals"] += ran
        sku = _sku(uow, product.id)
        try:
            team_id, ran = _step(
                uow,
                people[demo.leader],
                f"team:{demo.key}",
                partial(_start, uow, people[demo.leader], deal_id, sku),
            )
        except AgoraError:  # the merchant ended the deal, or sold its units, before a re-run
            continue
        added["group_teams"] += ran
        for email in demo.joiners:
            if email in people:
                added["group_team_joins"] += _join(uow, people[email], demo.key, team_id, sku)
    return added


def _start(uow: UnitOfWork, leader: Principal, deal_id: str, sku: uuid.UUID) -> str:
    outcome = groupbuy.start_team(uow, actor=leader, deal_id=uuid.UUID(deal_id), sku_id=sku)
    return str(outcome.team.id)


def _join(uow: UnitOfWork, joiner: Principal, key: str, team_id: str, sku: uuid.UUID) -> int:
    """1 if the joiner joined now; 0 if that step ran before, or the team closed meanwhile (a
    re-run a day after seeding finds the demo's open teams refunded)."""

    def join() -> str:
        outcome = groupbuy.join_team(uow, actor=joiner, team_id=uuid.UUID(team_id), sku_id=sku)
        return str(outcome.team.id)

    try:
        return _step(uow, joiner, f"join:{key}", join)[1]
    except AgoraError:
        return 0


def _step(
    uow: UnitOfWork, actor: Principal, step: str, action: Callable[[], str]
) -> tuple[str, int]:
    """Run ``action`` (returning an id as text) once per step; (the id, 1 if it ran now)."""
    ran, body = run_once(uow, actor, STEP_PREFIX + step, action)
    return str(body), int(ran)


def _deal(uow: UnitOfWork, owner: Principal, product: catalog.Product, demo: DemoDeal) -> str:
    with uow:
        running = uow.session.scalar(
            select(groupbuy.GroupDeal.id).where(
                groupbuy.GroupDeal.product_id == product.id,
                groupbuy.GroupDeal.status == groupbuy.ACTIVE,
            )
        )
        if running is not None:  # the merchant put one on by hand: the demo uses it
            return str(running)
        deal = groupbuy.create_deal(
            uow,
            actor=owner,
            product_id=product.id,
            terms=groupbuy.DealTerms(
                team_size=demo.team_size,
                group_price=min(demo.group_price, product.min_price - 100),
                stock=demo.stock,
                user_limit=demo.user_limit,
            ),
        )
        return str(deal.id)


def _product(uow: UnitOfWork, store: catalog.Store, title_en: str) -> catalog.Product | None:
    with uow.read() as session:
        return session.scalar(
            select(catalog.Product).where(
                catalog.Product.store_id == store.id, catalog.Product.title_en == title_en
            )
        )


def _sku(uow: UnitOfWork, product_id: uuid.UUID) -> uuid.UUID:
    """The product's first SKU on sale with the most units: what the demo people buy."""
    with uow.read() as session:
        skus = list(
            session.scalars(
                select(catalog.Sku)
                .where(catalog.Sku.product_id == product_id, catalog.Sku.active)
                .order_by(catalog.Sku.position)
            )
        )
    levels = inventory.stock_levels(uow, [s.id for s in skus])
    return max(skus, key=lambda s: (levels.get(s.id, 0), -s.position)).id
