"""Two real ``agora serve`` processes on one database and one Redis: a token that process B has
cached is refused by B within a second of being signed out through process A, and a suspension
reaches B the same way.

Needs Redis (``AGORA_TEST_REDIS_URL``); uses PostgreSQL from ``AGORA_TEST_DATABASE_URL`` when set,
else a SQLite file both processes open.
"""

from __future__ import annotations

import time

import httpx
import pytest

from agora import identity
from agora.bench.server import ServerProcess
from agora.core.uow import UnitOfWork
from chat.world import bearer, person
from factories import make_operator

pytestmark = pytest.mark.slow


def me(server: ServerProcess, token: str) -> int:
    headers = {"Authorization": f"Bearer {token}"}
    return httpx.get(f"{server.base_url}/api/v1/me", headers=headers, timeout=10).status_code


def refused_within(server: ServerProcess, token: str, seconds: float) -> float | None:
    """How long until ``server`` refuses ``token`` (None if it still accepts it after
    ``seconds``)."""
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if me(server, token) == 401:
            return time.monotonic() - started
        time.sleep(0.02)
    return None


def test_a_token_signed_out_on_one_process_is_refused_on_the_other(
    two_servers: tuple[UnitOfWork, ServerProcess, ServerProcess],
) -> None:
    uow, a, b = two_servers
    token = bearer(uow, person(uow, "Alice"))
    # Both processes have answered with it, so both hold it in their caches
    assert (me(a, token), me(b, token)) == (200, 200)

    signed_out = httpx.delete(
        f"{a.base_url}/api/v1/tokens/current",
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )

    assert signed_out.status_code == 204
    assert me(a, token) == 401
    assert refused_within(b, token, 1.0) is not None, "process B still accepts the token"


def test_a_suspension_reaches_every_process(
    two_servers: tuple[UnitOfWork, ServerProcess, ServerProcess],
) -> None:
    uow, a, b = two_servers
    alice = person(uow, "Alice")
    token = bearer(uow, alice)
    assert (me(a, token), me(b, token)) == (200, 200)

    # An operator suspends Alice through process A's API
    operator = make_operator(uow)
    operator_token = bearer(uow, operator)
    suspended = httpx.put(
        f"{a.base_url}/api/v1/operator/users/{alice.user_id}/status",
        json={"status": "suspended"},
        headers={"Authorization": f"Bearer {operator_token}"},
        timeout=10,
    )

    assert suspended.status_code == 200, suspended.text
    assert refused_within(b, token, 1.0) is not None
    assert refused_within(a, token, 1.0) is not None
    with pytest.raises(identity.AccountSuspended):  # and a new token cannot be had either
        bearer(uow, alice)
