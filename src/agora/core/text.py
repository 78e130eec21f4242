"""What every text a user sends must be: storable and printable on both databases.

PostgreSQL's text cannot hold NUL, and a lone UTF-16 surrogate (which JSON's ``\\ud800`` escape
can carry into a Python ``str``) cannot be encoded as UTF-8 on the way out, so one stored breaks
every page and answer that shows it. Both are refused at the door, once, for every input: the
HTTP guard (``http/input_guard.py``) walks JSON bodies, forms and URLs with :func:`first_bad_text`,
and the chat socket walks its frames with it too.
"""

from __future__ import annotations

import re
from typing import Any

from agora.core.errors import N_

# A NUL, or a surrogate code point: a valid pair never reaches a Python str as two halves.
_BAD = re.compile("[\x00\ud800-\udfff]")
MESSAGE = N_("Text must not contain NUL characters or unpaired surrogates.")


def is_clean(text: str) -> bool:
    return _BAD.search(text) is None


def first_bad_text(value: Any, path: str = "") -> str | None:
    """The dotted path of the first string in ``value`` (a parsed JSON document: keys included)
    that is not clean, or None when all are. ``"(root)"`` names a bad top-level string."""
    if isinstance(value, str):
        return None if is_clean(value) else (path or "(root)")
    if isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            if isinstance(key, str) and not is_clean(key):
                return path or "(root)"
            found = first_bad_text(item, where)
            if found is not None:
                return found
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found = first_bad_text(item, f"{path}.{index}" if path else str(index))
            if found is not None:
                return found
    return None
