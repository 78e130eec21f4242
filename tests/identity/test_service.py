"""Identity use cases on a real database: accounts, sign-in, sessions, audit log, operator admin."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

import factories
from agora.core.clock import clock
from agora.core.errors import Forbidden, InvalidInput, NotFound, RateLimited
from agora.core.uow import UnitOfWork
from agora.identity import (
    AccountExists,
    AccountSuspended,
    AuthSession,
    Client,
    InvalidCredentials,
    Principal,
    SecurityEvent,
    User,
    authenticate,
    find_user,
    get_user,
    list_tokens,
    list_users,
    register,
    revoke_session,
    security_log,
    set_user_status,
    sign_in,
    sign_out,
)

PASSWORD = factories.PASSWORD
CLIENT = Client(ip="203.0.113.7", user_agent="pytest")


def count(uow: UnitOfWork, model: Any, *where: Any) -> int:
    with uow.read() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def events(uow: UnitOfWork, kind: str) -> list[SecurityEvent]:
    with uow.read() as session:
        return list(
            session.scalars(
                select(SecurityEvent)
                .where(SecurityEvent.kind == kind)
                .order_by(SecurityEvent.created_at, SecurityEvent.id)
            )
        )


def make_account(uow: UnitOfWork, identifier: str = "mei@example.com", name: str = "Mei") -> User:
    return register(uow, identifier=identifier, password=PASSWORD, display_name=name, client=CLIENT)


def login(uow: UnitOfWork, identifier: str = "mei@example.com", **kwargs: Any) -> Any:
    return sign_in(uow, identifier=identifier, password=PASSWORD, client=CLIENT, **kwargs)


# --- register ---------------------------------------------------------------------------------


def test_register_stores_a_normalized_email_and_a_hashed_password(uow: UnitOfWork) -> None:
    user = register(
        uow,
        identifier="  Mei.Lin@Example.COM ",
        password=PASSWORD,
        display_name="  Mei   Lin ",
        client=CLIENT,
        locale="zh",
    )

    stored = get_user(uow, user.id)
    assert stored is not None
    assert (stored.email, stored.phone, stored.display_name, stored.locale) == (
        "mei.lin@example.com",
        None,
        "Mei Lin",
        "zh",
    )
    assert (stored.status, stored.is_operator) == ("active", False)
    assert stored.password_hash is not None
    assert stored.password_hash.startswith("$argon2")
    assert PASSWORD not in stored.password_hash
    [event] = events(uow, "registered")
    assert (event.user_id, event.subject, event.ip) == (
        user.id,
        "mei.lin@example.com",
        "203.0.113.7",
    )


def test_register_with_a_mobile_number(uow: UnitOfWork) -> None:
    user = make_account(uow, identifier="138 0013 8000", name="Wei")

    stored = get_user(uow, user.id)
    assert stored is not None
    assert (stored.email, stored.phone) == (None, "13800138000")
    assert find_user(uow, "13800138000") is not None
    assert find_user(uow, "+8613800138000") is None


def test_register_twice_with_the_same_email_is_refused(uow: UnitOfWork) -> None:
    first = make_account(uow, identifier="mei@example.com")

    with pytest.raises(AccountExists) as refused:
        make_account(uow, identifier="MEI@example.com", name="Impostor")

    assert refused.value.status == 409
    assert refused.value.code == "account_exists"
    assert count(uow, User) == 1
    stored = get_user(uow, first.id)
    assert stored is not None and stored.display_name == "Mei"
    assert len(events(uow, "registered")) == 1


def test_register_twice_with_the_same_phone_is_refused(uow: UnitOfWork) -> None:
    make_account(uow, identifier="13800138000")

    with pytest.raises(AccountExists):
        make_account(uow, identifier="138-0013-8000")

    assert count(uow, User) == 1


def test_invalid_registration_lists_every_bad_field_and_creates_no_user(uow: UnitOfWork) -> None:
    with pytest.raises(InvalidInput) as refused:
        register(
            uow, identifier="not-an-email", password="short", display_name="   ", client=CLIENT
        )

    assert refused.value.status == 422
    assert refused.value.code == "invalid_input"
    assert refused.value.extra["errors"] == [
        {"field": "identifier", "message": "Enter a valid email or mobile number."},
        {"field": "password", "message": "Password must be at least 8 characters."},
        {"field": "display_name", "message": "Enter a name of 1 to 40 characters."},
    ]
    assert count(uow, User) == 0
    assert count(uow, SecurityEvent) == 0


def test_one_bad_field_is_reported_alone(uow: UnitOfWork) -> None:
    with pytest.raises(InvalidInput) as refused:
        register(
            uow, identifier="mei@example.com", password=" " * 10, display_name="Mei", client=CLIENT
        )

    assert refused.value.extra["errors"] == [
        {"field": "password", "message": "Password must not be blank."}
    ]
    assert count(uow, User) == 0


# --- sign in ----------------------------------------------------------------------------------


def test_sign_in_opens_a_web_session_by_default(uow: UnitOfWork) -> None:
    user = make_account(uow)

    signed = login(uow, identifier="MEI@example.com")

    assert signed.user.id == user.id
    assert signed.session.kind == "web"
    assert signed.session.expires_at - signed.session.created_at == timedelta(days=30)
    assert signed.session.ip == "203.0.113.7"
    with uow.read() as session:
        stored = session.get(AuthSession, signed.session.id)
    assert stored is not None
    assert stored.token_hash != signed.token  # only the digest is kept
    assert signed.token not in stored.token_hash
    [event] = events(uow, "signin_succeeded")
    assert (event.user_id, event.subject, event.detail) == (
        user.id,
        "mei@example.com",
        {"via": "web"},
    )


def test_sign_in_can_issue_an_api_token(uow: UnitOfWork) -> None:
    make_account(uow)

    signed = login(uow, kind="api", label="my script")

    assert (signed.session.kind, signed.session.label) == ("api", "my script")
    assert signed.session.expires_at - signed.session.created_at == timedelta(days=90)


def test_wrong_password_and_unknown_account_fail_alike_and_are_audited(uow: UnitOfWork) -> None:
    user = make_account(uow)

    with pytest.raises(InvalidCredentials) as wrong_password:
        sign_in(uow, identifier="mei@example.com", password="not the password", client=CLIENT)
    with pytest.raises(InvalidCredentials) as unknown:
        sign_in(uow, identifier="nobody@example.com", password=PASSWORD, client=CLIENT)

    for refused in (wrong_password.value, unknown.value):
        assert (refused.status, refused.code, str(refused)) == (
            401,
            "invalid_credentials",
            "The account or password is not correct.",
        )
        assert refused.extra == {}
    failures = events(uow, "signin_failed")
    assert [(e.subject, e.user_id, e.ip) for e in failures] == [
        ("mei@example.com", user.id, "203.0.113.7"),
        ("nobody@example.com", None, "203.0.113.7"),
    ]
    assert count(uow, AuthSession) == 0


def test_a_junk_identifier_fails_like_any_other(uow: UnitOfWork) -> None:
    with pytest.raises(InvalidCredentials):
        sign_in(uow, identifier="  Not An Account ", password=PASSWORD, client=CLIENT)

    [event] = events(uow, "signin_failed")
    assert event.subject == "not an account"


def test_five_failures_lock_the_account_for_the_window(uow: UnitOfWork) -> None:
    make_account(uow)
    for _ in range(5):
        with pytest.raises(InvalidCredentials):
            sign_in(uow, identifier="mei@example.com", password="guess-guess", client=CLIENT)

    with pytest.raises(RateLimited) as limited:
        login(uow)

    assert (limited.value.status, limited.value.code) == (429, "rate_limited")
    assert count(uow, AuthSession) == 0
    assert len(events(uow, "signin_failed")) == 5  # the refused attempt is not counted again

    clock.travel(timedelta(minutes=14))
    with pytest.raises(RateLimited):
        login(uow)

    clock.travel(timedelta(minutes=2))
    signed = login(uow)
    assert signed.session.kind == "web"
    assert count(uow, AuthSession) == 1


def test_the_lock_applies_to_the_subject_not_to_other_accounts(uow: UnitOfWork) -> None:
    make_account(uow)
    make_account(uow, identifier="lin@example.com", name="Lin")
    for _ in range(5):
        with pytest.raises(InvalidCredentials):
            sign_in(uow, identifier="mei@example.com", password="guess-guess", client=CLIENT)

    signed = login(uow, identifier="lin@example.com")

    assert signed.user.display_name == "Lin"


def test_four_failures_do_not_lock(uow: UnitOfWork) -> None:
    make_account(uow)
    for _ in range(4):
        with pytest.raises(InvalidCredentials):
            sign_in(uow, identifier="mei@example.com", password="guess-guess", client=CLIENT)

    assert login(uow).user.display_name == "Mei"


def test_a_suspended_account_cannot_sign_in(uow: UnitOfWork) -> None:
    ops = factories.make_operator(uow)
    user = make_account(uow)
    set_user_status(uow, actor=ops, user_id=user.id, status="suspended", client=CLIENT)

    with pytest.raises(AccountSuspended) as refused:
        login(uow)

    assert (refused.value.status, refused.value.code) == (403, "account_suspended")
    assert count(uow, AuthSession) == 0


# --- authenticate, sign out, sessions ---------------------------------------------------------


def test_authenticate_turns_a_valid_token_into_a_principal(uow: UnitOfWork) -> None:
    user = make_account(uow)
    signed = login(uow, kind="api")

    principal = authenticate(uow, signed.token)

    assert principal == Principal(
        user_id=user.id, display_name="Mei", is_operator=False, session_id=signed.session.id
    )


@pytest.mark.parametrize("token", [None, "", "not-a-token"])
def test_authenticate_rejects_missing_or_unknown_tokens(uow: UnitOfWork, token: str | None) -> None:
    make_account(uow)
    login(uow)

    assert authenticate(uow, token) is None


def test_a_revoked_token_no_longer_authenticates(uow: UnitOfWork) -> None:
    make_account(uow)
    signed = login(uow, kind="api")
    principal = authenticate(uow, signed.token)
    assert principal is not None

    sign_out(uow, actor=principal, client=CLIENT)

    assert authenticate(uow, signed.token) is None
    with uow.read() as session:
        stored = session.get(AuthSession, signed.session.id)
    assert stored is not None and stored.revoked_at is not None
    assert len(events(uow, "signed_out")) == 1


def test_sign_out_revokes_only_the_current_session(uow: UnitOfWork) -> None:
    make_account(uow)
    phone = login(uow, kind="api")
    laptop = login(uow, kind="web")
    actor = authenticate(uow, phone.token)
    assert actor is not None

    sign_out(uow, actor=actor, client=CLIENT)

    assert authenticate(uow, phone.token) is None
    assert authenticate(uow, laptop.token) is not None


def test_tokens_expire(uow: UnitOfWork) -> None:
    make_account(uow)
    web = login(uow, kind="web")
    api = login(uow, kind="api")

    clock.travel(timedelta(days=29, hours=23))
    assert authenticate(uow, web.token) is not None

    clock.travel(timedelta(hours=1))
    assert authenticate(uow, web.token) is None
    assert authenticate(uow, api.token) is not None

    clock.travel(timedelta(days=60))
    assert authenticate(uow, api.token) is None


def test_tokens_of_a_suspended_user_stop_working(uow: UnitOfWork) -> None:
    ops = factories.make_operator(uow)
    user = make_account(uow)
    signed = login(uow, kind="api")

    set_user_status(uow, actor=ops, user_id=user.id, status="suspended", client=CLIENT)

    assert authenticate(uow, signed.token) is None


def test_list_tokens_shows_only_my_live_sessions(uow: UnitOfWork) -> None:
    make_account(uow)
    make_account(uow, identifier="lin@example.com", name="Lin")
    first = login(uow, kind="api", label="first")
    second = login(uow, kind="api", label="second")
    login(uow, identifier="lin@example.com")
    actor = authenticate(uow, first.token)
    assert actor is not None
    revoke_session(uow, actor=actor, session_id=first.session.id, client=CLIENT)

    assert [s.id for s in list_tokens(uow, actor=actor)] == [second.session.id]


def test_revoke_one_of_my_sessions(uow: UnitOfWork) -> None:
    make_account(uow)
    laptop = login(uow)
    phone = login(uow, kind="api")
    actor = authenticate(uow, laptop.token)
    assert actor is not None

    revoke_session(uow, actor=actor, session_id=phone.session.id, client=CLIENT)

    assert authenticate(uow, phone.token) is None
    assert authenticate(uow, laptop.token) is not None
    [event] = events(uow, "session_revoked")
    assert event.detail == {"session_id": str(phone.session.id)}


def test_revoking_another_users_session_is_not_found_and_changes_nothing(uow: UnitOfWork) -> None:
    make_account(uow)
    make_account(uow, identifier="lin@example.com", name="Lin")
    mine = login(uow)
    theirs = login(uow, identifier="lin@example.com", kind="api")
    actor = authenticate(uow, mine.token)
    assert actor is not None

    with pytest.raises(NotFound) as refused:
        revoke_session(uow, actor=actor, session_id=theirs.session.id, client=CLIENT)

    assert (refused.value.status, refused.value.code) == (404, "not_found")
    assert authenticate(uow, theirs.token) is not None
    assert count(uow, AuthSession, AuthSession.revoked_at.is_not(None)) == 0
    assert events(uow, "session_revoked") == []


def test_revoking_an_unknown_session_is_not_found(uow: UnitOfWork) -> None:
    make_account(uow)
    actor = authenticate(uow, login(uow).token)
    assert actor is not None

    with pytest.raises(NotFound):
        revoke_session(uow, actor=actor, session_id=uuid.uuid4(), client=CLIENT)


# --- the security log -------------------------------------------------------------------------


def test_security_log_shows_my_own_events_newest_first(uow: UnitOfWork) -> None:
    user = make_account(uow)
    clock.travel(timedelta(minutes=1))
    with pytest.raises(InvalidCredentials):
        sign_in(uow, identifier="mei@example.com", password="wrong-wrong", client=CLIENT)
    clock.travel(timedelta(minutes=1))
    actor = authenticate(uow, login(uow).token)
    assert actor is not None

    log = security_log(uow, actor=actor)

    assert [(e.kind, e.user_id) for e in log] == [
        ("signin_succeeded", user.id),
        ("signin_failed", user.id),
        ("registered", user.id),
    ]


def test_security_log_of_another_user_is_not_found_for_a_shopper(uow: UnitOfWork) -> None:
    mei = factories.principal(make_account(uow))
    lin = make_account(uow, identifier="lin@example.com", name="Lin")

    with pytest.raises(NotFound) as refused:
        security_log(uow, actor=mei, user_id=lin.id)

    assert (refused.value.status, refused.value.code) == (404, "not_found")


def test_an_operator_may_read_anyones_security_log(uow: UnitOfWork) -> None:
    ops = factories.make_operator(uow)
    lin = make_account(uow, identifier="lin@example.com", name="Lin")

    log = security_log(uow, actor=ops, user_id=lin.id)

    assert [(e.kind, e.user_id) for e in log] == [("registered", lin.id)]


# --- operator user admin ----------------------------------------------------------------------


def test_operator_lists_and_searches_users(uow: UnitOfWork) -> None:
    ops = factories.make_operator(uow)
    clock.travel(timedelta(seconds=1))
    mei = make_account(uow)
    clock.travel(timedelta(seconds=1))
    lin = make_account(uow, identifier="13800138000", name="Lin")

    everyone = list_users(uow, actor=ops)
    assert [u.id for u in everyone] == [lin.id, mei.id, ops.user_id]
    assert [u.id for u in list_users(uow, actor=ops, query="MEI@EXAMPLE")] == [mei.id]
    assert [u.id for u in list_users(uow, actor=ops, query="1380013")] == [lin.id]
    assert [u.id for u in list_users(uow, actor=ops, query="lin")] == [lin.id]
    assert [u.id for u in list_users(uow, actor=ops, limit=1)] == [lin.id]
    assert [u.id for u in list_users(uow, actor=ops, after=lin.created_at)] == [
        mei.id,
        ops.user_id,
    ]


def test_a_shopper_cannot_list_users(uow: UnitOfWork) -> None:
    mei = factories.principal(make_account(uow))

    with pytest.raises(Forbidden) as refused:
        list_users(uow, actor=mei)

    assert (refused.value.status, refused.value.code) == (403, "forbidden")


def test_suspending_a_user_revokes_every_session(uow: UnitOfWork) -> None:
    ops = factories.make_operator(uow)
    user = make_account(uow)
    web, api = login(uow), login(uow, kind="api")

    updated = set_user_status(uow, actor=ops, user_id=user.id, status="suspended", client=CLIENT)

    assert updated.status == "suspended"
    assert (
        count(uow, AuthSession, AuthSession.user_id == user.id, AuthSession.revoked_at.is_(None))
        == 0
    )
    [event] = events(uow, "user_suspended")
    assert (event.user_id, event.detail) == (user.id, {"by": str(ops.user_id)})

    set_user_status(uow, actor=ops, user_id=user.id, status="active", client=CLIENT)
    # Reactivating does not resurrect the revoked sessions: the user signs in again.
    assert authenticate(uow, web.token) is None
    assert authenticate(uow, api.token) is None
    assert authenticate(uow, login(uow).token) is not None


def test_a_shopper_cannot_suspend_anyone(uow: UnitOfWork) -> None:
    mei = make_account(uow)
    lin = make_account(uow, identifier="lin@example.com", name="Lin")
    token = login(uow, identifier="lin@example.com").token

    with pytest.raises(Forbidden):
        set_user_status(
            uow, actor=factories.principal(mei), user_id=lin.id, status="suspended", client=CLIENT
        )

    stored = get_user(uow, lin.id)
    assert stored is not None and stored.status == "active"
    assert authenticate(uow, token) is not None
    assert events(uow, "user_suspended") == []


def test_an_operator_cannot_suspend_themselves(uow: UnitOfWork) -> None:
    ops = factories.make_operator(uow)

    with pytest.raises(Forbidden):
        set_user_status(uow, actor=ops, user_id=ops.user_id, status="suspended", client=CLIENT)

    stored = get_user(uow, ops.user_id)
    assert stored is not None and stored.status == "active"


def test_set_user_status_refuses_unknown_status_and_unknown_user(uow: UnitOfWork) -> None:
    ops = factories.make_operator(uow)
    user = make_account(uow)

    with pytest.raises(InvalidInput):
        set_user_status(uow, actor=ops, user_id=user.id, status="banished", client=CLIENT)
    with pytest.raises(NotFound):
        set_user_status(uow, actor=ops, user_id=uuid.uuid4(), status="suspended", client=CLIENT)

    stored = get_user(uow, user.id)
    assert stored is not None and stored.status == "active"
