"""Small builders for tests: users, stores, categories and products through the real services;
and the checks every HTTP test makes (problem+json refusals, CSRF tokens of pages)."""

from __future__ import annotations

import itertools
import re
import uuid
from typing import Any

from fastapi.testclient import TestClient
from httpx import Response

from agora import catalog, inventory, logistics
from agora.catalog.schemas import CategoryIn, ProductIn, SkuIn, StoreIn
from agora.core.uow import UnitOfWork
from agora.identity import Client, Principal, User, register

PASSWORD = "correct horse battery"
CLIENT = Client(ip="127.0.0.1", user_agent="pytest")
_counter = itertools.count(1)


def principal(user: User) -> Principal:
    return Principal(user_id=user.id, display_name=user.display_name, is_operator=user.is_operator)


# Where every test shopper's orders go unless a test says otherwise (checkout needs an address).
ADDRESS = {
    "recipient": "Test Shopper",
    "phone": "13800138000",
    "country": "CN",
    "region": "Zhejiang",
    "city": "Hangzhou",
    "district": "Xihu",
    "street": "1 Test Road",
    "postcode": "310000",
}


def make_user(
    uow: UnitOfWork, *, name: str | None = None, operator: bool = False, address: bool = True
) -> User:
    """A registered user; with a default delivery address unless ``address=False``."""
    n = next(_counter)
    user = register(
        uow,
        identifier=f"user{n}-{uuid.uuid4().hex[:6]}@example.com",
        password=PASSWORD,
        display_name=name or f"User {n}",
        client=CLIENT,
    )
    if operator:
        with uow:
            stored = uow.session.get(User, user.id)
            assert stored is not None
            stored.is_operator = True
        user.is_operator = True
    if address:
        logistics.add_address(uow, actor=principal(user), values=ADDRESS)
    return user


def make_operator(uow: UnitOfWork) -> Principal:
    return principal(make_user(uow, name="Operator", operator=True))


def make_store(
    uow: UnitOfWork, ops: Principal, owner: User | None = None, **fields: Any
) -> catalog.Store:
    n = next(_counter)
    data = StoreIn(
        slug=fields.pop("slug", f"store-{n}"),
        name_en=fields.pop("name_en", f"Store {n}"),
        owner_user_id=owner.id if owner else None,
        **fields,
    )
    return catalog.create_store(uow, actor=ops, data=data)


def make_categories(uow: UnitOfWork, ops: Principal) -> dict[str, catalog.Category]:
    """Clothing › Coats and Clothing › Dresses, plus Electronics › Phones."""
    made: dict[str, catalog.Category] = {}
    for slug, en, zh, parent in [
        ("clothing", "Clothing", "服装", None),
        ("coats", "Coats", "外套", "clothing"),
        ("dresses", "Dresses", "连衣裙", "clothing"),
        ("electronics", "Electronics", "数码", None),
        ("phones", "Phones", "手机", "electronics"),
    ]:
        made[slug] = catalog.create_category(
            uow,
            actor=ops,
            data=CategoryIn(
                slug=slug, name_en=en, name_zh=zh, parent_id=made[parent].id if parent else None
            ),
        )
    return made


def make_product(
    uow: UnitOfWork,
    actor: Principal,
    store: catalog.Store,
    category: catalog.Category,
    *,
    title_en: str = "Wool Coat",
    title_zh: str | None = "羊毛外套",
    skus: list[tuple[str, str, int, int]] | None = None,
    list_price: int | None = None,
) -> catalog.ProductDetail:
    """``skus`` are (colour, size, price in fen, stock)."""
    rows = skus or [("red", "M", 29900, 10), ("black", "M", 29900, 5)]
    data = ProductIn(
        category_id=category.id,
        title_en=title_en,
        title_zh=title_zh,
        list_price=list_price or max(r[2] for r in rows),
        skus=[SkuIn(colour=c, size=s, price=p, stock=q) for c, s, p, q in rows],
    )
    with uow:
        detail = catalog.create_product(uow, actor=actor, store_id=store.id, data=data)
        inventory.set_stock(
            uow,
            actor=actor,
            levels={sku.id: r[3] for sku, r in zip(detail.skus, rows, strict=True)},
        )
    return detail


def fund_wallet(uow: UnitOfWork, user: User, amount: int) -> None:
    """Top ``user``'s wallet up by ``amount`` fen through the real sandbox bank path: a top-up
    charge, "Pay" on the sandbox bank page, and the signed notification delivered by the relay."""
    from agora import payments
    from agora.core.events import OutboxRelay

    actor = principal(user)
    remaining = amount
    while remaining > 0:
        part = min(remaining, payments.amount_limits()[1])
        charge = payments.start_top_up(uow, actor=actor, amount=part)
        payments.submit_sandbox_payment(uow, actor=actor, charge_id=charge.id, approve=True)
        remaining -= part
    OutboxRelay(uow.db).run_sync_until_idle()


# --- HTTP -------------------------------------------------------------------------------------

HTML = {"Accept": "text/html"}


def assert_problem(response: Response, status: int, code: str) -> dict[str, Any]:
    """A refusal: ``status``, problem+json, and the stable ``code``; returns the body."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert (body["status"], body["code"]) == (status, code)
    return body


def csrf_of(client: TestClient, path: str = "/signin") -> str:
    """The CSRF token a page renders into its forms (and sets as the cookie)."""
    page = client.get(path, headers=HTML)
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert match, f"{path} carries a CSRF token"
    return match.group(1)


DEMO_PARTS = (
    "seed_assistant",
    "seed_customer_service",
    "seed_points",
    "seed_groupbuy",
    "seed_bargain",
    "seed_referrals",
    "seed_treasure",
    "seed_credit",
    "seed_red_envelopes",
    "seed_reviews",
    "seed_payouts",
    "seed_disputes",
    "seed_privacy",
    "seed_behaviour",
)
"""The parts of ``agora demo`` that build on the shop, the social graph and the chats."""


def demo_with(monkeypatch: Any, *parts: str) -> None:
    """Make ``seed()`` quick for a test of some of the demo: only the products the demo acts on,
    and of :data:`DEMO_PARTS` only ``parts`` (the others seed nothing)."""
    from agora.demo import seed as seeding

    monkeypatch.setattr(seeding, "demo_products", seeding.products_in_play)
    for part in DEMO_PARTS:
        if part not in parts:
            monkeypatch.setattr(seeding, part, lambda uow, **_: {})
            # The parts that replay last month hand their dated steps to seed() as well.
            for history in _DEMO_HISTORIES.get(part, ()):
                monkeypatch.setattr(seeding, history, lambda uow, **_: [])


_DEMO_HISTORIES = {"seed_treasure": ("treasure_history",), "seed_credit": ("credit_history",)}


def race(n: int, fn: Any, *, workers: int = 16, timeout: float = 120) -> list[Any]:
    """Run ``fn(i)`` for i in range(n) on a pool of ``workers`` threads; each result, or the
    AgoraError it raised. The first wave of threads leaves together, so they truly collide."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from agora.core.errors import AgoraError

    start = threading.Barrier(min(workers, n), timeout=timeout)

    def guarded(i: int) -> Any:
        if i < workers:
            start.wait()
        try:
            return fn(i)
        except AgoraError as exc:
            return exc

    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(guarded, i) for i in range(n)]
        return [f.result(timeout=timeout) for f in futures]


def browser_sign_in(client: TestClient, user: User, landing: str = "/") -> str:
    """Sign ``user`` in through the sign-in page (as a browser would); the CSRF token of
    ``landing``, for the forms the test posts next."""
    client.cookies.clear()
    response = client.post(
        "/signin",
        data={
            "identifier": user.email,
            "password": PASSWORD,
            "csrf_token": csrf_of(client, "/signin"),
            "next": "/",
        },
        headers=HTML,
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return csrf_of(client, landing)


def bearer(uow: UnitOfWork, user: User) -> dict[str, str]:
    """An API token of ``user``'s, as the Authorization header."""
    from agora.identity import sign_in

    signed = sign_in(uow, identifier=user.email or "", password=PASSWORD, client=CLIENT, kind="api")
    return {"Authorization": f"Bearer {signed.token}"}
