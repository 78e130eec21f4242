"""The friends and moments pages and the store's follow button, through HTTP as a browser would."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

import factories
from agora import social
from agora.core.uow import UnitOfWork
from agora.identity import User
from factories import HTML, csrf_of
from social.people import People, Shop, befriend


def sign_in(client: TestClient, user: User) -> str:
    client.cookies.clear()
    response = client.post(
        "/signin",
        data={
            "identifier": user.email,
            "password": factories.PASSWORD,
            "csrf_token": csrf_of(client, "/signin"),
            "next": "/",
        },
        headers=HTML,
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return csrf_of(client, "/friends")


def post(client: TestClient, path: str, **data: str) -> str:
    """Post a form and follow the redirect; the page it lands on."""
    response = client.post(path, data=data, headers=HTML, follow_redirects=False)
    assert response.status_code == 303, response.text
    return client.get(response.headers["location"], headers=HTML).text


def test_friends_page_needs_sign_in(client: TestClient) -> None:
    response = client.get("/friends", headers=HTML, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/signin")


def test_adding_a_friend_through_the_pages(
    client: TestClient, uow: UnitOfWork, people: People
) -> None:
    token = sign_in(client, people.alice)
    found = client.get("/friends", params={"find": people.bob.email}, headers=HTML).text
    assert 'data-testid="people-found"' in found and "Bob" in found
    assert "Carol" not in found  # never a list of everybody
    page = post(
        client, "/friends/requests", csrf_token=token, to_user_id=str(people.bob.id), message="hi"
    )
    assert "Friend request sent to Bob." in page and 'data-testid="outgoing"' in page

    token = sign_in(client, people.bob)
    page = client.get("/friends", headers=HTML).text
    assert 'data-testid="incoming"' in page and "“hi”" in page
    [request] = social.list_requests(uow, actor=people.b)
    page = post(client, f"/friends/requests/{request.id}/accept", csrf_token=token)
    assert "You and Alice are now friends." in page
    assert f'href="/chat/with/{people.alice.id}"' in page  # the Message link
    assert 'href="/chat"' in page


def test_a_form_without_the_csrf_token_changes_nothing(
    client: TestClient, uow: UnitOfWork, people: People
) -> None:
    sign_in(client, people.alice)
    response = client.post(
        "/friends/requests", data={"to_user_id": str(people.bob.id)}, headers=HTML
    )
    assert response.status_code == 403
    assert social.list_requests(uow, actor=people.b) == []


def test_block_and_unblock_through_the_pages(
    client: TestClient, uow: UnitOfWork, people: People
) -> None:
    befriend(uow, people.a, people.b)
    token = sign_in(client, people.alice)
    page = post(client, f"/friends/{people.bob.id}/block", csrf_token=token)
    assert 'data-testid="blocked"' in page and 'data-testid="friends"' not in page
    with uow.read() as session:
        assert social.blocked_between(session, people.alice.id, people.bob.id)
    # Bob, blocked, gets the same answer as for someone who does not exist.
    bob_token = sign_in(client, people.bob)
    page = post(client, "/friends/requests", csrf_token=bob_token, to_user_id=str(people.alice.id))
    assert "This person cannot be found." in page
    assert social.list_requests(uow, actor=people.a) == []
    token = sign_in(client, people.alice)
    page = post(client, f"/friends/{people.bob.id}/unblock", csrf_token=token)
    assert "Unblocked." in page and 'data-testid="blocked"' not in page


def test_follow_button_on_the_store_page(
    client: TestClient, uow: UnitOfWork, people: People, shop: Shop
) -> None:
    store = shop.store.id
    anonymous = client.get(f"/store/{store}", headers=HTML).text
    assert "0 followers" in anonymous and f"/signin?next=/store/{store}" in anonymous
    token = sign_in(client, people.alice)
    page = post(client, f"/store/{store}/follow", csrf_token=token)
    assert "1 follower<" in page and ">Following<" in page
    friends = client.get("/friends", headers=HTML).text
    assert 'data-testid="followed-stores"' in friends and "Cloud Coats" in friends
    page = post(client, f"/store/{store}/unfollow", csrf_token=token)
    assert "0 followers" in page and ">Follow<" in page
    assert social.follower_count(uow, store) == 0


def test_moments_compose_feed_like_and_comment(
    client: TestClient, uow: UnitOfWork, people: People, shop: Shop
) -> None:
    befriend(uow, people.a, people.b)
    product = shop.products[2].product
    token = sign_in(client, people.alice)
    compose = client.get("/moments", params={"find": "coat"}, headers=HTML).text
    assert f'value="{product.id}"' in compose  # the product search box found it
    preset = client.get("/moments", params={"product": str(product.id)}, headers=HTML).text
    assert f'value="{product.id}" checked' in preset  # a "share to moments" link preselects it
    page = post(
        client,
        "/moments",
        csrf_token=token,
        text="<script>alert(1)</script> my coat",
        product_ids=str(product.id),
    )
    assert "Posted to your friends." in page
    # User text is escaped, never markup.
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; my coat" in page
    assert f'href="/p/{product.id}"' in page and 'data-testid="moment-card"' in page
    [moment] = social.feed(uow, actor=people.a).items

    token = sign_in(client, people.bob)
    page = post(client, f"/moments/{moment.id}/like", csrf_token=token, next="/moments")
    assert 'data-testid="unlike"' in page and "♥ Bob" in page
    page = post(
        client, f"/moments/{moment.id}/comment", csrf_token=token, text="Nice!", next="/moments"
    )
    assert '<strong translate="no">Bob</strong>: <span translate="no">Nice!</span>' in page
    single = client.get(f"/moments/{moment.id}", headers=HTML)
    assert single.status_code == 200 and "Nice!" in single.text


def test_a_non_friend_does_not_see_a_moment_page(
    client: TestClient, uow: UnitOfWork, people: People
) -> None:
    posted = social.post_moment(uow, actor=people.a, text="only friends", product_ids=[])
    token = sign_in(client, people.carol)
    assert client.get(f"/moments/{posted.id}", headers=HTML).status_code == 404
    assert "only friends" not in client.get("/moments", headers=HTML).text
    page = post(client, f"/moments/{posted.id}/like", csrf_token=token)
    assert "This moment does not exist." in page
    assert social.get_moment(uow, actor=people.a, moment_id=posted.id).like_count == 0


def test_load_more_pages_the_feed(client: TestClient, uow: UnitOfWork, people: People) -> None:
    for n in range(12):
        social.post_moment(uow, actor=people.a, text=f"post number {n:02d}", product_ids=[])
    sign_in(client, people.alice)
    first = client.get("/moments", headers=HTML).text
    assert "post number 11" in first and "post number 01" not in first
    more = re.search(r'href="(/moments\?cursor=[^"#]+)#feed"[^>]*data-testid="load-more"', first)
    assert more
    second = client.get(more.group(1), headers=HTML).text
    assert "post number 01" in second and "post number 11" not in second
    assert 'data-testid="load-more"' not in second


def test_posting_nothing_shows_the_error(client: TestClient, people: People) -> None:
    token = sign_in(client, people.alice)
    response = client.post("/moments", data={"csrf_token": token, "text": "  "}, headers=HTML)
    assert response.status_code == 422
    assert "Write something" in response.text
