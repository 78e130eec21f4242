"""Bargains through the browser's eyes: the product page's panel, starting, a campaign's page
for its owner and for friends (help, buy, share), my campaigns, and the merchant's form."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

from fastapi.testclient import TestClient
from httpx import Response

from agora import bargain, sharing
from agora.core.clock import clock
from agora.identity import User
from bargain.world import World
from factories import HTML, csrf_of
from web.test_pages import sign_in


def _post(client: TestClient, path: str, data: dict[str, str], *, token: str) -> Response:
    return client.post(
        path, data={"csrf_token": token, **data}, headers=HTML, follow_redirects=False
    )


def _as(client: TestClient, user: User) -> str:
    client.cookies.clear()
    sign_in(client, user.email or "")
    return csrf_of(client, "/")


def _form_key(page: str) -> str:
    match = re.search(r'name="form_key" value="([^"]+)"', page)
    assert match
    return match.group(1)


def test_the_product_page_offers_the_bargain(client: TestClient, world: World) -> None:
    product_url = f"/p/{world.coat.product.id}"
    assert 'data-testid="bargain-panel"' not in client.get(product_url, headers=HTML).text
    world.offer(start=29900, floor=9900, helpers=5, allotment=3)

    page = client.get(product_url, headers=HTML).text

    assert 'data-testid="bargain-panel"' in page
    assert "¥299.00 → ¥99.00 with 5 friends' help" in page
    assert "Sign in to start a bargain" in page
    assert "/static/css/bargain.css" in page


def test_starting_from_the_product_page(client: TestClient, world: World) -> None:
    offer = world.offer(helpers=3)
    token = _as(client, world.shopper)

    started = _post(
        client,
        f"/bargain-offers/{offer.id}/start",
        {"product_id": str(world.coat.product.id)},
        token=token,
    )

    assert started.status_code == 303
    [campaign] = bargain.my_bargains(world.uow, actor=world.me)
    assert started.headers["location"] == f"/bargains/{campaign.id}"
    page = client.get(f"/bargains/{campaign.id}", headers=HTML).text
    assert 'data-testid="bargain-page"' in page and 'data-status="open"' in page
    assert "0 of 3 friends helped" in page
    assert 'action="/share/bargain/' in page  # the owner's share panel
    assert 'data-testid="bargain-help"' not in page and 'data-testid="bargain-buy"' not in page
    assert 'class="countdown" data-countdown="' in page

    panel = client.get(f"/p/{world.coat.product.id}", headers=HTML).text
    assert f'href="/bargains/{campaign.id}"' in panel and "Continue: 0 of 3 helped" in panel
    again = _post(client, f"/bargain-offers/{offer.id}/start", {}, token=token)
    assert again.headers["location"] == f"/bargains/{campaign.id}"
    assert world.count(bargain.Bargain) == 1


def test_starting_signed_out_goes_to_sign_in(client: TestClient, world: World) -> None:
    offer = world.offer()
    token = csrf_of(client, f"/p/{world.coat.product.id}")

    response = _post(
        client,
        f"/bargain-offers/{offer.id}/start",
        {"product_id": str(world.coat.product.id)},
        token=token,
    )

    assert response.status_code == 303
    assert response.headers["location"] == f"/signin?next=%2Fp%2F{world.coat.product.id}"
    assert world.count(bargain.Bargain) == 0


def test_a_friend_helps_from_the_page_once(client: TestClient, world: World) -> None:
    campaign = world.start(world.offer(helpers=3))
    friend = world.people(1)[0]
    token = _as(client, friend)

    page = client.get(f"/bargains/{campaign.id}", headers=HTML).text
    assert "Lin's bargain" in page and 'data-testid="bargain-help"' in page
    assert 'action="/share/bargain/' not in page

    helped = _post(client, f"/bargains/{campaign.id}/help", {}, token=token)
    assert helped.status_code == 303 and helped.headers["location"] == f"/bargains/{campaign.id}"
    cut = world.row(campaign.id).cuts[0]
    after = client.get(f"/bargains/{campaign.id}", headers=HTML).text
    assert "You cut ¥" in after and "off Lin&#39;s price" in after
    assert 'data-testid="bargain-helped"' in after and "1 of 3 friends helped" in after
    assert f"cut ¥{cut // 100:,}.{cut % 100:02d}" in after

    twice = _post(client, f"/bargains/{campaign.id}/help", {}, token=token)
    assert twice.status_code == 303
    assert (
        "You already helped with this bargain."
        in client.get(f"/bargains/{campaign.id}", headers=HTML).text
    )
    assert world.row(campaign.id).helpers_done == 1


def test_the_owner_buys_once_and_lands_on_the_pay_page(client: TestClient, world: World) -> None:
    campaign = world.reach(world.start(world.offer(helpers=2)))
    token = _as(client, world.shopper)

    page = client.get(f"/bargains/{campaign.id}", headers=HTML).text
    assert "Buy at ¥99.00" in page and "Lowest price reached" in page
    key = _form_key(page)
    first = _post(client, f"/bargains/{campaign.id}/buy", {"form_key": key}, token=token)
    repeat = _post(client, f"/bargains/{campaign.id}/buy", {"form_key": key}, token=token)

    order_id = world.row(campaign.id).order_id
    assert order_id is not None
    assert first.headers["location"] == repeat.headers["location"] == f"/pay?orders={order_id}"
    assert world.orders() == 1
    pay = client.get(first.headers["location"], headers=HTML)
    assert pay.status_code == 200 and "¥99.00" in pay.text
    ordered = client.get(f"/bargains/{campaign.id}", headers=HTML).text
    assert f'href="/orders/{order_id}"' in ordered


def test_refusals_on_the_page_change_nothing(client: TestClient, world: World) -> None:
    campaign = world.start(world.offer(helpers=2))
    token = _as(client, world.shopper)

    own = _post(client, f"/bargains/{campaign.id}/help", {}, token=token)
    early = _post(client, f"/bargains/{campaign.id}/buy", {"form_key": "k1"}, token=token)

    assert own.status_code == early.status_code == 303
    page = client.get(f"/bargains/{campaign.id}", headers=HTML).text
    assert "The lowest price is not reached yet" in page
    assert world.row(campaign.id).helpers_done == 0 and world.orders() == 0

    stranger_token = _as(client, world.people(1, "Stranger")[0])
    world.reach(campaign)
    refused = client.post(
        f"/bargains/{campaign.id}/buy",
        data={"csrf_token": stranger_token, "form_key": "k2"},
        headers=HTML,
    )
    assert refused.status_code == 404 and world.orders() == 0
    assert client.get(f"/bargains/{uuid.uuid4()}", headers=HTML).status_code == 404


def test_the_page_asks_the_signed_out_to_sign_in(client: TestClient, world: World) -> None:
    campaign = world.start(world.offer())

    response = client.get(f"/bargains/{campaign.id}", headers=HTML, follow_redirects=False)

    assert response.status_code == 303
    assert response.headers["location"] == f"/signin?next=/bargains/{campaign.id}"


def test_sharing_a_campaign_as_a_link_lands_friends_on_it(client: TestClient, world: World) -> None:
    campaign = world.start(world.offer(helpers=4))
    token = _as(client, world.shopper)

    shared = _post(client, f"/share/bargain/{campaign.id}", {"to": "link"}, token=token)

    assert shared.status_code == 303 and shared.headers["location"].startswith("/shares?new=")
    code = shared.headers["location"].split("=", 1)[1]
    [share] = sharing.list_my_shares(world.uow, actor=world.me, limit=5)
    assert (share.share.target_type, share.share.target_id) == ("bargain", campaign.id)
    assert share.card is not None and share.card.label_en == "Help me cut: 0 of 4 friends"
    assert share.card.price == 29900
    _as(client, world.people(1)[0])
    visit = client.get(f"/s/{code}", headers=HTML, follow_redirects=False)
    assert visit.headers["location"] == f"/bargains/{campaign.id}"


def test_my_bargains_lists_campaigns(client: TestClient, world: World) -> None:
    _as(client, world.shopper)
    empty = client.get("/bargains", headers=HTML).text
    assert "No bargains yet" in empty
    campaign = world.start(world.offer(helpers=2))

    page = client.get("/bargains", headers=HTML).text

    assert f'href="/bargains/{campaign.id}"' in page and "Gathering help" in page
    assert "0 of 2 friends helped" in page


def test_the_merchant_form_makes_and_ends_an_offer(client: TestClient, world: World) -> None:
    token = _as(client, world.merchant_user)
    url = f"/merchant/products/{world.coat.product.id}/bargain"
    assert 'data-testid="bargain-form"' in client.get(url, headers=HTML).text
    values = {
        "sku_id": str(world.red),
        "start_price": "299",
        "floor_price": "299",
        "helpers_needed": "5",
        "window_hours": "",
        "allotment": "3",
    }

    bad = _post(client, url, values, token=token)
    assert bad.status_code == 422 and "must be below the start price" in bad.text
    assert 'value="299"' in bad.text  # the form keeps what was typed
    assert world.count(bargain.BargainOffer) == 0

    made = _post(client, url, {**values, "floor_price": "99.50"}, token=token)
    assert made.status_code == 303 and made.headers["location"] == url
    [offer] = bargain.product_offers(
        world.uow, actor=world.merchant, product_id=world.coat.product.id
    )
    assert (offer.offer.start_price, offer.offer.floor_price, offer.offer.window_hours) == (
        29900,
        9950,
        24,
    )
    running = client.get(url, headers=HTML).text
    assert 'data-testid="bargain-active"' in running and "sold 0 of 3" in running

    ended = _post(client, f"{url}/end", {"offer_id": str(offer.offer.id)}, token=token)
    assert ended.status_code == 303
    assert world.offer_row(offer.offer.id).status == "ended"
    assert "Earlier bargains" in client.get(url, headers=HTML).text


def test_the_merchant_form_is_for_the_store_only(client: TestClient, world: World) -> None:
    offer = world.offer()
    token = _as(client, world.shopper)
    url = f"/merchant/products/{world.coat.product.id}/bargain"

    assert client.get(url, headers=HTML).status_code == 404
    ended = client.post(
        f"{url}/end", data={"csrf_token": token, "offer_id": str(offer.id)}, headers=HTML
    )
    assert ended.status_code == 404
    assert world.offer_row(offer.id).status == "active"


def test_an_expired_campaign_says_so_and_offers_another_try(
    client: TestClient, world: World
) -> None:
    campaign = world.start(world.offer(helpers=2, hours=1))
    _as(client, world.shopper)
    clock.travel(timedelta(hours=1))

    page = client.get(f"/bargains/{campaign.id}", headers=HTML).text

    assert 'data-status="expired"' in page and "Time is up" in page
    assert "Try again from the product page" in page
    assert 'data-testid="bargain-buy"' not in page and 'action="/share/bargain/' not in page


def test_the_bar_fills_from_the_count_it_states(client: TestClient, world: World) -> None:
    campaign = world.start(world.offer(helpers=8))
    for friend in world.people(3):
        world.help(campaign, friend)
    _as(client, world.people(1, "Viewer")[0])

    page = client.get(f"/bargains/{campaign.id}", headers=HTML).text

    assert "3 of 8 friends helped" in page
    bar = re.search(r'<div class="bargain-bar" role="progressbar"[^>]*>\s*<span[^>]*>', page)
    assert bar is not None
    assert 'aria-valuemax="8" aria-valuenow="3"' in bar.group(0)
    assert 'style="width: 37%"' in bar.group(0)  # 3 of 8, whatever the cuts came to
