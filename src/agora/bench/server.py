"""A real ``agora serve`` process on a loopback port, for HTTP benchmarks and process-level tests.

The process is started with the interpreter running this code (``python -m agora.cli``), so it
serves exactly the installed code; it is stopped (or killed) by the caller.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

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

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=15)

    def kill(self) -> None:
        """SIGKILL: no shutdown hooks, no flushing — a crash."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=15)


def start_server(
    database_url: str,
    log_path: Path,
    *,
    workers: bool = True,
    extra_env: dict[str, str] | None = None,
    timeout: float = 60,
) -> ServerProcess:
    """Start ``agora serve`` on a free loopback port and wait until /healthz answers."""
    extra = extra_env or {}
    env = {**os.environ, "AGORA_DATABASE_URL": database_url, **extra}
    # A Redis the caller's own environment names is not the server's business; one it passes is.
    if "AGORA_REDIS_URL" not in extra:
        env.pop("AGORA_REDIS_URL", None)
    if not workers:
        env["AGORA_EMBEDDED_WORKERS"] = "false"
    port = free_port()
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("wb") as log:
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            [sys.executable, "-m", "agora.cli", "serve", "--port", str(port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    server = ServerProcess(process, f"http://127.0.0.1:{port}", log_path)
    deadline = time.monotonic() + timeout
    while True:
        try:
            if httpx.get(f"{server.base_url}/healthz", timeout=1).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            server.kill()
            raise RuntimeError("agora serve did not start:\n" + server.log())
        time.sleep(0.1)
