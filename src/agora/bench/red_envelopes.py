"""``agora bench red-envelope``: many members storming envelopes over HTTP.

A real ``agora serve`` runs on a loopback port over a fresh database. ``envelopes`` senders and
``envelopes × grabbers`` members (API tokens, funded wallets) are written straight into the
database, each sender with a group of their own ``grabbers`` members (chat rows written directly,
as in ``bench/chat.py``). Then, through HTTP as a client would:

1. every sender sends a lucky envelope of ``shares`` shares (``POST
   /conversations/{id}/red-envelopes``);
2. every member of every group at once grabs their group's envelope (``POST
   /red-envelopes/{id}/grab``): ``grabbers`` race for ``shares`` shares per envelope.

Requests go out from the raw load generator of ``bench/loadgen.py``, the storm over at most 500
keep-alive connections. What is counted afterwards, from the database: ``grabs`` (200) and
``refused`` (by problem code), ``grabs_per_s`` over the storm's window and the latency of every
answered grab (p50/p95/p99, each from its request written); the generator's own CPU
(``loadgen_cpu_cores``, ``loadgen_ok``) and the server's CPU per request and per grab;
``envelopes_overgrabbed`` (more grabs, positions or ledger payouts than shares: must be 0),
``double_grabs`` (a member paid twice from one envelope: 0), ``share_sum_mismatch`` (an envelope
whose drawn shares do not sum to its total, or whose payouts differ from its counters: 0),
``shares_below_one_fen`` (0) and ``ledger_ok``.
"""

from __future__ import annotations

import asyncio
import secrets
import tempfile
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select

from agora import ledger, red_envelopes
from agora.bench import loadgen
from agora.bench.fresh import fresh_database
from agora.bench.server import DEFAULT_REDIS_URL, ServerProcess, start_bench_server
from agora.bench.stats import summary_ms
from agora.bench.trading import _shoppers, _warm_up
from agora.chat.models import ConversationRow, MemberRow
from agora.core.clock import utcnow
from agora.core.db import Database
from agora.core.ids import new_id
from agora.core.uow import UnitOfWork

TOTAL_PER_SHARE = 188  # fen: an envelope of 100 shares holds ¥188.00


def run_red_envelope(
    *,
    envelopes: int = 20,
    grabbers: int = 200,
    shares: int = 100,
    threads: int = 8,
    database_url: str = "",
    shape: str = "single",
    processes: int = 1,
    redis_url: str = DEFAULT_REDIS_URL,
    **_: Any,
) -> dict[str, Any]:
    """Send ``envelopes`` lucky envelopes of ``shares`` shares, then let ``grabbers`` members of
    each group grab at once."""
    if not 1 <= shares <= min(100, grabbers + 1):
        raise ValueError("shares must be 1 to 100 and at most the group's size")
    with (
        tempfile.TemporaryDirectory(prefix="agora-bench-") as folder,
        fresh_database(database_url) as database,
    ):
        people = _shoppers(database, envelopes * (grabbers + 1))
        senders = people[:envelopes]
        members = people[envelopes:]
        groups = _groups(database, senders, members, grabbers)
        url = database.url
        database.dispose()
        server = start_bench_server(
            url, Path(folder), shape=shape, processes=processes, redis_url=redis_url
        )
        _warm_up(server.base_url)
        try:
            sent, attempts, storm = loadgen.run(
                _send_then_grab(server, senders, members, groups, shares, grabbers, threads)
            )
        finally:
            server.stop()
        audit = _audit(Database(url))
        codes: Counter[str] = storm["codes"]
        usage: loadgen.CpuUsage = storm["usage"]
        seconds = usage.wall_s
        return {
            "scenario": "red-envelope",
            "dialect": audit.pop("dialect"),
            "shape": shape,
            "server_processes": processes,
            "envelopes": envelopes,
            "grabbers_per_envelope": grabbers,
            "shares": shares,
            "sent": len(sent["envelopes"]),
            "send_failures": sent["failures"],
            "attempts": attempts,
            "connections": storm["connections"],
            "grabs": codes.get("200", 0),
            "grabs_per_s": round(codes.get("200", 0) / seconds, 1) if seconds else 0.0,
            "answers_per_s": round(attempts / seconds, 1) if seconds else 0.0,
            "refused": {code: n for code, n in codes.items() if code != "200"},
            "unanswered": storm["unanswered"],
            "client_errors": storm["errors"],
            "seconds": round(seconds, 2),
            **summary_ms(storm["latencies"]),
            **usage.report(attempts, grab=codes.get("200", 0)),
            **server.writer_report(),
            **audit,
        }


async def _send_then_grab(
    server: ServerProcess,
    senders: list[tuple[uuid.UUID, str]],
    members: list[tuple[uuid.UUID, str]],
    groups: list[uuid.UUID],
    shares: int,
    grabbers: int,
    threads: int,
) -> tuple[dict[str, Any], int, dict[str, Any]]:
    sent = await _send(server.base_url, senders, groups, shares, threads)
    attempts = [
        (token, envelope_id)
        for (_, token), envelope_id in zip(
            members,
            [e for e in sent["envelopes"] for _ in range(grabbers)],
            strict=False,
        )
    ]
    return sent, len(attempts), await _storm(server, attempts)


def _groups(
    database: Database,
    senders: list[tuple[uuid.UUID, str]],
    members: list[tuple[uuid.UUID, str]],
    size: int,
) -> list[uuid.UUID]:
    """One group per sender with ``size`` members besides them; returns the group ids."""
    now = utcnow()
    group_ids = [new_id() for _ in senders]
    rows = [
        {"conversation_id": gid, "user_id": uid, "role": "owner"}
        for gid, (uid, _) in zip(group_ids, senders, strict=True)
    ] + [
        {"conversation_id": group_ids[n // size], "user_id": uid, "role": "member"}
        for n, (uid, _) in enumerate(members)
    ]
    with database.write_session() as session:
        session.execute(
            insert(ConversationRow),
            [
                {
                    "id": gid,
                    "kind": "group",
                    "title": f"Envelope group {n}",
                    "owner_id": senders[n][0],
                    "last_seq": 0,
                    "created_at": now,
                    "last_activity_at": now,
                }
                for n, gid in enumerate(group_ids)
            ],
        )
        session.execute(
            insert(MemberRow),
            [
                {**row, "joined_at": now, "joined_seq": 0, "read_seq": 0, "muted": False}
                for row in rows
            ],
        )
        session.commit()
    return group_ids


async def _send(
    base_url: str,
    senders: list[tuple[uuid.UUID, str]],
    groups: list[uuid.UUID],
    shares: int,
    threads: int,
) -> dict[str, Any]:
    """Every sender sends one envelope into their group, over ``threads`` connections at once."""
    made: list[str | None] = [None] * len(senders)
    failures: Counter[str] = Counter()

    async def send(first: int, connection: loadgen.Connection) -> None:
        for n in range(first, len(senders), threads):
            raw = loadgen.api_request(
                "POST",
                f"/api/v1/conversations/{groups[n]}/red-envelopes",
                token=senders[n][1],
                payload={
                    "kind": "lucky",
                    "total": shares * TOTAL_PER_SHARE,
                    "shares": shares,
                    "greeting": "恭喜发财",
                    "client_id": f"bench-{n}",
                },
                idempotency_key=f"send-{n}-{secrets.token_hex(4)}",
            )
            try:
                answer = await connection.send(raw)
            except (ConnectionError, TimeoutError) as exc:
                failures[type(exc).__name__] += 1
                continue
            if answer.status == 201:
                made[n] = answer.json()["id"]
            else:
                failures[answer.outcome(201)] += 1

    opened = await loadgen.open_connections(base_url, max(1, min(threads, len(senders))))
    await asyncio.gather(*(send(n, c) for n, c in enumerate(opened)))
    loadgen.close_all(opened)
    return {"envelopes": [e for e in made if e], "failures": dict(failures)}


async def _storm(server: ServerProcess, attempts: list[tuple[str, str]]) -> dict[str, Any]:
    """Every member at once, each on their group's envelope, over at most 500 keep-alive
    connections: each connection takes the next attempt as soon as its previous one is answered.
    A grab's latency runs from its request written, not from the storm's start."""
    connections = min(len(attempts), 500) or 1
    raws = iter(
        [
            loadgen.api_request("POST", f"/api/v1/red-envelopes/{eid}/grab", token=token)
            for token, eid in attempts
        ]
    )
    opened = await loadgen.open_connections(server.base_url, connections)
    codes: Counter[str] = Counter()
    latencies: list[float] = []
    errors: Counter[str] = Counter()

    async def member(connection: loadgen.Connection) -> None:
        for raw in raws:
            try:
                reply = await connection.send(raw)
            except (ConnectionError, TimeoutError) as exc:
                errors[type(exc).__name__] += 1
                continue
            latencies.append(reply.seconds)
            codes[reply.outcome(200)] += 1

    await asyncio.sleep(0.1)
    window = loadgen.CpuWindow(server.pids)
    await asyncio.gather(*(member(c) for c in opened))
    usage = window.close()
    loadgen.close_all(opened)
    return {
        "codes": codes,
        "latencies": latencies,
        "unanswered": sum(errors.values()),
        "errors": dict(errors),
        "connections": connections,
        "usage": usage,
    }


def _audit(database: Database) -> dict[str, Any]:
    """The correctness counters, read from the database after the run."""
    envelope, share, grab = (
        red_envelopes.RedEnvelope,
        red_envelopes.RedEnvelopeShare,
        red_envelopes.RedEnvelopeGrab,
    )
    try:
        uow = UnitOfWork(database)
        with uow.read() as session:
            rows = session.execute(
                select(
                    envelope.id,
                    envelope.total,
                    envelope.shares,
                    envelope.grabbed_count,
                    envelope.grabbed_amount,
                )
            ).all()
            drawn = dict(
                session.execute(
                    select(share.envelope_id, func.sum(share.amount)).group_by(share.envelope_id)
                ).all()
            )
            below = session.scalar(select(func.count()).select_from(share).where(share.amount < 1))
            taken = {
                eid: (int(n), int(total or 0), int(positions))
                for eid, n, total, positions in session.execute(
                    select(
                        grab.envelope_id,
                        func.count(),
                        func.sum(grab.amount),
                        func.count(func.distinct(grab.position)),
                    )
                    .where(grab.position > 0)
                    .group_by(grab.envelope_id)
                ).all()
            }
            # Every payout of a grab: which envelope, whose account.
            paid_to = session.execute(
                select(ledger.Transfer.memo, ledger.Entry.account_id)
                .join(ledger.Entry, ledger.Entry.transfer_id == ledger.Transfer.id)
                .where(ledger.Transfer.kind == "red_envelope_grab", ledger.Entry.amount > 0)
            ).all()
        per_envelope: Counter[str] = Counter(str(memo.get("envelope_id")) for memo, _ in paid_to)
        per_member: Counter[tuple[str, Any]] = Counter(
            (str(memo.get("envelope_id")), account) for memo, account in paid_to
        )
        overgrabbed = mismatch = 0
        for eid, total, shares, count, amount in rows:
            n, paid, positions = taken.get(eid, (0, 0, 0))
            if count > shares or n > shares or positions != n or per_envelope[str(eid)] > shares:
                overgrabbed += 1
            if int(drawn.get(eid) or 0) != total or paid != amount or n != count:
                mismatch += 1
        report = ledger.check(uow)
        return {
            "dialect": database.dialect,
            "envelopes_finished": sum(1 for r in rows if r[3] == r[2]),
            "envelopes_overgrabbed": overgrabbed,
            "double_grabs": sum(1 for n in per_member.values() if n > 1),
            "share_sum_mismatch": mismatch,
            "shares_below_one_fen": int(below or 0),
            "ledger_ok": report.ok,
        }
    finally:
        database.dispose()
