"""``agora bench assistant`` runs end to end on a few messages and reports what the docs quote."""

from __future__ import annotations

from agora.bench import run_scenario


def test_the_assistant_bench_reports_latency_and_the_models_share() -> None:
    result = run_scenario("assistant", queries=300)
    assert result["scenario"] == "assistant"
    assert result["messages"] == 300
    assert 0 < result["p50_ms"] <= result["p95_ms"] <= result["p99_ms"] <= result["max_ms"]
    assert 0 < result["fallback_share"] < 0.2
    assert 0 <= result["fallback_mapped_share"] <= result["fallback_share"]
    assert set(result["with_model"]) == {"p50_ms", "p95_ms", "p99_ms", "max_ms"}
    assert result["changed_share"] > 0.5
