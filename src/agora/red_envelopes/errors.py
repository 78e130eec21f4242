"""Red-envelope errors, each with a stable code."""

from __future__ import annotations

from agora.core.errors import N_, Conflict, InvalidInput, NotFound

__all__ = ["N_"]


class EnvelopeNotFound(NotFound):
    """Also what someone outside the conversation gets: an envelope's id reveals nothing."""

    code = "red_envelope_not_found"
    title = N_("This red envelope does not exist.")


class AlreadyGrabbed(Conflict):
    code = "red_envelope_already_grabbed"
    title = N_("You have already opened this red envelope.")


class EnvelopeEmpty(Conflict):
    code = "red_envelope_empty"
    title = N_("Too late: every share of this red envelope has been taken.")


class EnvelopeExpired(Conflict):
    code = "red_envelope_expired"
    title = N_("This red envelope has expired. What was left went back to the sender.")


class OwnEnvelope(Conflict):
    code = "red_envelope_own"
    title = N_("This red envelope is for the other person in the chat.")


class EnvelopeInvalid(InvalidInput):
    code = "red_envelope_invalid"
    title = N_("Check the amount and the number of shares.")
