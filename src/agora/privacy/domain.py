"""Pure rules of privacy (PRODUCT.md P): the consents, export states, what blocks an erasure.

Consents are given or withdrawn each separately.

Every consent is off until the shopper switches it on: Agora reads chats for shopping intent,
personalises from behaviour, or shares data with partner apps only with that explicit yes.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from agora.core.errors import N_

# What the shopper writes in chats is read for shopping intent (the chat assistant).
CHAT_ASSISTANT = "chat_assistant"
# Behaviour events are recorded and feeds are personalised from them.
PERSONALISED_RECOMMENDATIONS = "personalised_recommendations"
# Partner apps the shopper signs in to may receive their profile and orders.
PARTNER_SHARING = "partner_sharing"

CONSENT_KINDS: tuple[str, ...] = (CHAT_ASSISTANT, PERSONALISED_RECOMMENDATIONS, PARTNER_SHARING)

CONSENT_TITLES = {
    CHAT_ASSISTANT: N_("Shopping suggestions from my chats"),
    PERSONALISED_RECOMMENDATIONS: N_("Personalised recommendations from what I view and buy"),
    PARTNER_SHARING: N_("Share my data with partner apps I sign in to"),
}

# A ready export may be downloaded for this long; then only a new request gives a new one.
EXPORT_DAYS = 7
QUEUED, READY, EXPIRED = "queued", "ready", "expired"

# What an erased account is called wherever its rows stay (orders, chats, the ledger).
ERASED_NAME = "Deleted user"

# Why an account cannot be erased yet, each with what to do first.
BLOCKERS = {
    "open_orders": N_(
        "You have orders still open. Wait until they are completed, or cancel them, first."
    ),
    "wallet_balance": N_("Your wallet still holds money. Spend or withdraw it first."),
    "treasure_balance": N_("Your balance treasure still holds money. Move it out first."),
    "credit_owed": N_("You still owe Agora credit. Repay it first."),
    "store_staff": N_(
        "You run or work for a store. Ask the operator to hand the store over first."
    ),
}


def export_status(status: str, expires_at: datetime | None, now: datetime) -> str:
    """What the shopper sees: a ready export past its time is expired."""
    if status == READY and expires_at is not None and expires_at <= now:
        return EXPIRED
    return status


def erased_email(user_id: uuid.UUID) -> str:
    """An identifier no one can sign in with or register again, unique per erased account."""
    return f"erased-{user_id.hex}@erased.invalid"
