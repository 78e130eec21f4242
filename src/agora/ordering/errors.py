"""Ordering errors, each with a stable code."""

from __future__ import annotations

from agora.core.errors import N_, Conflict, InvalidInput, NotFound

__all__ = ["N_"]  # the ordering modules import the marker from here


class OrderNotFound(NotFound):
    code = "order_not_found"
    title = N_("This order does not exist.")


class RefundNotFound(NotFound):
    code = "refund_not_found"
    title = N_("This refund does not exist.")


class SkuUnavailable(InvalidInput):
    code = "sku_unavailable"
    title = N_("This item is not on sale.")


class CartEmpty(InvalidInput):
    code = "cart_empty"
    title = N_("Your cart is empty.")


class CartFull(InvalidInput):
    code = "cart_full"
    title = N_("Your cart is full.")


class OrderStateConflict(Conflict):
    """The order is not in a state that allows this (someone else may have acted first)."""

    code = "order_state_conflict"
    title = N_("The order is not in a state that allows this.")


class PaymentExpired(Conflict):
    code = "payment_expired"
    title = N_("The time to pay for this order is over.")


class ReturnPending(Conflict):
    code = "return_pending"
    title = N_("A return request is waiting for the merchant.")


class RefundTooLarge(Conflict):
    code = "refund_too_large"
    title = N_("This refunds more than what is left to refund.")


class RefundDecided(Conflict):
    code = "refund_decided"
    title = N_("This return was already decided.")


class OrderHeld(Conflict):
    """A group order waits for its team: it is neither shipped nor refunded until the team fills
    (then it ships) or fails (then the system refunds every member)."""

    code = "order_held"
    title = N_("This order waits for its team to fill.")


class AddressRequired(Conflict):
    """Checkout without a delivery address: the shopper has none, or named none of theirs."""

    code = "address_required"
    title = N_("Add a delivery address first.")


class DisputeNotFound(NotFound):
    code = "dispute_not_found"
    title = N_("This dispute does not exist.")


class DisputeExists(Conflict):
    """One open dispute per order, one escalation per return, one complaint per order."""

    code = "dispute_exists"
    title = N_("This is already before Agora.")


class DisputeNotAllowed(Conflict):
    """Only a rejected return can be escalated; only a delivered or completed order can be
    complained about; each within its window."""

    code = "dispute_not_allowed"
    title = N_("This cannot be taken to Agora.")


class DisputeDecided(Conflict):
    code = "dispute_decided"
    title = N_("This dispute was already decided.")


class EvidenceFull(Conflict):
    code = "dispute_evidence_full"
    title = N_("You cannot add more evidence to this dispute.")


class StoreFundsShort(Conflict):
    """A refund of a settled order takes the money back from the store, which no longer holds
    enough of it."""

    code = "store_funds_short"
    title = N_("The store's settled balance does not cover this refund.")


class NoDeliveryAddress(Conflict):
    code = "no_delivery_address"
    title = N_("This order has no delivery address: enter a tracking number from your carrier.")


class CarrierReportsDelivery(Conflict):
    code = "carrier_reports_delivery"
    title = N_("This parcel's carrier reports its delivery; it cannot be marked by hand.")
