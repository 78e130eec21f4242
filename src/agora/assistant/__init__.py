"""The conversational shopping assistant (PRODUCT.md O): reads chat for what a shopper wants.

``domain.interpret`` is the pure parser (English, Chinese, mixed); the vocabulary it reads with
comes from the catalog's categories and colours plus the built-in lexicons.

In the chat (``hook``, ``service``): only for shoppers with the ``chat_assistant`` consent, each
text they send is read after its commit; what was understood is kept per shopper and
conversation, shown to them alone with candidate products (``cards``), and removable part by
part; withdrawing the consent deletes it all (``handlers``).
"""

from agora.assistant import handlers as _handlers
from agora.assistant.chips import Chip
from agora.assistant.domain import (
    Part,
    Preferences,
    TurnResult,
    Vocabulary,
    category_slugs,
    interpret,
)
from agora.assistant.embedding import default_embedder
from agora.assistant.errors import UnknownPart
from agora.assistant.models import AssistantState
from agora.assistant.service import (
    AssistantView,
    assistant_view,
    forget_conversation,
    forget_everything,
    read_message,
    remove_part,
    set_enabled,
)

__all__ = [
    "AssistantState",
    "AssistantView",
    "Chip",
    "Part",
    "Preferences",
    "TurnResult",
    "UnknownPart",
    "Vocabulary",
    "assistant_view",
    "category_slugs",
    "default_embedder",
    "forget_conversation",
    "forget_everything",
    "interpret",
    "read_message",
    "remove_part",
    "set_enabled",
]

del _handlers
