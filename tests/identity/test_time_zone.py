"""A user's own time zone: set and read through the service and the API ("me"), refusals that
change nothing, and no way to reach another user's setting."""

from __future__ import annotations

import uuid

import pytest
from fastapi.testclient import TestClient

import factories
from agora import identity
from agora.core.errors import InvalidInput
from agora.core.uow import UnitOfWork
from agora.identity import User
from factories import make_user, principal


def zone_of(uow: UnitOfWork, user_id: uuid.UUID) -> str | None:
    with uow.read() as session:
        user = session.get(User, user_id)
        assert user is not None
        return user.time_zone


def test_a_user_sets_and_clears_their_zone(uow: UnitOfWork) -> None:
    user = make_user(uow)

    identity.set_time_zone(uow, actor=principal(user), time_zone="America/New_York")
    assert zone_of(uow, user.id) == "America/New_York"

    identity.set_time_zone(uow, actor=principal(user), time_zone=None)
    assert zone_of(uow, user.id) is None


@pytest.mark.parametrize("name", ["Mars/Olympus_Mons", "asia/shanghai", "", "Asia/Shanghai "])
def test_an_unknown_zone_is_refused_and_changes_nothing(uow: UnitOfWork, name: str) -> None:
    user = make_user(uow)
    identity.set_time_zone(uow, actor=principal(user), time_zone="Asia/Tokyo")

    with pytest.raises(InvalidInput) as refused:
        identity.set_time_zone(uow, actor=principal(user), time_zone=name)

    assert refused.value.extra["errors"] == [
        {"field": "time_zone", "message": "Choose a time zone from the list."}
    ]
    assert zone_of(uow, user.id) == "Asia/Tokyo"


def test_the_session_read_carries_the_zone(uow: UnitOfWork) -> None:
    user = make_user(uow)
    identity.set_time_zone(uow, actor=principal(user), time_zone="Europe/London")
    signed = identity.sign_in(
        uow, identifier=user.email or "", password=factories.PASSWORD, client=factories.CLIENT
    )

    found = identity.authenticate(uow, signed.token)

    assert found is not None and found.time_zone == "Europe/London"


# --- the API -----------------------------------------------------------------------------------


def test_me_reads_and_updates_the_zone(client: TestClient, uow: UnitOfWork) -> None:
    user = make_user(uow)
    auth = factories.bearer(uow, user)
    assert client.get("/api/v1/me", headers=auth).json()["time_zone"] is None

    changed = client.patch("/api/v1/me", json={"time_zone": "America/New_York"}, headers=auth)

    assert changed.status_code == 200, changed.text
    assert changed.json()["time_zone"] == "America/New_York"
    # The principal cached with the token was forgotten: "me" reads the new zone at once.
    assert client.get("/api/v1/me", headers=auth).json()["time_zone"] == "America/New_York"
    assert zone_of(uow, user.id) == "America/New_York"


def test_me_leaves_the_zone_alone_unless_asked_and_null_clears_it(
    client: TestClient, uow: UnitOfWork
) -> None:
    user = make_user(uow)
    auth = factories.bearer(uow, user)
    client.patch("/api/v1/me", json={"time_zone": "Asia/Singapore"}, headers=auth)

    untouched = client.patch("/api/v1/me", json={}, headers=auth)
    assert (untouched.status_code, untouched.json()["time_zone"]) == (200, "Asia/Singapore")

    cleared = client.patch("/api/v1/me", json={"time_zone": None}, headers=auth)
    assert (cleared.status_code, cleared.json()["time_zone"]) == (200, None)
    assert zone_of(uow, user.id) is None


def test_the_api_keeps_sending_utc(client: TestClient, uow: UnitOfWork) -> None:
    user = make_user(uow)
    auth = factories.bearer(uow, user)
    client.patch("/api/v1/me", json={"time_zone": "America/New_York"}, headers=auth)

    me = client.get("/api/v1/me", headers=auth).json()

    assert me["created_at"].endswith(("Z", "+00:00"))


def test_an_unknown_zone_is_a_422_problem_that_changes_nothing(
    client: TestClient, uow: UnitOfWork
) -> None:
    user = make_user(uow)
    auth = factories.bearer(uow, user)
    client.patch("/api/v1/me", json={"time_zone": "Asia/Tokyo"}, headers=auth)

    refused = client.patch("/api/v1/me", json={"time_zone": "Mars/Olympus_Mons"}, headers=auth)
    too_long = client.patch("/api/v1/me", json={"time_zone": "A" * 65}, headers=auth)
    not_text = client.patch("/api/v1/me", json={"time_zone": 8}, headers=auth)

    body = factories.assert_problem(refused, 422, "invalid_input")
    assert body["errors"] == [
        {"field": "time_zone", "message": "Choose a time zone from the list."}
    ]
    factories.assert_problem(too_long, 422, "invalid_input")
    factories.assert_problem(not_text, 422, "invalid_input")
    assert zone_of(uow, user.id) == "Asia/Tokyo"


def test_another_users_zone_cannot_be_changed_by_id(client: TestClient, uow: UnitOfWork) -> None:
    me, other = make_user(uow), make_user(uow)
    auth = factories.bearer(uow, me)

    with_id = client.patch(
        "/api/v1/me",
        json={"time_zone": "America/New_York", "user_id": str(other.id)},
        headers=auth,
    )
    by_path = client.patch(
        f"/api/v1/users/{other.id}", json={"time_zone": "America/New_York"}, headers=auth
    )

    factories.assert_problem(with_id, 422, "invalid_input")
    assert by_path.status_code == 404
    assert zone_of(uow, me.id) is None
    assert zone_of(uow, other.id) is None


def test_me_needs_a_signed_in_user(client: TestClient) -> None:
    refused = client.patch("/api/v1/me", json={"time_zone": "Asia/Tokyo"})

    factories.assert_problem(refused, 401, "unauthenticated")
