"""uvicorn's HTTP protocol, sending each response in one write instead of two.

uvicorn writes a response's head (status line and headers) as soon as the app starts it, and its
body as a second write. On a socket each write is a system call, and on loopback — where a bench,
a balancer or a sidecar talks to the server — the kernel delivers the bytes to the reader inside
that call: under load the two writes were a tenth of the event loop's time (docs/performance.md).
Here the head waits for the first piece of the body and goes out with it. A response that has no
body to wait for (``HEAD``, 1xx, 204, 304) is written at once, and closing the connection sends
what is held first.
"""

from __future__ import annotations

import asyncio
from typing import Any, cast

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

_NO_BODY = (b"204", b"304")


class HttpProtocol(HttpToolsProtocol):
    """``agora serve``'s protocol: :class:`HttpToolsProtocol` with one write per response."""

    def on_headers_complete(self) -> None:
        before = self.cycle
        super().on_headers_complete()
        cycle = self.cycle
        if cycle is None or cycle is before:
            return  # a WebSocket upgrade: no response of ours on this transport
        # The request's cycle was made just now and its task has not run yet.
        held = _HeadWithBody(cycle.transport, head_only=self.scope["method"] == "HEAD")
        cycle.transport = cast(asyncio.Transport, held)  # writes and closes; the rest passes on


class _HeadWithBody:
    """The transport as one response's cycle sees it: its head is held until its body comes."""

    __slots__ = ("_held", "_transport", "_waiting")

    def __init__(self, transport: Any, *, head_only: bool) -> None:
        self._transport = transport
        self._held: bytes | None = None
        self._waiting = not head_only  # for the head (never for a HEAD request's)

    def write(self, data: bytes) -> None:
        held = self._held
        if held is not None:
            self._held = None
            self._transport.write(held + data)
        elif self._waiting and data.startswith(b"HTTP/") and data[9:10] != b"1":
            # The head (not a ``100 Continue`` sent before it): held unless no body follows.
            self._waiting = False
            if data[9:12] in _NO_BODY:
                self._transport.write(data)
            else:
                self._held = data
        else:
            self._transport.write(data)

    def close(self) -> None:
        held, self._held = self._held, None
        if held is not None:
            self._transport.write(held)
        self._transport.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)
