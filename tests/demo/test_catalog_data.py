"""The demo catalog is a consistent, deterministic data set that search tests can lean on."""

from __future__ import annotations

import itertools
import time

from agora.catalog.images import COLOURS, SHAPES
from agora.demo.catalog_data import (
    DemoProduct,
    demo_categories,
    demo_products,
    demo_stores,
    generated_products,
)


def _leaves() -> set[str]:
    categories = demo_categories()
    parents = {c.parent_key for c in categories if c.parent_key}
    return {c.key for c in categories if c.key not in parents}


def test_stores() -> None:
    stores = demo_stores()
    assert len(stores) == 6
    assert len({s.key for s in stores}) == 6
    own = [s for s in stores if s.self_operated]
    assert [(s.name_en, s.name_zh) for s in own] == [("Agora Self-Operated", "Agora自营")]
    for store in stores:
        assert store.name_en and store.name_zh and store.description_en and store.description_zh


def test_categories_form_a_two_level_tree() -> None:
    categories = demo_categories()
    keys = [c.key for c in categories]
    assert len(keys) == len(set(keys))
    seen: set[str] = set()
    for category in categories:
        if category.parent_key is not None:
            assert category.parent_key in seen, "parents come before their children"
            parent = next(c for c in categories if c.key == category.parent_key)
            assert parent.parent_key is None, "two levels only"
        seen.add(category.key)
    top = [c for c in categories if c.parent_key is None]
    assert 7 <= len(top) <= 10
    assert len(_leaves()) >= 16
    assert not {c.key for c in top} & _leaves(), "every top-level category has children"


def test_products_are_consistent() -> None:
    products = demo_products()
    assert len(products) == 360
    assert len({p.key for p in products}) == 360
    assert len({p.title_en for p in products}) == 360
    assert len({p.title_zh for p in products}) == 360
    leaves = _leaves()
    stores = {s.key for s in demo_stores()}
    assert {p.category_key for p in products} == leaves
    assert {p.store_key for p in products} == stores
    for product in products:
        _check_product(product, leaves, stores)


def _check_product(product: DemoProduct, leaves: set[str], stores: set[str]) -> None:
    assert product.category_key in leaves
    assert product.store_key in stores
    assert product.shape in SHAPES
    assert 2 <= len(product.skus) <= 12
    variants = [(s.colour, s.size) for s in product.skus]
    assert len(set(variants)) == len(variants)
    for sku in product.skus:
        assert sku.colour in COLOURS
        assert sku.price > 0
        assert sku.price % 10 == 0
        assert 0 <= sku.stock <= 500
    assert product.list_price >= max(s.price for s in product.skus)
    assert 0 <= product.sales <= 20000
    assert 0 <= product.age_days <= 365
    assert product.title_en and product.title_zh
    assert len(product.title_en) <= 120 and len(product.title_zh) <= 120
    assert product.description_en and product.description_zh
    assert product.image_url.startswith(f"/media/p/{product.shape}/{product.skus[0].colour}.svg")


def test_realistic_prices_stock_and_sales() -> None:
    products = demo_products()
    skus = [s for p in products for s in p.skus]
    assert any(s.stock == 0 for s in skus), "some SKUs show as out of stock"
    assert sum(20 <= s.stock <= 300 for s in skus) > len(skus) / 2
    by_category: dict[str, list[int]] = {}
    for product in products:
        by_category.setdefault(product.category_key, []).extend(s.price for s in product.skus)
    assert 29_900 <= min(by_category["womens-coats"]) <= max(by_category["womens-coats"]) <= 131_000
    assert min(by_category["phones"]) >= 199_900
    assert max(by_category["snacks"]) <= 8_000
    sales = sorted(p.sales for p in products)
    assert sales[len(sales) // 2] < sales[-1] / 5, "a few best sellers, a long tail"


def test_red_coats_for_search() -> None:
    coats = [
        p
        for p in demo_products()
        if p.category_key == "womens-coats" and "Coat" in p.title_en.split()
    ]
    assert all("外套" in p.title_zh for p in coats)
    assert len(coats) >= 10
    red = [p for p in coats if any(s.colour == "red" for s in p.skus)]
    assert len(red) >= 6


def test_products_are_deterministic() -> None:
    assert demo_products() == demo_products()
    # A copy each call: a caller mutating its list must not change the next caller's.
    first = demo_products()
    first.clear()
    assert len(demo_products()) == 360


def test_generated_products() -> None:
    leaves = _leaves()
    stores = {s.key for s in demo_stores()}
    batch = list(generated_products(1000))
    assert len(batch) == 1000
    assert len({p.key for p in batch}) == 1000
    assert all(p.key.startswith("gen-") for p in batch)
    for product in batch:
        _check_product(product, leaves, stores)
    assert batch == list(generated_products(1000))
    assert batch != list(generated_products(1000, seed=8))
    assert batch[:10] == list(generated_products(10))


def test_generated_products_are_fast() -> None:
    started = time.perf_counter()
    count = sum(1 for _ in itertools.islice(generated_products(100_000), 20_000))
    assert count == 20_000
    assert time.perf_counter() - started < 5
