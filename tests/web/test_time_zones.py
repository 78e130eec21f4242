"""Pages show times in the reader's zone: the platform's (Asia/Shanghai) for visitors and by
default, the user's own once chosen on the account page; <time datetime> keeps the UTC value."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime

from fastapi.testclient import TestClient
from httpx import Response

from agora import chat, identity
from agora.core.clock import clock
from agora.core.uow import UnitOfWork
from agora.identity import User
from chat.world import befriend, person
from factories import HTML, browser_sign_in, csrf_of, make_user, principal

# 09:30 on the 2nd in Shanghai (UTC+8); 20:30 on the 1st in New York (UTC-5 until 8 March).
INSTANT = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)


def zone_of(uow: UnitOfWork, user_id: uuid.UUID) -> str | None:
    with uow.read() as session:
        user = session.get(User, user_id)
        assert user is not None
        return user.time_zone


def choose(client: TestClient, csrf: str, zone: str, **extra: str) -> Response:
    return client.post(
        "/account/time-zone",
        data={"csrf_token": csrf, "time_zone": zone, **extra},
        headers=HTML,
        follow_redirects=False,
    )


def test_a_visitor_reads_the_platform_zone(client: TestClient) -> None:
    page = client.get("/", headers=HTML).text

    assert 'data-time-zone="Asia/Shanghai"' in page


def test_the_account_page_shows_shanghai_time_by_default_then_the_chosen_zone(
    client: TestClient, uow: UnitOfWork
) -> None:
    clock.freeze(INSTANT)
    user = make_user(uow)
    csrf = browser_sign_in(client, user, "/account")

    before = client.get("/account", headers=HTML).text
    assert 'data-time-zone="Asia/Shanghai"' in before
    assert ">2026-03-02 09:30</td>" in before  # the sign-in, security log
    assert "UTC</td>" not in before
    assert '<option value="" selected>' in before

    chosen = choose(client, csrf, "America/New_York")
    assert (chosen.status_code, chosen.headers["location"]) == (303, "/account")

    after = client.get("/account", headers=HTML).text
    assert "Times are now shown in New York (UTC-5)." in after
    assert 'data-time-zone="America/New_York"' in after
    assert ">2026-03-01 20:30</td>" in after
    assert "2026-03-02 09:30" not in after
    assert '<option value="America/New_York" selected>' in after
    assert zone_of(uow, user.id) == "America/New_York"

    back = choose(client, csrf, "")
    assert back.status_code == 303
    assert zone_of(uow, user.id) is None
    assert ">2026-03-02 09:30</td>" in client.get("/account", headers=HTML).text


def test_an_unknown_zone_is_told_beside_the_field_and_changes_nothing(
    client: TestClient, uow: UnitOfWork
) -> None:
    user = make_user(uow)
    identity.set_time_zone(uow, actor=principal(user), time_zone="Asia/Tokyo")
    csrf = browser_sign_in(client, user, "/account")

    refused = choose(client, csrf, "Mars/Olympus_Mons")

    assert refused.status_code == 422
    field = refused.text[refused.text.index('id="time_zone"') :]
    assert 'aria-invalid="true"' in refused.text
    assert re.search(
        r'<p class="field-error" id="time_zone-error" role="alert">'
        r"Choose a time zone from the list.</p>",
        field,
    )
    assert zone_of(uow, user.id) == "Asia/Tokyo"


def test_the_form_needs_its_csrf_token(client: TestClient, uow: UnitOfWork) -> None:
    user = make_user(uow)
    browser_sign_in(client, user, "/account")

    refused = choose(client, "forged", "America/New_York")

    assert refused.status_code == 403
    assert zone_of(uow, user.id) is None


def test_the_form_changes_only_the_signed_in_users_zone(
    client: TestClient, uow: UnitOfWork
) -> None:
    me, other = make_user(uow), make_user(uow)
    csrf = browser_sign_in(client, me, "/account")

    changed = choose(client, csrf, "Europe/London", user_id=str(other.id))

    assert changed.status_code == 303
    assert zone_of(uow, me.id) == "Europe/London"
    assert zone_of(uow, other.id) is None


def test_signed_out_the_form_sends_to_sign_in(client: TestClient, uow: UnitOfWork) -> None:
    csrf = csrf_of(client, "/signin")

    refused = choose(client, csrf, "Europe/London")

    assert refused.status_code == 303
    assert refused.headers["location"].startswith("/signin")


def test_a_chat_message_shows_in_each_readers_zone_and_keeps_utc_in_datetime(
    client: TestClient, uow: UnitOfWork
) -> None:
    alice, bob = person(uow, "Alice"), person(uow, "Bob")
    befriend(uow, alice, bob)
    conversation = chat.direct_conversation(uow, actor=alice, other_user_id=bob.user_id)
    clock.freeze(INSTANT)
    chat.send_message(
        uow,
        actor=alice,
        conversation_id=conversation.id,
        kind="text",
        body={"text": "hello"},
        client_id=uuid.uuid4().hex,
    )
    identity.set_time_zone(uow, actor=bob, time_zone="America/New_York")

    def shown(who: identity.Principal, path: str) -> str:
        with uow.read() as session:
            user = session.get(User, who.user_id)
        assert user is not None
        browser_sign_in(client, user)
        return client.get(path, headers=HTML).text

    utc = '<time datetime="2026-03-02T01:30:00+00:00">'
    assert utc + "09:30</time>" in shown(alice, f"/chat/{conversation.id}")
    assert utc + "20:30</time>" in shown(bob, f"/chat/{conversation.id}")
    assert utc + "03-01 20:30</time>" in shown(bob, "/chat")


def test_a_deadline_says_its_zone(client: TestClient, uow: UnitOfWork) -> None:
    clock.freeze(INSTANT)
    user = make_user(uow)
    browser_sign_in(client, user, "/treasure")

    # The treasure's cut-off is 15:00 Beijing time: 07:00 UTC, 02:00 in New York.
    assert "Next cut-off: 2026-03-02 15:00 UTC+8." in client.get("/treasure", headers=HTML).text
    identity.set_time_zone(uow, actor=principal(user), time_zone="America/New_York")
    assert "Next cut-off: 2026-03-02 02:00 UTC-5." in client.get("/treasure", headers=HTML).text
