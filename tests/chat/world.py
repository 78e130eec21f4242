"""Helpers for chat tests: people, friendships, a product to share, events captured from units
of work."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import anyio
from starlette.testclient import WebSocketTestSession

from agora import catalog, social
from agora.core.db import Database
from agora.core.uow import UnitOfWork
from agora.identity import Principal
from factories import make_categories, make_operator, make_product, make_store, make_user, principal

WAIT = 10  # seconds before a missing frame fails the test (never a sleep: a bound on waiting)


def person(uow: UnitOfWork, name: str) -> Principal:
    return principal(make_user(uow, name=name))


def befriend(uow: UnitOfWork, one: Principal, other: Principal) -> None:
    request = social.send_request(uow, actor=one, to_user_id=other.user_id)
    social.accept_request(uow, actor=other, request_id=request.id)


def product(uow: UnitOfWork) -> catalog.ProductDetail:
    ops = make_operator(uow)
    owner = make_user(uow, name="Merchant")
    store = make_store(uow, ops, owner, name_en="Cloud Coats")
    cats = make_categories(uow, ops)
    return make_product(uow, principal(owner), store, cats["coats"], title_en="Wool Coat")


@dataclass
class Recorder:
    """A publisher that records what a unit of work pushes to the hub after commit."""

    events: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def __call__(self, topic: str, event: dict[str, Any]) -> None:
        self.events.append((topic, event))

    def uow(self, db: Database) -> UnitOfWork:
        return UnitOfWork(db, publisher=self)

    def types(self) -> list[tuple[str, str]]:
        return [(topic.split(":")[0], str(event["type"])) for topic, event in self.events]


def bearer(uow: UnitOfWork, actor: Principal) -> str:
    """A fresh API token for ``actor`` (signed in with the factories' password)."""
    from agora.identity import User, sign_in
    from factories import CLIENT, PASSWORD

    with uow.read() as session:
        user = session.get(User, actor.user_id)
        assert user is not None and user.email is not None
        email = user.email
    return sign_in(uow, identifier=email, password=PASSWORD, client=CLIENT, kind="api").token


def auth(uow: UnitOfWork, actor: Principal) -> dict[str, str]:
    return {"Authorization": f"Bearer {bearer(uow, actor)}"}


def recv(ws: WebSocketTestSession, timeout: float = WAIT) -> dict[str, Any]:
    """The next frame on a test socket, or fail after ``timeout`` instead of hanging the run."""

    async def get() -> Any:
        with anyio.fail_after(timeout):
            return await ws._send_rx.receive()

    message = ws.portal.call(get)
    ws._raise_on_close(message)
    frame: dict[str, Any] = json.loads(message["text"])
    return frame
