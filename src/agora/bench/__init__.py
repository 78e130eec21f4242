"""Benchmark scenarios behind ``agora bench``: each runs on a fresh database, returns a dict."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from agora.bench.assistant import run_assistant
from agora.bench.chat import run_chat_fanout
from agora.bench.floor import run_api_floor
from agora.bench.groupbuy import run_group_buy
from agora.bench.ledger import run_ledger
from agora.bench.live_room import run_live_room
from agora.bench.recs import run_recs
from agora.bench.red_envelopes import run_red_envelope
from agora.bench.search import run_search
from agora.bench.trading import run_checkout, run_flash_sale

SCENARIOS: dict[str, Callable[..., dict[str, Any]]] = {
    "api-floor": run_api_floor,
    "assistant": run_assistant,
    "chat-fanout": run_chat_fanout,
    "checkout": run_checkout,
    "flash-sale": run_flash_sale,
    "group-buy": run_group_buy,
    "ledger": run_ledger,
    "live-room": run_live_room,
    "recs": run_recs,
    "red-envelope": run_red_envelope,
    "search": run_search,
}


def run_scenario(name: str, **options: Any) -> dict[str, Any]:
    if name not in SCENARIOS:
        raise KeyError(f"unknown scenario {name!r}; choose from {', '.join(sorted(SCENARIOS))}")
    return SCENARIOS[name](**options)
