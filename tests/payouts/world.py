"""The payouts tests' world: the ordering tests' two stores, an order settled to a store through
the real path (pay, ship, deliver, confirm), and what a refused payout must not change."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from agora import ledger, ordering, payouts
from agora.core.models import OutboxEvent
from agora.payments.models import WithdrawalRow
from ordering.world import World, buy, pay_wallet


@dataclass
class Payouts(World):
    def complete_order(self, sku_id: uuid.UUID, quantity: int = 1) -> ordering.OrderView:
        """The buyer buys, pays from the wallet, store A ships and delivers, the buyer confirms:
        the order settles to store A."""
        order = buy(self, sku_id, quantity)
        self.fund(self.buyer_user, order.total)
        pay_wallet(self, order)
        ordering.ship_order(
            self.uow, actor=self.merchant_a, order_id=order.id, tracking_number="SF100"
        )
        ordering.mark_delivered(self.uow, actor=self.merchant_a, order_id=order.id)
        return ordering.confirm_receipt(self.uow, actor=self.buyer, order_id=order.id)

    def in_flight(self) -> int:
        return ledger.total_balance(self.uow, owner_type="platform", kind="withdrawals")

    def at_the_bank(self) -> int:
        return ledger.total_balance(self.uow, owner_type="platform", kind="gateway:sandbox")

    def money(self) -> dict[str, Any]:
        """Everything a refused payout must leave as it was."""
        with self.uow.read() as session:
            counts = {
                model.__tablename__: session.scalar(select(func.count()).select_from(model))
                for model in (WithdrawalRow, ledger.Transfer, ledger.Entry, OutboxEvent)
            }
        return {
            **counts,
            "store_a": self.settlement(self.store_a),
            "in_flight": self.in_flight(),
            "bank": self.at_the_bank(),
        }


COAT_NET = 29900 - 1495
"""What one red coat (¥299.00) settles to store A at the default 5 % commission."""


def with_account(world: Payouts) -> None:
    """Store A's owner sets the account its payouts go to."""
    payouts.set_payout_account(
        world.uow,
        actor=world.merchant_a,
        store_id=world.store_a.id,
        holder_name="North Wind Trading Co.",
        bank_name="ICBC",
        account_number="6222 0212 3456 7890",
    )
