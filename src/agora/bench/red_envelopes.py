"""``agora bench red-envelope``: many members storming envelopes over HTTP.

A real ``agora serve`` runs on a loopback port over a fresh database. ``envelopes`` senders and
``envelopes × grabbers`` members (API tokens, funded wallets) are written straight into the
database, each sender with a group of their own ``grabbers`` members (chat rows written directly,
as in ``bench/chat.py``). Then, through HTTP as a client would:

1. every sender sends a lucky envelope of ``shares`` shares (``POST
   /conversations/{id}/red-envelopes``);
2. every member of every group at once grabs their group's envelope (``POST
   /red-envelopes/{id}/grab``): ``grabbers`` race for ``shares`` shares per envelope.

What is counted afterwards, from the database: ``grabs`` (200) and ``refused`` (by problem code),
``grabs_per_s`` over the storm's window and the latency of every answered grab (p50/p95/p99);
``envelopes_overgrabbed`` (more grabs, positions or ledger payouts than shares: must be 0),
``double_grabs`` (a member paid twice from one envelope: 0), ``share_sum_mismatch`` (an envelope
whose drawn shares do not sum to its total, or whose payouts differ from its counters: 0),
``shares_below_one_fen`` (0) and ``ledger_ok``.
"""

from __future__ import annotations

import asyncio
import secrets
import tempfile
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, insert, select

from agora import ledger, red_envelopes
from agora.bench.fresh import fresh_database
from agora.bench.server import start_server
from agora.bench.stats import summary_ms
from agora.bench.trading import _client, _shoppers
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
        server = start_server(url, Path(folder) / "server.log")
        try:
            sent = _send(server.base_url, senders, groups, shares, threads)
            attempts = [
                (token, envelope_id)
                for (_, token), envelope_id in zip(
                    members,
                    [e for e in sent["envelopes"] for _ in range(grabbers)],
                    strict=False,
                )
            ]
            storm = asyncio.run(_storm(server.base_url, attempts))
        finally:
            server.stop()
        audit = _audit(Database(url))
        codes: Counter[str] = storm["codes"]
        return {
            "scenario": "red-envelope",
            "dialect": audit.pop("dialect"),
            "envelopes": envelopes,
            "grabbers_per_envelope": grabbers,
            "shares": shares,
            "sent": len(sent["envelopes"]),
            "send_failures": sent["failures"],
            "attempts": len(attempts),
            "grabs": codes.get("200", 0),
            "grabs_per_s": round(codes.get("200", 0) / storm["seconds"], 1)
            if storm["seconds"]
            else 0.0,
            "answers_per_s": round(len(attempts) / storm["seconds"], 1)
            if storm["seconds"]
            else 0.0,
            "refused": {code: n for code, n in codes.items() if code != "200"},
            "unanswered": storm["unanswered"],
            "client_errors": storm["errors"],
            "seconds": storm["seconds"],
            **summary_ms(storm["latencies"]),
            **audit,
        }


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


def _send(
    base_url: str,
    senders: list[tuple[uuid.UUID, str]],
    groups: list[uuid.UUID],
    shares: int,
    threads: int,
) -> dict[str, Any]:
    made: list[str | None] = [None] * len(senders)
    failures: Counter[str] = Counter()

    def one(n: int) -> None:
        with _client(base_url, senders[n][1]) as client:
            answer = client.post(
                f"/api/v1/conversations/{groups[n]}/red-envelopes",
                json={
                    "kind": "lucky",
                    "total": shares * TOTAL_PER_SHARE,
                    "shares": shares,
                    "greeting": "恭喜发财",
                    "client_id": f"bench-{n}",
                },
                headers={"Idempotency-Key": f"send-{n}-{secrets.token_hex(4)}"},
            )
        if answer.status_code == 201:
            made[n] = answer.json()["id"]
        else:
            body = answer.json() if answer.content else {}
            failures[str(body.get("code", answer.status_code))] += 1

    with ThreadPoolExecutor(max_workers=max(1, threads)) as pool:
        list(pool.map(one, range(len(senders))))
    return {"envelopes": [e for e in made if e], "failures": dict(failures)}


async def _storm(base_url: str, attempts: list[tuple[str, str]]) -> dict[str, Any]:
    """Every member at once, each on their group's envelope."""
    connections = min(len(attempts), 500) or 1
    # A connection per request, as each member's phone would open: a kept-alive one that the
    # server closes as idle just as it is reused fails the request (ReadError) on loopback.
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=0)
    codes: Counter[str] = Counter()
    latencies: list[float] = []
    unanswered = 0
    errors: Counter[str] = Counter()
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=300) as client:
        start = asyncio.Event()
        # No more requests in flight than connections: requests queued inside the client's pool
        # cost it time on every release (thousands of waiters keep a core busy), while requests
        # queued here cost nothing. The wait still counts in the latency, from the storm's start.
        gate = asyncio.Semaphore(connections)

        async def one(token: str, envelope_id: str) -> None:
            nonlocal unanswered
            await start.wait()
            t0 = time.perf_counter()
            try:
                async with gate:
                    response = await client.post(
                        f"/api/v1/red-envelopes/{envelope_id}/grab",
                        headers={"Authorization": f"Bearer {token}"},
                    )
            except httpx.HTTPError as exc:
                unanswered += 1
                errors[type(exc).__name__] += 1
                return
            latencies.append(time.perf_counter() - t0)
            if response.status_code == 200:
                codes["200"] += 1
            else:
                body = response.json() if response.content else {}
                codes[str(body.get("code", response.status_code))] += 1

        tasks = [asyncio.create_task(one(token, eid)) for token, eid in attempts]
        await asyncio.sleep(0.1)
        started = time.perf_counter()
        start.set()
        await asyncio.gather(*tasks)
        seconds = time.perf_counter() - started
    return {
        "codes": codes,
        "latencies": latencies,
        "unanswered": unanswered,
        "errors": dict(errors),
        "seconds": round(seconds, 2),
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
