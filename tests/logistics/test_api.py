"""The address book over HTTP: the round trip, field errors as problem+json, and another
shopper's address refused by id with nothing changed."""

from __future__ import annotations

import uuid

from fastapi.testclient import TestClient

import factories
from agora import logistics
from agora.core.uow import UnitOfWork
from factories import assert_problem
from logistics.test_addresses import HOME


def test_the_address_book_round_trip(client: TestClient, uow: UnitOfWork) -> None:
    me = factories.bearer(uow, factories.make_user(uow, address=False))
    assert_problem(client.get("/api/v1/addresses"), 401, "unauthenticated")

    added = client.post("/api/v1/addresses", json=HOME, headers=me)
    assert added.status_code == 201, added.text
    home = added.json()
    assert home["is_default"] and home["phone"] == "13800138000"
    assert home["one_line"] == "Zhejiang Hangzhou Xihu 18 Wensan Road, Room 702"

    office = client.post(
        "/api/v1/addresses",
        json={**HOME, "street": "1 Office Park", "make_default": True},
        headers=me,
    ).json()
    listed = client.get("/api/v1/addresses", headers=me).json()
    assert [a["id"] for a in listed] == [office["id"], home["id"]]
    assert [a["is_default"] for a in listed] == [True, False]

    moved = client.put(
        f"/api/v1/addresses/{home['id']}", json={**HOME, "city": "Ningbo"}, headers=me
    )
    assert moved.status_code == 200 and moved.json()["city"] == "Ningbo"
    made = client.post(f"/api/v1/addresses/{home['id']}/default", headers=me)
    assert made.status_code == 200 and made.json()["is_default"]
    assert client.delete(f"/api/v1/addresses/{home['id']}", headers=me).status_code == 204
    assert client.get(f"/api/v1/addresses/{office['id']}", headers=me).json()["is_default"]


def test_wrong_fields_are_named_and_nothing_is_stored(client: TestClient, uow: UnitOfWork) -> None:
    me = factories.bearer(uow, factories.make_user(uow, address=False))
    refused = client.post(
        "/api/v1/addresses", json={**HOME, "phone": "12", "postcode": "1"}, headers=me
    )
    body = assert_problem(refused, 422, "invalid_input")
    assert {e["field"] for e in body["errors"]} == {"phone", "postcode"}
    too_long = client.post("/api/v1/addresses", json={**HOME, "street": "x" * 201}, headers=me)
    assert_problem(too_long, 422, "invalid_input")
    assert client.get("/api/v1/addresses", headers=me).json() == []


def test_another_shoppers_address_is_refused_by_id(client: TestClient, uow: UnitOfWork) -> None:
    owner = factories.make_user(uow, address=False)
    theirs = logistics.add_address(uow, actor=factories.principal(owner), values=HOME)
    me = factories.bearer(uow, factories.make_user(uow, address=False))
    path = f"/api/v1/addresses/{theirs.id}"
    assert_problem(client.get(path, headers=me), 404, "address_not_found")
    assert_problem(client.put(path, json=HOME, headers=me), 404, "address_not_found")
    assert_problem(client.post(f"{path}/default", headers=me), 404, "address_not_found")
    assert_problem(client.delete(path, headers=me), 404, "address_not_found")
    assert_problem(
        client.get(f"/api/v1/addresses/{uuid.uuid4()}", headers=me), 404, "address_not_found"
    )
    assert_problem(client.get("/api/v1/addresses/not-an-id", headers=me), 422, "invalid_input")
    assert logistics.list_addresses(uow, actor=factories.principal(owner)) == [theirs]
