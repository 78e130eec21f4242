"""Privacy pages: the agreement after signing in, the consents page, the download, deleting the
account, and the operator's publishing page."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

import factories
from agora import privacy
from agora.core.uow import UnitOfWork
from factories import HTML, PASSWORD, browser_sign_in, csrf_of
from privacy.test_agreements import TEXTS
from privacy.world import build_life, drain


def sign_in(client: TestClient, email: str, next_page: str = "/orders") -> str:
    client.cookies.clear()
    response = client.post(
        "/signin",
        data={
            "identifier": email,
            "password": PASSWORD,
            "csrf_token": csrf_of(client, "/signin"),
            "next": next_page,
        },
        headers=HTML,
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return str(response.headers["location"])


def test_a_new_agreement_is_accepted_at_the_next_sign_in(
    client: TestClient, uow: UnitOfWork
) -> None:
    ops = factories.make_operator(uow)
    lin = factories.make_user(uow, name="Lin")
    assert lin.email is not None
    # Nothing published: straight to where the shopper was going.
    assert sign_in(client, lin.email) == "/orders"

    privacy.publish_agreement(uow, actor=ops, **TEXTS)
    landing = sign_in(client, lin.email)
    assert landing == "/account/agreement?next=%2Forders"
    page = client.get(landing, headers=HTML)
    assert page.status_code == 200
    assert 'data-testid="agreement-pending"' in page.text and TEXTS["body_en"] in page.text
    zh = client.get(landing + "&lang=zh", headers=HTML).text
    assert TEXTS["body_zh"] in zh

    accepted = client.post(
        "/account/agreement",
        data={"version": "1", "next": "/orders", "csrf_token": csrf_of(client, landing)},
        headers=HTML,
        follow_redirects=False,
    )
    assert (accepted.status_code, accepted.headers["location"]) == (303, "/orders")
    assert sign_in(client, lin.email) == "/orders"


def test_declining_signs_the_shopper_out_and_says_why(client: TestClient, uow: UnitOfWork) -> None:
    ops = factories.make_operator(uow)
    lin = factories.make_user(uow, name="Lin")
    assert lin.email is not None
    privacy.publish_agreement(uow, actor=ops, **TEXTS)
    landing = sign_in(client, lin.email)
    declined = client.post(
        "/account/agreement/decline",
        data={"csrf_token": csrf_of(client, landing)},
        headers=HTML,
    )
    assert declined.status_code == 200
    assert "only be used after accepting" in declined.text
    assert 'action="/signin"' in declined.text
    assert client.get("/account", headers=HTML, follow_redirects=False).status_code == 303
    with uow.read() as session:
        assert privacy.agreement_pending(session, lin.id)


def test_the_consents_page_switches_logs_and_prepares_a_download(
    client: TestClient, uow: UnitOfWork
) -> None:
    life = build_life(uow)
    csrf = browser_sign_in(client, life.shanbo.user, "/account/privacy")
    page = client.get("/account/privacy", headers=HTML).text
    assert page.count('data-testid="switch-') == 3
    assert 'href="/account/delete"' in page
    assert 'href="/account/privacy"' in client.get("/account", headers=HTML).text

    switched = client.post(
        f"/account/privacy/consents/{privacy.PARTNER_SHARING}",
        data={"granted": "1", "csrf_token": csrf},
        headers=HTML,
    )
    assert switched.status_code == 200
    assert re.search(rf'data-consent="{privacy.PARTNER_SHARING}" data-granted="on"', switched.text)
    log = switched.text.split('data-testid="consent-log"')[1]
    assert log.count("<tr data-consent=") == 2

    client.post("/account/privacy/exports", data={"csrf_token": csrf}, headers=HTML)
    assert 'data-status="queued"' in client.get("/account/privacy", headers=HTML).text
    drain(uow)
    ready = client.get("/account/privacy", headers=HTML).text
    [link] = re.findall(r'href="(/account/privacy/exports/[^"]+\.zip)"', ready)
    download = client.get(link)
    assert download.status_code == 200
    files = privacy.read_archive(download.content)
    assert files["users"][0]["display_name"] == "Liang Shanbo"

    browser_sign_in(client, life.yingtai.user)
    assert client.get(link, headers=HTML).status_code == 404


def test_deleting_the_account_needs_the_password(client: TestClient, uow: UnitOfWork) -> None:
    life = build_life(uow)
    yingtai = life.yingtai
    csrf = browser_sign_in(client, yingtai.user, "/account/delete")
    page = client.get("/account/delete", headers=HTML).text
    assert 'data-testid="delete-form"' in page

    wrong = client.post(
        "/account/delete", data={"password": "guess", "csrf_token": csrf}, headers=HTML
    )
    assert wrong.status_code == 422 and "password is not right" in wrong.text

    done = client.post(
        "/account/delete",
        data={"password": PASSWORD, "csrf_token": csrf},
        headers=HTML,
        follow_redirects=False,
    )
    assert (done.status_code, done.headers["location"]) == (303, "/")
    assert client.get("/account", headers=HTML, follow_redirects=False).status_code == 303
    refused = client.post(
        "/signin",
        data={
            "identifier": yingtai.values["email"],
            "password": PASSWORD,
            "csrf_token": csrf_of(client, "/signin"),
        },
        headers=HTML,
    )
    assert refused.status_code == 401


def test_a_store_owner_sees_what_to_do_first(client: TestClient, uow: UnitOfWork) -> None:
    life = build_life(uow)
    merchant = factories.make_user(uow, name="Owner")
    factories.make_store(uow, life.world.ops, merchant)
    browser_sign_in(client, merchant)
    page = client.get("/account/delete", headers=HTML).text
    assert 'data-testid="delete-blockers"' in page and 'data-testid="delete-form"' not in page


def test_only_operators_publish_from_the_console(client: TestClient, uow: UnitOfWork) -> None:
    ops = factories.make_user(uow, name="Ops", operator=True)
    lin = factories.make_user(uow, name="Lin")
    browser_sign_in(client, lin)
    assert client.get("/operator/privacy", headers=HTML).status_code == 403

    csrf = browser_sign_in(client, ops, "/operator/privacy")
    empty = client.post(
        "/operator/privacy", data={**TEXTS, "body_zh": "", "csrf_token": csrf}, headers=HTML
    )
    assert empty.status_code == 422
    published = client.post("/operator/privacy", data={**TEXTS, "csrf_token": csrf}, headers=HTML)
    assert published.status_code == 200
    assert 'data-version="1"' in published.text


def test_signing_up_accepts_the_agreement_the_form_shows(
    client: TestClient, uow: UnitOfWork
) -> None:
    blank = client.get("/signup", headers=HTML).text
    assert 'data-testid="signup-agreement"' not in blank
    ops = factories.make_operator(uow)
    privacy.publish_agreement(uow, actor=ops, **TEXTS)
    form = client.get("/signup", headers=HTML).text
    assert 'data-testid="signup-agreement"' in form
    # Anyone may read it before signing up; only a signed-in user is offered the buttons.
    anonymous = client.get("/account/agreement", headers=HTML).text
    assert TEXTS["body_en"] in anonymous and 'data-testid="accept-agreement"' not in anonymous

    signed_up = client.post(
        "/signup",
        data={
            "identifier": "newcomer@example.com",
            "password": PASSWORD,
            "display_name": "Newcomer",
            "csrf_token": csrf_of(client, "/signup"),
            "next": "/orders",
        },
        headers=HTML,
        follow_redirects=False,
    )
    assert (signed_up.status_code, signed_up.headers["location"]) == (303, "/orders")
    me = client.get("/account/privacy", headers=HTML).text
    assert "You accepted version 1" in me
