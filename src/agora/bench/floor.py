"""``agora bench api-floor``: Agora's cheapest authenticated call against what its stack costs.

In one run, each on a server process of its own started one after the other, so they never
share the machine:

- ``raw_asgi``: a bare ASGI app on uvicorn (``bench/floor_apps.py``), ``GET /``;
- ``fastapi``: FastAPI with one ``async def`` endpoint, ``GET /``;
- ``me``: the real ``agora serve`` on a fresh database holding one shopper, ``GET /api/v1/me``
  with ``Authorization: Bearer <token>``.

Each server takes a short warm-up, then ``seconds`` of load from ``CONNECTIONS`` keep-alive
connections: from ``wrk`` (one thread) when it is installed, else from ``bench/loadgen.py``.
Reported for each: requests per second, latency p50/p99, the server's CPU per request (its
process tree, from ``/proc``) and the load generator's own CPU in cores (wrk's from its rusage);
then Agora's ``me`` over the two floors, as ratios of CPU per request and of throughput.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import subprocess
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from agora.bench import loadgen
from agora.bench.fresh import fresh_database
from agora.bench.server import (
    DEFAULT_REDIS_URL,
    ServerProcess,
    start_app,
    start_bench_server,
)
from agora.bench.stats import summary_ms
from agora.bench.trading import _shoppers, _warm_up

CONNECTIONS = 8
ME_TARGET_RPS = 3_000
WARM_UP_S = 1.0
STALL_S = 30.0  # past the run's end, a connection still unanswered fails the run


def run_api_floor(
    *,
    seconds: float = 6.0,
    database_url: str = "",
    shape: str = "single",
    processes: int = 1,
    redis_url: str = DEFAULT_REDIS_URL,
    driver: str = "auto",
    **_: Any,
) -> dict[str, Any]:
    """Measure the two floors and ``GET /api/v1/me``; ``seconds`` of load on each, from
    ``driver``: ``wrk``, ``loadgen``, or ``auto`` (wrk when it is installed)."""
    if driver not in ("auto", "wrk", "loadgen"):
        raise ValueError(f"unknown driver {driver!r}; choose from auto, wrk, loadgen")
    wrk = shutil.which("wrk") if driver != "loadgen" else None
    if driver == "wrk" and wrk is None:
        raise ValueError("wrk is not installed")
    results: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="agora-bench-") as folder:
        for name, app in (
            ("raw_asgi", "agora.bench.floor_apps:raw_app"),
            ("fastapi", "agora.bench.floor_apps:fastapi_app"),
        ):
            server = start_app(app, Path(folder) / f"{name}.log")
            try:
                results[name] = measure(server, "/", {}, seconds, wrk)
            finally:
                server.stop()
        with fresh_database(database_url) as database:
            token = _shoppers(database, 1)[0][1]
            dialect = database.dialect
            server = start_bench_server(
                database.url, Path(folder), shape=shape, processes=processes, redis_url=redis_url
            )
            try:
                _warm_up(server.base_url)
                results["me"] = measure(
                    server, "/api/v1/me", {"Authorization": f"Bearer {token}"}, seconds, wrk
                )
            finally:
                server.stop()
    me = results["me"]
    return {
        "scenario": "api-floor",
        "dialect": dialect,
        "shape": shape,
        "server_processes": processes,
        "driver": "wrk" if wrk else "loadgen",
        "connections": CONNECTIONS,
        "seconds": seconds,
        **results,
        "me_vs_raw_asgi": _ratios(me, results["raw_asgi"]),
        "me_vs_fastapi": _ratios(me, results["fastapi"]),
        "me_target_rps": ME_TARGET_RPS,
        "me_ok": me["requests_per_s"] >= ME_TARGET_RPS and me["failed"] == 0,
    }


def _ratios(me: dict[str, Any], floor: dict[str, Any]) -> dict[str, float]:
    """How many times the floor's CPU per request ``me`` costs, and what share of its
    throughput it reaches."""
    cpu, rps = floor["server_cpu_us_per_request"], floor["requests_per_s"]
    return {
        "server_cpu_per_request": round(me["server_cpu_us_per_request"] / cpu, 2) if cpu else 0.0,
        "throughput": round(me["requests_per_s"] / rps, 3) if rps else 0.0,
    }


def measure(
    server: ServerProcess, path: str, headers: dict[str, str], seconds: float, wrk: str | None
) -> dict[str, Any]:
    """A warm-up, then ``seconds`` of ``GET path`` from ``CONNECTIONS`` connections: from the
    ``wrk`` at that path, or from the load generator when it is None."""
    raw = loadgen.encode_request("GET", path, headers=headers)
    loadgen.run(_hammer(server, raw, min(WARM_UP_S, seconds)))
    if wrk:
        return _run_wrk(wrk, server, path, headers, seconds)
    return loadgen.run(_hammer(server, raw, seconds))


async def _hammer(server: ServerProcess, raw: bytes, seconds: float) -> dict[str, Any]:
    """``CONNECTIONS`` connections each sending ``raw`` again as soon as it is answered, for
    ``seconds``."""
    opened = await loadgen.open_connections(server.base_url, CONNECTIONS)
    window = loadgen.CpuWindow(server.pids)
    try:
        runs = await asyncio.wait_for(
            asyncio.gather(*(c.repeat(raw, seconds=seconds) for c in opened)), seconds + STALL_S
        )
    except (TimeoutError, ConnectionError) as exc:
        raise RuntimeError(f"the server stopped answering ({exc!r}):\n{server.log()}") from None
    usage = window.close()
    loadgen.close_all(opened)
    latencies = [latency for run in runs for latency in run.latencies]
    statuses: Counter[int] = sum((run.statuses for run in runs), Counter())
    answered = sum(statuses.values())
    summary = summary_ms(latencies)
    return _figures(
        requests=answered,
        failed=answered - statuses.get(200, 0),
        wall_s=usage.wall_s,
        server_cpu_s=usage.server_cpu_s,
        loadgen_cpu_s=usage.loadgen_cpu_s,
        p50_ms=summary["p50_ms"],
        p99_ms=summary["p99_ms"],
    )


def _figures(
    *,
    requests: int,
    failed: int,
    wall_s: float,
    server_cpu_s: float,
    loadgen_cpu_s: float,
    p50_ms: float,
    p99_ms: float,
) -> dict[str, Any]:
    cores = round(loadgen_cpu_s / wall_s, 3) if wall_s else 0.0
    return {
        "requests": requests,
        "failed": failed,
        "requests_per_s": round(requests / wall_s, 1) if wall_s else 0.0,
        "p50_ms": p50_ms,
        "p99_ms": p99_ms,
        "server_cpu_us_per_request": round(server_cpu_s * 1e6 / requests, 1) if requests else 0.0,
        "server_cpu_cores": round(server_cpu_s / wall_s, 3) if wall_s else 0.0,
        "loadgen_cpu_cores": cores,
        "loadgen_ok": cores < loadgen.LOADGEN_CPU_LIMIT,
    }


def _run_wrk(
    wrk: str, server: ServerProcess, path: str, headers: dict[str, str], seconds: float
) -> dict[str, Any]:
    argv = [wrk, "-t1", f"-c{CONNECTIONS}", f"-d{max(1, round(seconds))}s", "--latency"]
    for name, value in headers.items():
        argv += ["-H", f"{name}: {value}"]
    argv.append(server.base_url + path)
    window = loadgen.CpuWindow(server.pids)
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)  # noqa: S603
    # wait4 gives wrk's own rusage: the CPU the load generator used, and nothing else's.
    _, status, rusage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    usage = window.close()
    assert process.stdout is not None
    output = process.stdout.read().decode(errors="replace")
    process.stdout.close()
    if process.returncode != 0:
        raise RuntimeError(f"wrk failed ({process.returncode}):\n{output}")
    parsed = parse_wrk(output)
    return _figures(
        requests=parsed["requests"],
        failed=parsed["non_2xx"] + parsed["socket_errors"],
        wall_s=usage.wall_s,
        server_cpu_s=usage.server_cpu_s,
        loadgen_cpu_s=rusage.ru_utime + rusage.ru_stime,
        p50_ms=parsed["p50_ms"],
        p99_ms=parsed["p99_ms"],
    ) | {"requests_per_s": parsed["requests_per_s"]}  # over wrk's own window, to the ms


_UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


def parse_wrk(output: str) -> dict[str, Any]:
    """The figures of ``wrk --latency``'s report: requests, requests/s, p50/p99 in ms, errors."""
    requests = re.search(r"(\d+) requests in ", output)
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    if requests is None or rate is None:
        raise ValueError(f"not a wrk report:\n{output}")
    percentiles = {
        int(p): float(value) * _UNIT_MS[unit]
        for p, value, unit in re.findall(r"^\s+(\d+)%\s+([\d.]+)(us|ms|s|m|h)\s*$", output, re.M)
    }
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    sockets = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    return {
        "requests": int(requests.group(1)),
        "requests_per_s": float(rate.group(1)),
        "p50_ms": round(percentiles.get(50, 0.0), 3),
        "p99_ms": round(percentiles.get(99, 0.0), 3),
        "non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
        "socket_errors": sum(int(n) for n in sockets.groups()) if sockets else 0,
    }
