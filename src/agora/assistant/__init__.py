"""The conversational shopping assistant (PRODUCT.md O): reads chat for what a shopper wants.

``domain.interpret`` is the pure parser (English, Chinese, mixed); the vocabulary it reads with
comes from the catalog's categories and colours plus the built-in lexicons.
"""

from agora.assistant.domain import (
    Part,
    Preferences,
    TurnResult,
    Vocabulary,
    category_slugs,
    interpret,
)
from agora.assistant.embedding import default_embedder

__all__ = [
    "Part",
    "Preferences",
    "TurnResult",
    "Vocabulary",
    "category_slugs",
    "default_embedder",
    "interpret",
]
