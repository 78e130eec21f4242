"""API writes signed in by the session cookie alone are refused: they need the session's CSRF
token in ``X-CSRF-Token`` (what another site cannot know), while bearer tokens and reads are
unaffected."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import func, select

import factories
from agora import payments
from agora.core.uow import UnitOfWork
from agora.social.models import Moment
from factories import HTML, PASSWORD, assert_problem, csrf_of

WITHDRAW = {"amount": 500}


def sign_in_by_page(client: TestClient, uow: UnitOfWork) -> factories.User:
    user = factories.make_user(uow, name="Mei")
    signed = client.post(
        "/signin",
        data={"identifier": user.email, "password": PASSWORD, "csrf_token": csrf_of(client)},
        headers=HTML,
        follow_redirects=False,
    )
    assert signed.status_code == 303, signed.text
    assert client.cookies.get("agora_session")
    return user


def api_csrf_token(client: TestClient) -> str:
    match = re.search(
        r'name="api-csrf-token" content="([^"]+)"', client.get("/", headers=HTML).text
    )
    assert match, "a signed-in page carries the API's CSRF token"
    return match.group(1)


def balance(uow: UnitOfWork, user: factories.User) -> int:
    return payments.wallet_balance(uow, actor=factories.principal(user))


def moments(uow: UnitOfWork) -> int:
    with uow.read() as session:
        return session.scalar(select(func.count()).select_from(Moment)) or 0


def test_a_cookie_alone_cannot_move_money_or_post(client: TestClient, uow: UnitOfWork) -> None:
    # Given Mei signed in on the web, with money in her wallet.
    mei = sign_in_by_page(client, uow)
    factories.fund_wallet(uow, mei, 10_000)

    # When a request rides on her cookie alone, or with a token that is not her session's.
    refused = [
        client.post("/api/v1/wallet/withdrawals", json=WITHDRAW),
        client.post("/api/v1/moments", json={"text": "forged"}),
        client.post(
            "/api/v1/wallet/withdrawals",
            json=WITHDRAW,
            headers={"X-CSRF-Token": client.cookies.get("agora_csrf") or "x"},
        ),
    ]

    # Then each is refused and nothing moved; reads still work with the cookie.
    for response in refused:
        assert_problem(response, 403, "csrf_token_required")
    assert balance(uow, mei) == 10_000
    assert moments(uow) == 0
    assert client.get("/api/v1/wallet").status_code == 200


def test_the_cookie_with_the_sessions_token_may_write(client: TestClient, uow: UnitOfWork) -> None:
    mei = sign_in_by_page(client, uow)
    factories.fund_wallet(uow, mei, 10_000)

    response = client.post(
        "/api/v1/wallet/withdrawals",
        json=WITHDRAW,
        headers={"X-CSRF-Token": api_csrf_token(client)},
    )

    assert response.status_code == 201, response.text
    assert balance(uow, mei) == 9_500


def test_a_bearer_token_needs_no_csrf_token(client: TestClient, uow: UnitOfWork) -> None:
    mei = factories.make_user(uow, name="Mei")
    token = client.post(
        "/api/v1/tokens", json={"identifier": mei.email, "password": PASSWORD}
    ).json()["token"]

    response = client.post(
        "/api/v1/moments",
        json={"text": "hello"},
        headers={"Authorization": f"Bearer {token}"},
    )

    assert response.status_code == 201, response.text
