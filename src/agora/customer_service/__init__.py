"""Customer service (PRODUCT.md J): a shopper's conversation with a store, the store's shared
inbox, and order cards.

A context above chat and ordering: it composes the two (a store conversation is chat's; an order
card is a snapshot of an order), which neither may do, since the social contexts and the trading
ones do not import each other. Importing it registers the ``order_card`` message kind.
"""

from agora.customer_service.access import StoreChatAccess
from agora.customer_service.conversations import (
    InboxPage,
    inbox_unread,
    open_store_chat,
    staff_conversation,
    store_chat_access,
    store_inbox,
)
from agora.customer_service.errors import OrderCardRefused, OwnStore
from agora.customer_service.order_cards import (
    ORDER_CARD,
    OrderCard,
    order_choices,
    send_order_card,
    short_id,
)

__all__ = [
    "ORDER_CARD",
    "InboxPage",
    "OrderCard",
    "OrderCardRefused",
    "OwnStore",
    "StoreChatAccess",
    "inbox_unread",
    "open_store_chat",
    "order_choices",
    "send_order_card",
    "short_id",
    "staff_conversation",
    "store_chat_access",
    "store_inbox",
]
