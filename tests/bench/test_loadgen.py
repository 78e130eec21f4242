"""The benches' load generator against a small uvicorn app in this process: statuses and bodies
read right, one connection kept alive across requests, a closed one opened again, and the CPU
it and a server's process tree use."""

from __future__ import annotations

import os
import subprocess
import threading
import time
from collections.abc import Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import pytest
import uvicorn

from agora.bench import loadgen
from agora.bench.floor import parse_wrk
from agora.bench.server import free_port

T = TypeVar("T")


class App:
    """Answers by path; remembers the client port of every request it served."""

    def __init__(self) -> None:
        self.client_ports: list[int] = []

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        assert scope["type"] == "http"
        self.client_ports.append(scope["client"][1])
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        path = scope["path"]
        if path == "/chunked":  # no content-length: uvicorn sends it chunked
            await send({"type": "http.response.start", "status": 200, "headers": []})
            for part in (b"one,", b"two,", b"three"):
                await send({"type": "http.response.body", "body": part, "more_body": True})
            await send({"type": "http.response.body", "body": b""})
            return
        status, answer, headers = {
            "/hello": (200, b'{"hello":"world"}', []),
            "/echo": (201, body, []),
            "/empty": (204, b"", []),
            "/close": (200, b"bye", [(b"connection", b"close")]),
        }.get(path, (404, b'{"code":"not_found"}', []))
        headers = [*headers, (b"content-length", str(len(answer)).encode())]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": answer})


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[App, str]]:
    app = App()
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "the test server did not start"
        time.sleep(0.02)
    yield app, f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def run(main: Coroutine[Any, Any, T]) -> T:
    # In a thread of its own: the browser tests' session may keep a loop running on this one.
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(loadgen.run, main).result(timeout=60)


def test_one_kept_alive_connection_reads_each_status_and_body(served: tuple[App, str]) -> None:
    app, base_url = served

    async def scenario() -> tuple[list[loadgen.Reply], int]:
        [connection] = await loadgen.open_connections(base_url, 1)
        replies = [
            await connection.request("GET", "/hello"),
            await connection.send(loadgen.api_request("POST", "/echo", payload={"n": 1})),
            await connection.request("GET", "/nowhere"),
            await connection.request("GET", "/empty"),
            await connection.request("POST", "/echo", b"x" * 100_000),
            await connection.request("GET", "/chunked"),
        ]
        connection.close()
        return replies, connection.reconnects

    first = len(app.client_ports)
    replies, reconnects = run(scenario())

    assert [(r.status, r.body) for r in replies] == [
        (200, b'{"hello":"world"}'),
        (201, b'{"n":1}'),
        (404, b'{"code":"not_found"}'),
        (204, b""),
        (201, b"x" * 100_000),
        (200, b"one,two,three"),
    ]
    assert replies[0].json() == {"hello": "world"}
    assert all(r.seconds > 0 for r in replies)
    # every request on one TCP connection: one client port, never reopened
    assert len(set(app.client_ports[first:])) == 1
    assert reconnects == 0


def test_a_connection_the_server_closes_is_opened_again(served: tuple[App, str]) -> None:
    app, base_url = served

    async def scenario() -> tuple[list[loadgen.Reply], int]:
        [connection] = await loadgen.open_connections(base_url, 1)
        replies = [
            await connection.request("GET", "/close"),
            await connection.request("GET", "/hello"),
        ]
        connection.close()
        return replies, connection.reconnects

    first = len(app.client_ports)
    replies, reconnects = run(scenario())

    assert [(r.status, r.body) for r in replies] == [(200, b"bye"), (200, b'{"hello":"world"}')]
    assert reconnects == 1
    assert len(set(app.client_ports[first:])) == 2


def test_repeat_counts_every_answer_of_a_closed_loop(served: tuple[App, str]) -> None:
    app, base_url = served

    async def scenario() -> list[loadgen.Repeated]:
        connections = await loadgen.open_connections(base_url, 2)
        raw = loadgen.encode_request("GET", "/hello")
        counted = [await c.repeat(raw, seconds=0.3) for c in connections]
        loadgen.close_all(connections)
        return counted

    first = len(app.client_ports)
    counted = run(scenario())

    served_now = len(app.client_ports) - first
    assert sum(len(c.latencies) for c in counted) == served_now > 10
    assert [set(c.statuses) for c in counted] == [{200}, {200}]
    assert len(set(app.client_ports[first:])) == 2


def test_cpu_window_counts_this_process_and_the_server_tree() -> None:
    child = subprocess.Popen(["sleep", "30"])
    try:
        assert child.pid in loadgen.process_tree(os.getpid())
        window = loadgen.CpuWindow([os.getpid()])
        spin_until = time.process_time() + 0.3
        while time.process_time() < spin_until:
            pass
        usage = window.close()
    finally:
        child.kill()
        child.wait()

    assert usage.loadgen_cpu_s >= 0.3
    assert usage.loadgen_cores > 0.5
    # the "server" here is this very process: its spin shows up as server CPU too
    assert usage.server_cpu_s >= 0.2
    report = usage.report(100, order=10)
    assert report["loadgen_ok"] is False
    assert report["server_cpu_ms_per_order"] == pytest.approx(
        report["server_cpu_ms_per_request"] * 10, rel=0.01
    )


WRK_REPORT = """\
Running 5s test @ http://127.0.0.1:8000/api/v1/me
  1 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     2.61ms    1.02ms  21.03ms   90.12%
    Req/Sec     3.10k   201.55     3.41k    78.00%
  Latency Distribution
     50%    2.40ms
     75%    2.81ms
     90%    3.43ms
     99%  850.00us
  15432 requests in 5.00s, 4.12MB read
  Socket errors: connect 0, read 1, write 0, timeout 2
  Non-2xx or 3xx responses: 7
Requests/sec:   3085.52
Transfer/sec:    843.12KB
"""


def test_a_wrk_report_is_read() -> None:
    assert parse_wrk(WRK_REPORT) == {
        "requests": 15432,
        "requests_per_s": 3085.52,
        "p50_ms": 2.4,
        "p99_ms": 0.85,
        "non_2xx": 7,
        "socket_errors": 3,
    }
