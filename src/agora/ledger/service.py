"""Ledger use cases: atomic, idempotent transfers; balances; statements; the audit.

A transfer is one INSERT of the transfer row (``ON CONFLICT DO NOTHING`` on its key, so a retry is
a no-op), one guarded UPDATE per account in id order (the bound is checked by the statement
itself, never read-then-write), and one multi-row INSERT of entries. Accounts are named by
:class:`AccountRef`, whose id is derived from what the account is, so the hot path looks nothing
up; an account is opened the first time a transfer touches it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Table, bindparam, func, or_, select, update
from sqlalchemy.orm import Session

from agora.core.clock import utcnow
from agora.core.db import dialect_insert, for_update
from agora.core.errors import N_, InvalidInput
from agora.core.ids import new_id
from agora.core.prepared import Prepared
from agora.core.uow import UnitOfWork
from agora.ledger.domain import AccountRef, Leg, check_key, net_legs
from agora.ledger.errors import InsufficientFunds
from agora.ledger.models import Account, Entry, Transfer

_accounts: Table = Account.__table__  # type: ignore[assignment]
_transfers: Table = Transfer.__table__  # type: ignore[assignment]
_entries: Table = Entry.__table__  # type: ignore[assignment]


@dataclass(frozen=True, slots=True)
class TransferResult:
    transfer_id: uuid.UUID
    created: bool
    """False when a transfer with this key already existed (nothing moved this time)."""


def transfer(
    uow: UnitOfWork,
    *,
    key: str,
    kind: str,
    legs: Sequence[Leg],
    memo: dict[str, Any] | None = None,
) -> TransferResult:
    """Move money between accounts atomically, once per ``key``.

    Runs inside the caller's unit of work (or opens one). Raises InsufficientFunds if a debit
    would take an account below its bound; the caller's transaction must then roll back, or
    the caller wraps the call in ``session.begin_nested()`` to carry on without it.
    """
    check_key(key)
    net = net_legs(legs)
    with uow:
        session = uow.session
        now = utcnow()
        transfer_id = new_id()
        inserted = _INSERT_TRANSFER.first(
            session,
            {"id": transfer_id, "key": key, "kind": kind, "memo": memo or {}, "created_at": now},
        )
        if inserted is None:
            existing = session.scalar(select(_transfers.c.id).where(_transfers.c.key == key))
            assert existing is not None
            return TransferResult(existing, created=False)
        rows = []
        # Accounts in id order, so concurrent transfers lock them alike and cannot deadlock.
        for account in sorted(net, key=lambda ref: ref.id):
            amount = net[account]
            balance_after = _apply(session, account, amount, now)
            rows.append(
                {
                    "transfer_id": transfer_id,
                    "account_id": account.id,
                    "amount": amount,
                    "balance_after": balance_after,
                    "created_at": now,
                }
            )
        _INSERT_ENTRY.execute_many(session, rows)
        return TransferResult(transfer_id, created=True)


def _transfer_upsert(dialect: str) -> Any:
    """The transfer row's insert: a key already used inserts nothing (a retry is a no-op)."""
    return dialect_insert(dialect, _transfers).on_conflict_do_nothing(index_elements=["key"])


# Prepared once (core.prepared): every payment, grab and refund runs these.
_INSERT_TRANSFER = Prepared(
    lambda dialect: (
        _transfer_upsert(dialect)
        .values({name: bindparam(name) for name in ("id", "key", "kind", "memo", "created_at")})
        .returning(_transfers.c.id)
    )
)
_INSERT_ENTRY = Prepared.insert(
    _entries, ["transfer_id", "account_id", "amount", "balance_after", "created_at"]
)
_GUARDED_UPDATE = Prepared(
    update(_accounts)
    .where(
        _accounts.c.id == bindparam("account_id"),
        or_(
            _accounts.c.lower_bound.is_(None),
            _accounts.c.balance + bindparam("amount") >= _accounts.c.lower_bound,
        ),
    )
    .values(balance=_accounts.c.balance + bindparam("amount"))
    .returning(_accounts.c.balance)
)


def _apply(session: Session, account: AccountRef, amount: int, now: datetime) -> int:
    params = {"account_id": account.id, "amount": amount}
    row = _GUARDED_UPDATE.first(session, params)
    if row is None:
        # The account is missing, below its bound, or was opened by a concurrent transfer that
        # committed while this one waited on the insert (READ COMMITTED): open it if need be and
        # try once more — the guarded update decides.
        _open(session, account, now)
        row = _GUARDED_UPDATE.first(session, params)
        if row is None:
            raise InsufficientFunds(account_kind=account.kind)
    return int(row[0])


def _open(session: Session, account: AccountRef, now: datetime) -> bool:
    """Open the account if it does not exist yet; ``False`` if it already existed."""
    opened = _OPEN.first(
        session,
        {
            "id": account.id,
            "owner_type": account.owner_type,
            "owner_id": account.owner_id,
            "kind": account.kind,
            "currency": account.currency,
            "shard": account.shard,
            "lower_bound": account.lower_bound,
            "created_at": now,
        },
    )
    return opened is not None


# Prepared too: a transfer to an account not seen before opens it (a buyer's first pending
# points, a store's first settlement).
_OPEN = Prepared(
    lambda dialect: (
        dialect_insert(dialect, _accounts)
        .values(
            {
                **{
                    name: bindparam(name)
                    for name in (
                        "id",
                        "owner_type",
                        "owner_id",
                        "kind",
                        "currency",
                        "shard",
                        "lower_bound",
                        "created_at",
                    )
                },
                "balance": 0,
            }
        )
        .on_conflict_do_nothing(index_elements=["id"])
        .returning(_accounts.c.id)
    )
)


@dataclass(frozen=True, slots=True)
class TransferSpec:
    key: str
    kind: str
    legs: Sequence[Leg]
    memo: dict[str, Any] | None = None


_SET_BALANCE = (
    update(_accounts)
    .where(_accounts.c.id == bindparam("account_id"))
    .values(balance=bindparam("new_balance"))
)


def transfer_many(uow: UnitOfWork, specs: Sequence[TransferSpec]) -> list[TransferResult]:
    """Apply many transfers in one transaction with a handful of statements, all or nothing.

    For sweeps that move money for many orders or accounts at once (settlements, expiries,
    daily accruals). Keys already used are skipped, as :func:`transfer` would. The accounts are
    locked in id order (``FOR UPDATE`` on PostgreSQL; SQLite's write lock already serializes),
    every intermediate balance is checked against its bound in transfer order, and the new
    balances are written under those locks. Raises InsufficientFunds and moves nothing if any
    transfer would take an account below its bound.
    """
    if not specs:
        return []
    nets = []
    for spec in specs:
        check_key(spec.key)
        nets.append(net_legs(spec.legs))
    if len({spec.key for spec in specs}) != len(specs):
        raise InvalidInput(N_("Each transfer in a batch needs its own key."))
    with uow:
        session = uow.session
        now = utcnow()
        ids = [new_id() for _ in specs]
        inserted = session.execute(
            _transfer_upsert(session.get_bind().dialect.name).returning(_transfers.c.key),
            [
                {
                    "id": transfer_id,
                    "key": spec.key,
                    "kind": spec.kind,
                    "memo": spec.memo or {},
                    "created_at": now,
                }
                for transfer_id, spec in zip(ids, specs, strict=True)
            ],
        )
        created = {row.key for row in inserted}
        refs = {ref.id: ref for net in nets for ref in net}
        balances = _lock_balances(session, refs, now)
        entries = []
        for transfer_id, spec, net in zip(ids, specs, nets, strict=True):
            if spec.key not in created:
                continue
            for ref in sorted(net, key=lambda r: r.id):
                after = balances[ref.id] + net[ref]
                if ref.lower_bound is not None and after < ref.lower_bound:
                    raise InsufficientFunds(account_kind=ref.kind)
                balances[ref.id] = after
                entries.append(
                    {
                        "transfer_id": transfer_id,
                        "account_id": ref.id,
                        "amount": net[ref],
                        "balance_after": after,
                        "created_at": now,
                    }
                )
        if entries:
            session.execute(
                _SET_BALANCE,
                [{"account_id": key, "new_balance": value} for key, value in balances.items()],
            )
            session.execute(_entries.insert(), entries)
    results = []
    existing = _existing_ids(uow, [spec.key for spec in specs if spec.key not in created])
    for transfer_id, spec in zip(ids, specs, strict=True):
        if spec.key in created:
            results.append(TransferResult(transfer_id, created=True))
        else:
            results.append(TransferResult(existing[spec.key], created=False))
    return results


def _lock_balances(
    session: Session, refs: dict[uuid.UUID, AccountRef], now: datetime
) -> dict[uuid.UUID, int]:
    """Open missing accounts, then lock and read every balance in id order."""
    query = (
        select(_accounts.c.id, _accounts.c.balance)
        .where(_accounts.c.id.in_(list(refs)))
        .order_by(_accounts.c.id)
    )
    query = for_update(session, query)
    found = dict(session.execute(query).all())
    missing = [ref for key, ref in refs.items() if key not in found]
    for ref in sorted(missing, key=lambda r: r.id):
        _open(session, ref, now)
    if missing:
        found = dict(session.execute(query).all())
    return {key: int(value) for key, value in found.items()}


def _existing_ids(uow: UnitOfWork, keys: list[str]) -> dict[str, uuid.UUID]:
    if not keys:
        return {}
    with uow.read() as session:
        rows = session.execute(
            select(_transfers.c.key, _transfers.c.id).where(_transfers.c.key.in_(keys))
        )
        return {key: transfer_id for key, transfer_id in rows}


def balance_for_update(uow: UnitOfWork, account: AccountRef) -> int:
    """The balance, locked until the caller's write transaction ends (inside ``with uow:``):
    a use case that moves money by what an account holds reads it this way."""
    return _lock_balances(uow.session, {account.id: account}, utcnow())[account.id]


def balance(uow: UnitOfWork, account: AccountRef) -> int:
    """The stored balance (0 for an account never used)."""
    return balances(uow, [account])[account]


def balances(uow: UnitOfWork, accounts: Iterable[AccountRef]) -> dict[AccountRef, int]:
    refs = list(accounts)
    with uow.read() as session:
        rows = dict(
            session.execute(
                select(_accounts.c.id, _accounts.c.balance).where(
                    _accounts.c.id.in_([ref.id for ref in refs])
                )
            ).all()
        )
    return {ref: int(rows.get(ref.id, 0)) for ref in refs}


def total_balance(uow: UnitOfWork, *, owner_type: str, kind: str) -> int:
    """The sum over every account of a kind (all shards), e.g. all of platform escrow."""
    with uow.read() as session:
        total = session.scalar(
            select(func.coalesce(func.sum(_accounts.c.balance), 0)).where(
                _accounts.c.owner_type == owner_type, _accounts.c.kind == kind
            )
        )
    return int(total or 0)


@dataclass(frozen=True, slots=True)
class StatementLine:
    entry_id: int
    transfer_id: uuid.UUID
    kind: str
    amount: int
    balance_after: int
    memo: dict[str, Any]
    created_at: datetime


def statement(
    uow: UnitOfWork, account: AccountRef, *, before: int | None = None, limit: int = 20
) -> list[StatementLine]:
    """An account's entries, newest first; ``before`` is the last entry id of the previous page."""
    query = (
        select(
            _entries.c.id,
            _entries.c.transfer_id,
            _transfers.c.kind,
            _entries.c.amount,
            _entries.c.balance_after,
            _transfers.c.memo,
            _entries.c.created_at,
        )
        .join(_transfers, _transfers.c.id == _entries.c.transfer_id)
        .where(_entries.c.account_id == account.id)
        .order_by(_entries.c.id.desc())
        .limit(max(1, min(limit, 100)))
    )
    if before is not None:
        query = query.where(_entries.c.id < before)
    with uow.read() as session:
        return [
            StatementLine(
                entry_id=row.id,
                transfer_id=row.transfer_id,
                kind=row.kind,
                amount=row.amount,
                balance_after=row.balance_after,
                memo=dict(row.memo or {}),
                created_at=row.created_at,
            )
            for row in session.execute(query)
        ]


def transfers_with(uow: UnitOfWork, *, key_prefix: str) -> list[tuple[str, str]]:
    """``(key, kind)`` of the transfers whose key starts with ``key_prefix`` (audits, tests)."""
    with uow.read() as session:
        rows = session.execute(
            select(_transfers.c.key, _transfers.c.kind)
            .where(_transfers.c.key.startswith(key_prefix, autoescape=True))
            .order_by(_transfers.c.created_at, _transfers.c.id)
        ).all()
    return [(row.key, row.kind) for row in rows]


@dataclass
class LedgerReport:
    accounts: int = 0
    transfers: int = 0
    entries: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def check(uow: UnitOfWork, *, limit: int = 50) -> LedgerReport:
    """Replay every entry and report what disagrees: unbalanced transfers, balances that differ
    from their replay, balances below their bound, entries whose running balance is wrong.

    Reads one snapshot (REPEATABLE READ on PostgreSQL) so that it can run beside live traffic.
    """
    report = LedgerReport()
    with uow.db.sessions() as session:
        if not uow.db.is_sqlite:
            session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        report.accounts = session.scalar(select(func.count()).select_from(_accounts)) or 0
        report.transfers = session.scalar(select(func.count()).select_from(_transfers)) or 0
        report.entries = session.scalar(select(func.count()).select_from(_entries)) or 0
        problems = report.problems
        legs = (
            select(
                _transfers.c.key,
                func.coalesce(func.sum(_entries.c.amount), 0).label("total"),
                func.count(_entries.c.id).label("legs"),
            )
            .select_from(_transfers.outerjoin(_entries, _entries.c.transfer_id == _transfers.c.id))
            .group_by(_transfers.c.id, _transfers.c.key)
            .having(
                or_(
                    func.coalesce(func.sum(_entries.c.amount), 0) != 0,
                    func.count(_entries.c.id) < 2,
                )
            )
            .limit(limit)
        )
        for row in session.execute(legs):
            problems.append(
                f"transfer {row.key}: {row.legs} entries summing to {row.total}, not zero"
            )
        sums = (
            select(_entries.c.account_id, func.sum(_entries.c.amount).label("total"))
            .group_by(_entries.c.account_id)
            .subquery()
        )
        replayed = func.coalesce(sums.c.total, 0)
        mismatched = (
            select(_accounts.c.id, _accounts.c.kind, _accounts.c.balance, replayed.label("replay"))
            .select_from(_accounts.outerjoin(sums, sums.c.account_id == _accounts.c.id))
            .where(_accounts.c.balance != replayed)
            .limit(limit)
        )
        for row in session.execute(mismatched):
            problems.append(
                f"account {row.id} ({row.kind}): balance {row.balance}, replay {row.replay}"
            )
        below = (
            select(_accounts.c.id, _accounts.c.kind, _accounts.c.balance, _accounts.c.lower_bound)
            .where(
                _accounts.c.lower_bound.is_not(None),
                _accounts.c.balance < _accounts.c.lower_bound,
            )
            .limit(limit)
        )
        for row in session.execute(below):
            problems.append(
                f"account {row.id} ({row.kind}): balance {row.balance} "
                f"below its bound {row.lower_bound}"
            )
        running = select(
            _entries.c.id,
            _entries.c.account_id,
            _entries.c.balance_after,
            func.sum(_entries.c.amount)
            .over(partition_by=_entries.c.account_id, order_by=_entries.c.id)
            .label("running"),
        ).subquery()
        drifted = select(running).where(running.c.running != running.c.balance_after).limit(limit)
        for row in session.execute(drifted):
            problems.append(
                f"entry {row.id} on account {row.account_id}: balance_after "
                f"{row.balance_after}, replay {row.running}"
            )
        session.rollback()
    return report
