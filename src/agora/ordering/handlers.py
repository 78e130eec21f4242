"""Reactions to other contexts: a captured bank charge for orders pays them from the wallet."""

from __future__ import annotations

from agora import payments
from agora.core.uow import UnitOfWork
from agora.ordering.payment import ORDER_PAYMENT, apply_captured_charge


@payments.on_charge_succeeded(ORDER_PAYMENT)
def order_payment_captured(uow: UnitOfWork, charge: payments.Charge) -> None:
    apply_captured_charge(uow, charge)
