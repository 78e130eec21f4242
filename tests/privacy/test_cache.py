"""The memory behind ``agreement_pending`` on ``/api/v1/me``: it answers only what it knows."""

from __future__ import annotations

import uuid

from agora.privacy import AgreementCache


def test_it_answers_no_only_when_nothing_is_pending_for_sure() -> None:
    cache = AgreementCache(ttl=60)
    lin, wang = uuid.uuid4(), uuid.uuid4()
    assert cache.known(lin) is None

    cache.remember(lin, version=None, pending=False)
    assert (cache.known(lin), cache.known(wang)) == (False, False)

    cache.remember(lin, version=1, pending=True)
    assert cache.known(lin) is None
    cache.remember(lin, version=1, pending=False)
    assert (cache.known(lin), cache.known(wang)) == (False, None)

    # A newer version: nobody's acceptance of the old one counts.
    cache.remember(wang, version=2, pending=True)
    assert cache.known(lin) is None
    cache.remember(lin, version=2, pending=False)
    cache.forget()
    assert cache.known(lin) is None


def test_past_its_time_it_asks_again() -> None:
    cache = AgreementCache(ttl=-1)
    cache.remember(uuid.uuid4(), version=None, pending=False)
    assert cache.known(uuid.uuid4()) is None
