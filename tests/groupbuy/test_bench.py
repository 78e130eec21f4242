"""The group-buy benchmark, small: a real server, teams opened and raced for over HTTP, and its
correctness counters (never its timings) — on SQLite, and on PostgreSQL when it is configured."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from agora.bench import run_scenario
from conftest import BACKENDS, PG_URL


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_small_group_buy_run_overfills_nothing_and_charges_no_one_refused(backend: str) -> None:
    url = (PG_URL or "") if backend == "postgresql" else ""
    # In a thread of its own: the scenario runs its own event loop, and the browser tests'
    # session keeps one running on the main thread.
    with ThreadPoolExecutor(max_workers=1) as pool:
        result = pool.submit(
            run_scenario,
            "group-buy",
            buyers=60,
            teams=6,
            team_size=3,
            deals=2,
            threads=2,
            database_url=url,
        ).result(timeout=600)

    assert result["dialect"] == backend
    assert result["starts"] == 6 and result["start_failures"] == {}
    assert result["unanswered"] == 0 and result["client_errors"] == {}
    # 54 joiners spread at random (a fixed seed) over 6 teams of 2 places: every place taken
    assert (result["places"], result["joins"], result["refused"]) == (12, 12, {"team_full": 42})
    assert (result["teams_complete"], result["teams_open"]) == (6, 0)
    assert result["overfilled_teams"] == 0
    assert result["money_moved_for_refused"] == 0
    assert result["refused_who_joined_anyway"] == 0
    assert result["held_orders_of_complete_teams"] == 0
    assert result["ledger_ok"] is True
