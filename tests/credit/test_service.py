"""Credit lines, purchases, refunds, repayments and conversions against a real database."""

from __future__ import annotations

import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select, update

from agora import credit, ledger, payments, treasure
from agora.core.clock import clock
from agora.core.errors import InvalidInput
from agora.core.uow import UnitOfWork
from agora.credit import records
from credit.world import assert_audit, buy, line, owed, refund, shopper, wallet

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _rows(uow: UnitOfWork) -> dict[str, int]:
    with uow.read() as session:
        return {
            name: int(session.scalar(select(func.count()).select_from(model)) or 0)
            for name, model in (
                ("purchases", credit.CreditPurchase),
                ("statements", credit.CreditStatement),
                ("plans", credit.CreditPlan),
                ("repayments", credit.CreditRepayment),
                ("transfers", ledger.Transfer),
            )
        }


def test_opening_a_line_uses_the_score(uow: UnitOfWork) -> None:
    who = shopper(uow)
    assert line(uow, who) == (1_000_000, 0, "active")
    with pytest.raises(credit.CreditLineExists):
        credit.open_line(uow, actor=who.actor)
    records.register_shopping_record(lambda _s, _u: records.ShoppingRecord())
    newcomer = shopper(uow, line=False)
    with pytest.raises(credit.CreditNotEligible):
        credit.open_line(uow, actor=newcomer.actor)
    summary = credit.summary(uow, actor=newcomer.actor)
    assert summary.line is None and summary.evaluation.score == 420


def test_purchase_within_the_limit_moves_owed_to_escrow(uow: UnitOfWork) -> None:
    who = shopper(uow)
    order_id = buy(uow, who, 30_000)
    assert line(uow, who) == (1_000_000, 30_000, "active")
    assert owed(uow, who) == 30_000
    with uow:
        assert ledger.balance(uow, payments.escrow_of(order_id)) == 30_000
    # Paying the same order again changes nothing.
    with uow:
        credit.charge_order(
            uow,
            user_id=who.id,
            order_id=order_id,
            store_id=uuid.uuid4(),
            amount=30_000,
            escrow=payments.escrow_of(order_id),
        )
    assert line(uow, who)[1] == 30_000
    assert_audit(uow)


def test_over_the_limit_is_refused_and_nothing_changes(uow: UnitOfWork) -> None:
    who = shopper(uow)
    buy(uow, who, 900_000)
    before = (_rows(uow), line(uow, who), owed(uow, who))
    with pytest.raises(credit.CreditLimitExceeded) as refused:
        buy(uow, who, 100_001)
    assert refused.value.extra == {"available": 100_000}
    assert (_rows(uow), line(uow, who), owed(uow, who)) == before


def test_no_line_and_frozen_line_refuse(uow: UnitOfWork) -> None:
    nobody = shopper(uow, line=False)
    with pytest.raises(credit.CreditNotOpen):
        buy(uow, nobody, 100)
    who = shopper(uow)
    with uow:
        uow.session.execute(
            update(credit.CreditLine)
            .where(credit.CreditLine.user_id == who.id)
            .values(status="frozen")
        )
    before = _rows(uow)
    with pytest.raises(credit.CreditFrozen):
        buy(uow, who, 100)
    assert _rows(uow) == before


def test_refund_of_an_unbilled_purchase_restores_the_limit(uow: UnitOfWork) -> None:
    who = shopper(uow)
    order_id = buy(uow, who, 20_000)
    refund(uow, who, order_id, 5_000)
    assert line(uow, who)[1] == 15_000
    assert owed(uow, who) == 15_000
    with pytest.raises(InvalidInput):
        refund(uow, who, order_id, 15_001)
    assert_audit(uow)


def test_refund_after_early_repayment_goes_to_the_wallet(uow: UnitOfWork) -> None:
    who = shopper(uow, wallet=50_000)
    order_id = buy(uow, who, 20_000)
    credit.repay(uow, actor=who.actor, kind="all")
    assert (line(uow, who)[1], wallet(uow, who)) == (0, 30_000)
    refund_id = refund(uow, who, order_id, 20_000)
    assert wallet(uow, who) == 50_000
    assert ledger.transfers_with(uow, key_prefix=f"credit:refund:{refund_id}:") == [
        (f"credit:refund:{refund_id}:wallet", "credit_refund")
    ]
    assert_audit(uow)


def test_repayment_refusals_change_nothing(uow: UnitOfWork) -> None:
    who = shopper(uow, wallet=10_000)
    buy(uow, who, 5_000)
    before = (_rows(uow), line(uow, who), wallet(uow, who))
    with pytest.raises(payments.CreditOnlyForOrders):
        credit.repay(uow, actor=who.actor, amount=100, source="credit")
    with pytest.raises(credit.RepaymentTooLarge) as too_much:
        credit.repay(uow, actor=who.actor, amount=5_001)
    assert too_much.value.extra == {"owed": 5_000}
    with pytest.raises(credit.NothingToRepay):
        credit.repay(uow, actor=who.actor, kind="statement")
    poor = shopper(uow)
    buy(uow, poor, 5_000)
    poor_before = (line(uow, poor), owed(uow, poor))
    with pytest.raises(ledger.InsufficientFunds):
        credit.repay(uow, actor=poor.actor, amount=5_000)
    assert (line(uow, poor), owed(uow, poor)) == poor_before
    assert (_rows(uow)["repayments"], line(uow, who), wallet(uow, who)) == (
        before[0]["repayments"],
        before[1],
        before[2],
    )


def test_repaying_from_the_treasure_takes_it_through_the_wallet(uow: UnitOfWork) -> None:
    """The treasure pays through the wallet in the repayment's transaction: what is owed falls,
    the treasure falls by as much, the wallet ends as it was; too little in it changes nothing."""
    who = shopper(uow, wallet=9_000)
    treasure.deposit(uow, actor=who.actor, amount=8_000)
    buy(uow, who, 5_000)

    repayment, charge = credit.repay(uow, actor=who.actor, kind="all", source="treasure")

    assert charge is None and repayment.applied == 5_000
    assert owed(uow, who) == 0 and line(uow, who)[1] == 0
    assert treasure.treasure_balance(uow, who.id) == 3_000
    assert wallet(uow, who) == 1_000
    buy(uow, who, 4_000)
    before = (_rows(uow), line(uow, who), wallet(uow, who), owed(uow, who))
    with pytest.raises(treasure.TreasureInsufficient):
        credit.repay(uow, actor=who.actor, kind="all", source="treasure")
    assert (_rows(uow), line(uow, who), wallet(uow, who), owed(uow, who)) == before
    assert treasure.treasure_balance(uow, who.id) == 3_000
    assert_audit(uow)


def test_gateway_repayment_applies_at_capture(uow: UnitOfWork) -> None:
    who = shopper(uow)
    buy(uow, who, 8_000)
    repayment, charge = credit.repay(uow, actor=who.actor, amount=8_000, source="gateway:sandbox")
    assert charge is not None and repayment.status == "pending"
    assert line(uow, who)[1] == 8_000
    payments.submit_sandbox_payment(uow, actor=who.actor, charge_id=charge.id, approve=True)
    from agora.core.events import OutboxRelay

    OutboxRelay(uow.db).run_sync_until_idle()
    assert line(uow, who)[1] == 0
    assert (owed(uow, who), wallet(uow, who)) == (0, 0)
    assert_audit(uow)


def test_purchase_converted_into_instalments(uow: UnitOfWork) -> None:
    clock.freeze(datetime(2025, 3, 5, 10, tzinfo=SHANGHAI))
    who = shopper(uow)
    order_id = buy(uow, who, 30_000)
    with uow.read() as session:
        purchase_id = session.scalar(
            select(credit.CreditPurchase.id).where(credit.CreditPurchase.order_id == order_id)
        )
    assert purchase_id is not None
    plan = credit.convert(uow, actor=who.actor, purchase_id=purchase_id, months=3)
    assert (plan.principal, plan.fee_total, plan.apr) == (30_000, 750, "14.9")
    with pytest.raises(credit.NotConvertible):
        credit.convert(uow, actor=who.actor, purchase_id=purchase_id, months=6)
    stranger = shopper(uow)
    with pytest.raises(credit.PurchaseNotFound):
        credit.convert(uow, actor=stranger.actor, purchase_id=purchase_id, months=3)
    clock.freeze(datetime(2025, 4, 1, 0, 30, tzinfo=SHANGHAI))
    assert credit.run_billing(uow).statements == 1
    statements = credit.list_statements(uow, actor=who.actor)
    assert [(s.amount, s.minimum) for s in statements] == [(10_250, 1_025)]
    with pytest.raises(credit.StatementNotFound):
        credit.access_statement(uow, actor=stranger.actor, statement_id=statements[0].id)
    assert line(uow, who)[1] == 30_250
    assert_audit(uow)
