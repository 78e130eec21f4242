"""The treasure tests' world: two funded shoppers, an operator, and what the tests watch."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import func, select

import factories
from agora import ledger, payments, treasure
from agora.core.clock import business_zone, clock
from agora.core.uow import UnitOfWork
from agora.identity import Principal, User

FUNDS = 5_000_000  # ¥50,000 each


def at_local(day: date, hour: int, minute: int = 0) -> datetime:
    """A business-zone wall-clock time, as the aware UTC instant the clock is frozen at."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=business_zone()).astimezone(
        UTC
    )


def freeze_local(day: date, hour: int, minute: int = 0) -> None:
    clock.freeze(at_local(day, hour, minute))


@dataclass
class World:
    uow: UnitOfWork
    ops: Principal
    lin: Principal
    wang: Principal
    lin_user: User
    wang_user: User
    ops_user: User

    def wallet(self, who: Principal) -> int:
        return ledger.balance(self.uow, payments.wallet_of(who.user_id))

    def held(self, who: Principal) -> int:
        return treasure.treasure_balance(self.uow, who.user_id)

    def holding(self, who: Principal) -> tuple[int, int]:
        """(confirmed, Σ pending remaining) from the rows."""
        with self.uow.read() as session:
            confirmed = session.scalar(
                select(treasure.TreasureHolding.confirmed).where(
                    treasure.TreasureHolding.user_id == who.user_id
                )
            )
            pending = session.scalar(
                select(func.coalesce(func.sum(treasure.TreasureDeposit.remaining), 0)).where(
                    treasure.TreasureDeposit.user_id == who.user_id
                )
            )
        return int(confirmed or 0), int(pending or 0)

    def publish(self, day: date, per_10k: int) -> treasure.RateView:
        return treasure.publish_rate(self.uow, actor=self.ops, day=day, per_10k=per_10k)

    def snapshot(self) -> dict[str, Any]:
        """Everything a refused request must leave as it was."""
        with self.uow.read() as session:
            counts = {
                model.__tablename__: session.scalar(select(func.count()).select_from(model))
                for model in (
                    treasure.TreasureDeposit,
                    treasure.TreasureHolding,
                    treasure.TreasureIncome,
                    treasure.TreasureRate,
                    treasure.TreasureRedemptionDay,
                    ledger.Entry,
                    ledger.Transfer,
                )
            }
            balances = sorted(
                (str(a.id), a.balance) for a in session.scalars(select(ledger.Account))
            )
            holdings = sorted(
                (str(h.user_id), h.confirmed, h.income_total)
                for h in session.scalars(select(treasure.TreasureHolding))
            )
            deposits = sorted(
                (str(d.id), d.remaining) for d in session.scalars(select(treasure.TreasureDeposit))
            )
            days = sorted(
                (str(d.user_id), d.day, d.amount)
                for d in session.scalars(select(treasure.TreasureRedemptionDay))
            )
        return {
            "counts": counts,
            "balances": balances,
            "holdings": holdings,
            "deposits": deposits,
            "days": days,
        }


def make_world(uow: UnitOfWork, *, funds: int = FUNDS) -> World:
    ops_user = factories.make_user(uow, name="Operator", operator=True)
    lin = factories.make_user(uow, name="Lin Mei")
    wang = factories.make_user(uow, name="Wang Lei")
    for user in (lin, wang):
        factories.fund_wallet(uow, user, funds)
    return World(
        uow=uow,
        ops=factories.principal(ops_user),
        lin=factories.principal(lin),
        wang=factories.principal(wang),
        lin_user=lin,
        wang_user=wang,
        ops_user=ops_user,
    )
