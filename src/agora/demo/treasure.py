"""The demo's balance treasure.

Lin Mei and Wang Lei moved money into the treasure a month ago and the operator has published a
rate for every day since (between ¥0.40 and ¥0.50 per ¥10,000), so their pages show a month of
income, yesterday's income and a 7-day yield, and the operator's page a rate history with what
each day declared, paid and left to rounding. Today's rate is published too, waiting to be paid.

The past is lived, not painted: the clock is frozen at each moment in turn (deposits either side
of the 15:00 cut-off, a redemption, each day's rate, each night's accrual) through the public use
cases, then put back as it was. Every step is idempotent (deposit keys, idempotency keys of
steps, a rate re-published at the same value, accrual once per day), so a re-run adds nothing.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from agora import treasure
from agora.catalog import Store
from agora.core.clock import business_zone, clock, local_today
from agora.core.uow import UnitOfWork
from agora.demo.steps import principal, relay, run_once, top_up
from agora.demo.trading import SHOPPER, WANG
from agora.identity import Principal, User

KEY = "agora-demo:treasure"
OPERATOR = "operator@agora.demo"
DAYS = 31
TOP_UPS = {SHOPPER: 3_000_000, WANG: 1_500_000}


def rate_for(day: date) -> int:
    """A plausible money-market rate for ``day``: ¥0.40xx to ¥0.49xx per ¥10,000."""
    return 4_000 + (day.toordinal() * 7_919) % 1_000


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=business_zone()).astimezone(
        UTC
    )


def _top_up_once(uow: UnitOfWork, who: Principal, amount: int) -> None:
    run_once(uow, who, f"{KEY}:top-up", lambda: top_up(uow, who, amount))


def seed_treasure(
    uow: UnitOfWork, *, shoppers: dict[str, User], stores: dict[str, Store], password: str
) -> dict[str, Any]:
    lin_user, wang_user, ops_user = (shoppers.get(e) for e in (SHOPPER, WANG, OPERATOR))
    if lin_user is None or wang_user is None or ops_user is None:
        return {}
    lin, wang = principal(lin_user), principal(wang_user)
    ops = Principal(user_id=ops_user.id, display_name=ops_user.display_name, is_operator=True)
    for email, who in ((SHOPPER, lin), (WANG, wang)):
        _top_up_once(uow, who, TOP_UPS[email])
    relay(uow)

    today = local_today()
    start = today - timedelta(days=DAYS)
    paid = 0
    with clock.kept():
        clock.freeze(_at(start, 10, 5))
        treasure.deposit(uow, actor=lin, amount=2_000_000, key=f"{KEY}:lin:first")
        clock.freeze(_at(start, 16, 40))  # after the cut-off: earns a day later
        treasure.deposit(uow, actor=wang, amount=800_000, key=f"{KEY}:wang:first")
        for n in range(DAYS):
            day = start + timedelta(days=n)
            if n == 9:
                clock.freeze(_at(day, 11, 20))
                run_once(
                    uow,
                    lin,
                    f"{KEY}:lin:redeem",
                    lambda: treasure.redeem(uow, actor=lin, amount=150_000).amount,
                )
            if n == 17:
                clock.freeze(_at(day, 9, 45))
                treasure.deposit(uow, actor=wang, amount=300_000, key=f"{KEY}:wang:second")
            if n == DAYS - 2:
                clock.freeze(_at(day, 20, 15))
                treasure.deposit(uow, actor=lin, amount=66_600, key=f"{KEY}:lin:recent")
            clock.freeze(_at(day, 17, 0))
            treasure.publish_rate(uow, actor=ops, day=day, per_10k=rate_for(day))
            clock.freeze(_at(day + timedelta(days=1), 0, 30))
            paid += treasure.accrue_due(uow)
    treasure.publish_rate(uow, actor=ops, day=today, per_10k=rate_for(today))
    return {
        "treasure_days_paid": paid,
        "treasure_lin": treasure.treasure_balance(uow, lin.user_id),
        "treasure_wang": treasure.treasure_balance(uow, wang.user_id),
    }
