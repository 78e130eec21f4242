"""Deleting an account ("delete my account"): the shopper's personal data erased or anonymised
everywhere, in one transaction, while every record others rely on stays.

What stays, against the anonymised account ("Deleted user", an identifier nobody can sign in
with, no password, status ``erased``): the ledger (every entry, so each balance still replays),
orders and their money (the delivery address in an order keeps only its country, region and
city), the consent log and agreement acceptances (the evidence of what was agreed, which holds no
personal data), review ratings (the store's score rests on them; the review's words and photos
go), chat messages' rows with their sequence numbers (text erased, shown as recalled, so every
other member's history still lines up).

What goes: sign-in sessions and tokens (the token caches forget the user at once), addresses,
the cart, moments and the comments and likes the shopper wrote, friend links, requests and
blocks, store follows, exports, security events that name the account, idempotency records
(their stored answers may hold personal data), and the relayed outbox events that mention the
user. Any other table with a ``users.id`` column that cascades on delete — behaviour events,
assistant states, whatever a later context adds — has the user's rows deleted by that rule,
found by walking ``Base.metadata``; only the tables named in ``KEPT`` are exempt. The test in
tests/privacy walks every table afterwards to prove no personal value is left.

The outbox event ``privacy.account_erased`` (payload ``user_id``) tells every process and
context to drop what it keeps outside the database (in-memory models, caches).

Refused (``AccountInUse``, 409) while the shopper has open orders, money in the wallet or the
balance treasure, credit owed, or a place on a store's staff; points are forfeited.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import String, Table, cast, delete, exists, func, or_, select, update

from agora.core.clock import utcnow
from agora.core.db import Base
from agora.core.security import verify_password
from agora.core.uow import UnitOfWork
from agora.identity import Principal, SecurityEvent, User
from agora.identity.token_cache import PROCESS_TOKENS, REVOKED_TOPIC
from agora.privacy.domain import ERASED_NAME, erased_email
from agora.privacy.errors import AccountInUse, WrongPassword

ACCOUNT_ERASED = "privacy.account_erased"
ERASED_STATUS = "erased"
OPEN_ORDER_STATUSES = ("pending_payment", "paid", "shipped", "delivered")
# Tables with a cascading ``users.id`` column whose rows outlive the account (see above).
KEPT = frozenset(
    {
        "users",
        "consents",
        "consent_log",
        "agreement_acceptances",
        "chat_members",
        "chat_messages",
        "reviews",
        "store_staff",
        "shares",
        "share_attributions",
        "referral_rewards",
        "bargains",
        "bargain_helps",
        "group_deal_buyers",
        "live_flash_deal_buyers",
        "points_plans",
        "treasure_redemption_days",
    }
)


def _table(name: str) -> Table | None:
    return Base.metadata.tables.get(name)


def blockers(uow: UnitOfWork, user_id: uuid.UUID) -> list[str]:
    """What the shopper must finish before their account can be erased (codes of
    ``domain.BLOCKERS``), in that order; empty when nothing is in the way."""
    found: list[str] = []
    with uow.read() as session:
        orders = _table("orders")
        if orders is not None:
            open_order = select(orders.c.id).where(
                orders.c.buyer_id == user_id,
                or_(orders.c.status.in_(OPEN_ORDER_STATUSES), orders.c.return_open.is_(True)),
            )
            if session.scalar(select(exists(open_order))):
                found.append("open_orders")
        accounts = _table("ledger_accounts")
        if accounts is not None:
            balances = dict(
                session.execute(
                    select(accounts.c.kind, func.sum(accounts.c.balance))
                    .where(accounts.c.owner_type == "user", accounts.c.owner_id == user_id)
                    .group_by(accounts.c.kind)
                ).all()
            )
            for kind, code in (
                ("wallet", "wallet_balance"),
                ("treasure", "treasure_balance"),
                ("credit_owed", "credit_owed"),
            ):
                if balances.get(kind):
                    found.append(code)
        credit = _table("credit_lines")
        if "credit_owed" not in found and credit is not None:
            owed = select(credit.c.user_id).where(credit.c.user_id == user_id, credit.c.used > 0)
            if session.scalar(select(exists(owed))):
                found.append("credit_owed")
        staff = _table("store_staff")
        if staff is not None and session.scalar(
            select(exists(select(staff.c.user_id).where(staff.c.user_id == user_id)))
        ):
            found.append("store_staff")
    return found


def erase_account(uow: UnitOfWork, *, actor: Principal, password: str) -> None:
    """Erase the actor's own account after checking their password again.

    Raises:
        WrongPassword: the password is not the account's.
        AccountInUse: something listed in ``blockers`` is still open.
    """
    with uow.read() as session:
        user = session.get(User, actor.user_id)
        stored = user.password_hash if user is not None else None
    # The slow hash check first, outside the write transaction (SQLite's single writer).
    if user is None or not verify_password(stored, password):
        raise WrongPassword()
    if reasons := blockers(uow, actor.user_id):
        raise AccountInUse(reasons)
    with uow:
        # Checked again inside the erasing transaction: an order placed in between refuses it.
        if reasons := blockers(uow, actor.user_id):
            raise AccountInUse(reasons)
        _erase(uow, actor.user_id)


def _erase(uow: UnitOfWork, user_id: uuid.UUID) -> None:
    session = uow.session
    user = session.get(User, user_id, with_for_update=True)
    assert user is not None
    identifiers = [value for value in (user.email, user.phone) if value]
    now = utcnow()

    # Rows that exist only because of the account (addresses, the cart, moments, sessions...).
    for table in reversed(Base.metadata.sorted_tables):
        if table.name in KEPT:
            continue
        for column in table.columns:
            if any(
                key.column.table.name == "users" and key.ondelete == "CASCADE"
                for key in column.foreign_keys
            ):
                session.execute(delete(table).where(column == user_id))

    orders = _table("orders")
    if orders is not None:
        for order_id, ship_to in session.execute(
            select(orders.c.id, orders.c.ship_to).where(
                orders.c.buyer_id == user_id, orders.c.ship_to.is_not(None)
            )
        ).all():
            kept = {k: ship_to.get(k, "") for k in ("country", "region", "city")}
            erased = {"recipient": ERASED_NAME, "phone": "", "district": "", "street": ""}
            session.execute(
                update(orders)
                .where(orders.c.id == order_id)
                .values(ship_to={**kept, **erased, "postcode": ""})
            )
        refunds = _table("refunds")
        if refunds is not None:
            session.execute(
                update(refunds)
                .where(
                    refunds.c.order_id.in_(select(orders.c.id).where(orders.c.buyer_id == user_id))
                )
                .values(reason="")
            )
    messages = _table("chat_messages")
    if messages is not None:
        # The row and its sequence number stay (every member's history lines up); shown as
        # recalled, with nothing left of what was written.
        session.execute(
            update(messages)
            .where(messages.c.sender_id == user_id)
            .values(body={}, recalled_at=func.coalesce(messages.c.recalled_at, now))
        )
    _update(session, "reviews", "author_id", user_id, text="", image_urls=[], has_images=False)
    _update(session, "dispute_evidence", "author_id", user_id, text="", image_urls=[])
    _update(session, "red_envelopes", "sender_id", user_id, greeting="")
    _update(session, "agreement_acceptances", "user_id", user_id, ip=None, user_agent=None)
    _update(session, "share_visits", "user_id", user_id, ip_hash=None, user_id=None)

    events: Table = SecurityEvent.__table__  # type: ignore[assignment]
    session.execute(
        delete(events).where(or_(events.c.user_id == user_id, events.c.subject.in_(identifiers)))
    )
    throttles = _table("signin_throttles")
    if throttles is not None and identifiers:
        session.execute(delete(throttles).where(throttles.c.key.in_(identifiers)))
    keys = _table("idempotency_keys")
    if keys is not None:
        session.execute(delete(keys).where(keys.c.scope == f"user:{user_id}"))
    # Events already relayed have done their work; those naming the user may carry what they
    # wrote (a chat message's text) and go. Unrelayed ones still have work to do (see handlers).
    forget_relayed_events(uow, str(user_id))

    user.display_name = ERASED_NAME
    user.email = erased_email(user_id)
    user.phone = None
    user.password_hash = None
    user.locale = None
    user.time_zone = None
    user.status = ERASED_STATUS
    uow.after_commit(lambda: PROCESS_TOKENS.forget_user(user_id))
    uow.publish(REVOKED_TOPIC, {"user_id": str(user_id)})
    uow.emit(ACCOUNT_ERASED, {"user_id": str(user_id)}, topics=[])


def forget_relayed_events(uow: UnitOfWork, user_id: str, *, keep: uuid.UUID | None = None) -> int:
    """Delete the relayed outbox events whose payload names ``user_id`` (but ``keep``)."""
    outbox = _table("outbox")
    if outbox is None:
        return 0
    query = delete(outbox).where(
        outbox.c.published_at.is_not(None), cast(outbox.c.payload, String).contains(user_id)
    )
    if keep is not None:
        query = query.where(outbox.c.id != keep)
    return int(uow.session.execute(query).rowcount)  # type: ignore[attr-defined]


def _update(session: Any, name: str, column: str, who: uuid.UUID, **values: Any) -> None:
    table = _table(name)
    if table is None or column not in table.c:
        return
    present = {key: value for key, value in values.items() if key in table.c}
    if present:
        session.execute(update(table).where(table.c[column] == who).values(**present))
