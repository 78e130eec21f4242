"""Bargain errors, each with a stable code."""

from __future__ import annotations

from agora.core.errors import N_, Conflict, InvalidInput, NotFound

__all__ = ["N_"]


class OfferNotFound(NotFound):
    code = "bargain_offer_not_found"
    title = N_("There is no bargain offer here.")


class BargainNotFound(NotFound):
    """Also what a shopper gets for buying someone else's bargain: only its owner buys."""

    code = "bargain_not_found"
    title = N_("This bargain does not exist.")


class OfferExists(Conflict):
    code = "bargain_offer_exists"
    title = N_("This product already has a bargain offer. End it before making another.")


class OfferEnded(Conflict):
    code = "bargain_offer_ended"
    title = N_("This bargain offer has ended.")


class OfferSoldOut(Conflict):
    code = "bargain_sold_out"
    title = N_("Every unit of this bargain offer has been sold.")


class AlreadyBought(Conflict):
    code = "bargain_already_bought"
    title = N_("You already bought this item with a bargain.")


class OwnBargain(InvalidInput):
    code = "bargain_own"
    title = N_("You cannot help cut your own price. Share it with friends instead.")


class AlreadyHelped(Conflict):
    code = "bargain_already_helped"
    title = N_("You already helped with this bargain.")


class BargainExpired(Conflict):
    code = "bargain_expired"
    title = N_("This bargain's time is up.")


class BargainComplete(Conflict):
    code = "bargain_complete"
    title = N_("This bargain already reached its lowest price: no more help is needed.")


class NotReached(Conflict):
    code = "bargain_not_reached"
    title = N_("The lowest price is not reached yet: more friends need to help.")


class AlreadyOrdered(Conflict):
    code = "bargain_ordered"
    title = N_("This bargain has already been ordered.")
