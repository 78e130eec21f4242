"""Schemathesis over the whole OpenAPI document, in process, as a shopper, a merchant and an
operator, on a database with a shop, an order and a chat in it.

Every answer must be no server error, a status the document lists for the operation, with the
content type and the body schema it declares. Afterwards the ledger must still replay (the ``db``
fixture checks it). Bounded: a fixed number of examples per operation and role, and an overall
budget after which each remaining operation and role gets one case only
(``FUZZ_EXAMPLES``, ``FUZZ_BUDGET_SECONDS`` in the environment change both).
"""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import hypothesis
import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

import factories
from agora import ledger
from agora.app import create_app
from agora.config import Settings
from agora.core.db import Database
from agora.core.uow import UnitOfWork

pytestmark = pytest.mark.fuzz

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "12"))
"""Per operation, role and kind of case: valid for the schema, invalid, naming real objects."""
BUDGET_SECONDS = float(os.environ.get("FUZZ_BUDGET_SECONDS", "180"))
SKIPPED = {
    # Signing the fuzzer's own token out would leave the rest of the run unauthenticated.
    ("DELETE", "/api/v1/tokens/current"),
}
KEEP_RANDOM = {
    # With a real user id an operator would suspend the roles under test half the time.
    ("PUT", "/api/v1/operator/users/{user_id}/status"),
}

Headers = dict[str, str]


@dataclass
class Shop:
    roles: dict[str, Headers]
    ids: dict[str, list[str]] = field(default_factory=dict)


def _token(client: TestClient, email: str) -> Headers:
    signed = client.post(
        "/api/v1/tokens", json={"identifier": email, "password": factories.PASSWORD}
    )
    assert signed.status_code == 201, signed.text
    return {"Authorization": f"Bearer {signed.json()['token']}"}


def _ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json() if response.content else None


def _open_shop(client: TestClient, uow: UnitOfWork) -> Shop:
    """A store with a product, a shopper who bought from it and chats with its merchant, and an
    operator: the objects whose ids the fuzzer will also use."""
    operator = factories.make_user(uow, name="Operator", operator=True)
    merchant = factories.make_user(uow, name="Merchant")
    shopper = factories.make_user(uow, name="Shopper")
    ops = factories.principal(operator)
    store = factories.make_store(uow, ops, owner=merchant)
    categories = factories.make_categories(uow, ops)
    coat = factories.make_product(uow, factories.principal(merchant), store, categories["coats"])
    factories.fund_wallet(uow, shopper, 200_000)
    roles = {
        "shopper": _token(client, shopper.email or ""),
        "merchant": _token(client, merchant.email or ""),
        "operator": _token(client, operator.email or ""),
    }
    sku = str(coat.skus[0].id)
    buyer = roles["shopper"]
    _ok(client.post("/api/v1/cart/items", json={"sku_id": sku, "quantity": 1}, headers=buyer))
    placed = _ok(
        client.post(
            "/api/v1/checkout", json={"lines": [{"sku_id": sku, "quantity": 1}]}, headers=buyer
        ),
        201,
    )
    order = placed["orders"][0]["id"]
    _ok(
        client.post(
            f"/api/v1/orders/{order}/pay", json={"sources": [{"source": "wallet"}]}, headers=buyer
        )
    )
    request = _ok(
        client.post(
            "/api/v1/friend-requests", json={"to_user_id": str(merchant.id)}, headers=buyer
        ),
        201,
    )
    _ok(client.post(f"/api/v1/friend-requests/{request['id']}/accept", headers=roles["merchant"]))
    chat = _ok(
        client.post(
            "/api/v1/conversations/direct", json={"user_id": str(merchant.id)}, headers=buyer
        )
    )
    _ok(
        client.post(
            f"/api/v1/conversations/{chat['id']}/messages",
            json={"client_id": "fuzz-1", "kind": "text", "body": {"text": "hello"}},
            headers=buyer,
        ),
        201,
    )
    everyone = [str(u.id) for u in (shopper, merchant, operator)]
    ids = {
        "product_id": [str(coat.product.id)],
        "sku_id": [sku, str(coat.skus[1].id)],
        "store_id": [str(store.id)],
        "order_id": [order],
        "conversation_id": [chat["id"]],
        "user_id": everyone,
        "seq": ["1"],
    }
    return Shop(roles=roles, ids=ids)


def _with_real_ids(operation: Any, shop: Shop) -> st.SearchStrategy[Any] | None:
    """Cases whose path names objects that exist, when the shop has one of each kind."""
    names = [p.name for p in operation.path_parameters]
    if not names or any(n not in shop.ids for n in names):
        return None
    if (operation.method.upper(), operation.path) in KEEP_RANDOM:
        return None
    return st.tuples(*(st.sampled_from(shop.ids[n]) for n in names)).flatmap(
        lambda values: operation.as_strategy(path_parameters=dict(zip(names, values, strict=True)))
    )


def _operations(schema: Any) -> Iterator[Any]:
    for result in schema.get_all_operations():
        operation = result.ok()
        if (operation.method.upper(), operation.path) not in SKIPPED:
            yield operation


@pytest.fixture
def fuzz_client(db: Database) -> Iterator[TestClient]:
    # The roles' sign-ins and the fuzzer's random ones share one address: raise the address's
    # limit so that the roles' own sign-ins are never slowed (lockouts are per account, and the
    # fuzzer never knows the roles' passwords).
    settings = Settings(
        database_url=db.url,
        embedded_workers=False,
        redis_url=None,
        signin_address_max_failures=1_000_000,
    )
    with TestClient(create_app(settings, db=db), base_url="http://testserver") as client:
        yield client


def _send(client: TestClient, case: Any, headers: Headers) -> Any:
    """The case through the app's own test client (lifespan and all), as schemathesis would."""
    sent = case.as_transport_kwargs(base_url="http://testserver", headers=headers)
    body: dict[str, Any] = {}
    if "json" in sent:
        body["json"] = sent["json"]
    elif isinstance(sent.get("data"), bytes | str):
        body["content"] = sent["data"]
    elif sent.get("data") is not None:
        body["data"] = sent["data"]
    return client.request(
        sent["method"],
        sent["url"],
        params=sent.get("params"),
        headers=sent.get("headers"),
        cookies=sent.get("cookies") or None,
        **body,
    )


@dataclass
class Run:
    client: TestClient
    deadline: float
    failures: dict[str, str] = field(default_factory=dict)
    sent: dict[str, int] = field(default_factory=dict)
    statuses: Counter[int] = field(default_factory=Counter)

    def fuzz(
        self, label: str, cases: st.SearchStrategy[Any], examples: int, headers: Headers
    ) -> None:
        """Up to ``examples`` cases of one operation as one role; failures recorded, not raised."""

        @hypothesis.settings(
            max_examples=examples,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(hypothesis.HealthCheck),
            phases=[hypothesis.Phase.generate],
        )
        @hypothesis.given(case=cases)
        def run(case: Any) -> None:
            if time.monotonic() > self.deadline and label in self.sent:
                return  # past the budget every operation and role still gets one case
            response = _send(self.client, case, headers)
            self.sent[label] = self.sent.get(label, 0) + 1
            self.statuses[response.status_code] += 1
            try:
                case.validate_response(response, checks=CHECKS)
            except BaseExceptionGroup as error:  # the checks' failures, all reported at the end
                self.failures.setdefault(label, str(error)[:3000])

        run()


def test_the_api_holds_to_its_document_under_fuzzing(
    fuzz_client: TestClient, uow: UnitOfWork
) -> None:
    shop = _open_shop(fuzz_client, uow)
    schema = schemathesis.openapi.from_dict(fuzz_client.get("/api/openapi.json").json())
    run = Run(client=fuzz_client, deadline=time.monotonic() + BUDGET_SECONDS)

    for operation in _operations(schema):
        strategies = [
            operation.as_strategy(),
            operation.as_strategy(schemathesis.GenerationMode.NEGATIVE),
        ]
        real = _with_real_ids(operation, shop)
        if real is not None:
            strategies.append(real)
        for role, headers in shop.roles.items():
            run.fuzz(
                f"{operation.label} as {role}",
                st.one_of(strategies),
                EXAMPLES * len(strategies),
                headers,
            )

    print(f"fuzzed {sum(run.sent.values())} requests; statuses {sorted(run.statuses.items())}")
    assert run.failures == {}, "\n\n".join(f"{k}: {v}" for k, v in run.failures.items())
    assert len(run.sent) == 3 * len(list(_operations(schema)))
    assert ledger.check(uow).ok
