"""Opaque identifiers: UUIDv7 (RFC 9562), time-ordered so they index well, never sequential."""

from __future__ import annotations

import os
import threading
import time
import uuid

_lock = threading.Lock()
_last_ms = 0
_seq = 0


def new_id() -> uuid.UUID:
    """A UUIDv7 whose 12-bit ``rand_a`` is a counter, so ids of one millisecond stay ordered."""
    global _last_ms, _seq
    with _lock:
        ms = time.time_ns() // 1_000_000
        if ms <= _last_ms:
            ms = _last_ms
            _seq += 1
            if _seq > 0xFFF:
                ms += 1
                _seq = 0
        else:
            _seq = 0
        _last_ms = ms
        seq = _seq
    rand_b = int.from_bytes(_random_bytes(), "big") & ((1 << 62) - 1)
    value = (ms & ((1 << 48) - 1)) << 80 | 0x7 << 76 | seq << 64 | 0b10 << 62 | rand_b
    # What uuid.UUID(int=value) makes, without re-checking arguments built right above (a hot
    # command makes a dozen ids, and the checks cost as much as the rest of the id).
    made = _new_uuid(uuid.UUID)
    _set(made, "int", value)
    _set(made, "is_safe", uuid.SafeUUID.unknown)
    return made


_new_uuid = object.__new__
_set = object.__setattr__


class _Entropy(threading.local):
    """Random bytes drawn from the OS 4 KiB at a time, 8 per id (a hot command makes a dozen
    ids; one system call each cost more than the rest of the id)."""

    buffer = b""
    offset = 0


_entropy = _Entropy()


def _forget_entropy() -> None:
    # A forked child must not hand out its parent's random bytes again.
    _entropy.buffer, _entropy.offset = b"", 0


os.register_at_fork(after_in_child=_forget_entropy)


def _random_bytes() -> bytes:
    if _entropy.offset + 8 > len(_entropy.buffer):
        _entropy.buffer, _entropy.offset = os.urandom(4096), 0
    start = _entropy.offset
    _entropy.offset = start + 8
    return _entropy.buffer[start : start + 8]


def parse_id(raw: str) -> uuid.UUID | None:
    """Parse an id from a URL or body; ``None`` for anything that is not a UUID."""
    try:
        return uuid.UUID(raw)
    except (ValueError, AttributeError, TypeError):
        return None
