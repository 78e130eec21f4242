"""Identity over HTTP: register, tokens, me, sign out, operator user admin."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import func, select

import factories
from agora.core.clock import clock, utcnow
from agora.core.db import Database
from agora.core.uow import UnitOfWork
from agora.identity import AuthSession, User

PASSWORD = factories.PASSWORD


def count(db: Database, model: Any, *where: Any) -> int:
    with db.read_session() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def assert_problem(response: Response, status: int, code: str) -> dict[str, Any]:
    """The shared refusal check, and the problem type URI built from the code."""
    body = factories.assert_problem(response, status, code)
    assert body["type"] == f"https://agora.dev/problems/{code}"
    return body


def register(
    client: TestClient, identifier: str = "mei@example.com", name: str = "Mei"
) -> Response:
    return client.post(
        "/api/v1/users",
        json={"identifier": identifier, "password": PASSWORD, "display_name": name},
    )


def token_for(client: TestClient, identifier: str = "mei@example.com") -> str:
    response = client.post("/api/v1/tokens", json={"identifier": identifier, "password": PASSWORD})
    assert response.status_code == 201, response.text
    token: str = response.json()["token"]
    return token


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_register_creates_an_account(client: TestClient, db: Database) -> None:
    response = register(client, identifier="Mei@Example.com", name="  Mei  Lin ")

    assert response.status_code == 201
    body = response.json()
    assert {k: body[k] for k in ("display_name", "email", "phone", "is_operator", "status")} == {
        "display_name": "Mei Lin",
        "email": "mei@example.com",
        "phone": None,
        "is_operator": False,
        "status": "active",
    }
    assert "password_hash" not in body
    assert body["created_at"].endswith(("Z", "+00:00"))
    assert count(db, User) == 1


def test_register_a_duplicate_is_a_conflict(client: TestClient, db: Database) -> None:
    assert register(client).status_code == 201

    response = register(client, identifier="MEI@example.com", name="Other")

    assert_problem(response, 409, "account_exists")
    assert count(db, User) == 1


def test_register_bad_input_lists_the_fields(client: TestClient, db: Database) -> None:
    response = client.post(
        "/api/v1/users",
        json={"identifier": "nobody@nowhere", "password": "short", "display_name": "Mei"},
    )

    body = assert_problem(response, 422, "invalid_input")
    assert body["errors"] == [
        {"field": "identifier", "message": "Enter a valid email or mobile number."},
        {"field": "password", "message": "Password must be at least 8 characters."},
    ]
    assert count(db, User) == 0


def test_register_with_missing_and_unexpected_fields(client: TestClient, db: Database) -> None:
    response = client.post(
        "/api/v1/users", json={"identifier": "mei@example.com", "is_operator": True}
    )

    body = assert_problem(response, 422, "invalid_input")
    assert sorted(e["field"] for e in body["errors"]) == ["display_name", "is_operator", "password"]
    assert count(db, User) == 0


def test_register_with_a_non_json_body(client: TestClient, db: Database) -> None:
    response = client.post(
        "/api/v1/users", content=b"identifier=mei", headers={"Content-Type": "text/plain"}
    )

    assert_problem(response, 422, "invalid_input")
    assert count(db, User) == 0


def test_a_token_identifies_me(client: TestClient) -> None:
    user_id = register(client).json()["id"]

    response = client.post(
        "/api/v1/tokens",
        json={"identifier": "MEI@example.com", "password": PASSWORD, "label": "cli"},
    )

    assert response.status_code == 201
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["user"]["id"] == user_id
    me = client.get("/api/v1/me", headers=bearer(body["token"]))
    assert me.status_code == 200
    assert (me.json()["id"], me.json()["display_name"]) == (user_id, "Mei")
    sessions = client.get("/api/v1/me/sessions", headers=bearer(body["token"])).json()
    assert [(s["id"], s["kind"], s["label"]) for s in sessions] == [
        (body["session_id"], "api", "cli")
    ]


def test_wrong_password_and_unknown_account_look_the_same(client: TestClient, db: Database) -> None:
    register(client)

    wrong = client.post("/api/v1/tokens", json={"identifier": "mei@example.com", "password": "x"})
    unknown = client.post(
        "/api/v1/tokens", json={"identifier": "who@example.com", "password": PASSWORD}
    )

    assert assert_problem(wrong, 401, "invalid_credentials") == assert_problem(
        unknown, 401, "invalid_credentials"
    )
    assert count(db, AuthSession) == 0


def test_too_many_failures_are_rate_limited(client: TestClient, db: Database) -> None:
    register(client)
    clock.freeze(utcnow())
    for _ in range(5):
        response = client.post(
            "/api/v1/tokens", json={"identifier": "mei@example.com", "password": "guess-guess"}
        )
        assert_problem(response, 401, "invalid_credentials")

    response = client.post(
        "/api/v1/tokens", json={"identifier": "mei@example.com", "password": PASSWORD}
    )

    assert_problem(response, 429, "rate_limited")
    # The lock ends 15 minutes after the first failure.
    assert response.headers["Retry-After"] == "900"
    assert count(db, AuthSession) == 0


def test_me_without_a_token_is_unauthenticated(client: TestClient) -> None:
    assert_problem(client.get("/api/v1/me"), 401, "unauthenticated")
    assert_problem(client.get("/api/v1/me", headers=bearer("forged")), 401, "unauthenticated")
    assert_problem(
        client.get("/api/v1/me", headers={"Authorization": "Basic bWVpOnB3"}),
        401,
        "unauthenticated",
    )


def test_signing_out_stops_the_token(client: TestClient) -> None:
    register(client)
    token = token_for(client)
    other = token_for(client)

    response = client.delete("/api/v1/tokens/current", headers=bearer(token))

    assert response.status_code == 204
    assert_problem(client.get("/api/v1/me", headers=bearer(token)), 401, "unauthenticated")
    assert_problem(
        client.delete("/api/v1/tokens/current", headers=bearer(token)), 401, "unauthenticated"
    )
    assert client.get("/api/v1/me", headers=bearer(other)).status_code == 200


def test_revoking_another_users_session_is_not_found(client: TestClient) -> None:
    register(client)
    register(client, identifier="lin@example.com", name="Lin")
    mine = token_for(client)
    theirs = token_for(client, "lin@example.com")
    their_session = client.get("/api/v1/me/sessions", headers=bearer(theirs)).json()[0]["id"]

    response = client.delete(f"/api/v1/me/sessions/{their_session}", headers=bearer(mine))

    assert_problem(response, 404, "not_found")
    assert client.get("/api/v1/me", headers=bearer(theirs)).status_code == 200


def test_operator_users_is_forbidden_to_a_shopper(client: TestClient) -> None:
    register(client)
    token = token_for(client)

    assert_problem(client.get("/api/v1/operator/users", headers=bearer(token)), 403, "forbidden")


def test_operator_lists_and_suspends_users(client: TestClient, uow: UnitOfWork) -> None:
    ops_user = factories.make_user(uow, operator=True)
    ops = token_for(client, ops_user.email or "")
    mei_id = register(client).json()["id"]
    mei = token_for(client)

    listed = client.get("/api/v1/operator/users", params={"q": "mei@"}, headers=bearer(ops))
    assert [u["id"] for u in listed.json()] == [mei_id]

    response = client.put(
        f"/api/v1/operator/users/{mei_id}/status", json={"status": "suspended"}, headers=bearer(ops)
    )

    assert response.status_code == 200
    assert response.json()["status"] == "suspended"
    assert_problem(client.get("/api/v1/me", headers=bearer(mei)), 401, "unauthenticated")
    signin = client.post(
        "/api/v1/tokens", json={"identifier": "mei@example.com", "password": PASSWORD}
    )
    assert_problem(signin, 403, "account_suspended")


def test_a_shopper_cannot_suspend_another_user(client: TestClient, db: Database) -> None:
    mei_id = register(client).json()["id"]
    register(client, identifier="lin@example.com", name="Lin")
    lin = token_for(client, "lin@example.com")

    response = client.put(
        f"/api/v1/operator/users/{mei_id}/status", json={"status": "suspended"}, headers=bearer(lin)
    )

    assert_problem(response, 403, "forbidden")
    assert count(db, User, User.status == "suspended") == 0


def test_a_non_uuid_user_id_is_invalid_input(client: TestClient, uow: UnitOfWork) -> None:
    ops_user = factories.make_user(uow, operator=True)
    ops = token_for(client, ops_user.email or "")

    response = client.put(
        "/api/v1/operator/users/42/status", json={"status": "suspended"}, headers=bearer(ops)
    )

    body = assert_problem(response, 422, "invalid_input")
    assert [e["field"] for e in body["errors"]] == ["path.user_id"]


def test_my_security_events(client: TestClient) -> None:
    register(client)
    client.post("/api/v1/tokens", json={"identifier": "mei@example.com", "password": "nope-nope"})
    token = token_for(client)

    response = client.get("/api/v1/me/security-events", headers=bearer(token))

    assert response.status_code == 200
    assert sorted(e["kind"] for e in response.json()) == [
        "registered",
        "signin_failed",
        "signin_succeeded",
    ]
