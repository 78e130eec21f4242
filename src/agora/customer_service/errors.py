"""Customer service errors, each with a stable code."""

from __future__ import annotations

from agora.core.errors import N_, InvalidInput


class OwnStore(InvalidInput):
    """Staff answer their store's customers in its inbox; they do not write to it as one."""

    code = "own_store"
    title = N_("You cannot contact your own store. Its conversations are in the store's inbox.")


class OrderCardRefused(InvalidInput):
    """An order card sent any other way than with the order picker (a forged chat message)."""

    code = "order_card_refused"
    title = N_("Order cards are sent with the order picker.")
