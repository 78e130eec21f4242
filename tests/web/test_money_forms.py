"""Refused money forms (top up, withdraw, treasure; credit repay in credit/test_pages.py) say
why beside the field that was wrong, mark it invalid, keep what was typed, and move no money."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

import factories
from agora import ledger, payments
from agora.core.uow import UnitOfWork
from factories import HTML, browser_sign_in


def _field(html: str, fid: str) -> str:
    found = re.search(rf'<input id="{fid}"[^>]*>', html)
    assert found, fid
    return found.group(0)


def _error(html: str, error_id: str) -> str:
    found = re.search(
        rf'<p class="field-error" id="{error_id}" role="alert"[^>]*>([^<]*)</p>', html
    )
    assert found, error_id
    return found.group(1)


@pytest.mark.parametrize(
    ("path", "fid", "other_fid", "typed", "status", "message"),
    [
        ("/wallet/top-up", "top-up-amount", "withdraw-amount", "12x", 422, "amount"),
        ("/wallet/withdraw", "withdraw-amount", "top-up-amount", "50.01", 409, "not enough"),
        ("/treasure/deposit", "deposit-amount", "redeem-amount", "50.01", 409, "not enough"),
        ("/treasure/redeem", "redeem-amount", "deposit-amount", "0", 422, ""),
    ],
)
def test_a_refused_amount_is_shown_beside_its_field(
    client: TestClient,
    uow: UnitOfWork,
    path: str,
    fid: str,
    other_fid: str,
    typed: str,
    status: int,
    message: str,
) -> None:
    user = factories.make_user(uow)
    factories.fund_wallet(uow, user, 5000)
    page = path.rsplit("/", 1)[0]
    token = browser_sign_in(client, user, page)

    refused = client.post(
        path, data={"csrf_token": token, "amount": typed, "form_key": "k1"}, headers=HTML
    )

    assert refused.status_code == status
    field = _field(refused.text, fid)
    assert f'value="{typed}"' in field
    assert 'aria-invalid="true"' in field and f'aria-describedby="{fid}-error"' in field
    assert "autofocus" in field
    assert message.lower() in _error(refused.text, f"{fid}-error").lower()
    # Only the refused form is marked; no page-level copy of the message far from the field.
    assert "aria-invalid" not in _field(refused.text, other_fid)
    assert 'class="form-error"' not in refused.text
    assert ledger.balance(uow, payments.wallet_of(user.id)) == 5000
