"""The input guard: a NUL or a lone surrogate anywhere in a request is 422 ``invalid_text`` and
changes nothing; a body over the limit is 413. Each case here answered 500 (or stored text that
broke every later read) before the guard."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from agora.core.uow import UnitOfWork
from agora.identity import SecurityEvent
from chat.world import auth, befriend, person
from factories import PASSWORD, assert_problem, csrf_of
from red_envelopes.world import World, make_world

JSON = {"content-type": "application/json"}
SURROGATE = rb'"x\ud800y"'
NUL = rb'"x\u0000y"'


def raw_message(text: bytes) -> bytes:
    return b'{"client_id":"c1","kind":"text","body":{"text":' + text + b"}}"


def security_events(uow: UnitOfWork) -> int:
    with uow.read() as session:
        return session.scalar(select(func.count()).select_from(SecurityEvent)) or 0


@pytest.mark.parametrize("text", [SURROGATE, NUL], ids=["lone surrogate", "NUL"])
def test_a_chat_message_with_bad_text_is_refused_and_the_chat_keeps_working(
    client: TestClient, uow: UnitOfWork, text: bytes
) -> None:
    # Given two friends in a direct chat.
    alice, bob = person(uow, "Alice"), person(uow, "Bob")
    befriend(uow, alice, bob)
    as_alice, as_bob = auth(uow, alice), auth(uow, bob)
    conv = client.post(
        "/api/v1/conversations/direct", json={"user_id": str(bob.user_id)}, headers=as_alice
    ).json()["id"]

    # When Alice sends a message whose text carries the bad character.
    response = client.post(
        f"/api/v1/conversations/{conv}/messages",
        content=raw_message(text),
        headers={**as_alice, **JSON},
    )

    # Then it is refused, nothing is stored, and both still read the chat.
    body = assert_problem(response, 422, "invalid_text")
    assert body["errors"][0]["field"] == "body.text"
    for headers in (as_alice, as_bob):
        listed = client.get("/api/v1/conversations", headers=headers)
        assert listed.status_code == 200
        assert listed.json()[0]["last_seq"] == 0
        history = client.get(f"/api/v1/conversations/{conv}/messages", headers=headers)
        assert (history.status_code, history.json()["items"]) == (200, [])
        assert client.get(f"/chat/{conv}", headers=headers).status_code == 200


def test_a_surrogate_pair_is_an_ordinary_character(client: TestClient, uow: UnitOfWork) -> None:
    alice, bob = person(uow, "Alice"), person(uow, "Bob")
    befriend(uow, alice, bob)
    as_alice = auth(uow, alice)
    conv = client.post(
        "/api/v1/conversations/direct", json={"user_id": str(bob.user_id)}, headers=as_alice
    ).json()["id"]

    response = client.post(
        f"/api/v1/conversations/{conv}/messages",
        content=raw_message(rb'"smile \ud83d\ude00"'),
        headers={**as_alice, **JSON},
    )

    assert response.status_code == 201, response.text
    assert response.json()["body"]["text"] == "smile \U0001f600"


def test_a_nul_in_the_sign_in_identifier_is_refused_unrecorded(
    client: TestClient, uow: UnitOfWork
) -> None:
    before = security_events(uow)

    api = client.post(
        "/api/v1/tokens",
        content=b'{"identifier":"mei\\u0000@example.com","password":"' + PASSWORD.encode() + b'"}',
        headers=JSON,
    )
    page = client.post(
        "/signin",
        content=f"identifier=mei%00%40example.com&password=x&csrf_token={csrf_of(client)}",
        headers={"content-type": "application/x-www-form-urlencoded", "accept": "text/html"},
    )

    assert_problem(api, 422, "invalid_text")
    assert page.status_code == 422
    assert "text/html" in page.headers["content-type"]
    assert security_events(uow) == before


@pytest.mark.parametrize(
    "url",
    ["/api/v1/people?q=a%00b", "/api/v1/products?q=%00", "/api/v1/products/%00"],
)
def test_a_nul_in_the_url_is_refused(client: TestClient, uow: UnitOfWork, url: str) -> None:
    headers = auth(uow, person(uow, "Alice"))

    assert_problem(client.get(url, headers=headers), 422, "invalid_text")


def test_a_nul_in_a_red_envelope_greeting_is_refused(client: TestClient, uow: UnitOfWork) -> None:
    world: World = make_world(uow)
    before = world.snapshot()

    response = client.post(
        f"/api/v1/conversations/{world.group}/red-envelopes",
        content=json.dumps(
            {"kind": "lucky", "total": 900, "shares": 3, "greeting": "恭喜\x00发财"}
        ).encode(),
        headers={**auth(uow, world.people["alice"]), **JSON, "Idempotency-Key": "nul-1"},
    )

    body = assert_problem(response, 422, "invalid_text")
    assert body["errors"][0]["field"] == "greeting"
    assert world.snapshot() == before


def test_a_body_over_the_limit_is_413(client: TestClient, uow: UnitOfWork) -> None:
    headers = auth(uow, person(uow, "Alice"))

    response = client.post(
        "/api/v1/moments",
        content=b'{"text":"' + b"a" * 2_000_000 + b'"}',
        headers={**headers, **JSON},
    )

    assert_problem(response, 413, "body_too_large")
