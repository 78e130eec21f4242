"""Builders for credit tests: shoppers with open lines, purchases paid into an escrow account."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from agora import credit, ledger, payments
from agora.core.uow import UnitOfWork
from agora.identity import Principal, User
from factories import fund_wallet, make_user, principal


@dataclass
class Shopper:
    user: User
    actor: Principal

    @property
    def id(self) -> uuid.UUID:
        return self.user.id


def shopper(uow: UnitOfWork, *, line: bool = True, wallet: int = 0) -> Shopper:
    user = make_user(uow)
    who = Shopper(user, principal(user))
    if line:
        credit.open_line(uow, actor=who.actor)
    if wallet:
        fund_wallet(uow, user, wallet)
    return who


STORE = uuid.UUID(int=7)


def buy(uow: UnitOfWork, who: Shopper, amount: int) -> uuid.UUID:
    """Pay an order of ``amount`` on credit into its escrow; returns the order id."""
    order_id = uuid.uuid4()
    with uow:
        credit.charge_order(
            uow,
            user_id=who.id,
            order_id=order_id,
            store_id=STORE,
            amount=amount,
            escrow=payments.escrow_of(order_id),
        )
    return order_id


def refund(uow: UnitOfWork, who: Shopper, order_id: uuid.UUID, amount: int) -> uuid.UUID:
    refund_id = uuid.uuid4()
    with uow:
        credit.order_refunded(
            uow,
            user_id=who.id,
            order_id=order_id,
            refund_id=refund_id,
            amount=amount,
            escrow=payments.escrow_of(order_id),
        )
    return refund_id


def owed(uow: UnitOfWork, who: Shopper) -> int:
    with uow:
        return -ledger.balance(uow, credit.owed_of(who.id))


def wallet(uow: UnitOfWork, who: Shopper) -> int:
    with uow:
        return ledger.balance(uow, payments.wallet_of(who.id))


def line(uow: UnitOfWork, who: Shopper) -> tuple[int, int, str]:
    """(limit, used, status)."""
    with uow.read() as session:
        row = session.get(credit.CreditLine, who.id)
        assert row is not None
        return row.credit_limit, row.used, row.status


def assert_audit(uow: UnitOfWork) -> None:
    report = credit.audit(uow)
    assert report.ok, report.problems
