"""The red-envelope benchmark, small: a real server, envelopes stormed over HTTP, and its
correctness counters (never its timings) — on SQLite, and on PostgreSQL when it is configured."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from agora.bench import run_scenario
from conftest import BACKENDS, PG_URL


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_small_red_envelope_run_hands_out_exactly_the_shares(backend: str) -> None:
    url = (PG_URL or "") if backend == "postgresql" else ""
    # In a thread of its own: the scenario runs its own event loop.
    with ThreadPoolExecutor(max_workers=1) as pool:
        result = pool.submit(
            run_scenario,
            "red-envelope",
            envelopes=3,
            grabbers=20,
            shares=5,
            threads=2,
            database_url=url,
        ).result(timeout=600)

    assert result["dialect"] == backend
    assert (result["sent"], result["send_failures"]) == (3, {})
    assert result["unanswered"] == 0 and result["client_errors"] == {}
    assert (result["attempts"], result["grabs"]) == (60, 15)
    assert result["refused"] == {"red_envelope_empty": 45}
    assert result["envelopes_finished"] == 3
    assert result["envelopes_overgrabbed"] == 0
    assert result["double_grabs"] == 0
    assert result["share_sum_mismatch"] == 0
    assert result["shares_below_one_fen"] == 0
    assert result["ledger_ok"] is True
