"""Sending, grabbing and expiring red envelopes.

Send: the shares are drawn at once (a CSPRNG, :func:`domain.split`) and stored; the sender's
money moves wallet (or treasure → wallet) → ``red_envelope_escrow`` and the chat card is posted,
all in one transaction, with the envelope's expiry deadline.

Grab: one row per member (its key refuses a second grab), then one guarded UPDATE on the envelope
takes the next position — ``grabbed_count = grabbed_count + 1 ... WHERE status = 'open' AND
grabbed_count < shares AND expires_at > now`` — so however many members race, exactly ``shares``
grabs succeed; a refused grab rolls back with its row. The share at that position moves escrow →
the grabber's wallet. A grab runs in the process's writer, a thousand to a storm, so every
statement of it is prepared (core.prepared) and its answer is built from the rows it already
holds: the envelope read by the access check, the counters the guarded UPDATE returns, and one
read of the grabs so far.

Lock order, the same in every use case: the grab row (its insert), the envelope row, then the
ledger's accounts (escrow, wallet) in id order.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, replace
from datetime import timedelta
from functools import partial

from sqlalchemy import Table, bindparam, case, insert, select, update

from agora import chat, ledger, payments, treasure
from agora.config import get_settings
from agora.core.clock import utcnow
from agora.core.db import dialect_insert, upsert_insert
from agora.core.errors import N_, InvalidInput
from agora.core.i18n import gettext as _
from agora.core.ids import new_id
from agora.core.jobs import cancel_deadline, schedule_deadline
from agora.core.prepared import Prepared
from agora.core.uow import UnitOfWork
from agora.identity import Principal
from agora.red_envelopes import domain
from agora.red_envelopes.chat_kind import RED_ENVELOPE, posting
from agora.red_envelopes.errors import (
    AlreadyGrabbed,
    EnvelopeEmpty,
    EnvelopeExpired,
    EnvelopeInvalid,
    OwnEnvelope,
)
from agora.red_envelopes.models import RedEnvelope, RedEnvelopeGrab, RedEnvelopeShare
from agora.red_envelopes.queries import (
    EnvelopeView,
    access_envelope,
    envelope_view_in,
    grabs_of,
    standing,
    view_of,
)

EXPIRY = "red_envelopes.expiry"
# The memory gate of envelopes whose every share is taken (core.gates), keyed by id as text.
ENVELOPE_GATE = "red_envelope"
SINGLE, LUCKY, EQUAL = "single", domain.LUCKY, domain.EQUAL
KINDS = (SINGLE, LUCKY, EQUAL)
OPEN, FINISHED, EXPIRED = "open", "finished", "expired"
FUNDING = (payments.WALLET, payments.TREASURE)
MAX_GREETING = 40

_envelopes: Table = RedEnvelope.__table__  # type: ignore[assignment]
_shares: Table = RedEnvelopeShare.__table__  # type: ignore[assignment]
_grabs: Table = RedEnvelopeGrab.__table__  # type: ignore[assignment]

# The share at the next position, read inside the same UPDATE that takes the position (SET
# expressions see the row as it was, so ``grabbed_count + 1`` is the position being taken).
_NEXT_SHARE = (
    select(_shares.c.amount)
    .where(
        _shares.c.envelope_id == _envelopes.c.id,
        _shares.c.position == _envelopes.c.grabbed_count + 1,
    )
    .scalar_subquery()
)
# Typed here: in a CASE branch the column cannot lend the value its type (and its UTC handling).
_NOW = bindparam("now", type_=_envelopes.c.expires_at.type)
_LAST = _envelopes.c.grabbed_count + 1 >= _envelopes.c.shares

# The grab's statements, prepared once (core.prepared): in a storm they run a thousand times.
# The member's row, at position 0 until a share is taken; nothing when they grabbed before.
_CLAIM = Prepared(
    lambda dialect: (
        dialect_insert(dialect, _grabs)
        .values(
            envelope_id=bindparam("envelope_id"),
            user_id=bindparam("user_id"),
            position=0,
            amount=0,
            grabbed_at=bindparam("now"),
        )
        .on_conflict_do_nothing(index_elements=["envelope_id", "user_id"])
        .returning(_grabs.c.user_id)
    )
)
# The guarded UPDATE that takes the next position; it returns the counters the answer shows.
_TAKE = Prepared(
    update(_envelopes)
    .where(
        _envelopes.c.id == bindparam("envelope_id"),
        _envelopes.c.status == OPEN,
        _envelopes.c.grabbed_count < _envelopes.c.shares,
        _envelopes.c.expires_at > _NOW,
    )
    .values(
        grabbed_count=_envelopes.c.grabbed_count + 1,
        grabbed_amount=_envelopes.c.grabbed_amount + _NEXT_SHARE,
        status=case((_LAST, FINISHED), else_=OPEN),
        finished_at=case((_LAST, _NOW), else_=None),
    )
    .returning(
        _envelopes.c.grabbed_count,
        _envelopes.c.grabbed_amount,
        _envelopes.c.status,
        _envelopes.c.finished_at,
    )
)
# The member's row gets the position taken and that position's share, which it returns.
_SETTLE = Prepared(
    update(_grabs)
    .where(
        _grabs.c.envelope_id == bindparam("envelope_id"),
        _grabs.c.user_id == bindparam("user_id"),
    )
    .values(
        position=bindparam("position"),
        amount=select(_shares.c.amount)
        .where(
            _shares.c.envelope_id == bindparam("envelope_id"),
            _shares.c.position == bindparam("position"),
        )
        .scalar_subquery(),
    )
    .returning(_grabs.c.amount)
)
_STATE = Prepared(
    select(_envelopes.c.status, _envelopes.c.grabbed_count, _envelopes.c.shares).where(
        _envelopes.c.id == bindparam("envelope_id")
    )
)


def escrow_of(envelope_id: uuid.UUID) -> ledger.AccountRef:
    """Where an envelope's money waits between the sender and the grabbers (bounded at 0),
    sharded by envelope so that envelopes do not queue on one row."""
    return ledger.platform_account("red_envelope_escrow", shard_key=envelope_id)


@dataclass(frozen=True, slots=True)
class GrabOutcome:
    """The actor's share: the ``position``-th grab, ``amount`` fen, and the envelope after it —
    its counters and this grab; every grab only once the envelope finished (the envelope's page
    lists them all at any time)."""

    position: int
    amount: int
    envelope: EnvelopeView


def clean_greeting(raw: str | None) -> str:
    text = " ".join((raw or "").split())
    if len(text) > MAX_GREETING:
        raise EnvelopeInvalid(
            errors=[
                {
                    "field": "greeting",
                    "message": _("at most %(n)s characters") % {"n": MAX_GREETING},
                }
            ]
        )
    return text


def check_source(source: str) -> None:
    """Wallet or treasure; credit is for orders only (422 ``credit_orders_only``)."""
    payments.check_source(
        source, allowed=FUNDING, message="A red envelope is paid from the wallet or the treasure."
    )


def envelope_amount(kind: str, total: int | None, per_share: int | None, shares: int) -> int:
    """The envelope's total in fen: given, or for an equal envelope ``per_share × shares``."""
    if total is not None and per_share is not None and total != per_share * shares:
        raise EnvelopeInvalid(
            errors=[{"field": "amount", "message": _("give the total or the amount per share")}]
        )
    if total is not None:
        return total
    if per_share is not None and kind in (EQUAL, SINGLE):
        return per_share * shares
    raise EnvelopeInvalid(errors=[{"field": "amount", "message": _("how much to send")}])


def envelope_errors(
    kind: str, total: int, shares: int, *, direct: bool, members: int
) -> list[dict[str, str]]:
    """What is wrong with an envelope for this conversation (empty when it may be sent): a 1:1
    chat takes one single share; a group a lucky or equal split into 1 to min(100, members)."""
    settings = get_settings()
    if kind not in KINDS:
        return [{"field": "kind", "message": _("single, lucky or equal")}]
    if direct and kind != SINGLE:
        return [{"field": "kind", "message": _("a 1:1 chat takes a single envelope")}]
    if not direct and kind == SINGLE:
        return [{"field": "kind", "message": _("a group takes a lucky or an equal envelope")}]
    if direct and shares != 1:
        return [{"field": "shares", "message": _("a 1:1 envelope has one share")}]
    max_count = 1 if direct else min(settings.red_envelope_max_shares, max(members, 1))
    return domain.envelope_errors(
        EQUAL if kind == SINGLE else kind,
        total,
        shares,
        max_share=settings.red_envelope_max_share,
        max_count=max_count,
    )


def send(
    uow: UnitOfWork,
    *,
    actor: Principal,
    conversation_id: uuid.UUID,
    kind: str,
    shares: int = 1,
    total: int | None = None,
    per_share: int | None = None,
    greeting: str = "",
    source: str = payments.WALLET,
    client_id: str | None = None,
) -> EnvelopeView:
    """Send a red envelope into a conversation the actor is in: shares drawn now, money to
    escrow, the chat card posted, the expiry deadline set. A retry with the same ``client_id``
    returns the envelope sent the first time.

    Raises:
        ConversationNotFound (404, not a member); CreditOnlyForOrders, EnvelopeInvalid,
        InvalidInput (422); InsufficientFunds, TreasureInsufficient (409); NotFriends /
        ChatBlocked (403), SendRateLimited (429) from chat — nothing changed.
    """
    check_source(source)
    words = clean_greeting(greeting)
    client = client_id or new_id().hex
    if not 0 < len(client) <= 64 or not client.isprintable():
        raise InvalidInput(
            N_("A client id has 1 to 64 characters."), errors=[{"field": "client_id"}]
        )
    settings = get_settings()
    with uow:
        session = uow.session
        conversation = chat.get_conversation(uow, actor=actor, conversation_id=conversation_id)
        sent = _sent_before(uow, actor, client)
        if sent is not None:
            return sent
        amount = envelope_amount(kind, total, per_share, shares)
        errors = envelope_errors(
            kind,
            amount,
            shares,
            direct=conversation.kind == "direct",
            members=len(conversation.members),
        )
        if errors:
            raise EnvelopeInvalid(errors=errors)
        payments.require_enabled(uow, source=source, store_ids=())
        amounts = domain.split(
            EQUAL if kind == SINGLE else kind,
            amount,
            shares,
            max_share=settings.red_envelope_max_share,
        )
        now = utcnow()
        envelope_id = new_id()
        expires_at = now + timedelta(hours=settings.red_envelope_hours)
        inserted = session.execute(
            upsert_insert(session, _envelopes)
            .values(
                id=envelope_id,
                conversation_id=conversation_id,
                sender_id=actor.user_id,
                client_id=client,
                kind=kind,
                total=amount,
                shares=shares,
                currency="CNY",
                greeting=words,
                source=source,
                status=OPEN,
                grabbed_count=0,
                grabbed_amount=0,
                refunded=0,
                created_at=now,
                expires_at=expires_at,
            )
            .on_conflict_do_nothing(index_elements=["sender_id", "client_id"])
            .returning(_envelopes.c.id)
        ).first()
        if inserted is None:  # the same client id raced in and won: return its envelope
            raced = _sent_before(uow, actor, client)
            assert raced is not None
            return raced
        session.execute(
            insert(_shares),
            [
                {"envelope_id": envelope_id, "position": n, "amount": share}
                for n, share in enumerate(amounts, start=1)
            ],
        )
        _fund(uow, actor, envelope_id, amount, source)
        with posting(session, envelope_id):
            message = chat.send_message(
                uow,
                actor=actor,
                conversation_id=conversation_id,
                kind=RED_ENVELOPE,
                body={"envelope_id": str(envelope_id)},
                client_id=f"red-envelope:{envelope_id}",
            )
        session.execute(
            update(_envelopes).where(_envelopes.c.id == envelope_id).values(message_id=message.id)
        )
        schedule_deadline(uow, kind=EXPIRY, ref_id=envelope_id, due_at=expires_at)
        return envelope_view_in(session, actor, envelope_id)


def _sent_before(uow: UnitOfWork, actor: Principal, client: str) -> EnvelopeView | None:
    session = uow.session
    found = session.scalar(
        select(_envelopes.c.id).where(
            _envelopes.c.sender_id == actor.user_id, _envelopes.c.client_id == client
        )
    )
    return envelope_view_in(session, actor, found) if found is not None else None


def _fund(
    uow: UnitOfWork, actor: Principal, envelope_id: uuid.UUID, amount: int, source: str
) -> None:
    """Sender → escrow. From the treasure, the money passes through the wallet in the same
    transaction (``treasure.spend_to_wallet``, not counted against the daily redemption cap)."""
    if source == payments.TREASURE:
        treasure.spend_to_wallet(
            uow,
            user_id=actor.user_id,
            amount=amount,
            key=f"envelope:{envelope_id}",
            purpose="red_envelope",
        )
    ledger.transfer(
        uow,
        key=f"envelope:{envelope_id}:fund",
        kind="red_envelope_fund",
        legs=[
            ledger.Leg(payments.wallet_of(actor.user_id), -amount),
            ledger.Leg(escrow_of(envelope_id), amount),
        ],
        memo={"envelope_id": str(envelope_id), "source": source},
    )


def grab(uow: UnitOfWork, *, actor: Principal, envelope_id: uuid.UUID) -> GrabOutcome:
    """Open an envelope: the next share goes to the actor's wallet. The grab that takes the last
    share finishes the envelope.

    Raises:
        EnvelopeNotFound (404, not in the conversation now); OwnEnvelope (409, the sender of a
        1:1 envelope), AlreadyGrabbed, EnvelopeEmpty, EnvelopeExpired (409) — nothing changed.
    """
    gate = uow.gates[ENVELOPE_GATE]
    gate_key = str(envelope_id)
    observed_at = time.monotonic()
    # In a storm most grabbers lose. A refusal is decided by reads alone, before the write block
    # opens (in the writer, a block is a savepoint: three statements a refusal need not send).
    # Once every share is taken a member is told so from memory (core.gates), after the access
    # check that keeps outsiders at 404 — or from the row read, for the grabs that come before
    # the gate closes. Taking a share is still decided by the guarded update alone.
    with uow.read() as session:
        if gate.is_closed(gate_key):
            if standing(session, actor, envelope_id):
                raise OwnEnvelope()
            raise EnvelopeEmpty()
        envelope = access_envelope(session, actor, envelope_id)
    if envelope.kind == SINGLE and envelope.sender_id == actor.user_id:
        raise OwnEnvelope()
    if envelope.status == FINISHED:
        gate.close(gate_key, observed_at=observed_at)
        raise EnvelopeEmpty()
    with uow:
        session = uow.session
        now = utcnow()
        grabber = {"envelope_id": envelope_id, "user_id": actor.user_id, "now": now}
        # The grab row first: one person's second grab waits here for the first to finish,
        # then finds the row and is refused without touching the envelope.
        if _CLAIM.first(session, grabber) is None:
            raise AlreadyGrabbed()
        taken = _TAKE.first(session, {"envelope_id": envelope_id, "now": now})
        if taken is None:
            refusal = _refusal(uow, envelope_id)
            if isinstance(refusal, EnvelopeEmpty):
                gate.close(gate_key, observed_at=observed_at)
            raise refusal
        # The row as the update left it: only its counters change while it is open.
        after = replace(
            envelope,
            grabbed_count=taken[0],
            grabbed_amount=taken[1],
            status=taken[2],
            finished_at=taken[3],
        )
        position = after.grabbed_count
        amount = int(_SETTLE.scalar(session, {**grabber, "position": position}))
        ledger.transfer(
            uow,
            key=f"envelope:{envelope_id}:grab:{position}",
            kind="red_envelope_grab",
            legs=[
                ledger.Leg(escrow_of(envelope_id), -amount),
                ledger.Leg(payments.wallet_of(actor.user_id), amount),
            ],
            memo={"envelope_id": str(envelope_id), "position": position},
        )
        if after.status == FINISHED:
            cancel_deadline(uow, kind=EXPIRY, ref_id=envelope_id)
            uow.after_commit(partial(gate.close, gate_key, observed_at=observed_at))
        uow.publish(
            f"conv:{envelope.conversation_id}",
            {
                "type": "red_envelope",
                "conversation_id": str(envelope.conversation_id),
                "envelope_id": gate_key,
                "grabbed": position,
                "shares": envelope.shares,
                "status": after.status,
                "user_id": str(actor.user_id),
            },
        )
        # The answer: the row in hand and this grab. Who got how much is the envelope's page,
        # read when someone looks — in a storm, reading every earlier grab into every grab's
        # answer would cost more than the grab. The grab that finishes the envelope reads them
        # all: it names the luckiest.
        if after.status == FINISHED:
            grabs = grabs_of(session, envelope_id)
        else:
            grabs = [(actor.user_id, actor.display_name, position, amount, now)]
        return GrabOutcome(position, amount, view_of(after, grabs, actor, now))


def _refusal(uow: UnitOfWork, envelope_id: uuid.UUID) -> Exception:
    """Why the guarded update took no share: all taken, or expired."""
    state = _STATE.first(uow.session, {"envelope_id": envelope_id})
    assert state is not None  # read by the access check, and envelopes are never deleted
    status, count, shares = state
    if status == FINISHED or count >= shares:
        return EnvelopeEmpty()
    return EnvelopeExpired()


def expire_envelope(uow: UnitOfWork, envelope_id: uuid.UUID) -> bool:
    """The envelope's time ran out: what nobody grabbed goes back to the sender's wallet (to the
    wallet even when the envelope was paid from the treasure). Idempotent: ``False`` when there
    is nothing to do (finished, already expired, or not yet due)."""
    with uow:
        session = uow.session
        now = utcnow()
        expired = session.execute(
            update(_envelopes)
            .where(
                _envelopes.c.id == envelope_id,
                _envelopes.c.status == OPEN,
                _envelopes.c.expires_at <= now,
            )
            .values(
                status=EXPIRED,
                expired_at=now,
                refunded=_envelopes.c.total - _envelopes.c.grabbed_amount,
            )
            .returning(_envelopes.c.sender_id, _envelopes.c.refunded, _envelopes.c.conversation_id)
        ).first()
        if expired is None:
            return False
        sender_id, refunded, conversation_id = expired[0], int(expired[1]), expired[2]
        if refunded > 0:
            ledger.transfer(
                uow,
                key=f"envelope:{envelope_id}:refund",
                kind="red_envelope_refund",
                legs=[
                    ledger.Leg(escrow_of(envelope_id), -refunded),
                    ledger.Leg(payments.wallet_of(sender_id), refunded),
                ],
                memo={"envelope_id": str(envelope_id)},
            )
        uow.publish(
            f"conv:{conversation_id}",
            {
                "type": "red_envelope",
                "conversation_id": str(conversation_id),
                "envelope_id": str(envelope_id),
                "status": EXPIRED,
            },
        )
        return True
