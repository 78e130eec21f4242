"""Transfers against the real database: atomic, idempotent, bounded, replayable."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select, update

from agora import ledger
from agora.core.errors import InvalidInput
from agora.core.uow import UnitOfWork
from agora.ledger import AccountRef, InsufficientFunds, Leg, platform_account

BANK = platform_account("gateway:test", bounded=False)


def wallet(n: int) -> AccountRef:
    return AccountRef("user", uuid.UUID(int=n), "wallet")


def fund(uow: UnitOfWork, account: AccountRef, amount: int, key: str) -> None:
    ledger.transfer(uow, key=key, kind="top_up", legs=[Leg(BANK, -amount), Leg(account, amount)])


def counts(uow: UnitOfWork) -> tuple[int, int]:
    with uow.read() as session:
        transfers = session.scalar(select(func.count()).select_from(ledger.Transfer))
        entries = session.scalar(select(func.count()).select_from(ledger.Entry))
    return int(transfers or 0), int(entries or 0)


def test_a_transfer_moves_money_and_records_balanced_entries(uow: UnitOfWork) -> None:
    # Given a funded wallet
    fund(uow, wallet(1), 10_000, "fund-1")

    # When it pays 2,500 to another wallet
    result = ledger.transfer(
        uow,
        key="pay-1",
        kind="payment",
        legs=[Leg(wallet(1), -2_500), Leg(wallet(2), 2_500)],
        memo={"order": "A1"},
    )

    # Then both balances moved, and the statement shows the running balance
    assert result.created is True
    assert ledger.balances(uow, [wallet(1), wallet(2), BANK]) == {
        wallet(1): 7_500,
        wallet(2): 2_500,
        BANK: -10_000,
    }
    lines = ledger.statement(uow, wallet(1))
    assert [(line.kind, line.amount, line.balance_after) for line in lines] == [
        ("payment", -2_500, 7_500),
        ("top_up", 10_000, 10_000),
    ]
    assert lines[0].memo == {"order": "A1"}
    assert ledger.check(uow).ok


def test_the_same_key_moves_money_once(uow: UnitOfWork) -> None:
    fund(uow, wallet(1), 1_000, "fund-1")
    first = ledger.transfer(
        uow, key="pay-1", kind="payment", legs=[Leg(wallet(1), -400), Leg(wallet(2), 400)]
    )

    again = ledger.transfer(
        uow, key="pay-1", kind="payment", legs=[Leg(wallet(1), -400), Leg(wallet(2), 400)]
    )

    assert (again.transfer_id, again.created) == (first.transfer_id, False)
    assert ledger.balances(uow, [wallet(1), wallet(2)]) == {wallet(1): 600, wallet(2): 400}
    assert counts(uow) == (2, 4)


def test_a_debit_past_the_bound_is_refused_and_changes_nothing(uow: UnitOfWork) -> None:
    fund(uow, wallet(1), 1_000, "fund-1")
    before = counts(uow)

    with pytest.raises(InsufficientFunds):
        ledger.transfer(
            uow, key="pay-1", kind="payment", legs=[Leg(wallet(1), -1_001), Leg(wallet(2), 1_001)]
        )

    assert ledger.balances(uow, [wallet(1), wallet(2)]) == {wallet(1): 1_000, wallet(2): 0}
    assert counts(uow) == before
    # The refused key was not consumed: the same key works once there is money.
    fund(uow, wallet(1), 1, "fund-2")
    assert ledger.transfer(
        uow, key="pay-1", kind="payment", legs=[Leg(wallet(1), -1_001), Leg(wallet(2), 1_001)]
    ).created


def test_an_unused_account_cannot_be_debited(uow: UnitOfWork) -> None:
    with pytest.raises(InsufficientFunds):
        ledger.transfer(uow, key="k", kind="payment", legs=[Leg(wallet(9), -1), Leg(wallet(2), 1)])
    assert counts(uow) == (0, 0)


def test_a_refused_transfer_inside_a_savepoint_leaves_the_rest_of_the_work(
    uow: UnitOfWork,
) -> None:
    fund(uow, wallet(1), 500, "fund-1")
    with uow:
        ledger.transfer(
            uow, key="a", kind="payment", legs=[Leg(wallet(1), -200), Leg(wallet(2), 200)]
        )
        with pytest.raises(InsufficientFunds), uow.session.begin_nested():
            ledger.transfer(
                uow, key="b", kind="payment", legs=[Leg(wallet(1), -400), Leg(wallet(3), 400)]
            )
    assert ledger.balances(uow, [wallet(1), wallet(2), wallet(3)]) == {
        wallet(1): 300,
        wallet(2): 200,
        wallet(3): 0,
    }


def test_bad_keys_are_refused(uow: UnitOfWork) -> None:
    for key in ("", "k" * 201):
        with pytest.raises(InvalidInput):
            fund(uow, wallet(1), 100, key)
    assert counts(uow) == (0, 0)


def test_statement_pages_newest_first(uow: UnitOfWork) -> None:
    for n in range(5):
        fund(uow, wallet(1), 100 + n, f"fund-{n}")
    first = ledger.statement(uow, wallet(1), limit=2)
    second = ledger.statement(uow, wallet(1), before=first[-1].entry_id, limit=2)
    rest = ledger.statement(uow, wallet(1), before=second[-1].entry_id, limit=2)
    assert [line.amount for line in first + second + rest] == [104, 103, 102, 101, 100]
    assert rest[-1].balance_after == 100


def test_total_balance_adds_every_shard(uow: UnitOfWork) -> None:
    for n in range(20):
        order = uuid.UUID(int=n + 1)
        ledger.transfer(
            uow,
            key=f"escrow-{n}",
            kind="payment",
            legs=[Leg(BANK, -100), Leg(platform_account("escrow", shard_key=order), 100)],
        )
    assert ledger.total_balance(uow, owner_type="platform", kind="escrow") == 2_000


def test_the_check_reports_a_balance_that_disagrees_with_its_entries(uow: UnitOfWork) -> None:
    fund(uow, wallet(1), 1_000, "fund-1")
    with uow:
        uow.session.execute(
            update(ledger.Account).where(ledger.Account.id == wallet(1).id).values(balance=999)
        )

    report = ledger.check(uow)

    assert not report.ok
    assert any(
        f"account {wallet(1).id} (wallet): balance 999, replay 1000" in p for p in report.problems
    )
    with uow:  # repair, so the fixture's closing check passes
        uow.session.execute(
            update(ledger.Account).where(ledger.Account.id == wallet(1).id).values(balance=1000)
        )


def test_the_check_reports_an_unbalanced_transfer_and_a_drifted_entry(uow: UnitOfWork) -> None:
    fund(uow, wallet(1), 1_000, "fund-1")
    with uow:
        uow.session.execute(
            update(ledger.Entry).where(ledger.Entry.account_id == wallet(1).id).values(amount=900)
        )

    problems = ledger.check(uow).problems

    assert any("transfer fund-1: 2 entries summing to -100, not zero" in p for p in problems)
    assert any("balance_after 1000, replay 900" in p for p in problems)
    with uow:
        uow.session.execute(
            update(ledger.Entry).where(ledger.Entry.account_id == wallet(1).id).values(amount=1000)
        )


def test_a_batch_moves_money_once_per_key_with_running_balances(uow: UnitOfWork) -> None:
    fund(uow, wallet(1), 1_000, "fund-1")
    specs = [
        ledger.TransferSpec("b1", "payment", [Leg(wallet(1), -300), Leg(wallet(2), 300)]),
        ledger.TransferSpec("b2", "payment", [Leg(wallet(2), -100), Leg(wallet(3), 100)]),
        ledger.TransferSpec("b3", "payment", [Leg(wallet(1), -700), Leg(wallet(3), 700)]),
    ]

    first = ledger.transfer_many(uow, specs)
    again = ledger.transfer_many(uow, specs)

    assert [r.created for r in first] == [True, True, True]
    assert [(r.transfer_id, r.created) for r in again] == [(r.transfer_id, False) for r in first]
    assert ledger.balances(uow, [wallet(1), wallet(2), wallet(3)]) == {
        wallet(1): 0,
        wallet(2): 200,
        wallet(3): 800,
    }
    assert [line.balance_after for line in ledger.statement(uow, wallet(1))] == [0, 700, 1_000]
    assert ledger.check(uow).ok


def test_a_batch_with_one_overdraft_moves_nothing(uow: UnitOfWork) -> None:
    fund(uow, wallet(1), 500, "fund-1")
    before = counts(uow)
    # The second transfer would leave wallet 1 below zero before the third refills it.
    specs = [
        ledger.TransferSpec("b1", "payment", [Leg(wallet(1), -400), Leg(wallet(2), 400)]),
        ledger.TransferSpec("b2", "payment", [Leg(wallet(1), -200), Leg(wallet(3), 200)]),
        ledger.TransferSpec("b3", "payment", [Leg(wallet(2), -400), Leg(wallet(1), 400)]),
    ]

    with pytest.raises(InsufficientFunds):
        ledger.transfer_many(uow, specs)

    assert counts(uow) == before
    assert ledger.balances(uow, [wallet(1), wallet(2), wallet(3)]) == {
        wallet(1): 500,
        wallet(2): 0,
        wallet(3): 0,
    }


def test_a_batch_refuses_repeated_keys(uow: UnitOfWork) -> None:
    spec = ledger.TransferSpec("same", "top_up", [Leg(BANK, -1), Leg(wallet(1), 1)])
    with pytest.raises(InvalidInput):
        ledger.transfer_many(uow, [spec, spec])
    assert counts(uow) == (0, 0)
