"""Deadlines of orders: unpaid ones expire after 15 minutes, delivered ones confirm themselves
after 10 days, returns the store did not answer in time are accepted. Each handler is
idempotent: its guarded UPDATE does nothing the second time."""

from __future__ import annotations

import uuid

from agora.core.jobs import registry
from agora.core.uow import UnitOfWork
from agora.ordering.checkout import PAYMENT_DUE
from agora.ordering.fulfilment import AUTO_CONFIRM, auto_confirm
from agora.ordering.payment import expire_order
from agora.ordering.refunds import RETURN_ANSWER_DUE, accept_unanswered_return


@registry.on_deadline(PAYMENT_DUE)
def order_payment_due(uow: UnitOfWork, order_id: uuid.UUID) -> None:
    expire_order(uow, order_id)


@registry.on_deadline(AUTO_CONFIRM)
def order_auto_confirm(uow: UnitOfWork, order_id: uuid.UUID) -> None:
    auto_confirm(uow, order_id)


@registry.on_deadline(RETURN_ANSWER_DUE)
def return_answer_due(uow: UnitOfWork, refund_id: uuid.UUID) -> None:
    accept_unanswered_return(uow, refund_id)
