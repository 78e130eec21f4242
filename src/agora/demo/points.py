"""The demo's points.

Most of them come from the trading demo itself: its orders are paid through the real paying path,
so every shopper already earned points — active for the completed orders, pending for the ones
on their way, partly reversed where a refund was made. On top of that each shopper gets a welcome
grant (so Lin Mei can try paying with points at once), and Lin Mei a loyalty bonus from last year
whose lot expires in three weeks, so the wallet page has something to warn about.

Grants go through ``points.grant`` with keys ``agora-demo:points:*``: a re-run grants nothing.
The bonus lot is given a past, as the sharing demo ages its shares: its row is dated eleven
months back and expires accordingly; the ledger transfer keeps its real time.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import update

from agora import points
from agora.catalog import Store
from agora.core.clock import utcnow
from agora.core.uow import UnitOfWork
from agora.demo.trading import CHEN, SHOPPER, WANG, ZHAO
from agora.identity import User
from agora.points import domain

KEY = "agora-demo:points"
WELCOME = {SHOPPER: 5_000, WANG: 2_000, CHEN: 2_000, ZHAO: 2_000}
BONUS = 800
BONUS_EXPIRES_IN = timedelta(days=21)


def seed_points(
    uow: UnitOfWork, *, shoppers: dict[str, User], stores: dict[str, Store], password: str
) -> dict[str, Any]:
    granted = 0
    for email, amount in WELCOME.items():
        user = shoppers.get(email)
        if user is not None and points.grant(
            uow,
            user_id=user.id,
            amount=amount,
            key=f"{KEY}:welcome:{email}",
            reason="Welcome gift 新人礼",
        ):
            granted += 1
    lin = shoppers.get(SHOPPER)
    if lin is not None:
        with uow:
            bonus_key = f"{KEY}:loyalty:{SHOPPER}"
            if points.grant(
                uow, user_id=lin.id, amount=BONUS, key=bonus_key, reason="Loyalty bonus 老客回馈"
            ):
                granted += 1
                expires_at = utcnow() + BONUS_EXPIRES_IN
                uow.session.execute(
                    update(points.PointsLot)
                    .where(points.PointsLot.key == f"grant:{bonus_key}")
                    .values(expires_at=expires_at, created_at=domain.add_months(expires_at, -12))
                )
    mine = [points.summary(uow, user_id=user.id) for user in shoppers.values()]
    return {
        "points_grants_run": granted,
        "points_active": sum(s.active for s in mine),
        "points_pending": sum(s.pending for s in mine),
    }
