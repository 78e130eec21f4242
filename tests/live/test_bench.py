"""The live-room benchmark, small: a real server, a room's flash deal that every viewer buys at
once over HTTP, and its correctness counters (never its timings) — on SQLite, and on PostgreSQL
when it is configured."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from agora.bench import run_scenario
from conftest import BACKENDS, PG_URL


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_small_live_room_run_sells_the_units_exactly_and_charges_no_one_twice(
    backend: str,
) -> None:
    url = (PG_URL or "") if backend == "postgresql" else ""
    # In a thread of its own: the scenario runs its own event loop.
    with ThreadPoolExecutor(max_workers=1) as pool:
        result = pool.submit(
            run_scenario, "live-room", viewers=40, units=10, database_url=url
        ).result(timeout=600)

    assert result["dialect"] == backend
    assert result["sign_in"]["signed_in"] == 40
    assert (result["orders"], result["paid_orders"]) == (10, 10)
    assert result["refused"] == {"flash_deal_sold_out": 30}
    assert result["unanswered"] == 0 and result["server_errors"] == 0
    assert result["client_errors"] == {}
    assert (result["deal_status"], result["deal_units"], result["deal_sold"]) == ("closed", 10, 10)
    assert (result["stock_initial"], result["stock_after"]) == (20, 10)
    assert result["oversold"] == 0 and result["over_limit"] == 0
    assert result["duplicate_charges"] == 0
    assert result["replayed_winners"] == 10 and result["retried_refused"] == 20
    assert result["replay_failures"] == 0
    assert result["comments"] is None and result["likes"] is None
    assert result["ledger_ok"] is True
