"""Chat (PRODUCT.md J): 1:1 and group conversations, sequenced messages, the WebSocket gateway.

Other contexts register message kinds with :func:`register_kind` at import.
"""

from agora.chat.conversations import (
    conversation_cursors,
    create_group,
    direct_conversation,
    get_conversation,
    invite,
    leave,
    list_conversations,
    remove_member,
    rename,
    set_muted,
    set_role,
    unread_total,
)
from agora.chat.errors import (
    AlreadyMembers,
    ChatBlocked,
    ConversationNotFound,
    MessageNotFound,
    NotAllowedInGroup,
    NotFriends,
    NotYourMessage,
    RecallWindowPassed,
    SendRateLimited,
    UnknownKind,
)
from agora.chat.kinds import KindNormalizer, register_kind, registered_kinds
from agora.chat.messages import history, is_member, mark_read, member_now, recall_message
from agora.chat.sending import on_sent, send_message
from agora.chat.store_chats import (
    StoreConversationView,
    StoreParties,
    join_store_staff,
    open_store_conversation,
    store_inbox,
    store_parties,
    store_unread_total,
)
from agora.chat.views import ConversationView, MemberView, MessageView

__all__ = [
    "AlreadyMembers",
    "ChatBlocked",
    "ConversationNotFound",
    "ConversationView",
    "KindNormalizer",
    "MemberView",
    "MessageNotFound",
    "MessageView",
    "NotAllowedInGroup",
    "NotFriends",
    "NotYourMessage",
    "RecallWindowPassed",
    "SendRateLimited",
    "StoreConversationView",
    "StoreParties",
    "UnknownKind",
    "conversation_cursors",
    "create_group",
    "direct_conversation",
    "get_conversation",
    "history",
    "invite",
    "is_member",
    "join_store_staff",
    "leave",
    "list_conversations",
    "mark_read",
    "member_now",
    "on_sent",
    "open_store_conversation",
    "recall_message",
    "register_kind",
    "registered_kinds",
    "remove_member",
    "rename",
    "send_message",
    "set_muted",
    "set_role",
    "store_inbox",
    "store_parties",
    "store_unread_total",
    "unread_total",
]
