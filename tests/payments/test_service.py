"""Payments use cases on a real database: top-ups through the sandbox bank, the bank's
notifications (duplicated, late, out of order, badly signed), withdrawals, switches, refunds."""

from __future__ import annotations

import threading
import uuid
from datetime import timedelta
from typing import Any

import pytest

import factories
from agora import ledger, payments
from agora.core.clock import clock
from agora.core.db import Database
from agora.core.errors import Forbidden, InvalidInput
from agora.core.ids import new_id
from agora.core.uow import UnitOfWork
from agora.payments.models import ChargeRow, NotificationRow, WithdrawalRow


def wallet(uow: UnitOfWork, user: Any) -> int:
    return ledger.balance(uow, payments.wallet_of(user.id))


def charge_status(uow: UnitOfWork, charge_id: uuid.UUID) -> str:
    with uow.read() as session:
        row = session.get(ChargeRow, charge_id)
        assert row is not None
        return row.status


def test_a_top_up_through_the_sandbox_credits_the_wallet_exactly_once(
    uow: UnitOfWork, bank: Any, count: Any
) -> None:
    # given a shopper who starts a top-up of ¥88.00
    user = factories.make_user(uow)
    actor = factories.principal(user)
    charge = payments.start_top_up(uow, actor=actor, amount=8800)
    assert (charge.status, charge.purpose, charge.redirect_url) == (
        "pending",
        "top_up",
        f"/sandbox/bank/{charge.id}",
    )
    assert wallet(uow, user) == 0
    # when they press Pay at the bank (twice) and the bank's notification is delivered
    back = payments.submit_sandbox_payment(uow, actor=actor, charge_id=charge.id, approve=True)
    again = payments.submit_sandbox_payment(uow, actor=actor, charge_id=charge.id, approve=True)
    assert back == again == f"/wallet?charge={charge.id}"
    assert wallet(uow, user) == 0  # nothing until the bank says so
    bank.deliver()
    # then the wallet holds the money once, and the charge succeeded
    assert wallet(uow, user) == 8800
    assert charge_status(uow, charge.id) == "succeeded"
    assert ledger.transfers_with(uow, key_prefix=f"charge:{charge.id}") == [
        (f"charge:{charge.id}:capture", "charge_capture")
    ]
    assert count(uow, NotificationRow) == 1
    assert bank.deliver() == 0


def test_fund_wallet_tops_up_through_the_real_path(uow: UnitOfWork) -> None:
    user = factories.make_user(uow)
    factories.fund_wallet(uow, user, 12345)
    assert wallet(uow, user) == 12345


def test_declining_at_the_bank_fails_the_charge_and_moves_no_money(
    uow: UnitOfWork, bank: Any
) -> None:
    user = factories.make_user(uow)
    actor = factories.principal(user)
    charge = payments.start_top_up(uow, actor=actor, amount=500)
    payments.submit_sandbox_payment(uow, actor=actor, charge_id=charge.id, approve=False)
    # a change of mind after declining changes nothing: the bank decided once
    payments.submit_sandbox_payment(uow, actor=actor, charge_id=charge.id, approve=True)
    bank.deliver()
    assert charge_status(uow, charge.id) == "failed"
    assert wallet(uow, user) == 0
    assert ledger.transfers_with(uow, key_prefix=f"charge:{charge.id}") == []


def test_a_duplicated_notification_is_a_no_op(uow: UnitOfWork, bank: Any, count: Any) -> None:
    user = factories.make_user(uow)
    charge = payments.start_top_up(uow, actor=factories.principal(user), amount=1000)
    body, signature = bank.signed(charge.id, "succeeded", 1000, notification_id="n-1")
    assert bank.receive(body, signature) == "applied"
    assert bank.receive(body, signature) == "duplicate"
    assert wallet(uow, user) == 1000
    assert count(uow, NotificationRow) == 1


def test_a_charge_expires_and_a_late_success_is_still_captured(uow: UnitOfWork, bank: Any) -> None:
    # given a top-up nobody answers for 15 minutes
    user = factories.make_user(uow)
    actor = factories.principal(user)
    charge = payments.start_top_up(uow, actor=actor, amount=2500)
    clock.travel(timedelta(minutes=14, seconds=59))
    assert bank.sweep() == 0
    clock.travel(timedelta(seconds=2))
    assert bank.sweep() == 1
    assert charge_status(uow, charge.id) == "expired"
    # when the bank's success arrives late
    body, signature = bank.signed(charge.id, "succeeded", 2500)
    # then the bank took the money, so it is captured into the wallet anyway
    assert bank.receive(body, signature) == "late"
    assert charge_status(uow, charge.id) == "succeeded"
    assert wallet(uow, user) == 2500


def test_a_late_failure_after_expiry_is_recorded_and_ignored(uow: UnitOfWork, bank: Any) -> None:
    user = factories.make_user(uow)
    charge = payments.start_top_up(uow, actor=factories.principal(user), amount=2500)
    clock.travel(timedelta(minutes=16))
    bank.sweep()
    body, signature = bank.signed(charge.id, "failed", 2500)
    assert bank.receive(body, signature) == "ignored"
    assert charge_status(uow, charge.id) == "expired"


def test_a_captured_charge_does_not_expire(uow: UnitOfWork, bank: Any) -> None:
    user = factories.make_user(uow)
    factories.fund_wallet(uow, user, 700)
    clock.travel(timedelta(hours=1))
    assert bank.sweep() == 0
    assert wallet(uow, user) == 700


def test_out_of_order_failure_after_success_is_recorded_and_ignored(
    uow: UnitOfWork, bank: Any, count: Any
) -> None:
    user = factories.make_user(uow)
    charge = payments.start_top_up(uow, actor=factories.principal(user), amount=3000)
    assert bank.receive(*bank.signed(charge.id, "succeeded", 3000)) == "applied"
    assert bank.receive(*bank.signed(charge.id, "failed", 3000)) == "ignored"
    assert charge_status(uow, charge.id) == "succeeded"
    assert wallet(uow, user) == 3000
    assert count(uow, NotificationRow, NotificationRow.result == "ignored") == 1


def test_a_badly_signed_notification_is_refused_and_changes_nothing(
    uow: UnitOfWork, bank: Any, money: Any
) -> None:
    user = factories.make_user(uow)
    charge = payments.start_top_up(uow, actor=factories.principal(user), amount=3000)
    before = money(uow, user.id)
    body, signature = bank.signed(charge.id, "succeeded", 3000)
    forged = body.replace(b'"amount":3000', b'"amount":300000')
    with pytest.raises(payments.BadSignature):
        bank.receive(forged, signature)
    with pytest.raises(payments.BadSignature):
        bank.receive(body, "0" * 64)
    assert money(uow, user.id) == before
    assert charge_status(uow, charge.id) == "pending"


def test_a_notification_whose_amount_disagrees_is_recorded_but_not_captured(
    uow: UnitOfWork, bank: Any
) -> None:
    user = factories.make_user(uow)
    charge = payments.start_top_up(uow, actor=factories.principal(user), amount=3000)
    assert bank.receive(*bank.signed(charge.id, "succeeded", 2999)) == "mismatch"
    assert bank.receive(*bank.signed(uuid.uuid4(), "succeeded", 3000)) == "unknown"
    assert charge_status(uow, charge.id) == "pending"
    assert wallet(uow, user) == 0


def test_twenty_threads_delivering_one_success_capture_once(db: Database, bank: Any) -> None:
    uow = UnitOfWork(db)
    user = factories.make_user(uow)
    charge = payments.start_top_up(uow, actor=factories.principal(user), amount=4200)
    same = bank.signed(charge.id, "succeeded", 4200, notification_id="once")
    distinct = [bank.signed(charge.id, "succeeded", 4200) for _ in range(20)]
    results: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    start = threading.Barrier(40)

    def deliver(message: tuple[bytes, str]) -> None:
        try:
            start.wait()
            outcome = bank.receive(*message)
            with lock:
                results.append(outcome)
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=deliver, args=(same,)) for _ in range(20)]
    threads += [threading.Thread(target=deliver, args=(m,)) for m in distinct]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert results.count("applied") == 1
    assert results.count("duplicate") == 19
    assert results.count("ignored") == 20
    assert wallet(uow, user) == 4200
    assert len(ledger.transfers_with(uow, key_prefix=f"charge:{charge.id}")) == 1


def test_a_withdrawal_leaves_the_wallet_at_once_and_the_bank_pays_it_out(
    uow: UnitOfWork, bank: Any, money: Any
) -> None:
    user = factories.make_user(uow)
    factories.fund_wallet(uow, user, 10000)
    withdrawal = payments.request_withdrawal(uow, actor=factories.principal(user), amount=3000)
    assert withdrawal.status == "pending"
    snapshot = money(uow, user.id)
    assert (snapshot[str(user.id)], snapshot["withdrawals"], snapshot["gateway"]) == (
        7000,
        3000,
        -10000,
    )
    # when the bank pays out
    bank.deliver()  # the payout request, then the bank's notification
    snapshot = money(uow, user.id)
    assert (snapshot[str(user.id)], snapshot["withdrawals"], snapshot["gateway"]) == (
        7000,
        0,
        -7000,
    )
    (done,) = payments.recent_withdrawals(uow, actor=factories.principal(user))
    assert (done.id, done.status) == (withdrawal.id, "succeeded")
    assert done.finished_at is not None


def test_a_refused_payout_returns_the_money_to_the_wallet(
    uow: UnitOfWork, bank: Any, money: Any
) -> None:
    user = factories.make_user(uow)
    factories.fund_wallet(uow, user, 10000)
    # the sandbox refuses payouts whose amount ends in .13
    payments.request_withdrawal(uow, actor=factories.principal(user), amount=1013)
    assert money(uow, user.id)[str(user.id)] == 8987
    bank.deliver()
    snapshot = money(uow, user.id)
    assert (snapshot[str(user.id)], snapshot["withdrawals"]) == (10000, 0)
    (done,) = payments.recent_withdrawals(uow, actor=factories.principal(user))
    assert done.status == "failed"
    kinds = [line.kind for line in payments.wallet_statement(uow, actor=factories.principal(user))]
    assert kinds == ["withdrawal_returned", "withdrawal", "charge_capture"]


def test_a_payout_notification_after_the_outcome_is_ignored(
    uow: UnitOfWork, bank: Any, count: Any
) -> None:
    user = factories.make_user(uow)
    factories.fund_wallet(uow, user, 5000)
    withdrawal = payments.request_withdrawal(uow, actor=factories.principal(user), amount=5000)
    bank.deliver()
    late = bank.signed(withdrawal.id, "failed", 5000, kind="payout")
    assert bank.receive(*late) == "ignored"
    assert wallet(uow, user) == 0
    assert count(uow, WithdrawalRow, WithdrawalRow.status == "succeeded") == 1


def test_overdrawing_is_refused_and_nothing_changes(uow: UnitOfWork, money: Any) -> None:
    user = factories.make_user(uow)
    factories.fund_wallet(uow, user, 999)
    before = money(uow, user.id)
    with pytest.raises(ledger.InsufficientFunds):
        payments.request_withdrawal(uow, actor=factories.principal(user), amount=1000)
    assert money(uow, user.id) == before


@pytest.mark.parametrize("amount", [0, -1, 5_000_001])
def test_amounts_outside_the_limits_are_refused(uow: UnitOfWork, money: Any, amount: int) -> None:
    user = factories.make_user(uow)
    actor = factories.principal(user)
    before = money(uow, user.id)
    with pytest.raises(InvalidInput):
        payments.start_top_up(uow, actor=actor, amount=amount)
    with pytest.raises(InvalidInput):
        payments.request_withdrawal(uow, actor=actor, amount=amount)
    assert money(uow, user.id) == before
    assert payments.amount_limits() == (1, 5_000_000)


def test_switches_turn_sources_off_for_the_platform_and_for_stores(uow: UnitOfWork) -> None:
    ops = factories.make_operator(uow)
    store_a, store_b = new_id(), new_id()
    assert payments.enabled_sources(uow, store_ids=[store_a]) == list(payments.SOURCES)
    # when the operator turns the wallet off for store A
    payments.set_switch(uow, actor=ops, source="wallet", enabled=False, store_id=store_a)
    # then only orders involving store A lose it
    assert payments.enabled_sources(uow, store_ids=[store_a, store_b]) == [
        "gateway:sandbox",
        "points",
        "treasure",
        "credit",
    ]
    assert payments.enabled_sources(uow, store_ids=[store_b]) == list(payments.SOURCES)
    payments.require_enabled(uow, source="wallet", store_ids=[store_b])
    with pytest.raises(payments.FundingSourceDisabled) as refused:
        payments.require_enabled(uow, source="wallet", store_ids=[store_b, store_a])
    assert refused.value.extra == {"source": "wallet", "store_id": str(store_a)}
    # and a platform switch wins over a store's "on"
    payments.set_switch(uow, actor=ops, source="gateway:sandbox", enabled=False)
    payments.set_switch(uow, actor=ops, source="gateway:sandbox", enabled=True, store_id=store_b)
    assert payments.enabled_sources(uow, store_ids=[store_b]) == [
        "wallet",
        "points",
        "treasure",
        "credit",
    ]
    switches = payments.list_switches(uow, actor=ops)
    assert [(s.store_id, s.source, s.enabled) for s in switches[:5]] == [
        (None, "wallet", True),
        (None, "gateway:sandbox", False),
        (None, "points", True),
        (None, "treasure", True),
        (None, "credit", True),
    ]
    assert sorted((str(s.store_id), s.source, s.enabled) for s in switches[5:]) == sorted(
        [(str(store_a), "wallet", False), (str(store_b), "gateway:sandbox", True)]
    )


def test_a_disabled_gateway_refuses_top_ups_and_withdrawals(uow: UnitOfWork, money: Any) -> None:
    ops = factories.make_operator(uow)
    user = factories.make_user(uow)
    factories.fund_wallet(uow, user, 5000)
    payments.set_switch(uow, actor=ops, source="gateway:sandbox", enabled=False)
    before = money(uow, user.id)
    actor = factories.principal(user)
    with pytest.raises(payments.FundingSourceDisabled):
        payments.start_top_up(uow, actor=actor, amount=100)
    with pytest.raises(payments.FundingSourceDisabled):
        payments.request_withdrawal(uow, actor=actor, amount=100)
    assert money(uow, user.id) == before


def test_a_store_switch_does_not_stop_top_ups(uow: UnitOfWork) -> None:
    ops = factories.make_operator(uow)
    user = factories.make_user(uow)
    payments.set_switch(uow, actor=ops, source="gateway:sandbox", enabled=False, store_id=new_id())
    factories.fund_wallet(uow, user, 100)
    assert wallet(uow, user) == 100


def test_only_operators_see_or_change_switches(uow: UnitOfWork) -> None:
    shopper = factories.principal(factories.make_user(uow))
    with pytest.raises(Forbidden):
        payments.list_switches(uow, actor=shopper)
    with pytest.raises(Forbidden):
        payments.set_switch(uow, actor=shopper, source="wallet", enabled=False)
    assert payments.enabled_sources(uow, store_ids=[]) == list(payments.SOURCES)


def test_another_users_charge_is_not_found(uow: UnitOfWork) -> None:
    owner = factories.principal(factories.make_user(uow))
    other = factories.principal(factories.make_user(uow))
    charge = payments.start_top_up(uow, actor=owner, amount=100)
    assert payments.access_charge(uow, actor=owner, charge_id=charge.id) == charge
    with pytest.raises(payments.ChargeNotFound):
        payments.access_charge(uow, actor=other, charge_id=charge.id)
    with pytest.raises(payments.ChargeNotFound):
        payments.submit_sandbox_payment(uow, actor=other, charge_id=charge.id, approve=True)
    with pytest.raises(payments.ChargeNotFound):
        payments.access_charge(uow, actor=owner, charge_id=uuid.uuid4())


def test_refunds_to_the_gateway_never_exceed_what_was_captured(
    uow: UnitOfWork, bank: Any, money: Any
) -> None:
    user = factories.make_user(uow)
    actor = factories.principal(user)
    charge = payments.start_top_up(uow, actor=actor, amount=10000)
    wallet_ref = payments.wallet_of(user.id)
    # a charge not yet captured cannot be refunded
    with pytest.raises(payments.ChargeNotCaptured):
        payments.refund_to_gateway(uow, charge_id=charge.id, amount=1, source=wallet_ref, key="r0")
    payments.submit_sandbox_payment(uow, actor=actor, charge_id=charge.id, approve=True)
    bank.deliver()
    # when 40.00 is refunded, twice with the same key
    for _ in range(2):
        payments.refund_to_gateway(
            uow, charge_id=charge.id, amount=4000, source=wallet_ref, key="r1"
        )
    assert wallet(uow, user) == 6000
    assert payments.access_charge(uow, actor=actor, charge_id=charge.id).refunded == 4000
    # then more than the rest is refused and nothing changes
    before = money(uow, user.id)
    with pytest.raises(payments.RefundExceedsCharge) as refused:
        payments.refund_to_gateway(
            uow, charge_id=charge.id, amount=6001, source=wallet_ref, key="r2"
        )
    assert refused.value.extra == {"refundable": 6000}
    for bad in (0, -5):
        with pytest.raises(InvalidInput):
            payments.refund_to_gateway(
                uow, charge_id=charge.id, amount=bad, source=wallet_ref, key="r3"
            )
    with pytest.raises(payments.ChargeNotFound):
        payments.refund_to_gateway(
            uow, charge_id=uuid.uuid4(), amount=1, source=wallet_ref, key="r4"
        )
    assert money(uow, user.id) == before
    # and exactly the rest is allowed
    payments.refund_to_gateway(uow, charge_id=charge.id, amount=6000, source=wallet_ref, key="r5")
    assert wallet(uow, user) == 0
    assert money(uow, user.id)["gateway"] == 0
    with pytest.raises(payments.RefundExceedsCharge):
        payments.refund_to_gateway(uow, charge_id=charge.id, amount=1, source=wallet_ref, key="r6")


def test_a_refund_from_a_short_source_is_refused(uow: UnitOfWork, bank: Any, money: Any) -> None:
    user = factories.make_user(uow)
    factories.fund_wallet(uow, user, 1000)
    with uow.read() as session:
        charge_id = session.query(ChargeRow.id).scalar()
    payments.request_withdrawal(uow, actor=factories.principal(user), amount=900)
    before = money(uow, user.id)
    with pytest.raises(ledger.InsufficientFunds):
        payments.refund_to_gateway(
            uow, charge_id=charge_id, amount=500, source=payments.wallet_of(user.id), key="s1"
        )
    assert money(uow, user.id) == before


calls: list[tuple[str, int, int]] = []


@payments.on_charge_succeeded("test_purpose")
def _record(uow: UnitOfWork, charge: payments.Charge) -> None:
    # runs in the capture's transaction: the wallet already holds the money
    calls.append(
        (charge.reference, charge.amount, ledger.balance(uow, payments.wallet_of(charge.user_id)))
    )
    if charge.reference == "explode":
        raise RuntimeError("the purpose handler failed")


def test_the_purpose_handler_runs_once_in_the_capture_transaction(
    uow: UnitOfWork, bank: Any
) -> None:
    calls.clear()
    user = factories.make_user(uow)
    with uow:
        charge = payments.create_charge(
            uow,
            user_id=user.id,
            amount=1500,
            purpose="test_purpose",
            reference="order-1",
            return_url="/orders/1",
        )
    body, signature = bank.signed(charge.id, "succeeded", 1500)
    bank.receive(body, signature)
    bank.receive(*bank.signed(charge.id, "succeeded", 1500))
    assert calls == [("order-1", 1500, 1500)]


def test_a_failing_purpose_handler_refuses_the_notification_and_captures_nothing(
    uow: UnitOfWork, bank: Any, count: Any
) -> None:
    calls.clear()
    user = factories.make_user(uow)
    charge = payments.create_charge(
        uow,
        user_id=user.id,
        amount=900,
        purpose="test_purpose",
        reference="explode",
        return_url="/",
    )
    with pytest.raises(RuntimeError):
        bank.receive(*bank.signed(charge.id, "succeeded", 900))
    assert charge_status(uow, charge.id) == "pending"
    assert wallet(uow, user) == 0
    assert count(uow, NotificationRow) == 0
