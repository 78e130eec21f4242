"""The demo's balance treasure.

Lin Mei and Wang Lei moved money into the treasure a month ago and the operator has published a
rate for every day since (between ¥0.40 and ¥0.50 per ¥10,000), so their pages show a month of
income, yesterday's income and a 7-day yield, and the operator's page a rate history with what
each day declared, paid and left to rounding. Today's rate is published too, waiting to be paid.

The past is lived, not painted: the clock is frozen at each moment in turn (deposits either side
of the 15:00 cut-off, a redemption, each day's rate, each night's accrual) through the public use
cases, then put back as it was — together with the credit demo's last month, in time order
(:func:`history`, :func:`agora.demo.steps.live_through`). Every step is idempotent (deposit
keys, idempotency keys of steps, a rate re-published at the same value, accrual once per day),
so a re-run adds nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from functools import partial
from typing import Any

from agora import treasure
from agora.catalog import Store
from agora.core.clock import business_zone, local_today
from agora.core.uow import UnitOfWork
from agora.demo.steps import Dated, live_through, principal, relay, run_once, top_up
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
    relay(uow)


def history(uow: UnitOfWork, *, shoppers: dict[str, User]) -> list[Dated]:
    """The month behind the treasure pages, as dated steps (:func:`steps.live_through`): the
    top-ups and deposits of a month ago, a redemption, later deposits, and every day's rate
    published in the evening and paid the night after."""
    lin_user, wang_user, ops_user = (shoppers.get(e) for e in (SHOPPER, WANG, OPERATOR))
    if lin_user is None or wang_user is None or ops_user is None:
        return []
    lin, wang = principal(lin_user), principal(wang_user)
    ops = Principal(user_id=ops_user.id, display_name=ops_user.display_name, is_operator=True)
    start = local_today() - timedelta(days=DAYS)
    steps: list[Dated] = []

    def on(day: date, hour: int, minute: int, action: Callable[[], object]) -> None:
        steps.append(Dated(_at(day, hour, minute), action))

    on(start, 9, 30, lambda: _top_up_once(uow, lin, TOP_UPS[SHOPPER]))
    on(start, 9, 40, lambda: _top_up_once(uow, wang, TOP_UPS[WANG]))
    on(start, 10, 5, lambda: _deposit(uow, lin, 2_000_000, "lin:first"))
    on(start, 16, 40, lambda: _deposit(uow, wang, 800_000, "wang:first"))  # after the cut-off
    for n in range(DAYS):
        day = start + timedelta(days=n)
        if n == 9:
            on(day, 11, 20, lambda: _redeem_once(uow, lin, 150_000))
        if n == 17:
            on(day, 9, 45, lambda: _deposit(uow, wang, 300_000, "wang:second"))
        if n == DAYS - 2:
            on(day, 20, 15, lambda: _deposit(uow, lin, 66_600, "lin:recent"))
        on(
            day,
            17,
            0,
            partial(treasure.publish_rate, uow, actor=ops, day=day, per_10k=rate_for(day)),
        )
        on(day + timedelta(days=1), 0, 30, partial(treasure.accrue_due, uow))
    return steps


def _deposit(uow: UnitOfWork, who: Principal, amount: int, key: str) -> None:
    treasure.deposit(uow, actor=who, amount=amount, key=f"{KEY}:{key}")


def _redeem_once(uow: UnitOfWork, who: Principal, amount: int) -> None:
    run_once(
        uow, who, f"{KEY}:lin:redeem", lambda: treasure.redeem(uow, actor=who, amount=amount).amount
    )


def finish(uow: UnitOfWork, *, shoppers: dict[str, User]) -> dict[str, Any]:
    """Today's rate, waiting to be paid tonight; what the treasure demo left."""
    lin_user, wang_user, ops_user = (shoppers.get(e) for e in (SHOPPER, WANG, OPERATOR))
    if lin_user is None or wang_user is None or ops_user is None:
        return {}
    ops = Principal(user_id=ops_user.id, display_name=ops_user.display_name, is_operator=True)
    today = local_today()
    treasure.publish_rate(uow, actor=ops, day=today, per_10k=rate_for(today))
    return {
        "treasure_days_paid": sum(
            1 for rate in treasure.list_rates(uow, limit=60) if rate.accrued_at
        ),
        "treasure_lin": treasure.treasure_balance(uow, lin_user.id),
        "treasure_wang": treasure.treasure_balance(uow, wang_user.id),
    }


def seed_treasure(
    uow: UnitOfWork, *, shoppers: dict[str, User], stores: dict[str, Store], password: str
) -> dict[str, Any]:
    """This part alone: its month lived through, then today's rate (``agora demo`` lives the
    dated parts together instead: :func:`agora.demo.seed.seed`)."""
    live_through(history(uow, shoppers=shoppers))
    return finish(uow, shoppers=shoppers)
