"""Search over a mixed English/Chinese catalog, on SQLite FTS5 and PostgreSQL tsvector alike."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import update

import factories
from agora import catalog
from agora.catalog import Product, SearchParams, search_products
from agora.catalog.schemas import ProductPatch, SkuPatch
from agora.core import security
from agora.core.clock import clock
from agora.core.db import Database
from agora.core.errors import InvalidInput
from agora.core.uow import UnitOfWork
from agora.identity import Principal

SORTS = ("relevance", "price_asc", "price_desc", "sales", "newest")


@pytest.fixture(autouse=True)
def _cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Accounts are scaffolding here: hash with argon2 at its minimum cost to keep tests quick."""
    monkeypatch.setattr(
        security, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )


@pytest.fixture(autouse=True)
def _untangle_categories(db: Database) -> Iterator[None]:
    """Detach child categories after each test: on SQLite the self-referencing RESTRICT key makes
    the shared clean-up's single ``DELETE FROM categories`` fail when a parent goes first."""
    yield
    with db.write_session() as session:
        session.execute(update(catalog.Category).values(parent_id=None))
        session.commit()


# (key, title_en, title_zh, category, store, [(colour, size, price)], sales)
ITEMS = [
    (
        "red_wool",
        "Red Wool Coat",
        "红色羊毛外套",
        "coats",
        "a",
        [("red", "M", 59900), ("red", "L", 62900)],
        30,
    ),
    ("red_trench", "Red Trench Coat", "红色风衣外套", "coats", "b", [("red", "M", 45900)], 12),
    ("black_down", "Black Down Coat", "黑色羽绒服外套", "coats", "a", [("black", "M", 89900)], 50),
    (
        "grey_wool",
        "Grey Wool Coat",
        "灰色羊毛外套",
        "coats",
        "b",
        [("grey", "M", 39900), ("black", "M", 41900)],
        5,
    ),
    ("denim", "Blue Denim Jacket", "蓝色牛仔外套", "coats", "a", [("blue", "M", 29900)], 15),
    ("red_dress", "Red Silk Dress", "红色真丝连衣裙", "dresses", "a", [("red", "S", 32900)], 40),
    (
        "white_dress",
        "White Summer Dress",
        "白色夏季连衣裙",
        "dresses",
        "b",
        [("white", "S", 19900)],
        8,
    ),
    ("navy_dress", "Navy Midi Dress", "藏青色连衣裙", "dresses", "a", [("navy", "M", 25900)], 3),
    (
        "green_dress",
        "Green Linen Dress",
        "绿色亚麻连衣裙",
        "dresses",
        "b",
        [("green", "M", 22900)],
        1,
    ),
    (
        "black_phone",
        "Black Smartphone",
        "黑色智能手机",
        "phones",
        "a",
        [("black", "128GB", 299900)],
        100,
    ),
    (
        "silver_phone",
        "Silver Smartphone",
        "银色智能手机",
        "phones",
        "b",
        [("silver", "256GB", 349900)],
        60,
    ),
    ("red_phone", "Red Mini Phone", "红色迷你手机", "phones", "b", [("red", "64GB", 159900)], 20),
]


@dataclass
class Catalog:
    ops: Principal
    ids: dict[str, uuid.UUID]
    stores: dict[str, catalog.Store]
    categories: dict[str, catalog.Category]

    def keys(self, page: catalog.SearchPage) -> list[str]:
        names = {v: k for k, v in self.ids.items()}
        return [names[card.id] for card in page.items]


@pytest.fixture
def shop(uow: UnitOfWork) -> Catalog:
    """Twelve visible products created a minute apart, plus a hidden one and one whose store is
    suspended (both red coats, so every "red coat" search would catch them if they leaked)."""
    clock.freeze(datetime(2025, 3, 1, 9, 0, tzinfo=UTC))
    ops = factories.make_operator(uow)
    stores = {
        "a": factories.make_store(uow, ops, slug="north-wind", name_en="North Wind"),
        "b": factories.make_store(uow, ops, slug="east-lake", name_en="East Lake"),
        "gone": factories.make_store(uow, ops, slug="gone", name_en="Gone"),
    }
    categories = factories.make_categories(uow, ops)
    ids: dict[str, uuid.UUID] = {}
    sales: dict[uuid.UUID, int] = {}
    extra = [
        ("hidden_red", "Red Cashmere Coat", "红色羊绒外套", "coats", "a", [("red", "M", 99900)], 0),
        ("gone_red", "Red Velvet Coat", "红色丝绒外套", "coats", "gone", [("red", "M", 49900)], 0),
    ]
    for key, en, zh, category, store, skus, sold in ITEMS + extra:
        clock.travel(timedelta(minutes=1))
        detail = factories.make_product(
            uow,
            ops,
            stores[store],
            categories[category],
            title_en=en,
            title_zh=zh,
            skus=[(c, s, p, 5) for c, s, p in skus],
        )
        ids[key] = detail.product.id
        sales[detail.product.id] = sold
    for product_id, sold in sales.items():
        set_history(uow, ops, product_id, sales_count=sold)
    catalog.update_product(
        uow, actor=ops, product_id=ids["hidden_red"], patch=ProductPatch(status="hidden")
    )
    catalog.set_store_status(uow, actor=ops, store_id=stores["gone"].id, status="suspended")
    return Catalog(ops, ids, stores, categories)


def set_history(uow: UnitOfWork, ops: Principal, product_id: uuid.UUID, **values: object) -> None:
    """Set what ordering will write one day (sales) or time alone decides (age), then let the
    catalog re-index the product as any edit does, in the same transaction."""
    with uow:
        uow.session.execute(update(Product).where(Product.id == product_id).values(**values))
        uow.session.expire_all()
        catalog.update_product(uow, actor=ops, product_id=product_id, patch=ProductPatch())


def find(uow: UnitOfWork, **params: object) -> catalog.SearchPage:
    return search_products(uow, SearchParams(**params))  # type: ignore[arg-type]


def found(uow: UnitOfWork, shop: Catalog, **params: object) -> set[str]:
    return set(shop.keys(find(uow, limit=100, **params)))


ALL_VISIBLE = {item[0] for item in ITEMS}


# --- text -------------------------------------------------------------------------------------


@pytest.mark.parametrize("q", ["red coat", "Red Coats", "红色 外套", "红色外套", "外套 red"])
def test_red_coat_in_either_language_finds_the_red_coats_only(
    uow: UnitOfWork, shop: Catalog, q: str
) -> None:
    assert found(uow, shop, q=q) == {"red_wool", "red_trench"}


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("coat", {"red_wool", "red_trench", "black_down", "grey_wool", "denim"}),
        ("wool", {"red_wool", "grey_wool"}),
        ("羊毛", {"red_wool", "grey_wool"}),
        ("羽绒服", {"black_down"}),
        ("连衣裙", {"red_dress", "white_dress", "navy_dress", "green_dress"}),
        ("dress", {"red_dress", "white_dress", "navy_dress", "green_dress"}),
        ("dresses", {"red_dress", "white_dress", "navy_dress", "green_dress"}),
        ("red", {"red_wool", "red_trench", "red_dress", "red_phone"}),
        ("红色", {"red_wool", "red_trench", "red_dress", "red_phone"}),
        ("black", {"black_down", "grey_wool", "black_phone"}),  # grey_wool has a black SKU
        ("手机", {"black_phone", "silver_phone", "red_phone"}),
        ("smartphone", {"black_phone", "silver_phone"}),
        ("phones", {"black_phone", "silver_phone", "red_phone"}),
        ("clothing", ALL_VISIBLE - {"black_phone", "silver_phone", "red_phone"}),
        (
            "east lake",
            {"red_trench", "grey_wool", "white_dress", "green_dress", "silver_phone", "red_phone"},
        ),
        ("256gb", {"silver_phone"}),
        ("red dress silk", {"red_dress"}),
        ("purple", set()),
        ("红色 手机", {"red_phone"}),
        ("", ALL_VISIBLE),
        ("   ", ALL_VISIBLE),
    ],
)
def test_text_queries(uow: UnitOfWork, shop: Catalog, q: str, expected: set[str]) -> None:
    assert found(uow, shop, q=q) == expected


@pytest.mark.parametrize("q", ["!!!", "？！。，", "-- ;", "'\"", "*", "()", "AND OR NOT"])
def test_a_query_without_words_finds_nothing(uow: UnitOfWork, shop: Catalog, q: str) -> None:
    page = find(uow, q=q)

    if q == "AND OR NOT":  # real words, merely FTS operators: matched literally, so no product
        assert page.items == []
    else:
        assert (page.items, page.next_cursor) == ([], None)


def test_query_syntax_is_not_interpreted(uow: UnitOfWork, shop: Catalog) -> None:
    assert found(uow, shop, q='"red" "phone"') == {"red_phone"}
    assert found(uow, shop, q='red" OR "phone') == set()  # "or" is a word no product has
    assert found(uow, shop, q="NOT red") == set()
    assert found(uow, shop, q="coat*") == found(uow, shop, q="coat")
    assert found(uow, shop, q="red:coat") == {"red_wool", "red_trench"}


def test_relevance_ranks_better_matches_first(uow: UnitOfWork, shop: Catalog) -> None:
    ranked = shop.keys(find(uow, q="red wool coat", limit=100))

    assert ranked == ["red_wool"]
    assert shop.keys(find(uow, q="羊毛", limit=100))[0] in {"red_wool", "grey_wool"}


# --- filters ----------------------------------------------------------------------------------


def test_colour_filter(uow: UnitOfWork, shop: Catalog) -> None:
    assert found(uow, shop, colour="red") == {"red_wool", "red_trench", "red_dress", "red_phone"}
    assert found(uow, shop, colour="black") == {"black_down", "grey_wool", "black_phone"}
    assert found(uow, shop, colour="black", q="coat") == {"black_down", "grey_wool"}
    assert found(uow, shop, colour="purple") == set()


def test_unknown_colour_is_invalid(uow: UnitOfWork, shop: Catalog) -> None:
    with pytest.raises(InvalidInput) as refused:
        find(uow, colour="ultraviolet")

    assert refused.value.extra["errors"] == [{"field": "colour", "message": "unknown"}]


def test_category_filter_includes_descendants(uow: UnitOfWork, shop: Catalog) -> None:
    coats = {"red_wool", "red_trench", "black_down", "grey_wool", "denim"}
    dresses = {"red_dress", "white_dress", "navy_dress", "green_dress"}
    phones = {"black_phone", "silver_phone", "red_phone"}

    assert found(uow, shop, category="coats") == coats
    assert found(uow, shop, category="clothing") == coats | dresses
    assert found(uow, shop, category="electronics") == phones
    assert found(uow, shop, category="clothing", q="red") == {"red_wool", "red_trench", "red_dress"}
    assert found(uow, shop, category="no-such-category") == set()


def test_store_filter(uow: UnitOfWork, shop: Catalog) -> None:
    assert found(uow, shop, store_id=shop.stores["a"].id) == {
        "red_wool",
        "black_down",
        "denim",
        "red_dress",
        "navy_dress",
        "black_phone",
    }
    assert found(uow, shop, store_id=shop.stores["b"].id, q="red") == {"red_trench", "red_phone"}
    assert found(uow, shop, store_id=shop.stores["gone"].id) == set()
    assert found(uow, shop, store_id=uuid.uuid4()) == set()


def test_price_range_on_the_lowest_sku_price(uow: UnitOfWork, shop: Catalog) -> None:
    # red_wool's SKUs cost 599 and 629 yuan: it is priced (and filtered) from 599.
    assert found(uow, shop, price_min=25900, price_max=59900) == {
        "red_wool",
        "red_trench",
        "grey_wool",
        "denim",
        "red_dress",
        "navy_dress",
    }
    assert found(uow, shop, price_min=59901, price_max=62900) == set()
    assert found(uow, shop, price_min=300000) == {"silver_phone"}
    assert found(uow, shop, price_max=22900) == {"white_dress", "green_dress"}
    assert found(uow, shop, price_min=0, price_max=0) == set()
    assert found(uow, shop, q="coat", price_max=45900) == {"red_trench", "grey_wool", "denim"}


@pytest.mark.parametrize(
    "prices",
    [{"price_min": 50000, "price_max": 40000}, {"price_min": -1}, {"price_max": 10**30}],
)
def test_impossible_price_filters_are_invalid(
    uow: UnitOfWork, shop: Catalog, prices: dict[str, int]
) -> None:
    with pytest.raises(InvalidInput):
        find(uow, **prices)


# --- sorts and pages --------------------------------------------------------------------------


def test_price_ascending(uow: UnitOfWork, shop: Catalog) -> None:
    assert shop.keys(find(uow, sort="price_asc", limit=100)) == [
        "white_dress",
        "green_dress",
        "navy_dress",
        "denim",
        "red_dress",
        "grey_wool",
        "red_trench",
        "red_wool",
        "black_down",
        "red_phone",
        "black_phone",
        "silver_phone",
    ]


def test_price_descending(uow: UnitOfWork, shop: Catalog) -> None:
    assert shop.keys(find(uow, sort="price_desc", q="coat", limit=100)) == [
        "black_down",
        "red_wool",
        "red_trench",
        "grey_wool",
        "denim",
    ]


def test_best_selling_first(uow: UnitOfWork, shop: Catalog) -> None:
    assert shop.keys(find(uow, sort="sales", limit=100)) == [
        "black_phone",
        "silver_phone",
        "black_down",
        "red_dress",
        "red_wool",
        "red_phone",
        "denim",
        "red_trench",
        "white_dress",
        "grey_wool",
        "navy_dress",
        "green_dress",
    ]


def test_newest_first(uow: UnitOfWork, shop: Catalog) -> None:
    assert shop.keys(find(uow, sort="newest", limit=100)) == [item[0] for item in reversed(ITEMS)]


def test_relevance_without_words_falls_back_to_sales(uow: UnitOfWork, shop: Catalog) -> None:
    assert shop.keys(find(uow, sort="relevance", limit=100)) == shop.keys(
        find(uow, sort="sales", limit=100)
    )


def test_cards_carry_what_a_listing_shows(uow: UnitOfWork, shop: Catalog) -> None:
    [card] = find(uow, q="羽绒服").items

    assert (card.title_en, card.title_zh, card.min_price, card.list_price, card.currency) == (
        "Black Down Coat",
        "黑色羽绒服外套",
        89900,
        89900,
        "CNY",
    )
    assert (card.sales_count, card.store_id, card.store_name_en, card.self_operated) == (
        50,
        shop.stores["a"].id,
        "North Wind",
        False,
    )
    assert card.created_at == datetime(2025, 3, 1, 9, 3, tzinfo=UTC)
    assert card.image_url == "/media/p/coat/black.svg"


def walk(uow: UnitOfWork, **params: object) -> list[list[uuid.UUID]]:
    pages, cursor = [], None
    while True:
        page = find(uow, limit=2, cursor=cursor, **params)
        pages.append([card.id for card in page.items])
        cursor = page.next_cursor
        if cursor is None:
            return pages
        assert len(pages) < 20, "pagination does not end"


@pytest.mark.parametrize("sort", SORTS)
@pytest.mark.parametrize("q", ["", "coat", "red", "连衣裙"])
def test_keyset_pages_visit_every_result_once(
    uow: UnitOfWork, shop: Catalog, sort: str, q: str
) -> None:
    everything = [card.id for card in find(uow, q=q, sort=sort, limit=100).items]

    pages = walk(uow, q=q, sort=sort)

    assert [len(p) for p in pages] == [2] * (len(everything) // 2) + (
        [len(everything) % 2] if len(everything) % 2 else []
    )
    assert [product_id for page in pages for product_id in page] == everything
    assert len(set(everything)) == len(everything)


@pytest.mark.parametrize("sort", SORTS)
@pytest.mark.parametrize("q", ["", "coat"])
def test_pages_walk_back_the_way_they_came_with_counts(
    uow: UnitOfWork, shop: Catalog, sort: str, q: str
) -> None:
    forward = walk(uow, q=q, sort=sort)
    total = sum(len(p) for p in forward)
    last = find(uow, q=q, sort=sort, limit=2, with_total=True)
    cursor = None
    for _ in forward[:-1]:
        cursor = last.next_cursor
        last = find(uow, q=q, sort=sort, limit=2, cursor=cursor, with_total=True)

    backward, page = [], last
    while True:
        backward.append((page.offset, [card.id for card in page.items], page.total))
        if page.prev_cursor is None:
            break
        page = find(uow, q=q, sort=sort, limit=2, before=page.prev_cursor, with_total=True)
        assert page.next_cursor is not None  # where we came from is still ahead
        assert len(backward) < 20, "paging back does not end"

    assert backward[::-1] == [(2 * i, ids, total) for i, ids in enumerate(forward)]


def test_paging_back_from_the_first_result_finds_nothing_before_it(
    uow: UnitOfWork, shop: Catalog
) -> None:
    first = find(uow, sort="price_asc", limit=1)
    assert first.prev_cursor is None and first.total is None  # counts only when asked
    cursor = first.next_cursor
    assert cursor is not None
    second = find(uow, sort="price_asc", limit=1, cursor=cursor)
    assert second.prev_cursor is not None

    back = find(uow, sort="price_asc", limit=1, before=second.prev_cursor)
    before_first = find(uow, sort="price_asc", limit=1, before=cursor)  # at the first result

    assert [card.id for card in back.items] == [card.id for card in first.items]
    assert back.prev_cursor is None and back.next_cursor == cursor
    assert before_first.items == []
    assert before_first.prev_cursor is None and before_first.next_cursor is None


def test_pages_of_ties_keep_their_order(uow: UnitOfWork, shop: Catalog) -> None:
    """Every product created in the same instant: newest is all ties, broken by id."""
    for product_id in shop.ids.values():
        set_history(
            uow, shop.ops, product_id, created_at=datetime(2025, 1, 1, tzinfo=UTC), sales_count=7
        )

    for sort in ("newest", "sales"):
        pages = walk(uow, sort=sort)
        flat = [product_id for page in pages for product_id in page]
        assert flat == sorted(shop.ids[key] for key in ALL_VISIBLE)


def test_a_tampered_cursor_is_invalid(uow: UnitOfWork, shop: Catalog) -> None:
    cursor = find(uow, sort="price_asc", limit=2).next_cursor
    assert cursor is not None

    def forged(payload: object) -> str:
        return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")

    for sort, bad in [
        ("price_asc", "not a cursor"),
        ("price_asc", cursor[:-3]),
        ("price_asc", cursor + "x"),
        ("price_asc", "%%%%"),
        ("price_asc", forged({"sort": "price_asc"})),
        ("price_asc", forged(["price_asc", 100])),
        ("price_asc", forged(["price_asc", 100, 5, 6])),
        ("price_asc", forged(["price_asc", 100, "not-an-id"])),
        ("price_asc", forged(["price_asc", 100, uuid.uuid4().hex])),
        ("price_asc", forged(["price_asc", 100, ["x"]])),
        ("price_asc", forged(["price_asc", 100, 1.5])),
        ("price_asc", forged(["price_asc", "100", 5])),
        ("price_asc", forged(["price_asc", None, 5])),
        ("price_asc", forged(["price_asc", True, 5])),
        ("price_asc", forged(["price_asc", 10**30, 5])),  # beyond BIGINT
        ("price_asc", forged(["price_asc", 100, 10**30])),
        ("price_asc", forged("price_asc")),
        ("price_asc", forged(7)),
        ("newest", forged(["newest", 100, 5])),
        ("newest", forged(["newest", "yesterday", 5])),
        ("newest", forged(["newest", "2025-03-01T09:00:00", 5])),  # no time zone
    ]:
        with pytest.raises(InvalidInput):
            find(uow, sort=sort, cursor=bad)


@pytest.mark.parametrize(
    ("made_for", "used_for"),
    [
        ("price_asc", "price_desc"),
        ("sales", "newest"),
        ("newest", "price_asc"),
        ("relevance", "sales"),
    ],
)
def test_a_cursor_from_another_sort_is_invalid(
    uow: UnitOfWork, shop: Catalog, made_for: str, used_for: str
) -> None:
    cursor = find(uow, q="coat", sort=made_for, limit=2).next_cursor
    assert cursor is not None

    with pytest.raises(InvalidInput):
        find(uow, q="coat", sort=used_for, limit=2, cursor=cursor)


def test_an_unknown_sort_is_invalid(uow: UnitOfWork, shop: Catalog) -> None:
    with pytest.raises(InvalidInput):
        find(uow, sort="cheapest")


def test_the_page_size_is_clamped(uow: UnitOfWork, shop: Catalog) -> None:
    assert len(find(uow, limit=0).items) == 1
    assert len(find(uow, limit=5000).items) == 12


# --- the index follows the products -----------------------------------------------------------


def test_renaming_a_product_reindexes_it(uow: UnitOfWork, shop: Catalog) -> None:
    catalog.update_product(
        uow,
        actor=shop.ops,
        product_id=shop.ids["black_phone"],
        patch=ProductPatch(title_en="Black Flagship Handset", title_zh="黑色旗舰机"),
    )

    assert found(uow, shop, q="smartphone") == {"silver_phone"}
    assert found(uow, shop, q="智能手机") == {"silver_phone"}
    assert found(uow, shop, q="handset") == {"black_phone"}
    assert found(uow, shop, q="旗舰") == {"black_phone"}
    assert found(uow, shop, q="手机") == {"black_phone", "silver_phone", "red_phone"}  # category


def test_moving_a_product_reindexes_its_category(uow: UnitOfWork, shop: Catalog) -> None:
    catalog.update_product(
        uow,
        actor=shop.ops,
        product_id=shop.ids["denim"],
        patch=ProductPatch(category_id=shop.categories["dresses"].id),
    )

    assert "denim" not in found(uow, shop, q="coat", category="coats")
    assert "denim" in found(uow, shop, q="dress")


def test_sku_changes_reindex_colours_and_prices(uow: UnitOfWork, shop: Catalog) -> None:
    detail = catalog.product_detail(uow, shop.ids["grey_wool"])
    black = next(sku for sku in detail.skus if sku.colour == "black")
    grey = next(sku for sku in detail.skus if sku.colour == "grey")

    catalog.update_sku(uow, actor=shop.ops, sku_id=black.id, patch=SkuPatch(active=False))
    catalog.update_sku(uow, actor=shop.ops, sku_id=grey.id, patch=SkuPatch(price=41900))

    assert "grey_wool" not in found(uow, shop, colour="black")
    assert "grey_wool" not in found(uow, shop, q="black")
    assert "grey_wool" in found(uow, shop, price_min=41900, price_max=41900)


def test_hidden_products_and_suspended_stores_are_excluded(uow: UnitOfWork, shop: Catalog) -> None:
    assert found(uow, shop, q="红色 外套") == {"red_wool", "red_trench"}

    catalog.update_product(
        uow, actor=shop.ops, product_id=shop.ids["hidden_red"], patch=ProductPatch(status="active")
    )
    catalog.set_store_status(uow, actor=shop.ops, store_id=shop.stores["gone"].id, status="active")
    assert found(uow, shop, q="红色 外套") == {"red_wool", "red_trench", "hidden_red", "gone_red"}

    catalog.update_product(
        uow, actor=shop.ops, product_id=shop.ids["red_wool"], patch=ProductPatch(status="hidden")
    )
    catalog.set_store_status(uow, actor=shop.ops, store_id=shop.stores["b"].id, status="suspended")
    assert found(uow, shop, q="红色 外套") == {"hidden_red", "gone_red"}
    assert found(uow, shop) == {
        "black_down",
        "denim",
        "red_dress",
        "navy_dress",
        "black_phone",
        "hidden_red",
        "gone_red",
    }
