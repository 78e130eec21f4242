"""Sharing through the browser's eyes: the link ``/s/{code}``, sign-up and sign-in after it, the
product page's share panel, my shares, and the operators' report with its chart."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select

import factories
from agora import chat, sharing
from agora.identity import User
from sharing.world import World, befriend
from web.test_pages import HTML, csrf_of, sign_in


def _visits(world: World) -> list[sharing.ShareVisit]:
    with world.uow.read() as session:
        return list(session.scalars(select(sharing.ShareVisit).order_by(sharing.ShareVisit.id)))


def test_a_share_link_sets_the_visitor_cookie_records_and_redirects(
    client: TestClient, world: World
) -> None:
    share = world.share(world.alice)
    product_url = f"/p/{world.coat.product.id}"

    first = client.get(share.url, headers=HTML, follow_redirects=False)

    assert first.status_code == 303 and first.headers["location"] == product_url
    cookie = first.headers["set-cookie"]
    assert cookie.startswith(f"{sharing.VISITOR_COOKIE}=")
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Max-Age=31536000" in cookie
    visitor = client.cookies[sharing.VISITOR_COOKIE]
    [visit] = _visits(world)
    assert (visit.share_id, visit.visitor_id, visit.user_id) == (share.id, visitor, None)
    assert visit.ip_hash and "testclient" not in visit.ip_hash  # a keyed hash, not the address

    # the same browser again: same visitor, no new cookie; previews and HEAD do not count
    again = client.get(share.url, headers=HTML, follow_redirects=False)
    assert again.status_code == 303 and "set-cookie" not in again.headers
    bot = client.get(
        share.url,
        headers={**HTML, "User-Agent": "facebookexternalhit/1.1"},
        follow_redirects=False,
    )
    prefetch = client.get(
        share.url, headers={**HTML, "Sec-Purpose": "prefetch"}, follow_redirects=False
    )
    head = client.head(share.url, follow_redirects=False)
    assert (bot.status_code, prefetch.status_code, head.status_code) == (303, 303, 303)
    assert [v.visitor_id for v in _visits(world)] == [visitor, visitor]

    unknown = client.get("/s/nothere1", headers=HTML)
    assert unknown.status_code == 404 and "<html" in unknown.text
    assert len(_visits(world)) == 2


def test_signing_up_after_a_share_link_credits_the_sharer(client: TestClient, world: World) -> None:
    share = world.share(world.alice, channel="moments")
    client.get(share.url, headers=HTML, follow_redirects=False)
    token = csrf_of(client, "/signup")
    response = client.post(
        "/signup",
        data={
            "identifier": "newcomer@example.com",
            "password": factories.PASSWORD,
            "display_name": "Newcomer",
            "csrf_token": token,
            "next": "/",
        },
        headers=HTML,
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    with world.uow.read() as session:
        newcomer = session.scalar(select(User).where(User.email == "newcomer@example.com"))
        assert newcomer is not None
    assert world.attributions("signup") == [
        (newcomer.id, share.code, "moments", world.alice.id, newcomer.id, 0)
    ]
    assert [v.user_id for v in _visits(world)] == [newcomer.id]


def test_signing_in_links_the_browsers_earlier_visits(client: TestClient, world: World) -> None:
    share = world.share(world.alice)
    client.get(share.url, headers=HTML, follow_redirects=False)
    sign_in(client, world.bob.email or "")
    assert [v.user_id for v in _visits(world)] == [world.bob.id]
    # and a re-share by Bob now names Alice's share as its parent
    assert world.share(world.bob, channel="moments").parent_id == share.id


def test_the_product_page_offers_sharing(client: TestClient, world: World) -> None:
    product_url = f"/p/{world.coat.product.id}"
    signed_out = client.get(product_url, headers=HTML)
    assert 'data-testid="share-signin"' in signed_out.text
    assert f"/signin?next={product_url}" in signed_out.text

    befriend(world.uow, world.alice, world.bob)
    group = chat.create_group(
        world.uow,
        actor=factories.principal(world.alice),
        title="Coat <fans>",
        member_ids=[world.bob.id],
    )
    sign_in(client, world.alice.email or "")
    page = client.get(product_url, headers=HTML)
    assert page.status_code == 200
    assert f'<option value="{world.bob.id}">Bob</option>' in page.text
    assert f'<option value="{group.id}">Coat &lt;fans&gt;</option>' in page.text
    token = csrf_of(client, product_url)
    action = f"{product_url}/share"

    # to a friend: into the direct chat
    to_friend = client.post(
        action,
        data={"csrf_token": token, "to": "friend", "friend_id": str(world.bob.id)},
        headers=HTML,
        follow_redirects=False,
    )
    assert to_friend.status_code == 303, to_friend.text
    [direct] = [
        c
        for c in chat.list_conversations(world.uow, actor=factories.principal(world.alice))
        if c.kind == "direct"
    ]
    assert to_friend.headers["location"] == f"/chat/{direct.id}"
    # to a group, to moments, and a link
    to_group = client.post(
        action,
        data={"csrf_token": token, "to": "group", "conversation_id": str(group.id)},
        headers=HTML,
        follow_redirects=False,
    )
    assert to_group.headers["location"] == f"/chat/{group.id}"
    to_moments = client.post(
        action,
        data={"csrf_token": token, "to": "moments", "text": "So warm"},
        headers=HTML,
        follow_redirects=False,
    )
    assert to_moments.headers["location"] == "/moments"
    link = client.post(
        action, data={"csrf_token": token, "to": "link"}, headers=HTML, follow_redirects=False
    )
    assert link.status_code == 303
    code = link.headers["location"].split("new=", 1)[1]
    mine = client.get(link.headers["location"], headers=HTML)
    assert mine.status_code == 200
    assert f'value="http://testserver/s/{code}"' in mine.text
    with world.uow.read() as session:
        channels = sorted(session.scalars(select(sharing.Share.channel)))
    assert channels == ["chat_direct", "chat_group", "external", "moments"]

    # refusals change nothing: no CSRF token, or a friend who is not one
    forged = client.post(action, data={"to": "link"}, headers=HTML, follow_redirects=False)
    stranger = client.post(
        action,
        data={"csrf_token": token, "to": "friend", "friend_id": str(world.carol.id)},
        headers=HTML,
        follow_redirects=False,
    )
    assert forged.status_code == 403
    assert stranger.status_code == 303 and stranger.headers["location"] == product_url
    assert world.count(sharing.Share) == 4


def test_the_share_route_of_any_target_shares_it_and_refuses_unknown_kinds(
    client: TestClient, world: World
) -> None:
    sign_in(client, world.alice.email or "")
    product_id = world.coat.product.id
    token = csrf_of(client, f"/p/{product_id}")
    link = client.post(
        f"/share/product/{product_id}",
        data={"csrf_token": token, "to": "link"},
        headers=HTML,
        follow_redirects=False,
    )
    assert link.status_code == 303 and link.headers["location"].startswith("/shares?new=")
    unknown = client.post(
        f"/share/spaceship/{product_id}",
        data={"csrf_token": token, "to": "link"},
        headers=HTML,
        follow_redirects=False,
    )
    missing = client.post(
        f"/share/product/{world.alice.id}",
        data={"csrf_token": token, "to": "link"},
        headers=HTML,
        follow_redirects=False,
    )
    assert unknown.status_code == 404
    assert missing.status_code == 303 and missing.headers["location"] == f"/p/{world.alice.id}"
    assert world.count(sharing.Share) == 1


def test_the_report_page_draws_the_chart_for_operators(client: TestClient, world: World) -> None:
    share = world.share(world.alice, channel="chat_direct")
    visitor = world.visit(share)
    newcomer = world.sign_up(visitor)
    world.visit(share, user=newcomer)
    world.buy(newcomer)

    sign_in(client, factories_email(world))
    page = client.get("/operator/shares", headers=HTML)

    assert page.status_code == 200
    assert 'href="/operator/shares" aria-current="page"' in page.text
    assert page.text.count("<svg viewBox=") >= 3 and 'role="img"' in page.text
    bars = re.findall(
        r'data-channel="chat_direct" data-value="(\d+)">.*?'
        r'class="share-chart-bar" x="\d+" y="6" width="(\d+)"',
        page.text,
        re.S,
    )
    assert bars == [("1", "200"), ("1", "200"), ("29900", "200")]
    assert 'data-channel="moments" data-value="0">' in page.text
    assert "Alice" in page.text and "¥299.00" in page.text

    sign_in(client, world.bob.email or "")
    assert client.get("/operator/shares", headers=HTML).status_code == 403


def factories_email(world: World) -> str:
    with world.uow.read() as session:
        user = session.get(User, world.ops.user_id)
        assert user is not None and user.email
        return user.email
