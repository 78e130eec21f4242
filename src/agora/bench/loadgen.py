"""A cheap HTTP/1.1 load generator for the HTTP benches, and the CPU it and the server use.

On a two-core machine a load generator built on a full HTTP client costs about as much CPU as
the server it drives, so the benches would measure the client. This one is a bare
``asyncio.Protocol`` per keep-alive connection over loopback: requests are bytes encoded before
the measured window, and a response is read with a minimal parser (status line, headers,
``Content-Length`` or chunked body). One request is in flight per connection; a reply's latency
runs from the moment its request's bytes were written to the moment its last byte was read,
never from when the caller decided to send it.

:class:`CpuWindow` reports, over the measured window, the cores this process used
(``loadgen_cpu_cores``: a result counts only below :data:`LOADGEN_CPU_LIMIT`) and the CPU seconds
of the server's whole process tree, read from ``/proc``.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import time
from collections import Counter
from collections.abc import Coroutine, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple, TypeVar, cast
from urllib.parse import urlsplit

LOADGEN_CPU_LIMIT = 0.5  # cores: above this the generator competes with the server it measures
DEFAULT_TIMEOUT_S = 300.0

T = TypeVar("T")


# --- event loop ----------------------------------------------------------------------------------


def new_event_loop() -> asyncio.AbstractEventLoop:
    """uvloop's loop when it is installed (it comes with ``uvicorn[standard]``), else asyncio's."""
    try:
        import uvloop
    except ImportError:  # pragma: no cover
        return asyncio.new_event_loop()
    return uvloop.new_event_loop()


def run(main: Coroutine[Any, Any, T]) -> T:
    """Run ``main`` to completion on a new loop of :func:`new_event_loop` (in any thread)."""
    with asyncio.Runner(loop_factory=new_event_loop) as runner:
        return runner.run(main)


# --- requests ------------------------------------------------------------------------------------


def encode_request(
    method: str,
    path: str,
    *,
    body: bytes | None = None,
    headers: Mapping[str, str] | None = None,
    host: str = "127.0.0.1",
) -> bytes:
    """One HTTP/1.1 request as the bytes to write, ``Content-Length`` included."""
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    if body is not None or method in ("POST", "PUT", "PATCH"):
        lines.append(f"Content-Length: {len(body or b'')}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + (body or b"")


def api_request(
    method: str,
    path: str,
    *,
    token: str | None = None,
    payload: Any = None,
    idempotency_key: str | None = None,
) -> bytes:
    """An API request: a JSON body when ``payload`` is given, a bearer token, an idempotency key."""
    headers: dict[str, str] = {}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    if idempotency_key is not None:
        headers["Idempotency-Key"] = idempotency_key
    body = None
    if payload is not None:
        headers["Content-Type"] = "application/json"
        body = json.dumps(payload, separators=(",", ":")).encode()
    return encode_request(method, path, body=body, headers=headers)


_CONTENT_LENGTH = re.compile(rb"\r\ncontent-length:[ \t]*(\d+)", re.IGNORECASE)
_CHUNKED = re.compile(rb"\r\ntransfer-encoding:[^\r]*chunked", re.IGNORECASE)
_CLOSE = re.compile(rb"\r\nconnection:[^\r]*close", re.IGNORECASE)


class Reply(NamedTuple):
    status: int
    body: bytes
    seconds: float  # from the request's bytes written to the reply's last byte read

    def json(self) -> Any:
        return json.loads(self.body) if self.body else {}

    def outcome(self, success: int) -> str:
        """``success`` as text when the reply has that status, else its problem's ``code``
        (the status when the body names none): what the benches count answers by."""
        if self.status == success:
            return str(success)
        return str(self.json().get("code", self.status))


_Answer = tuple[int, bytes, float]  # status, body, the moment its last byte was read


class ConnectionClosed(ConnectionError):
    """The server closed the connection before answering."""


class _Idle(ConnectionClosed):
    """Closed before a byte of the answer on a connection that had answered before: the server
    dropped it as idle while the request was on its way, so the request was never read."""


# --- one connection ------------------------------------------------------------------------------


@dataclass
class Repeated:
    """What :meth:`Connection.repeat` counted: every reply's latency and status."""

    latencies: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)


@dataclass
class _Repeat:
    raw: bytes
    until: float
    done: asyncio.Future[None]
    sent_at: float = 0.0
    counted: Repeated = field(default_factory=Repeated)


class _Wire(asyncio.Protocol):
    """One TCP connection: parses one response at a time into its waiter, or, repeating one
    request, writes it again from the reply's callback (no task woken per request)."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.closed = False
        self.answered = 0
        self.waiter: asyncio.Future[_Answer] | None = None
        self.repeating: _Repeat | None = None
        self.no_body = False
        self.buffer = bytearray()
        self.body_start = -1
        self.status = 0
        self.length = -1
        self.chunked = False
        self.close_after = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's are not subclasses

    def expect(self, waiter: asyncio.Future[_Answer], *, no_body: bool) -> None:
        self.waiter, self.no_body = waiter, no_body
        self.reset()

    def reset(self) -> None:
        self.buffer.clear()
        self.body_start, self.status, self.length = -1, 0, -1
        self.chunked = self.close_after = False

    def data_received(self, data: bytes) -> None:
        buffer = self.buffer
        buffer += data
        if self.waiter is None and self.repeating is None:
            buffer.clear()
            return
        if self.body_start < 0 and not self._read_head():
            return
        if self.chunked:
            body = self._dechunk()
            if body is None:
                return
        elif self.length >= 0:
            if len(buffer) - self.body_start < self.length:
                return
            body = bytes(buffer[self.body_start : self.body_start + self.length])
        else:
            return  # no length: the body runs to the close
        self._answer(body)

    def _read_head(self) -> bool:
        buffer = self.buffer
        end = buffer.find(b"\r\n\r\n")
        if end < 0:
            return False
        # Searched in C over the head rather than split and decoded line by line: per answer this
        # is the generator's main cost.
        head = bytes(buffer[: end + 2])
        self.status = int(head[9:12])
        if 100 <= self.status < 200:  # an interim answer (100 Continue): the real one follows
            del buffer[: end + 4]
            return self._read_head()
        length = _CONTENT_LENGTH.search(head)
        self.length = int(length.group(1)) if length else -1
        self.chunked = length is None and _CHUNKED.search(head) is not None
        self.close_after = _CLOSE.search(head) is not None
        if self.no_body or self.status in (204, 304):
            self.length, self.chunked = 0, False
        self.body_start = end + 4
        return True

    def _dechunk(self) -> bytes | None:
        buffer, at = self.buffer, self.body_start
        parts: list[bytes] = []
        while True:
            line_end = buffer.find(b"\r\n", at)
            if line_end < 0:
                return None
            size = int(bytes(buffer[at:line_end]).split(b";", 1)[0], 16)
            at = line_end + 2
            if size == 0:
                # no trailers is the usual case; with trailers, they end at a blank line
                if buffer[at : at + 2] == b"\r\n":
                    return b"".join(parts)
                return b"".join(parts) if buffer.find(b"\r\n\r\n", at) >= 0 else None
            if len(buffer) < at + size + 2:
                return None
            parts.append(bytes(buffer[at : at + size]))
            at += size + 2

    def _answer(self, body: bytes) -> None:
        waiter, self.waiter = self.waiter, None
        self.answered += 1
        if self.close_after and self.transport is not None:
            self.closed = True
            self.transport.close()
        if self.repeating is not None:
            self._again(self.repeating)
        elif waiter is not None and not waiter.done():
            waiter.set_result((self.status, body, time.perf_counter()))

    def _again(self, repeat: _Repeat) -> None:
        now = time.perf_counter()
        repeat.counted.latencies.append(now - repeat.sent_at)
        repeat.counted.statuses[self.status] += 1
        if now < repeat.until and not self.closed and self.transport is not None:
            self.reset()
            repeat.sent_at = time.perf_counter()
            self.transport.write(repeat.raw)
        else:
            self.repeating = None
            if not repeat.done.done():
                repeat.done.set_result(None)

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        repeat, self.repeating = self.repeating, None
        if repeat is not None and not repeat.done.done():
            repeat.done.set_exception(ConnectionClosed(str(exc or "closed by the server")))
        waiter, self.waiter = self.waiter, None
        if waiter is None or waiter.done():
            return
        if self.body_start >= 0 and self.length < 0 and not self.chunked:
            body = bytes(self.buffer[self.body_start :])
            waiter.set_result((self.status, body, time.perf_counter()))
        elif not self.buffer and self.answered:
            waiter.set_exception(_Idle())
        else:
            waiter.set_exception(ConnectionClosed(str(exc or "closed by the server")))


class Connection:
    """A keep-alive HTTP/1.1 connection to one server, one request at a time.

    A connection the server closed (``Connection: close``, or idle) is opened again before the
    next request; a request that met an idle close on its way is written once more on a new
    connection (the server never read it), and its latency runs from that second write.
    """

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reconnects = 0
        self._wire: _Wire | None = None

    @classmethod
    async def open(cls, host: str, port: int) -> Connection:
        connection = cls(host, port)
        await connection._connect()
        return connection

    async def _connect(self) -> _Wire:
        loop = asyncio.get_running_loop()
        if self._wire is not None:
            self.reconnects += 1
        _, wire = await loop.create_connection(_Wire, self.host, self.port)
        self._wire = wire
        return wire

    async def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        *,
        timeout: float | None = DEFAULT_TIMEOUT_S,
    ) -> Reply:
        raw = encode_request(method, path, body=body, headers=headers, host=self.host)
        return await self.send(raw, timeout=timeout, no_body=method == "HEAD")

    async def send(
        self, raw: bytes, *, timeout: float | None = DEFAULT_TIMEOUT_S, no_body: bool = False
    ) -> Reply:
        """Write one pre-encoded request and read its reply.

        ``timeout`` None sets no timer (a timer per request is a fair share of the generator's
        cost at tens of thousands of requests a second): the caller bounds the run instead.

        Raises:
            ConnectionClosed: the server closed the connection without an answer.
            TimeoutError: no answer within ``timeout`` seconds (the connection is dropped).
        """
        loop = asyncio.get_running_loop()
        for attempt in (1, 2):
            wire = self._wire
            if wire is None or wire.closed:
                wire = await self._connect()
            if wire.waiter is not None:
                raise RuntimeError("one request at a time on a connection")
            assert wire.transport is not None
            waiter: asyncio.Future[_Answer] = loop.create_future()
            wire.expect(waiter, no_body=no_body)
            timer = None if timeout is None else loop.call_later(timeout, _time_out, wire, waiter)
            sent_at = time.perf_counter()
            wire.transport.write(raw)
            try:
                status, body, read_at = await waiter
            except _Idle:
                if attempt == 2:
                    raise
                continue
            finally:
                if timer is not None:
                    timer.cancel()
            return Reply(status, body, read_at - sent_at)
        raise AssertionError("unreachable")

    async def repeat(self, raw: bytes, *, seconds: float) -> Repeated:
        """Write ``raw`` again as soon as each reply is read, for ``seconds`` (a closed loop, as
        ``wrk`` drives a connection); each latency from its own write.

        Raises:
            ConnectionClosed: the server closed the connection (what was counted is lost).
        """
        wire = self._wire
        if wire is None or wire.closed:
            wire = await self._connect()
        if wire.waiter is not None or wire.repeating is not None:
            raise RuntimeError("one request at a time on a connection")
        assert wire.transport is not None
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        repeat = _Repeat(raw, time.perf_counter() + seconds, done)
        wire.no_body = False
        wire.reset()
        wire.repeating = repeat
        repeat.sent_at = time.perf_counter()
        wire.transport.write(raw)
        await done
        return repeat.counted

    def close(self) -> None:
        if self._wire is not None and self._wire.transport is not None:
            self._wire.transport.close()


def _time_out(wire: _Wire, waiter: asyncio.Future[_Answer]) -> None:
    if not waiter.done():
        wire.waiter = None
        waiter.set_exception(TimeoutError("no answer in time"))
        if wire.transport is not None:
            wire.closed = True
            wire.transport.abort()  # a late answer must not be read as the next one's


def host_port(base_url: str) -> tuple[str, int]:
    parts = urlsplit(base_url)
    return parts.hostname or "127.0.0.1", parts.port or 80


async def open_connections(base_url: str, count: int, *, wave: int = 0) -> list[Connection]:
    """``count`` connections to ``base_url``, opened ``wave`` at a time (0: all at once)."""
    host, port = host_port(base_url)
    opened: list[Connection] = []
    step = wave or count or 1
    for first in range(0, count, step):
        batch = min(step, count - first)
        opened += await asyncio.gather(*(Connection.open(host, port) for _ in range(batch)))
    return opened


def close_all(connections: Iterable[Connection]) -> None:
    for connection in connections:
        connection.close()


# --- CPU -----------------------------------------------------------------------------------------


def _cpu_of(pid: int) -> float | None:
    """User + system CPU seconds of one process, from ``/proc/PID/stat``; None once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except OSError:
        return found
    for task in tasks:
        try:
            found += [int(child) for child in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def process_tree(*roots: int) -> list[int]:
    """The given processes and all their descendants alive now."""
    seen: list[int] = []
    stack = list(roots)
    while stack:
        pid = stack.pop()
        if pid not in seen:
            seen.append(pid)
            stack += _children(pid)
    return seen


def tree_cpu(*roots: int) -> dict[int, float]:
    """CPU seconds of every live process in the trees under ``roots``, by pid."""
    usage = {pid: _cpu_of(pid) for pid in process_tree(*roots)}
    return {pid: seconds for pid, seconds in usage.items() if seconds is not None}


def server_cpu(*pids: int) -> float:
    """CPU seconds used so far by the server processes ``pids`` and all their descendants."""
    return sum(tree_cpu(*pids).values())


@dataclass(frozen=True)
class CpuUsage:
    wall_s: float
    loadgen_cpu_s: float
    server_cpu_s: float

    @property
    def loadgen_cores(self) -> float:
        return self.loadgen_cpu_s / self.wall_s if self.wall_s > 0 else 0.0

    def report(self, requests: int, **per: int) -> dict[str, Any]:
        """The figures every HTTP bench reports; ``per`` names further units (``paid_order=n``)
        to give the server's CPU per unit of."""
        cores = round(self.loadgen_cores, 3)
        figures: dict[str, Any] = {
            "loadgen_cpu_cores": cores,
            "loadgen_ok": cores < LOADGEN_CPU_LIMIT,
            "server_cpu_s": round(self.server_cpu_s, 3),
            "server_cpu_ms_per_request": _per(self.server_cpu_s * 1000, requests),
        }
        for unit, count in per.items():
            figures[f"server_cpu_ms_per_{unit}"] = _per(self.server_cpu_s * 1000, count)
        return figures


def _per(total: float, count: int) -> float:
    return round(total / count, 3) if count else 0.0


class CpuWindow:
    """The measured window: this process's CPU and the server trees' CPU from open to close.

    A server process started inside the window counts whole; one that ended inside it is lost
    (its CPU is not readable once it is gone), which a bench's server processes never do.
    """

    def __init__(self, server_pids: Iterable[int]) -> None:
        self.server_pids = tuple(server_pids)
        self._server = tree_cpu(*self.server_pids)
        self._cpu = time.process_time()
        self._wall = time.perf_counter()

    def close(self) -> CpuUsage:
        wall = time.perf_counter() - self._wall
        cpu = time.process_time() - self._cpu
        now = tree_cpu(*self.server_pids)
        server = sum(seconds - self._server.get(pid, 0.0) for pid, seconds in now.items())
        return CpuUsage(wall_s=wall, loadgen_cpu_s=cpu, server_cpu_s=max(0.0, server))
