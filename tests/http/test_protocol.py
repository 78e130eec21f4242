"""``agora serve``'s HTTP protocol: one write per response, and every response still whole."""

from __future__ import annotations

import asyncio
import http.client
import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket

from agora.http.protocol import HttpProtocol, _HeadWithBody


class Transport:
    def __init__(self) -> None:
        self.writes: list[bytes] = []
        self.closed = False

    def write(self, data: bytes) -> None:
        self.writes.append(data)

    def close(self) -> None:
        self.closed = True

    def is_closing(self) -> bool:
        return self.closed


HEAD = b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n"


def test_the_head_goes_out_with_the_body() -> None:
    transport = Transport()
    held = _HeadWithBody(transport, head_only=False)

    held.write(HEAD)
    assert transport.writes == []
    held.write(b"ok")
    held.write(b"more")

    assert transport.writes == [HEAD + b"ok", b"more"]
    assert held.is_closing() is False  # everything else is the transport's


@pytest.mark.parametrize(
    ("head", "head_only"),
    [
        (b"HTTP/1.1 204 No Content\r\n\r\n", False),
        (b"HTTP/1.1 304 Not Modified\r\n\r\n", False),
        (HEAD, True),
    ],
)
def test_a_head_without_a_body_goes_out_at_once(head: bytes, head_only: bool) -> None:
    transport = Transport()

    _HeadWithBody(transport, head_only=head_only).write(head)

    assert transport.writes == [head]


def test_continue_goes_out_at_once_and_the_head_still_waits() -> None:
    transport = Transport()
    held = _HeadWithBody(transport, head_only=False)

    held.write(b"HTTP/1.1 100 Continue\r\n\r\n")
    held.write(HEAD)
    assert transport.writes == [b"HTTP/1.1 100 Continue\r\n\r\n"]
    held.write(b"ok")

    assert transport.writes[1] == HEAD + b"ok"


def test_closing_sends_what_is_held_first() -> None:
    transport = Transport()
    held = _HeadWithBody(transport, head_only=False)

    held.write(HEAD)
    held.close()

    assert (transport.writes, transport.closed) == ([HEAD], True)


async def _hello(request: Request) -> Response:
    return PlainTextResponse("hello " * int(request.query_params.get("n", "1")))


async def _empty(_: Request) -> Response:
    return Response(status_code=204)


async def _stream(_: Request) -> Response:
    async def parts() -> Any:
        for n in range(3):
            yield f"part {n};"

    return StreamingResponse(parts(), media_type="text/plain")


async def _echo(socket: WebSocket) -> None:
    await socket.accept()
    await socket.send_text("echo " + await socket.receive_text())
    await socket.close()


@pytest.fixture(scope="module")
def server() -> Iterator[int]:
    app = Starlette(
        routes=[
            Route("/hello", _hello, methods=["GET", "HEAD", "POST"]),
            Route("/empty", _empty),
            Route("/stream", _stream),
            WebSocketRoute("/socket", _echo),
        ]
    )
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = uvicorn.Config(app, port=port, http=HttpProtocol, log_level="warning", lifespan="off")
    running = uvicorn.Server(config)
    thread = threading.Thread(target=lambda: asyncio.run(running.serve()), daemon=True)
    thread.start()
    for _ in range(200):
        if running.started:
            break
        threading.Event().wait(0.02)
    yield port
    running.should_exit = True
    thread.join(10)


def test_real_responses_on_one_connection_are_whole(server: int) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", server, timeout=10)
    answers = []
    for method, path, body in [
        ("GET", "/hello", None),
        ("HEAD", "/hello", None),
        ("GET", "/empty", None),
        ("GET", "/stream", None),
        ("GET", "/hello?n=20000", None),
        ("POST", "/hello", b"x" * 10),
        ("GET", "/nowhere", None),
    ]:
        connection.request(
            method, path, body=body, headers={"Expect": "100-continue"} if body else {}
        )
        response = connection.getresponse()
        answers.append((response.status, len(response.read())))
    connection.close()

    assert answers == [
        (200, 6),
        (200, 0),
        (204, 0),
        (200, 21),
        (200, 6 * 20000),
        (200, 6),
        (404, 9),
    ]


def test_a_websocket_upgrade_is_left_to_the_socket(server: int) -> None:
    from websockets.sync.client import connect

    with connect(f"ws://127.0.0.1:{server}/socket", open_timeout=10) as socket:
        socket.send("hi")
        assert socket.recv(timeout=10) == "echo hi"
