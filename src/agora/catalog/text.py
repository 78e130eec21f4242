"""Search tokens for English and Chinese, shared by indexing and querying so both agree.

Chinese runs are segmented into words with jieba (``cut_for_search`` when indexing, so a long
compound is also findable by its parts); Latin words are lower-cased and lightly singularised.
Filter tokens (``c_red``) ride in the same index so a colour filter costs one more term.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable
from typing import Any

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_WORD = re.compile(r"[a-z0-9]+")
_lock = threading.Lock()
_jieba_ready = False
MAX_QUERY_TOKENS = 12


def _jieba() -> Any:
    global _jieba_ready
    import jieba

    if not _jieba_ready:
        with _lock:
            if not _jieba_ready:
                jieba.setLogLevel(logging.WARNING)
                jieba.initialize()
                _jieba_ready = True
    return jieba


def warm_up() -> None:
    """Load the segmentation dictionary (about a second) before the first search needs it."""
    _jieba()


def singular(word: str) -> str:
    if len(word) > 3 and word.endswith("ies"):
        return word[:-3] + "y"
    # "dresses", "watches", "boxes": the plural adds "es", so "dress" and "dresses" meet.
    if len(word) > 4 and word.endswith(("sses", "ches", "shes", "xes", "zzes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _latin(text: str) -> list[str]:
    return [singular(word) for word in _WORD.findall(text.lower())]


def _chinese(text: str, *, for_index: bool) -> list[str]:
    jieba = _jieba()
    tokens: list[str] = []
    for run in _CJK.findall(text):
        words = jieba.cut_for_search(run) if for_index else jieba.cut(run)
        tokens.extend(word for word in words if word.strip())
    return tokens


def tokens(text: str, *, for_index: bool = False) -> list[str]:
    return _latin(text) + _chinese(text, for_index=for_index)


def document(texts: Iterable[str], filters: Iterable[str] = ()) -> list[str]:
    """The distinct tokens of a product's searchable texts plus its filter tokens."""
    seen: dict[str, None] = {}
    for text in texts:
        for token in tokens(text, for_index=True):
            seen.setdefault(token, None)
    for token in filters:
        seen.setdefault(token, None)
    return list(seen)


def query(text: str) -> list[str]:
    """The distinct tokens of a user's query, in order, capped so a long query stays cheap."""
    seen: dict[str, None] = {}
    for token in tokens(text):
        seen.setdefault(token, None)
    return list(seen)[:MAX_QUERY_TOKENS]


def colour_token(colour: str) -> str:
    return "c_" + re.sub(r"[^a-z0-9]", "", colour.lower())
