"""Every page in Chinese, on the demo shop, for a visitor, a shopper, a merchant and the operator:
no page fails, and none shows English that is not user content (`translate="no"`) or an allowed
brand, unit or acronym (tests/english_words.py).

The pages are the app's own GET routes that are not the API; their path parameters are filled
from demo records the signed-in person owns (their orders in each status, their store's orders,
their conversations, ...), so a page is also seen refusing someone it does not belong to.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import reduce
from itertools import product
from typing import Any

import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.testclient import TestClient
from sqlalchemy import Column, Select, Table, false, or_, select, true
from sqlalchemy.orm import Session

import factories
from agora.core import i18n, security
from agora.core.uow import UnitOfWork
from agora.demo import seed as seeding
from agora.logistics.carriers import CARRIERS
from agora.schema import metadata
from agora.web.render import compact_count
from english_words import stray_english, visible_text
from factories import HTML, csrf_of

ZH = {**HTML, "Accept-Language": "zh-CN,zh;q=0.9"}
MERCHANT = seeding.merchant_email("yunshang-fashion")
PEOPLE = {
    "visitor": None,
    "shopper": "shopper@agora.demo",
    "merchant": MERCHANT,
    "operator": "operator@agora.demo",
}
# Pages also seen with a query that changes what they show.
# A search typed in English is echoed back: the test counts the words it typed as typed.
TYPED = ("coat",)
QUERIES = {
    "/search": ("q=外套", "q=外套&sort=price_desc", "q=coat"),
    "/orders": ("status=shipped",),
}


@dataclass(frozen=True, slots=True)
class Who:
    user_id: uuid.UUID | None
    store_ids: tuple[uuid.UUID, ...] = ()
    operator: bool = False


def _t(name: str) -> Table:
    return metadata.tables[name]


def _ids(session: Session, query: Select[Any], limit: int = 3) -> list[str]:
    return [str(value) for value in session.scalars(query.limit(limit)) if value is not None]


def _one_per(session: Session, key: Column[Any], value: Column[Any], where: Any) -> list[str]:
    """One record for each distinct `key` (e.g. an order in each status)."""
    rows = session.execute(select(key, value).where(where).order_by(key, value)).all()
    seen: dict[Any, str] = {}
    for k, v in rows:
        seen.setdefault(k, str(v))
    return list(seen.values())


def _mine(column: Column[Any], who: Who) -> Any:
    return column == who.user_id if who.user_id else column.is_(None)


def _my_stores(column: Column[Any], who: Who) -> Any:
    return column.in_(who.store_ids)


def _orders(session: Session, who: Who) -> list[str]:
    orders = _t("orders")
    where = or_(_mine(orders.c.buyer_id, who), _my_stores(orders.c.store_id, who))
    found = _one_per(session, orders.c.status, orders.c.id, where)
    return found or _ids(session, select(orders.c.id).order_by(orders.c.id), 1)


def _conversations(session: Session, who: Who) -> list[str]:
    conversations, members = _t("chat_conversations"), _t("chat_members")
    mine = select(members.c.conversation_id).where(_mine(members.c.user_id, who))
    where = or_(conversations.c.id.in_(mine), _my_stores(conversations.c.store_id, who))
    return _one_per(session, conversations.c.kind, conversations.c.id, where)


def _disputes(session: Session, who: Who) -> list[str]:
    disputes = _t("disputes")
    everyone = true() if who.operator else false()
    where = or_(_mine(disputes.c.buyer_id, who), _my_stores(disputes.c.store_id, who), everyone)
    return _one_per(session, disputes.c.status, disputes.c.id, where)


def _stores(session: Session, who: Who) -> list[str]:
    stores = _t("stores")
    return [str(s) for s in who.store_ids] or _ids(
        session, select(stores.c.id).order_by(stores.c.slug), 1
    )


def _products(session: Session, who: Who) -> list[str]:
    products = _t("products")
    mine = products.c.store_id.in_(who.store_ids)
    found = _ids(session, select(products.c.id).where(mine).order_by(products.c.id), 1)
    return found or _ids(session, select(products.c.id).order_by(products.c.id), 1)


def _product_pages(session: Session, who: Who) -> list[str]:
    """A product with a group deal, one with a bargain, the best seller."""
    products, deals, offers = _t("products"), _t("group_deals"), _t("bargain_offers")
    return [
        *_ids(session, select(deals.c.product_id).order_by(deals.c.id), 1),
        *_ids(session, select(offers.c.product_id).order_by(offers.c.id), 1),
        *_ids(session, select(products.c.id).order_by(products.c.sales_count.desc()), 1),
    ]


def _categories(session: Session, who: Who) -> list[str]:
    categories = _t("categories")
    roots = select(categories.c.slug).where(categories.c.parent_id.is_(None))
    leaves = select(categories.c.slug).where(categories.c.parent_id.is_not(None))
    return _ids(session, roots.order_by(categories.c.position), 20) + _ids(
        session, leaves.order_by(categories.c.slug), 2
    )


def _friend(session: Session, who: Who) -> list[str]:
    friends, users = _t("social_friendships"), _t("users")
    found = _ids(session, select(friends.c.friend_id).where(_mine(friends.c.user_id, who)), 1)
    return found or _ids(session, select(users.c.id).order_by(users.c.id), 1)


def _media(column: str) -> Callable[[Session, Who], list[str]]:
    def fill(session: Session, who: Who) -> list[str]:
        url = session.scalar(select(_t("products").c.image_url).limit(1)) or ""
        match = re.search(r"/media/p/([^/]+)/([^/.]+)\.svg", url)
        return [match.group(1 if column == "shape" else 2)] if match else ["bag"]

    return fill


def _each(
    table: str, owner: str, *, key: str = "status", value: str = "id"
) -> Callable[[Session, Who], list[str]]:
    def fill(session: Session, who: Who) -> list[str]:
        t = _t(table)
        found = _one_per(session, t.c[key], t.c[value], _mine(t.c[owner], who))
        return found or _ids(session, select(t.c[value]).order_by(t.c[value]), 1)

    return fill


def _envelopes(session: Session, who: Who) -> list[str]:
    envelopes, members = _t("red_envelopes"), _t("chat_members")
    mine = select(members.c.conversation_id).where(_mine(members.c.user_id, who))
    where = envelopes.c.conversation_id.in_(mine)
    return _one_per(session, envelopes.c.status, envelopes.c.id, where)


def _teams(session: Session, who: Who) -> list[str]:
    teams, members = _t("group_teams"), _t("group_team_members")
    mine = select(members.c.team_id).where(_mine(members.c.user_id, who))
    found = _one_per(session, teams.c.status, teams.c.id, teams.c.id.in_(mine))
    return found or _ids(session, select(teams.c.id).order_by(teams.c.id), 1)


def _moments(session: Session, who: Who) -> list[str]:
    return _ids(session, select(_t("social_moments").c.id).order_by(_t("social_moments").c.id), 2)


# How to fill each path parameter, by its name.
FILL: dict[str, Callable[[Session, Who], list[str]]] = {
    "address_id": _each("addresses", "user_id", key="is_default"),
    "bargain_id": _each("bargains", "user_id"),
    "charge_id": _each("payment_charges", "user_id"),
    "code": _each("shares", "sharer_id", key="target_type", value="code"),
    "colour": _media("colour"),
    "conversation_id": _conversations,
    "dispute_id": _disputes,
    "envelope_id": _envelopes,
    "key": lambda session, who: ["no-such-upload.png"],
    "moment_id": _moments,
    "order_id": _orders,
    "product_id": _products,
    "raw_id": _product_pages,
    "shape": _media("shape"),
    "slug": _categories,
    "store_id": _stores,
    "team_id": _teams,
    "token": _each("data_exports", "user_id", value="token"),
    "user_id": _friend,
}

_PARAM = re.compile(r"\{(\w+)(?::\w+)?\}")


def page_routes(app: FastAPI) -> list[str]:
    """The path of every GET route that is not the API."""
    paths = {
        context.path_format or ""
        for context in iter_route_contexts(app.routes)
        if isinstance(context.original_route, APIRoute) and "GET" in (context.methods or ())
    }
    return sorted(path for path in paths if path and not path.startswith("/api/"))


def _fill(path: str, values: dict[str, str]) -> str:
    return _PARAM.sub(lambda match: values[match.group(1)], path)


def urls(app: FastAPI, uow: UnitOfWork, who: Who) -> Iterator[str]:
    with uow.read() as session:
        for path in page_routes(app):
            names = _PARAM.findall(path)
            unknown = [name for name in names if name not in FILL]
            assert not unknown, f"{path}: say in FILL how to fill {unknown}"
            choices = [FILL[name](session, who) for name in names]
            for values in product(*choices):
                filled = _fill(path, dict(zip(names, values, strict=True)))
                yield filled
                for query in QUERIES.get(path, ()):
                    yield f"{filled}?{query}"


def who_is(uow: UnitOfWork, email: str | None) -> Who:
    if email is None:
        return Who(user_id=None)
    users, staff = _t("users"), _t("store_staff")
    with uow.read() as session:
        user = session.execute(
            select(users.c.id, users.c.is_operator).where(users.c.email == email)
        ).one()
        stores = session.scalars(select(staff.c.store_id).where(staff.c.user_id == user.id))
        return Who(user_id=user.id, store_ids=tuple(stores), operator=bool(user.is_operator))


def sign_in(client: TestClient, email: str) -> None:
    response = client.post(
        "/signin",
        data={
            "identifier": email,
            "password": seeding.DEMO_PASSWORD,
            "csrf_token": csrf_of(client, "/signin"),
            "next": "/",
        },
        headers=ZH,
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text


def typed_names(uow: UnitOfWork) -> list[str]:
    """Names people typed that our own sentences quote ("Wang Lei 王磊's red envelope", "Ship
    from Shanghai"), and what their browsers sent (a device's tooltip): a sentence or an
    attribute cannot mark the words it quotes, so the check leaves them out."""
    columns = [
        _t("users").c.display_name,
        _t("stores").c.name_en,
        _t("stores").c.origin_region,
        _t("chat_conversations").c.title,
        _t("addresses").c.region,
        _t("addresses").c.city,
        _t("store_payout_accounts").c.holder_name,
        _t("store_payout_accounts").c.bank_name,
        _t("auth_sessions").c.user_agent,
    ]
    with uow.read() as session:
        names = {name for column in columns for name in session.scalars(select(column)) if name}
    names |= {carrier.display for carrier in CARRIERS.values()} | set(TYPED)
    return sorted(names, key=len, reverse=True)


def problems_of(client: TestClient, url: str, names: list[str]) -> list[str]:
    try:
        response = client.get(url, headers=ZH, follow_redirects=False)
    except Exception as exc:  # the test client re-raises what the app did not handle
        return [f"{url}: 500 ({type(exc).__name__}: {exc})"]
    if response.status_code >= 500:
        return [f"{url}: {response.status_code}"]
    if not response.headers.get("content-type", "").startswith("text/html"):
        return []
    found = []
    for line in visible_text(response.text).splitlines():
        words = stray_english(reduce(lambda text, name: text.replace(name, " "), names, line))
        if words:
            found.append(f"{url} [{response.status_code}]: {', '.join(words)}  <- {line[:120]!r}")
    return found


def crawl(client: TestClient, uow: UnitOfWork, email: str | None) -> list[str]:
    client.cookies.clear()
    if email:
        sign_in(client, email)
    who = who_is(uow, email)
    names = typed_names(uow)
    found: list[str] = []
    seen: set[str] = set()
    for url in urls(client.app, uow, who):  # type: ignore[arg-type]
        if url not in seen:
            seen.add(url)
            found += problems_of(client, url, names)
    return found


@pytest.fixture
def demo(uow: UnitOfWork, monkeypatch: pytest.MonkeyPatch) -> UnitOfWork:
    monkeypatch.setattr(
        security, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )
    monkeypatch.setattr(seeding, "demo_products", seeding.products_in_play)
    seeding.seed(uow)
    return uow


def test_every_page_reads_in_chinese_for_everyone(client: TestClient, demo: UnitOfWork) -> None:
    found = [line for email in PEOPLE.values() for line in crawl(client, demo, email)]

    assert not found, f"{len(found)} pages show English or fail:\n" + "\n".join(found)


def test_the_pages_come_from_the_routes(client: TestClient) -> None:
    pages = page_routes(client.app)  # type: ignore[arg-type]

    assert {"/", "/orders/{order_id}", "/merchant/orders", "/operator/disputes"} <= set(pages)
    assert not [path for path in pages if path.startswith("/api/")]


@pytest.mark.parametrize(
    ("count", "zh", "en"),
    [
        (999, "999", "999"),
        (2_600, "2600", "2.6k"),
        (9_999, "9999", "10k"),
        (10_000, "1万", "10k"),
        (12_999, "1.2万", "13k"),
        (99_999_999, "9999.9万", "100000k"),
        (123_456_789, "1.2亿", "123456.8k"),
    ],
)
def test_counts_read_as_a_shop_writes_them(count: int, zh: str, en: str) -> None:
    token = i18n.set_locale("zh")
    try:
        assert compact_count(count) == zh
    finally:
        i18n.reset_locale(token)
    assert compact_count(count) == en


def test_a_refusal_says_why_in_chinese_on_the_api_and_the_page(
    client: TestClient, uow: UnitOfWork
) -> None:
    shopper = factories.make_user(uow, name="Lin")
    headers = {**factories.bearer(uow, shopper), "Accept-Language": "zh-CN"}

    api = client.get("/api/v1/operator/users", headers=headers)
    factories.browser_sign_in(client, shopper)
    page = client.get("/operator/users", headers=ZH)

    assert api.status_code == 403
    assert (api.json()["code"], api.json()["detail"]) == (
        "forbidden",
        "仅平台运营人员可进行此操作。",
    )
    assert page.status_code == 403
    assert "仅平台运营人员可进行此操作。" in page.text


def test_a_form_says_what_is_wrong_beside_each_field_in_chinese(client: TestClient) -> None:
    token = csrf_of(client, "/signup?lang=zh")

    page = client.post(
        "/signup",
        data={
            "identifier": "not-an-address",
            "password": "short",
            "display_name": "",
            "csrf_token": token,
            "next": "/",
        },
        headers=ZH,
    )

    assert page.status_code == 422
    for why in ("请输入有效的邮箱或手机号。", "密码至少需要 8 位。", "请输入 1 到 40 个字的昵称。"):
        assert why in page.text
    assert stray_english(visible_text(page.text)) == []
