"""``agora bench api-floor`` with a second of load per server, driven by wrk where it is installed
and by the load generator where not: every figure there and positive (the figures themselves are
the machine's, never asserted)."""

from __future__ import annotations

import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from agora.bench import floor, run_scenario
from agora.bench.server import start_app

pytestmark = pytest.mark.slow


def test_a_short_api_floor_run_reports_every_server() -> None:
    # In a thread of its own: the scenario runs its own event loops.
    with ThreadPoolExecutor(max_workers=1) as pool:
        result = pool.submit(run_scenario, "api-floor", seconds=1).result(timeout=120)

    assert result["scenario"] == "api-floor"
    assert result["driver"] == ("wrk" if shutil.which("wrk") else "loadgen")
    for name in ("raw_asgi", "fastapi", "me"):
        figures = result[name]
        assert figures["failed"] == 0, name
        assert figures["requests"] > 0, name
        for key in ("requests_per_s", "server_cpu_us_per_request", "loadgen_cpu_cores", "p50_ms"):
            assert figures[key] > 0, (name, key)
        assert figures["p99_ms"] >= figures["p50_ms"], name
        assert isinstance(figures["loadgen_ok"], bool), name
    for ratios in (result["me_vs_raw_asgi"], result["me_vs_fastapi"]):
        assert set(ratios) == {"server_cpu_per_request", "throughput"}
        assert ratios["server_cpu_per_request"] > 0 and ratios["throughput"] > 0
    assert result["me_target_rps"] == 3000
    assert isinstance(result["me_ok"], bool)


def test_without_wrk_the_load_generator_drives_a_floor_app(tmp_path: Path) -> None:
    server = start_app("agora.bench.floor_apps:raw_app", tmp_path / "raw.log")
    try:
        with ThreadPoolExecutor(max_workers=1) as pool:
            figures = pool.submit(floor.measure, server, "/", {}, 0.5, None).result(timeout=60)
    finally:
        server.stop()

    assert figures["failed"] == 0
    assert figures["requests"] > 0
    assert figures["server_cpu_us_per_request"] > 0 and figures["loadgen_cpu_cores"] > 0
    assert figures["p99_ms"] >= figures["p50_ms"] > 0
