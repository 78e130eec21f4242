"""The red-envelope tests' world: Alice with her friends Bob, Carol and Dave; a 1:1 chat of Alice
and Bob; a group "Family" of all four; Erin, who is in neither. Everyone starts with FUNDS in the
wallet. And what the tests watch: wallets, escrow, every row a refusal must not add."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, insert, select

import factories
from agora import chat, ledger, payments, red_envelopes, social
from agora.chat.models import ConversationRow, MemberRow, MessageRow
from agora.core.clock import utcnow
from agora.core.db import Database
from agora.core.ids import new_id
from agora.core.jobs import Scheduler
from agora.core.security import hash_password
from agora.core.uow import UnitOfWork
from agora.identity import Principal, User

FUNDS = 100_000  # ¥1,000.00 each


@dataclass
class World:
    uow: UnitOfWork
    people: dict[str, Principal]  # alice, bob, carol, dave, erin
    direct: uuid.UUID  # Alice and Bob
    group: uuid.UUID  # Family: Alice (owner), Bob, Carol, Dave

    def send(self, who: str = "alice", *, where: str = "group", **fields: Any) -> Any:
        conversation = self.direct if where == "direct" else self.group
        fields.setdefault("kind", "single" if where == "direct" else "lucky")
        if "total" not in fields and "per_share" not in fields:
            fields["total"] = 1000
        if where == "group":
            fields.setdefault("shares", 3)
        return red_envelopes.send(
            self.uow, actor=self.people[who], conversation_id=conversation, **fields
        )

    def grab(self, who: str, envelope_id: uuid.UUID) -> red_envelopes.GrabOutcome:
        return red_envelopes.grab(self.uow, actor=self.people[who], envelope_id=envelope_id)

    def wallet(self, who: str) -> int:
        return ledger.balance(self.uow, payments.wallet_of(self.people[who].user_id))

    def escrow(self) -> int:
        return ledger.total_balance(self.uow, owner_type="platform", kind="red_envelope_escrow")

    def sweep(self) -> int:
        return Scheduler(self.uow.db, owner="tests").sweep_deadlines()

    def messages(self, conversation_id: uuid.UUID) -> list[MessageRow]:
        with self.uow.read() as session:
            return list(
                session.scalars(
                    select(MessageRow)
                    .where(MessageRow.conversation_id == conversation_id)
                    .order_by(MessageRow.seq)
                )
            )

    def snapshot(self) -> dict[str, Any]:
        """Everything a refused send or grab must leave as it was."""
        with self.uow.read() as session:
            counts = {
                model.__tablename__: session.scalar(select(func.count()).select_from(model))
                for model in (
                    red_envelopes.RedEnvelope,
                    red_envelopes.RedEnvelopeShare,
                    red_envelopes.RedEnvelopeGrab,
                    MessageRow,
                    ledger.Entry,
                    ledger.Transfer,
                )
            }
            envelopes = sorted(
                (str(e.id), e.status, e.grabbed_count, e.grabbed_amount, e.refunded)
                for e in session.scalars(select(red_envelopes.RedEnvelope))
            )
            balances = sorted(
                (str(a.id), a.balance) for a in session.scalars(select(ledger.Account))
            )
            seqs = sorted((str(c.id), c.last_seq) for c in session.scalars(select(ConversationRow)))
        return {"counts": counts, "envelopes": envelopes, "balances": balances, "seqs": seqs}


def fund(uow: UnitOfWork, user_ids: list[uuid.UUID], amount: int) -> None:
    """Money into wallets as a captured sandbox top-up would move it, without the bank trip."""
    for first in range(0, len(user_ids), 500):
        ledger.transfer_many(
            uow,
            [
                ledger.TransferSpec(
                    key=f"test-fund-{user_id}-{secrets.token_hex(4)}",
                    kind="charge_capture",
                    legs=[
                        ledger.Leg(payments.gateway_clearing_of("sandbox", user_id), -amount),
                        ledger.Leg(payments.wallet_of(user_id), amount),
                    ],
                )
                for user_id in user_ids[first : first + 500]
            ],
        )


def befriend(uow: UnitOfWork, one: Principal, other: Principal) -> None:
    request = social.send_request(uow, actor=one, to_user_id=other.user_id)
    social.accept_request(uow, actor=other, request_id=request.id)


def make_world(uow: UnitOfWork) -> World:
    people = {
        name: factories.principal(factories.make_user(uow, name=name.title()))
        for name in ("alice", "bob", "carol", "dave", "erin")
    }
    for friend in ("bob", "carol", "dave"):
        befriend(uow, people["alice"], people[friend])
    direct = chat.direct_conversation(
        uow, actor=people["alice"], other_user_id=people["bob"].user_id
    )
    group = chat.create_group(
        uow,
        actor=people["alice"],
        title="Family",
        member_ids=[people[n].user_id for n in ("bob", "carol", "dave")],
    )
    fund(uow, [p.user_id for p in people.values()], FUNDS)
    return World(uow, people, direct.id, group.id)


def crowd(db: Database, conversation_id: uuid.UUID, count: int) -> list[Principal]:
    """``count`` more members of a group, written straight into the database (a chat group is
    capped at 500 through the service; this is a test of the envelope, not of invitations)."""
    now = utcnow()
    password = hash_password(secrets.token_urlsafe(8))
    people = [Principal(user_id=new_id(), display_name=f"Grabber {n}") for n in range(count)]
    with db.write_session() as session:
        session.execute(
            insert(User),
            [
                {
                    "id": p.user_id,
                    "email": f"grabber-{p.user_id.hex}@example.com",
                    "password_hash": password,
                    "display_name": p.display_name,
                    "created_at": now,
                }
                for p in people
            ],
        )
        session.execute(
            insert(MemberRow),
            [
                {
                    "conversation_id": conversation_id,
                    "user_id": p.user_id,
                    "role": "member",
                    "joined_at": now,
                    "joined_seq": 0,
                    "read_seq": 0,
                    "muted": False,
                }
                for p in people
            ],
        )
        session.commit()
    return people
