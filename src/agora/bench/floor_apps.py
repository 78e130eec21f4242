"""The floors ``agora bench api-floor`` measures Agora's cheapest API call against.

- :func:`raw_app`: a bare ASGI callable answering a constant JSON body: what uvicorn itself costs
  per request;
- :data:`fastapi_app`: FastAPI with one ``async def`` endpoint returning a constant dict: what the
  framework adds (routing, the endpoint call, JSON serialisation of the answer).

Each is served by its own ``python -m uvicorn agora.bench.floor_apps:raw_app`` (or
``:fastapi_app``) process; both answer ``GET /``.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from fastapi import FastAPI

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

# About the size and shape of what ``GET /api/v1/me`` answers.
ANSWER: dict[str, Any] = {
    "id": "0190f3c2-6d4e-7b1a-9c3e-2f5a8b7d6e10",
    "email": "floor@agora.invalid",
    "mobile": None,
    "display_name": "Floor",
    "locale": "en",
}
_BODY = json.dumps(ANSWER, separators=(",", ":")).encode()
_HEADERS = [
    (b"content-type", b"application/json"),
    (b"content-length", str(len(_BODY)).encode()),
]


async def raw_app(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": _HEADERS})
    await send({"type": "http.response.body", "body": _BODY})


fastapi_app = FastAPI(title="Agora API floor")


@fastapi_app.get("/")
async def constant() -> dict[str, Any]:
    return ANSWER
