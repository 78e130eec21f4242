"""Referrals through the browser's eyes: "Invite friends" for a shopper, the operators' rewards
page with its signals, and releasing a withheld reward from it (once, operators only)."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from httpx import Response

from agora.identity import User
from factories import HTML, csrf_of
from referrals.world import World
from web.test_pages import sign_in

REWARD = 500


def _operator_email(world: World) -> str:
    with world.uow.read() as session:
        user = session.get(User, world.ops.user_id)
        assert user is not None and user.email
        return user.email


def _flash(page: Response) -> tuple[str, str]:
    """The kind and text of the message a page shows after a form's redirect."""
    found = re.search(
        r'class="flash flash-(\w+)"[^>]*>.*?<p class="flash-text">([^<]*)</p>', page.text, re.S
    )
    assert found, "the page shows a message"
    return found.group(1), found.group(2)


def test_invite_friends_shows_who_joined_and_what_it_earned(
    client: TestClient, world: World
) -> None:
    dora = world.referred("Dora")
    world.buy(dora)
    world.referred("Eve <b>")
    farm = [world.referred(f"Farm {n}", ip="addr-dorm") for n in range(3)]
    world.buy(farm[0])

    signed_out = client.get("/referrals", headers=HTML, follow_redirects=False)
    assert signed_out.status_code == 303 and signed_out.headers["location"].startswith("/signin")

    sign_in(client, world.alice.email or "")
    page = client.get("/referrals", headers=HTML)

    assert page.status_code == 200
    assert "Invite friends" in page.text and 'href="/shares"' in page.text
    assert "you receive 500 points" in page.text
    assert re.search(r'data-testid="friends">5<', page.text)
    assert re.search(r'data-testid="rewarded">1<', page.text)
    assert re.search(r'data-testid="points">500<', page.text)
    rows = re.findall(
        r'<tr data-referee="[^"]+" data-status="([a-z_]+)">\s*'
        r'<th [^>]*scope="row"[^>]*>(?:<span[^>]*>)?([^<]+)<',
        page.text,
    )
    assert rows == [
        ("waiting", "Farm 2"),
        ("waiting", "Farm 1"),
        ("under_review", "Farm 0"),
        ("waiting", "Eve &lt;b&gt;"),
        ("rewarded", "Dora"),
    ]
    assert "Under review" in page.text and "ip_cluster" not in page.text

    # someone with no friends yet is told what to do
    sign_in(client, world.bob.email or "")
    empty = client.get("/referrals", headers=HTML)
    assert "No friends have joined through your links yet" in empty.text


def test_operators_see_rewards_with_their_signals_and_shoppers_do_not(
    client: TestClient, world: World
) -> None:
    world.buy(world.referred("Dora"))
    farm = [world.referred(f"Farm {n}", ip="addr-dorm") for n in range(3)]
    world.buy(farm[1])

    sign_in(client, world.alice.email or "")
    refused = client.get("/operator/referrals", headers=HTML)
    assert refused.status_code == 403

    sign_in(client, _operator_email(world))
    page = client.get("/operator/referrals", headers=HTML)
    withheld = client.get("/operator/referrals?status=withheld", headers=HTML)

    assert page.status_code == 200
    assert 'href="/operator/referrals" aria-current="page"' in page.text
    assert re.findall(r'data-status="(granted|withheld|released)">\s*<td', page.text) == [
        "withheld",
        "granted",
    ]
    assert "Several sign-ups from one address" in page.text
    assert 'data-reason="ip_cluster"' in page.text
    assert page.text.count('action="/operator/referrals/') == 1
    assert "Withheld (1)" in page.text
    assert "Dora" not in withheld.text and "Farm 1" in withheld.text
    nothing = client.get("/operator/referrals?status=released", headers=HTML)
    assert "No referral rewards here" in nothing.text


def test_an_operator_releases_from_the_page_once(client: TestClient, world: World) -> None:
    farm = [world.referred(f"Farm {n}", ip="addr-dorm") for n in range(3)]
    world.buy(farm[0])
    reward_id = world.reward_id(farm[0])
    action = f"/operator/referrals/{reward_id}/release"

    # a shopper posting the form is refused
    sign_in(client, world.alice.email or "")
    token = csrf_of(client, "/referrals")
    refused = client.post(
        action, data={"csrf_token": token, "form_key": "k1"}, headers=HTML, follow_redirects=False
    )
    assert refused.status_code == 403
    assert [r[4] for r in world.rewards()] == ["withheld"]

    sign_in(client, _operator_email(world))
    token = csrf_of(client, "/operator/referrals")
    form = {"csrf_token": token, "form_key": "k1"}
    # a form without its CSRF token does nothing
    forged = client.post(action, data={"form_key": "k1"}, headers=HTML, follow_redirects=False)
    assert forged.status_code == 403
    assert world.points(world.alice) == 0

    first = client.post(action, data=form, headers=HTML)
    double = client.post(action, data=form, headers=HTML)
    later = client.post(action, data={**form, "form_key": "k2"}, headers=HTML)

    assert first.status_code == 200 and first.url.path == "/operator/referrals"
    assert first.url.query == b"status=withheld"
    assert _flash(first) == ("success", "Released: Alice receives the points.")
    assert _flash(double) == _flash(first)  # the double click lands where the first did
    kind, text = _flash(later)  # decided already
    assert kind == "error" and "Only a withheld referral reward can be released" in text
    assert [r[4] for r in world.rewards()] == ["released"]
    assert world.points(world.alice) == REWARD

    page = client.get("/operator/referrals?status=released", headers=HTML)
    assert "by Operator" in page.text and f'data-reward="{reward_id}"' in page.text
