"""Red envelopes (PRODUCT.md F): money sent into a chat in shares that members grab.

A 1:1 chat takes a single envelope for the other person; a group a lucky (random) or equal split
into up to 100 shares. The shares are drawn when the envelope is sent; exactly that many grabs
succeed however many members race; what is left after 24 hours goes back to the sender.
"""

from agora.red_envelopes import jobs as _jobs
from agora.red_envelopes.chat_kind import RED_ENVELOPE
from agora.red_envelopes.envelopes import (
    EQUAL,
    EXPIRED,
    EXPIRY,
    FINISHED,
    KINDS,
    LUCKY,
    OPEN,
    SINGLE,
    GrabOutcome,
    check_source,
    envelope_errors,
    escrow_of,
    expire_envelope,
    grab,
    send,
)
from agora.red_envelopes.errors import (
    AlreadyGrabbed,
    EnvelopeEmpty,
    EnvelopeExpired,
    EnvelopeInvalid,
    EnvelopeNotFound,
    OwnEnvelope,
)
from agora.red_envelopes.models import RedEnvelope, RedEnvelopeGrab, RedEnvelopeShare
from agora.red_envelopes.queries import (
    CardState,
    EnvelopeView,
    GrabView,
    card_states,
    envelope_view,
    share_amounts,
)

__all__ = [
    "EQUAL",
    "EXPIRED",
    "EXPIRY",
    "FINISHED",
    "KINDS",
    "LUCKY",
    "OPEN",
    "RED_ENVELOPE",
    "SINGLE",
    "AlreadyGrabbed",
    "CardState",
    "EnvelopeEmpty",
    "EnvelopeExpired",
    "EnvelopeInvalid",
    "EnvelopeNotFound",
    "EnvelopeView",
    "GrabOutcome",
    "GrabView",
    "OwnEnvelope",
    "RedEnvelope",
    "RedEnvelopeGrab",
    "RedEnvelopeShare",
    "card_states",
    "check_source",
    "envelope_errors",
    "envelope_view",
    "escrow_of",
    "expire_envelope",
    "grab",
    "send",
    "share_amounts",
]

del _jobs
