"""Real server processes on loopback ports, for HTTP benchmarks and process-level tests.

Every process is started with the interpreter running this code (``python -m agora.cli`` or
``python -m uvicorn``), so it serves exactly the installed code; it is stopped (or killed) by the
caller. :func:`start_server` starts ``agora serve``, in one process or (``processes`` > 1) as
uvicorn workers, optionally beside an ``agora worker`` process that runs the relay and the
scheduler for them; :func:`start_app` starts any ASGI app under uvicorn.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class ServerProcess:
    process: subprocess.Popen[bytes]
    base_url: str
    log_path: Path
    # Processes that serve beside the server and live and die with it (the scaled shape's worker).
    companions: list[subprocess.Popen[bytes]] = field(default_factory=list)

    @property
    def pids(self) -> list[int]:
        """The root processes whose trees make up the server (for CPU accounting)."""
        return [self.process.pid] + [p.pid for p in self.companions]

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def writer_report(self) -> dict[str, Any]:
        """What the server processes' writers did, read from the line each logs as it stops
        (``runtime.shutdown``): commands, batches and statements per command. Call after
        :meth:`stop`."""
        totals = {"commands": 0, "batches": 0, "statements": 0}
        for line in self.log().splitlines():
            _, found, stats = line.partition("writer stats ")
            if found:
                numbers = json.loads(stats)
                for key in totals:
                    totals[key] += int(numbers.get(key, 0))
        commands = totals["commands"]
        return {
            "writer_commands": commands,
            "writer_batches": totals["batches"],
            "statements_per_command": round(totals["statements"] / commands, 1) if commands else 0,
        }

    def stop(self) -> None:
        for process in [self.process, *self.companions]:
            if process.poll() is None:
                process.terminate()
        for process in [self.process, *self.companions]:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=15)

    def kill(self) -> None:
        """SIGKILL: no shutdown hooks, no flushing — a crash."""
        for process in [self.process, *self.companions]:
            if process.poll() is None:
                process.send_signal(signal.SIGKILL)
                process.wait(timeout=15)


def start_server(
    database_url: str,
    log_path: Path,
    *,
    workers: bool = True,
    processes: int = 1,
    worker_process: bool = False,
    extra_env: dict[str, str] | None = None,
    timeout: float = 60,
) -> ServerProcess:
    """Start ``agora serve`` on a free loopback port and wait until /healthz answers.

    ``workers`` runs the relay and scheduler inside the server; ``processes`` > 1 serves from
    that many uvicorn worker processes (``agora serve --workers N``); ``worker_process`` starts
    one ``agora worker`` beside the server to run the relay and scheduler instead (its log is
    ``<log>.worker``).
    """
    extra = extra_env or {}
    env = {**os.environ, "AGORA_DATABASE_URL": database_url, **extra}
    # A Redis the caller's own environment names is not the server's business; one it passes is.
    if "AGORA_REDIS_URL" not in extra:
        env.pop("AGORA_REDIS_URL", None)
    if not workers or worker_process:
        env["AGORA_EMBEDDED_WORKERS"] = "false"
    port = free_port()
    argv = [sys.executable, "-m", "agora.cli", "serve", "--port", str(port)]
    if processes > 1:
        argv += ["--workers", str(processes)]
    server = _spawn(argv, env, f"http://127.0.0.1:{port}", log_path)
    if worker_process:
        worker_log = log_path.with_name(log_path.name + ".worker")
        with worker_log.open("wb") as log:
            server.companions.append(
                subprocess.Popen(
                    [sys.executable, "-m", "agora.cli", "worker"],
                    env={**env, "AGORA_EMBEDDED_WORKERS": "true"},
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )
    _wait_ready(server, "/healthz", timeout, "agora serve")
    return server


def start_app(app: str, log_path: Path, *, timeout: float = 60) -> ServerProcess:
    """Start ``uvicorn APP`` (``module:attribute``) on a free loopback port with its defaults
    (loop and HTTP parser ``auto``), no access log; wait until ``/`` answers."""
    port = free_port()
    argv = [sys.executable, "-m", "uvicorn", app, "--port", str(port)]
    argv += ["--no-access-log", "--log-level", "warning"]
    server = _spawn(argv, dict(os.environ), f"http://127.0.0.1:{port}", log_path)
    _wait_ready(server, "/", timeout, app)
    return server


def _spawn(argv: list[str], env: dict[str, str], base_url: str, log_path: Path) -> ServerProcess:
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("wb") as log:
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            argv, env=env, stdout=log, stderr=subprocess.STDOUT
        )
    return ServerProcess(process, base_url, log_path)


def _wait_ready(server: ServerProcess, path: str, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            if httpx.get(f"{server.base_url}{path}", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        gone = [p for p in [server.process, *server.companions] if p.poll() is not None]
        if gone or time.monotonic() > deadline:
            server.kill()
            raise RuntimeError(f"{what} did not start:\n" + server.log())
        time.sleep(0.1)


SHAPES = ("single", "scaled")
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"


def start_bench_server(
    database_url: str,
    folder: Path,
    *,
    shape: str = "single",
    processes: int = 1,
    redis_url: str = DEFAULT_REDIS_URL,
    extra_env: dict[str, str] | None = None,
) -> ServerProcess:
    """The server an HTTP bench drives, in the deployment ``shape`` asked for.

    - ``single``: one ``agora serve`` process running the relay and scheduler itself;
    - ``scaled``: ``agora serve`` as ``processes`` uvicorn workers that run no relay or scheduler,
      one ``agora worker`` that does, all on PostgreSQL and sharing the Redis hub.
    """
    if shape == "single":
        if processes != 1:
            raise ValueError("several server processes need --shape scaled")
        return start_server(database_url, folder / "server.log", extra_env=extra_env)
    if shape == "scaled":
        if not database_url.startswith("postgresql"):
            raise ValueError("--shape scaled needs a PostgreSQL --database-url")
        return start_server(
            database_url,
            folder / "server.log",
            processes=processes,
            worker_process=True,
            extra_env={**(extra_env or {}), "AGORA_REDIS_URL": redis_url},
        )
    raise ValueError(f"unknown shape {shape!r}; choose from {', '.join(SHAPES)}")
