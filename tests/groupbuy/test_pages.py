"""Group deals through the browser's eyes: the product page's panel, starting a team with a
one-time form key, the team page (members, places, time left, join form, share panel), joining
with too little money (409, a way to top up, nothing changed), my teams, the merchant's form."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select

from agora import chat, groupbuy, social
from agora.chat.models import MessageRow
from agora.core.clock import clock
from factories import HTML, csrf_of
from groupbuy.world import GROUP_PRICE, SOLO_BLACK, World
from web.test_pages import sign_in


def as_user(client: TestClient, email: str) -> TestClient:
    """Another browser on the same app, signed in as ``email``."""
    other = TestClient(client.app, base_url="http://testserver")
    sign_in(other, email)
    return other


def form_key(html: str, action: str) -> str:
    form = re.search(rf'<form[^>]*action="{re.escape(action)}".*?</form>', html, re.S)
    assert form, f"a form posts to {action}"
    key = re.search(r'name="form_key" value="([0-9a-f]{32})"', form.group(0))
    assert key, "the form carries a one-time key"
    return key.group(1)


def team_id_of(response_location: str) -> uuid.UUID:
    match = re.fullmatch(r"/teams/([0-9a-f-]{36})", response_location)
    assert match, response_location
    return uuid.UUID(match[1])


def test_the_product_page_shows_the_deal_and_signed_out_visitors_are_asked_to_sign_in(
    client: TestClient, world: World
) -> None:
    team = world.start("leader").team
    page = client.get(f"/p/{world.coat.product.id}", headers=HTML)
    assert page.status_code == 200
    html = page.text
    assert 'data-testid="group-deal"' in html
    assert re.search(
        r'data-testid="group-price"><span class="price price-lg" data-price="19900"', html
    )
    assert f'data-testid="solo-price">¥{SOLO_BLACK // 100}.00<' in html
    assert "Save ¥60.00" in html
    assert 'data-testid="start-team-signin"' in html and 'data-testid="start-team"' not in html
    # the leader's open team, with places left and a countdown that starts at the time left
    row = re.search(r'<li class="gb-team-row".*?</li>', html, re.S)
    assert row and "Leader" in row[0] and "2 more needed" in row[0]
    assert f'href="/teams/{team.id}"' in row[0]
    assert re.search(r'data-seconds="8639\d"[^>]*>23:59:\d\d</span>', row[0])
    # a product without a deal shows no panel
    other = client.get(f"/p/{world.dress.product.id}", headers=HTML)
    assert 'data-testid="group-deal"' not in other.text


def test_starting_a_team_from_the_product_page_once_per_form(
    client: TestClient, world: World
) -> None:
    leader = as_user(client, world.emails["leader"])
    page = leader.get(f"/p/{world.coat.product.id}", headers=HTML)
    action = f"/group-deals/{world.deal.id}/teams"
    key = form_key(page.text, action)
    data = {
        "csrf_token": csrf_of(leader, f"/p/{world.coat.product.id}"),
        "form_key": key,
        "sku_id": str(world.black),
        "quantity": "1",
    }
    first = leader.post(action, data=data, headers=HTML, follow_redirects=False)
    again = leader.post(action, data=data, headers=HTML, follow_redirects=False)

    assert first.status_code == again.status_code == 303
    assert first.headers["location"] == again.headers["location"]
    team_id = team_id_of(first.headers["location"])
    assert len(groupbuy.my_teams(world.uow, actor=world.people["leader"])) == 1
    assert world.wallet("leader") == 100_000 - GROUP_PRICE

    team_page = leader.get(f"/teams/{team_id}", headers=HTML)
    assert "Your team is open" in team_page.text
    assert (
        'data-testid="my-order"' in team_page.text
        and 'data-testid="join-form"' not in team_page.text
    )
    assert 'data-testid="team-share"' in team_page.text


def test_a_stranger_joins_from_the_team_page_and_the_last_place_completes_it(
    client: TestClient, world: World
) -> None:
    team = world.start("leader").team
    world.join("bob", team.id)

    anonymous = client.get(f"/teams/{team.id}", headers=HTML)
    assert anonymous.status_code == 200
    assert 'data-testid="join-signin"' in anonymous.text
    assert "1 place left" in anonymous.text
    assert [n for n in re.findall(r'class="gb-slot-name"[^>]*>([^<]+)<', anonymous.text)] == [
        "Leader",
        "Bob",
    ]

    carol = as_user(client, world.emails["carol"])
    page = carol.get(f"/teams/{team.id}", headers=HTML)
    assert 'data-testid="join-form"' in page.text and "Join · pay ¥199.00" in page.text
    assert "Paid from your wallet, which holds ¥1,000.00." in page.text
    joined = carol.post(
        f"/teams/{team.id}/join",
        data={
            "csrf_token": csrf_of(carol, f"/teams/{team.id}"),
            "form_key": form_key(page.text, f"/teams/{team.id}/join"),
            "sku_id": str(world.red),
            "quantity": "1",
        },
        headers=HTML,
    )
    assert joined.status_code == 200
    assert "the team is full" in joined.text
    assert 'data-team-status="complete"' in joined.text
    assert "order has gone to the store" in joined.text
    assert all(not o.held for o in world.orders_of(team.id))


def test_too_little_money_gets_a_409_a_way_to_top_up_and_nothing_changes(
    client: TestClient, world: World
) -> None:
    team = world.start("leader").team
    poor = as_user(client, world.emails["poor"])
    page = poor.get(f"/teams/{team.id}", headers=HTML)
    assert 'data-testid="top-up-link"' in page.text  # warned before trying
    before = world.snapshot()

    refused = poor.post(
        f"/teams/{team.id}/join",
        data={
            "csrf_token": csrf_of(poor, f"/teams/{team.id}"),
            "form_key": form_key(page.text, f"/teams/{team.id}/join"),
            "sku_id": str(world.red),
        },
        headers=HTML,
    )

    assert refused.status_code == 409
    assert 'data-code="insufficient_funds"' in refused.text
    assert "Your wallet holds ¥0.00." in refused.text and 'href="/wallet"' in refused.text
    assert world.snapshot() == before

    start = poor.post(
        f"/group-deals/{world.deal.id}/teams",
        data={"csrf_token": csrf_of(poor, f"/teams/{team.id}"), "sku_id": str(world.red)},
        headers=HTML,
    )
    assert start.status_code == 409 and 'data-testid="top-up-link"' in start.text
    assert "Nothing was charged." in start.text
    assert world.snapshot() == before


def test_joining_twice_or_a_full_team_shows_why_with_a_409(
    client: TestClient, world: World
) -> None:
    team = world.start("leader").team
    bob = as_user(client, world.emails["bob"])
    data = {"csrf_token": csrf_of(bob, f"/teams/{team.id}"), "sku_id": str(world.red)}
    assert bob.post(f"/teams/{team.id}/join", data=data, headers=HTML).status_code == 200
    twice = bob.post(f"/teams/{team.id}/join", data=data, headers=HTML)
    assert twice.status_code == 409 and 'data-code="already_in_team"' in twice.text
    world.join("carol", team.id)
    dave = as_user(client, world.emails["dave"])
    full = dave.post(
        f"/teams/{team.id}/join",
        data={"csrf_token": csrf_of(dave, f"/teams/{team.id}"), "sku_id": str(world.red)},
        headers=HTML,
    )
    assert full.status_code == 409 and 'data-code="team_full"' in full.text
    assert "Start a team of your own" in full.text
    # without the CSRF token nothing happens at all
    erin = as_user(client, world.emails["erin"])
    forged = erin.post(f"/teams/{team.id}/join", data={"sku_id": str(world.red)}, headers=HTML)
    assert forged.status_code == 403


def test_an_expired_team_shows_time_up_and_no_join_form(client: TestClient, world: World) -> None:
    team = world.start("leader").team
    clock.travel(timedelta(hours=24, seconds=5))
    bob = as_user(client, world.emails["bob"])
    page = bob.get(f"/teams/{team.id}", headers=HTML)
    assert 'data-status="expired"' in page.text and 'data-testid="join-form"' not in page.text
    world.sweep()
    page = bob.get(f"/teams/{team.id}", headers=HTML)
    assert 'data-team-status="failed"' in page.text
    assert "Every member got their money back." in page.text


def test_a_hidden_product_s_team_page_is_not_found_for_strangers(
    client: TestClient, world: World
) -> None:
    from agora import catalog

    team = world.start("leader").team
    with world.uow:
        product = world.uow.session.get(catalog.Product, world.coat.product.id)
        assert product is not None
        product.status = "hidden"
    assert client.get(f"/teams/{team.id}", headers=HTML).status_code == 404
    assert client.get(f"/teams/{uuid.uuid4()}", headers=HTML).status_code == 404
    leader = as_user(client, world.emails["leader"])
    assert leader.get(f"/teams/{team.id}", headers=HTML).status_code == 200


def test_my_teams_page(client: TestClient, world: World) -> None:
    done = world.start("leader").team
    world.join("bob", done.id)
    world.join("carol", done.id)
    waiting = world.start("leader").team
    leader = as_user(client, world.emails["leader"])
    page = leader.get("/teams", headers=HTML)
    assert page.status_code == 200
    items = re.findall(r'data-team-id="([0-9a-f-]{36})" data-team-status="(\w+)"', page.text)
    assert items == [(str(waiting.id), "open"), (str(done.id), "complete")]
    empty = as_user(client, world.emails["dave"]).get("/teams", headers=HTML)
    assert "No teams yet" in empty.text
    assert client.get("/teams", headers=HTML, follow_redirects=False).status_code in (303, 401)


def test_sharing_a_team_into_a_group_chat_and_as_a_link(client: TestClient, world: World) -> None:
    leader_p, bob_p = world.people["leader"], world.people["bob"]
    asked = social.send_request(world.uow, actor=leader_p, to_user_id=bob_p.user_id)
    social.accept_request(world.uow, actor=bob_p, request_id=asked.id)
    group = chat.create_group(
        world.uow, actor=leader_p, title="Coat fans", member_ids=[bob_p.user_id]
    )
    team = world.start("leader").team
    leader = as_user(client, world.emails["leader"])
    token = csrf_of(leader, f"/teams/{team.id}")
    page = leader.get(f"/teams/{team.id}", headers=HTML)
    assert "Coat fans" in page.text and "Bob" in page.text

    # the shared share panel, posting to the route every share target has
    assert f'action="/share/team/{team.id}"' in page.text
    shared = leader.post(
        f"/share/team/{team.id}",
        data={"csrf_token": token, "to": "group", "conversation_id": str(group.id)},
        headers=HTML,
        follow_redirects=False,
    )
    assert shared.status_code == 303 and shared.headers["location"] == f"/chat/{group.id}"
    with world.uow.read() as session:
        message = session.scalar(select(MessageRow).where(MessageRow.kind == "share_link"))
    assert message is not None
    body = message.body
    assert (body["target_type"], body["target_id"], body["price"]) == (
        "team",
        str(team.id),
        GROUP_PRICE,
    )
    assert (body["label_en"], body["label_zh"]) == ("Team of 3 · 2 places left", "3人团 · 还差2人")
    # the card's link lands on the team page
    visit = client.get(body["url"], headers=HTML, follow_redirects=False)
    assert visit.headers["location"] == f"/teams/{team.id}"

    link = leader.post(
        f"/share/team/{team.id}",
        data={"csrf_token": token, "to": "link"},
        headers=HTML,
        follow_redirects=False,
    )
    assert link.status_code == 303 and link.headers["location"].startswith("/shares?new=")


def test_the_merchant_sets_and_ends_a_deal_from_the_console(
    client: TestClient, world: World
) -> None:
    groupbuy.end_deal(world.uow, actor=world.merchant, deal_id=world.deal.id)
    merchant = as_user(client, world.merchant_email)
    url = f"/merchant/products/{world.coat.product.id}/group-deal"
    page = merchant.get(url, headers=HTML)
    assert page.status_code == 200 and 'data-testid="deal-form"' in page.text
    assert 'data-testid="past-deals"' in page.text
    token = csrf_of(merchant, url)

    too_dear = merchant.post(
        url,
        data={"csrf_token": token, "team_size": "3", "group_price": "259", "stock": "10"},
        headers=HTML,
    )
    assert too_dear.status_code == 422
    assert "below the lowest price of buying alone" in too_dear.text
    assert 'value="259"' in too_dear.text  # what was typed stays in the form

    made = merchant.post(
        url,
        data={
            "csrf_token": token,
            "team_size": "2",
            "group_price": "149.50",
            "stock": "20",
            "user_limit": "1",
            "window_hours": "12",
        },
        headers=HTML,
    )
    assert made.status_code == 200 and 'data-testid="current-deal"' in made.text
    assert "¥149.50" in made.text and "12 hours" in made.text
    deals = groupbuy.merchant_deals(
        world.uow, actor=world.merchant, product_id=world.coat.product.id
    )
    assert deals.current is not None and deals.current.deal.group_price == 14950

    ended = merchant.post(
        f"/merchant/group-deals/{deals.current.deal.id}/end",
        data={"csrf_token": token},
        headers=HTML,
    )
    assert ended.status_code == 200 and 'data-testid="deal-form"' in ended.text

    # another store's staff and shoppers see nothing of it
    bob = as_user(client, world.emails["bob"])
    assert bob.get(url, headers=HTML).status_code == 404
    refused = bob.post(
        f"/merchant/group-deals/{deals.current.deal.id}/end",
        data={"csrf_token": csrf_of(bob, "/")},
        headers=HTML,
    )
    assert refused.status_code == 404


def test_the_pages_render_in_chinese(client: TestClient, world: World) -> None:
    team = world.start("leader").team
    zh = {**HTML, "Accept-Language": "zh-CN,zh;q=0.9"}
    product = client.get(f"/p/{world.coat.product.id}", headers=zh)
    page = client.get(f"/teams/{team.id}", headers=zh)
    assert product.status_code == page.status_code == 200
    assert '<html lang="zh-CN">' in page.text and "羊毛外套" in page.text
    assert 'data-testid="group-deal"' in product.text
