"""Pure payment rules: what a charge or withdrawal may become next, amount limits, and the
canonical form that bank notifications are signed in. No I/O here."""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlencode

from agora.core.errors import N_, InvalidInput
from agora.payments.errors import CreditOnlyForOrders

WALLET = "wallet"
GATEWAY_SANDBOX = "gateway:sandbox"
POINTS = "points"
TREASURE = "treasure"
CREDIT = "credit"
# The ways of paying the operator can switch: points are a discount source (agora.points), held
# in their own ledger asset; the platform's points funding pays the order's escrow for them. The
# treasure pays through the wallet in the same transaction (agora.treasure); credit pays orders
# only, straight into escrow (agora.credit).
SOURCES = (WALLET, GATEWAY_SANDBOX, POINTS, TREASURE, CREDIT)


def check_source(source: str, *, allowed: Collection[str], message: str) -> None:
    """What pays for anything but an order (a top-up, a withdrawal, a treasure deposit, an
    envelope, a repayment) comes from ``allowed`` only: 422 with ``message`` otherwise. Credit
    gets its own refusal, whatever ``allowed`` says: it is closed-loop and pays Agora orders
    only."""
    if source == CREDIT:
        raise CreditOnlyForOrders()
    if source not in allowed:
        raise InvalidInput(
            message, errors=[{"field": "source", "message": f"one of {', '.join(allowed)}"}]
        )


PENDING = "pending"
SUCCEEDED = "succeeded"
FAILED = "failed"
EXPIRED = "expired"

Outcome = Literal["succeeded", "failed"]
Kind = Literal["charge", "payout"]
OUTCOMES: tuple[Outcome, ...] = ("succeeded", "failed")
KINDS: tuple[Kind, ...] = ("charge", "payout")
MAX_REASON = 200

# What a charge may become on each bank outcome (or on its deadline). Succeeded and failed are
# final. Expired is final for us but not for the bank: a success that arrives after the deadline
# means the bank took the shopper's money, so it is still captured (into the wallet, never lost).
_CHARGE_MOVES: dict[str, dict[str, str]] = {
    PENDING: {SUCCEEDED: SUCCEEDED, FAILED: FAILED, EXPIRED: EXPIRED},
    EXPIRED: {SUCCEEDED: SUCCEEDED},
    SUCCEEDED: {},
    FAILED: {},
}
# A payout is asked of the bank once; it either pays (final) or refuses (money back, final).
_WITHDRAWAL_MOVES: dict[str, dict[str, str]] = {
    PENDING: {SUCCEEDED: SUCCEEDED, FAILED: FAILED},
    SUCCEEDED: {},
    FAILED: {},
}


def charge_next(status: str, event: str) -> str | None:
    """The charge's status after ``event`` (an outcome or "expired"); ``None``: ignore it."""
    return _CHARGE_MOVES.get(status, {}).get(event)


def charge_sources(event: str) -> tuple[str, ...]:
    """The statuses from which ``event`` moves a charge (for the guarded UPDATE's WHERE)."""
    return tuple(status for status, moves in _CHARGE_MOVES.items() if event in moves)


def withdrawal_next(status: str, outcome: str) -> str | None:
    return _WITHDRAWAL_MOVES.get(status, {}).get(outcome)


def check_amount(amount: int, *, minimum: int, maximum: int) -> None:
    """Raises InvalidInput unless ``amount`` is a whole number of fen within the limits."""
    if not isinstance(amount, int) or isinstance(amount, bool):
        raise InvalidInput(N_("The amount must be a whole number of fen."))
    if amount < minimum or amount > maximum:
        raise InvalidInput(
            N_("The amount is outside the allowed range."),
            errors=[{"field": "amount", "message": f"between {minimum} and {maximum} fen"}],
        )


@dataclass(frozen=True, slots=True)
class Notification:
    """What a bank tells us: the outcome of a charge or of a payout, under its own id."""

    notification_id: str
    kind: Kind
    ref_id: uuid.UUID
    outcome: Outcome
    amount: int
    currency: str = "CNY"
    reason: str | None = None
    """Why a payout failed, in the bank's words (a code such as ``declined``); signed with the
    rest when present, absent from the fields otherwise."""

    def as_dict(self) -> dict[str, Any]:
        fields: dict[str, Any] = {
            "id": self.notification_id,
            "type": f"{self.kind}.{self.outcome}",
            "object_id": str(self.ref_id),
            "amount": self.amount,
            "currency": self.currency,
        }
        if self.reason is not None:
            fields["reason"] = self.reason
        return fields


def canonical(fields: dict[str, Any]) -> bytes:
    """The bytes that are signed: keys sorted, no spaces, UTF-8. Signing these rather than the
    raw body means a re-serialised notification (another key order) still verifies."""
    return json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def sign(key: bytes, fields: dict[str, Any]) -> str:
    return hmac.new(key, canonical(fields), hashlib.sha256).hexdigest()


def signature_ok(key: bytes, fields: dict[str, Any], signature: str) -> bool:
    return hmac.compare_digest(sign(key, fields), signature.strip().lower())


def parse_notification(fields: dict[str, Any]) -> Notification | None:
    """A notification from its (already verified) fields; ``None`` if they do not make one."""
    kind, _, outcome = str(fields.get("type", "")).partition(".")
    ref_id = _uuid(fields.get("object_id"))
    notification_id = fields.get("id")
    amount = fields.get("amount")
    currency = fields.get("currency", "CNY")
    reason = fields.get("reason")
    if (
        kind not in KINDS
        or outcome not in OUTCOMES
        or ref_id is None
        or not isinstance(notification_id, str)
        or not 1 <= len(notification_id) <= 200
        or not isinstance(amount, int)
        or isinstance(amount, bool)
        or not isinstance(currency, str)
        or not (reason is None or (isinstance(reason, str) and 1 <= len(reason) <= MAX_REASON))
    ):
        return None
    return Notification(
        notification_id=notification_id,
        kind=kind,
        ref_id=ref_id,
        outcome=outcome,
        amount=amount,
        currency=currency,
        reason=reason,
    )


def _uuid(raw: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(raw))
    except ValueError:
        return None


def with_query(url: str, **params: str) -> str:
    """``url`` with ``params`` appended to its query, as a bank does to a return URL."""
    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}{urlencode(params)}"
