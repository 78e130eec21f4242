"""Memory gates: "sold out" and "all taken" answered from memory, never a "yes".

When a guarded UPDATE finds nothing left (a SKU's stock, an envelope's shares), the use case
closes the gate for that key after its commit; until the gate opens again, a request for that key
is refused without touching the database. A gate only ever says "no": buying or grabbing is always
decided by the guarded UPDATE, so a gate that is open when it could be closed costs one refused
write, never an oversell.

A closed gate must not outlive the scarcity. Whatever puts units back (a restock, a cancelled
order's released stock) opens the gate for every process through the hub (:data:`OPENED_TOPIC`).
Two more guards cover the races of several processes: a close observed before the latest open of
that key is ignored, and every close expires after ``ttl_seconds``, so a lost notice costs at most
one database check per key per ``ttl_seconds``.
"""

from __future__ import annotations

import threading
import time
from typing import Any

OPENED_TOPIC = "gates.opened"


class Gate:
    """Closed keys of one kind (``"stock"``, ``"envelope"``), each with when it was closed."""

    def __init__(self, name: str, *, ttl_seconds: float = 5.0) -> None:
        self.name = name
        self.ttl_seconds = ttl_seconds
        self._closed: dict[Any, float] = {}
        self._opened: dict[Any, float] = {}
        self._lock = threading.Lock()

    def is_closed(self, key: Any) -> bool:
        closed_at = self._closed.get(key)
        if closed_at is None:
            return False
        if time.monotonic() - closed_at > self.ttl_seconds:
            self._closed.pop(key, None)
            return False
        return True

    def close(self, key: Any, *, observed_at: float) -> None:
        """Close ``key``, found exhausted by a statement that ran at ``observed_at`` (monotonic)."""
        with self._lock:
            if self._opened.get(key, float("-inf")) >= observed_at:
                return  # units came back after what was observed
            self._closed[key] = time.monotonic()

    def open(self, key: Any) -> None:
        with self._lock:
            self._closed.pop(key, None)
            self._opened[key] = time.monotonic()
            if len(self._opened) > 10_000:  # only recent opens can race a close
                horizon = time.monotonic() - self.ttl_seconds
                self._opened = {k: t for k, t in self._opened.items() if t >= horizon}


class Gates:
    """The gates of one process, by name."""

    def __init__(self, *, ttl_seconds: float = 5.0) -> None:
        self.ttl_seconds = ttl_seconds
        self._gates: dict[str, Gate] = {}
        self._lock = threading.Lock()

    def __getitem__(self, name: str) -> Gate:
        gate = self._gates.get(name)
        if gate is None:
            with self._lock:
                gate = self._gates.setdefault(name, Gate(name, ttl_seconds=self.ttl_seconds))
        return gate

    def on_opened(self, event: dict[str, Any]) -> None:
        """Apply an :data:`OPENED_TOPIC` notice: ``{"gate": name, "keys": [key, ...]}``."""
        gate = self[str(event["gate"])]
        for key in event.get("keys", []):
            gate.open(str(key))


# One process, one set of gates: every unit of work of the process (a request's, the writer's, the
# scheduler's, a script's) closes and opens these, whichever runtime built it.
PROCESS_GATES = Gates()
