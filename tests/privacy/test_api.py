"""The privacy API: my consents and their log, the agreement, exports, erasure — and the
refusals (operators' endpoints, another user's export, a wrong password, open business)."""

from __future__ import annotations

from fastapi.testclient import TestClient

import factories
from agora import identity, privacy
from agora.core.uow import UnitOfWork
from factories import assert_problem, bearer
from privacy.test_agreements import TEXTS
from privacy.world import build_life, drain


def test_consents_are_switched_and_logged_only_for_the_caller(
    client: TestClient, uow: UnitOfWork
) -> None:
    lin = factories.make_user(uow, name="Lin")
    wang = factories.make_user(uow, name="Wang")
    auth, other = bearer(uow, lin), bearer(uow, wang)

    mine = client.get("/api/v1/me/consents", headers=auth).json()
    assert [(c["kind"], c["granted"]) for c in mine["consents"]] == [
        (kind, False) for kind in privacy.CONSENT_KINDS
    ]
    assert (mine["agreement"], mine["agreement_pending"]) == (None, False)

    on = client.put(
        f"/api/v1/me/consents/{privacy.CHAT_ASSISTANT}", json={"granted": True}, headers=auth
    )
    assert on.status_code == 200
    assert {c["kind"]: c["granted"] for c in on.json()["consents"]}[privacy.CHAT_ASSISTANT]
    log = client.get("/api/v1/me/consents/log", headers=auth).json()
    assert [(e["kind"], e["granted"]) for e in log] == [(privacy.CHAT_ASSISTANT, True)]

    # The other user's answers and log are their own; no endpoint takes a user id.
    assert client.get("/api/v1/me/consents/log", headers=other).json() == []
    theirs = client.get("/api/v1/me/consents", headers=other).json()["consents"]
    assert not any(c["granted"] for c in theirs)
    assert_problem(
        client.put("/api/v1/me/consents/sell_my_soul", json={"granted": True}, headers=auth),
        422,
        "unknown_consent",
    )
    assert_problem(client.get("/api/v1/me/consents"), 401, "unauthenticated")


def test_a_published_agreement_is_pending_on_me_until_accepted(
    client: TestClient, uow: UnitOfWork
) -> None:
    ops = factories.make_user(uow, name="Ops", operator=True)
    lin = factories.make_user(uow, name="Lin")
    auth, ops_auth = bearer(uow, lin), bearer(uow, ops)
    assert client.get("/api/v1/me", headers=auth).json()["agreement_pending"] is False
    assert_problem(client.get("/api/v1/privacy/agreement"), 404, "no_agreement")

    assert_problem(
        client.post("/api/v1/operator/privacy/agreements", json=TEXTS, headers=auth),
        403,
        "forbidden",
    )
    assert_problem(
        client.get("/api/v1/operator/privacy/agreements", headers=auth), 403, "forbidden"
    )
    published = client.post("/api/v1/operator/privacy/agreements", json=TEXTS, headers=ops_auth)
    assert published.status_code == 201 and published.json()["version"] == 1
    assert client.get("/api/v1/privacy/agreement").json()["body_zh"] == TEXTS["body_zh"]

    # Pending, but nothing is refused meanwhile.
    assert client.get("/api/v1/me", headers=auth).json()["agreement_pending"] is True
    assert client.get("/api/v1/me/consents", headers=auth).status_code == 200
    assert_problem(
        client.post("/api/v1/me/agreement", json={"version": 7}, headers=auth),
        409,
        "agreement_superseded",
    )
    accepted = client.post("/api/v1/me/agreement", json={"version": 1}, headers=auth)
    assert accepted.status_code == 200 and accepted.json()["version"] == 1
    assert client.get("/api/v1/me", headers=auth).json()["agreement_pending"] is False
    assert client.get("/api/v1/me/consents", headers=auth).json()["agreement"]["version"] == 1


def test_an_export_is_downloaded_by_its_owner_only(client: TestClient, uow: UnitOfWork) -> None:
    life = build_life(uow)
    auth, other = bearer(uow, life.yingtai.user), bearer(uow, life.shanbo.user)
    queued = client.post("/api/v1/me/exports", headers=auth)
    assert queued.status_code == 202
    export = queued.json()
    assert (export["status"], export["download_url"]) == ("queued", None)
    drain(uow)

    ready = client.get(f"/api/v1/me/exports/{export['id']}", headers=auth).json()
    assert ready["status"] == "ready"
    download = client.get(ready["download_url"], headers=auth)
    assert download.status_code == 200
    assert download.headers["content-type"] == "application/zip"
    assert privacy.read_archive(download.content)["users"][0]["display_name"] == "Zhu Yingtai"

    assert_problem(client.get(ready["download_url"], headers=other), 404, "export_not_found")
    assert_problem(
        client.get(f"/api/v1/me/exports/{export['id']}", headers=other), 404, "export_not_found"
    )
    assert client.get("/api/v1/me/exports", headers=other).json() == []
    assert_problem(client.get(ready["download_url"]), 401, "unauthenticated")


def test_erasure_needs_the_password_and_no_open_business(
    client: TestClient, uow: UnitOfWork
) -> None:
    life = build_life(uow)
    yingtai = life.yingtai
    auth = bearer(uow, yingtai.user)
    assert_problem(
        client.post("/api/v1/me/erasure", json={"password": "guess"}, headers=auth),
        422,
        "wrong_password",
    )
    merchant_user = identity.get_user(uow, life.world.merchant_a.user_id)
    assert merchant_user is not None
    merchant = bearer(uow, merchant_user)
    refused = assert_problem(
        client.post("/api/v1/me/erasure", json={"password": factories.PASSWORD}, headers=merchant),
        409,
        "account_in_use",
    )
    assert [r["code"] for r in refused["reasons"]] == ["store_staff"]
    assert client.get("/api/v1/me", headers=auth).json()["display_name"] == "Zhu Yingtai"

    erased = client.post("/api/v1/me/erasure", json={"password": factories.PASSWORD}, headers=auth)
    assert erased.status_code == 204
    # Every token of the account stops working at once.
    assert_problem(client.get("/api/v1/me", headers=auth), 401, "unauthenticated")
