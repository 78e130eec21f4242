"""The profile API and the "Why you see this" page: the caller's own profile and events only,
clearing them, refusals when signed out; and a product view that writes nothing on its way."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import event, select

import factories
from agora import recommendations
from agora.core.uow import UnitOfWork
from agora.social.models import Moment
from recommendations.behaviour_world import World

HTML = factories.HTML


def _seed_lin(world: World) -> None:
    for coat in world.coats[:3]:
        recommendations.record_event(world.lin.id, "view", product_id=coat.product.id)
    recommendations.record_event(world.lin.id, "search", query="red coat")
    recommendations.flush_events(world.uow.db)
    world.buy(world.lin, world.coats[2])


def test_my_profile_says_what_my_events_say(
    client: TestClient, world: World, uow: UnitOfWork
) -> None:
    _seed_lin(world)

    body = client.get("/api/v1/me/profile", headers=factories.bearer(uow, world.lin)).json()

    assert body["consent"] is True
    assert body["events"] == 5
    assert [c["slug"] for c in body["categories"]] == ["coats"]
    assert body["colours"][0] == {
        "key": "red",
        "name": "Red",
        "weight": body["colours"][0]["weight"],
    }
    [level] = body["price_levels"]
    assert level["slug"] == "coats"
    assert level["percentile"] == 0.375
    assert level["typical_max"] == {"amount": 59900, "currency": "CNY"}
    assert level["basis"] == 1
    assert body["overall_typical_max"] == {"amount": 59900, "currency": "CNY"}


def test_another_shoppers_profile_is_never_shown(
    client: TestClient, world: World, uow: UnitOfWork
) -> None:
    _seed_lin(world)

    body = client.get("/api/v1/me/profile", headers=factories.bearer(uow, world.wang)).json()
    events = client.get("/api/v1/me/events", headers=factories.bearer(uow, world.wang)).json()

    assert body["consent"] is False and body["events"] == 0
    assert body["categories"] == body["colours"] == body["price_levels"] == []
    assert events == {"items": [], "next_cursor": None}
    # there is no route that takes a shopper's id
    stranger = client.get(
        f"/api/v1/users/{world.lin.id}/profile", headers=factories.bearer(uow, world.wang)
    )
    assert stranger.status_code == 404


def test_signed_out_callers_are_refused(client: TestClient, world: World) -> None:
    for method, path in (
        ("GET", "/api/v1/me/profile"),
        ("GET", "/api/v1/me/events"),
        ("DELETE", "/api/v1/me/events"),
    ):
        factories.assert_problem(client.request(method, path), 401, "unauthenticated")
    page = client.get("/account/why", headers=HTML, follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"].startswith("/signin")


def test_my_events_are_paged_newest_first_and_a_forged_cursor_is_refused(
    client: TestClient, world: World, uow: UnitOfWork
) -> None:
    _seed_lin(world)
    headers = factories.bearer(uow, world.lin)

    first = client.get("/api/v1/me/events?limit=3", headers=headers).json()
    rest = client.get(
        "/api/v1/me/events", params={"cursor": first["next_cursor"]}, headers=headers
    ).json()

    kinds = [e["kind"] for e in first["items"] + rest["items"]]
    assert kinds[0] == "purchase" and sorted(kinds) == sorted(
        ["purchase", "search", "view", "view", "view"]
    )
    assert len(first["items"]) == 3 and rest["next_cursor"] is None
    assert first["items"][0]["amount"] == {"amount": 39900, "currency": "CNY"}
    for forged in ("yesterday_x", f"0001-01-01T00:00:00+14:00_{uuid.UUID(int=0)}"):
        factories.assert_problem(
            client.get("/api/v1/me/events", params={"cursor": forged}, headers=headers),
            422,
            "invalid_input",
        )


def test_clearing_my_history_deletes_my_events_and_what_waits_in_the_buffer(
    client: TestClient, world: World, uow: UnitOfWork
) -> None:
    _seed_lin(world)
    recommendations.record_event(world.wang.id, "view", product_id=world.coats[0].product.id)
    world.consent(world.wang)
    recommendations.flush_events(uow.db)
    recommendations.record_event(world.lin.id, "view", product_id=world.coats[0].product.id)

    response = client.delete("/api/v1/me/events", headers=factories.bearer(uow, world.lin))
    recommendations.flush_events(uow.db)

    assert response.status_code == 200 and response.json() == {"deleted": 5}
    assert world.events(world.lin) == []
    assert len(world.events(world.wang)) == 1  # only the caller's


def test_a_product_view_is_buffered_and_writes_nothing_on_the_request_path(
    client: TestClient, world: World, uow: UnitOfWork
) -> None:
    headers = factories.bearer(uow, world.lin)
    coat = world.coats[0].product.id
    sent: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        sent.append(statement)

    event.listen(uow.db.engine, "before_cursor_execute", seen)
    try:
        assert client.get(f"/api/v1/products/{coat}", headers=headers).status_code == 200
        page = client.get(f"/p/{coat}", headers={**HTML, **headers})
        found = client.get("/api/v1/products", params={"q": "coat"}, headers=headers)
    finally:
        event.remove(uow.db.engine, "before_cursor_execute", seen)

    assert page.status_code == 200 and found.status_code == 200
    assert not [sql for sql in sent if "behaviour_events" in sql or "consents" in sql]
    assert recommendations.RECORDER.waiting == 3
    recommendations.flush_events(uow.db)
    assert [kind for kind, *_ in world.events(world.lin)] == ["view", "view", "search"]


def test_anonymous_views_are_not_recorded(client: TestClient, world: World) -> None:
    client.get(f"/api/v1/products/{world.coats[0].product.id}")
    client.get(f"/p/{world.coats[0].product.id}", headers=HTML)
    assert recommendations.RECORDER.waiting == 0


def test_cart_share_and_like_are_recorded_from_the_api(
    client: TestClient, world: World, uow: UnitOfWork
) -> None:
    headers = factories.bearer(uow, world.lin)
    coat = world.coats[1]

    client.post(
        "/api/v1/cart/items", json={"sku_id": str(coat.skus[0].id), "quantity": 1}, headers=headers
    ).raise_for_status()
    shared = client.post(
        "/api/v1/shares",
        json={"target_type": "product", "target_id": str(coat.product.id), "channel": "moments"},
        headers=headers,
    )
    shared.raise_for_status()
    moment = shared.json()["moment_id"]
    client.put(f"/api/v1/moments/{moment}/like", headers=headers).raise_for_status()
    recommendations.flush_events(uow.db)

    assert [(kind, product) for kind, product, *_ in world.events(world.lin)] == [
        ("cart", coat.product.id),
        ("share", coat.product.id),
        ("like", coat.product.id),
    ]


# --- the page ---------------------------------------------------------------------------------


def test_the_page_says_in_plain_words_what_was_learnt(
    client: TestClient, world: World, uow: UnitOfWork
) -> None:
    _seed_lin(world)
    factories.browser_sign_in(client, world.lin)

    page = client.get("/account/why", headers=HTML)
    chinese = client.get("/account/why?lang=zh", headers=HTML)

    assert page.status_code == 200
    text = page.text
    assert "You often look at Coats." in text
    assert "Colours you choose: red" in text
    assert "In Coats you usually buy around ¥399.00" in text
    assert "dearer than 38% of what the category offers" in text
    assert 'href="/account/privacy"' in text
    assert text.count('data-kind="') == 5
    assert "外套" in chinese.text


def test_with_the_consent_off_the_page_says_so_and_lists_nothing(
    client: TestClient, world: World
) -> None:
    factories.browser_sign_in(client, world.wang)

    page = client.get("/account/why", headers=HTML)

    assert 'data-testid="why-consent-off"' in page.text
    assert 'data-testid="why-events"' not in page.text
    assert 'data-testid="why-clear"' not in page.text


def test_the_clear_button_empties_the_history(
    client: TestClient, world: World, uow: UnitOfWork
) -> None:
    _seed_lin(world)
    csrf = factories.browser_sign_in(client, world.lin, "/account/why")

    response = client.post(
        "/account/why/clear", data={"csrf_token": csrf}, headers=HTML, follow_redirects=False
    )
    refused = client.post("/account/why/clear", data={"csrf_token": "forged"}, headers=HTML)

    assert response.status_code == 303
    assert world.events(world.lin) == []
    assert refused.status_code == 403


def test_the_me_page_links_to_why_you_see_this(client: TestClient, world: World) -> None:
    factories.browser_sign_in(client, world.lin)
    assert 'href="/account/why"' in client.get("/account", headers=HTML).text


def test_cart_share_like_and_search_are_recorded_from_the_pages(
    client: TestClient, world: World, uow: UnitOfWork
) -> None:
    coat = world.coats[3]
    csrf = factories.browser_sign_in(client, world.lin, f"/p/{coat.product.id}")
    recommendations.RECORDER.discard()  # the sign-in's landing page view is not what is tested

    client.post(
        "/cart/add",
        data={
            "csrf_token": csrf,
            "sku_id": str(coat.skus[0].id),
            "product_id": str(coat.product.id),
        },
        headers=HTML,
        follow_redirects=False,
    )
    client.post(
        f"/p/{coat.product.id}/share",
        data={"csrf_token": csrf, "to": "moments", "text": "nice"},
        headers=HTML,
        follow_redirects=False,
    )
    recommendations.flush_events(uow.db)
    [(kind, product_id, *_), *_] = [e for e in world.events(world.lin) if e[0] == "share"]
    assert (kind, product_id) == ("share", coat.product.id)
    with uow.read() as session:
        moment_id = session.scalar(select(Moment.id).where(Moment.author_id == world.lin.id))
    client.post(
        f"/moments/{moment_id}/like",
        data={"csrf_token": csrf, "next": "/moments"},
        headers=HTML,
        follow_redirects=False,
    )
    client.get("/search", params={"q": "wool coat"}, headers=HTML)
    client.get("/search", params={"q": "wool coat", "cursor": "abc"}, headers=HTML)  # page 2
    recommendations.flush_events(uow.db)

    assert [(kind, product, query) for kind, product, query, _ in world.events(world.lin)] == [
        ("cart", coat.product.id, None),
        ("share", coat.product.id, None),
        ("like", coat.product.id, None),
        ("search", None, "wool coat"),
    ]
