"""Payments errors, each with a stable code."""

from __future__ import annotations

from agora.core.errors import N_, AgoraError, Conflict, NotFound


class FundingSourceDisabled(Conflict):
    code = "funding_source_disabled"
    title = N_("This way of paying is switched off at the moment.")


class ChargeNotFound(NotFound):
    code = "charge_not_found"
    title = N_("This payment does not exist.")


class WithdrawalNotFound(NotFound):
    code = "withdrawal_not_found"
    title = N_("This withdrawal does not exist.")


class UnknownGateway(NotFound):
    code = "unknown_gateway"
    title = N_("This bank gateway does not exist.")


class BadSignature(AgoraError):
    """A notification whose signature does not verify: refused before anything is read."""

    status = 401
    code = "bad_signature"
    title = N_("The notification's signature does not verify.")


class MalformedNotification(AgoraError):
    status = 400
    code = "malformed_notification"
    title = N_("The notification cannot be read.")


class RefundExceedsCharge(Conflict):
    code = "refund_exceeds_charge"
    title = N_("The refund is more than what is left of the payment.")


class ChargeNotCaptured(Conflict):
    code = "charge_not_captured"
    title = N_("Only a completed payment can be refunded.")


class CreditOnlyForOrders(AgoraError):
    """Credit is closed-loop: it pays Agora orders and nothing else (no top-up, withdrawal,
    envelope or treasure deposit), so it can never turn into cash."""

    status = 422
    code = "credit_orders_only"
    title = N_("Credit pays for orders at Agora stores only.")
