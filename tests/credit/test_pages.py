"""The /credit page: open a line, see the score explained, repay with the form, refusals."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from agora import ledger, payments
from agora.core.uow import UnitOfWork
from credit.world import buy, line, shopper
from factories import HTML, browser_sign_in
from web.test_pages import sign_in


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found
    return found.group(1)


def test_open_repay_and_refusal(client: TestClient, uow: UnitOfWork) -> None:
    who = shopper(uow, line=False, wallet=20_000)
    sign_in(client, who.user.email)
    page = client.get("/credit", headers=HTML)
    assert page.status_code == 200
    assert 'data-testid="credit-open"' in page.text
    assert "Completed orders: 15. 10 points each" in page.text
    opened = client.post(
        "/credit/open", data={"csrf_token": _csrf(page.text)}, headers=HTML, follow_redirects=False
    )
    assert opened.status_code == 303
    buy(uow, who, 12_000)
    page = client.get("/credit", headers=HTML)
    assert 'data-testid="credit-available"' in page.text
    assert 'data-testid="credit-convert"' in page.text and "%" in page.text

    refused = client.post(
        "/credit/repay",
        data={"csrf_token": _csrf(page.text), "kind": "amount", "amount": "130.00"},
        headers=HTML,
    )
    assert refused.status_code == 409
    assert 'data-testid="credit-error"' in refused.text
    assert line(uow, who)[1] == 12_000

    credit_source = client.post(
        "/credit/repay",
        data={"csrf_token": _csrf(page.text), "kind": "all", "source": "credit"},
        headers=HTML,
    )
    assert credit_source.status_code == 422

    repaid = client.post(
        "/credit/repay",
        data={"csrf_token": _csrf(page.text), "kind": "all", "source": "wallet"},
        headers=HTML,
        follow_redirects=False,
    )
    assert repaid.status_code == 303
    assert line(uow, who)[1] == 0


def test_a_refused_repayment_is_shown_in_the_repay_form(
    client: TestClient, uow: UnitOfWork
) -> None:
    who = shopper(uow, wallet=1000)
    token = browser_sign_in(client, who.user, "/credit")

    refused = client.post(
        "/credit/repay",
        data={"csrf_token": token, "kind": "amount", "amount": "abc", "form_key": "k1"},
        headers=HTML,
    )

    assert refused.status_code == 422
    field = re.search(r'<input id="repay-amount"[^>]*>', refused.text)
    assert field and 'value="abc"' in field.group(0)
    assert 'aria-invalid="true" aria-describedby="repay-error"' in field.group(0)
    assert 'id="repay-error"' in refused.text
    assert 'class="form-error"' not in refused.text
    assert ledger.balance(uow, payments.wallet_of(who.user.id)) == 1000
