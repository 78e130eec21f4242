"""The address book pages, as a browser uses them: add, a refused form marked field by field,
edit, make default, remove; another shopper's address answers 404."""

from __future__ import annotations

from fastapi.testclient import TestClient

import factories
from agora import logistics
from agora.core.uow import UnitOfWork
from agora.identity import User
from factories import HTML
from logistics.test_addresses import HOME


def sign_in(client: TestClient, user: User) -> str:
    return factories.browser_sign_in(client, user, "/addresses")


def post(client: TestClient, path: str, **data: str) -> str:
    response = client.post(path, data=data, headers=HTML, follow_redirects=False)
    assert response.status_code == 303, response.text
    return client.get(response.headers["location"], headers=HTML).text


def test_the_pages_need_a_signed_in_shopper(client: TestClient) -> None:
    response = client.get("/addresses", headers=HTML, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/signin")


def test_adding_editing_and_removing_through_the_pages(client: TestClient, uow: UnitOfWork) -> None:
    user = factories.make_user(uow, address=False)
    me = factories.principal(user)
    token = sign_in(client, user)
    page = client.get("/addresses", headers=HTML).text
    assert 'data-testid="no-addresses"' in page

    page = post(client, "/addresses", csrf_token=token, **HOME)
    assert "The address was added." in page and 'data-testid="default-address"' in page

    refused = client.post(
        "/addresses", data={**HOME, "phone": "12", "csrf_token": token}, headers=HTML
    )
    assert refused.status_code == 422
    assert 'id="phone-error"' in refused.text and 'aria-invalid="true"' in refused.text
    assert 'value="Wang Lei"' in refused.text  # what was typed stays

    page = post(client, "/addresses", csrf_token=token, **{**HOME, "street": "1 Office Park"})
    [home, office] = sorted(logistics.list_addresses(uow, actor=me), key=lambda a: a.created_at)
    assert client.get(f"/addresses/{office.id}/edit", headers=HTML).status_code == 200
    page = post(
        client,
        f"/addresses/{office.id}",
        csrf_token=token,
        make_default="1",
        **{**HOME, "street": "2 Office Park"},
    )
    assert "The address was saved." in page
    assert logistics.default_address(uow, actor=me).street == "2 Office Park"  # type: ignore[union-attr]

    page = post(client, f"/addresses/{home.id}/default", csrf_token=token)
    assert logistics.default_address(uow, actor=me).id == home.id  # type: ignore[union-attr]
    page = post(client, f"/addresses/{office.id}/remove", csrf_token=token)
    assert "The address was removed." in page
    assert [a.id for a in logistics.list_addresses(uow, actor=me)] == [home.id]


def test_another_shoppers_address_page_is_not_found(client: TestClient, uow: UnitOfWork) -> None:
    owner = factories.make_user(uow, address=False)
    theirs = logistics.add_address(uow, actor=factories.principal(owner), values=HOME)
    token = sign_in(client, factories.make_user(uow, address=False))
    assert client.get(f"/addresses/{theirs.id}/edit", headers=HTML).status_code == 404
    removed = client.post(
        f"/addresses/{theirs.id}/remove", data={"csrf_token": token}, headers=HTML
    )
    assert removed.status_code == 404
    assert logistics.list_addresses(uow, actor=factories.principal(owner)) == [theirs]


def test_a_form_without_its_token_changes_nothing(client: TestClient, uow: UnitOfWork) -> None:
    user = factories.make_user(uow, address=False)
    sign_in(client, user)
    refused = client.post("/addresses", data={**HOME, "csrf_token": "forged"}, headers=HTML)
    assert refused.status_code == 403
    assert logistics.list_addresses(uow, actor=factories.principal(user)) == []
