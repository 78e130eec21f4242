"""Product pictures and the SKU editor through the merchant's pages, and the shop's gallery."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

import factories
from agora import catalog, inventory
from agora.catalog import ProductImage
from agora.config import Settings
from agora.core.db import Database
from agora.core.uow import UnitOfWork
from factories import HTML, browser_sign_in
from pictures import picture

MAX_IMAGE = 200_000


@pytest.fixture
def media_dir(tmp_path: Path) -> Path:
    return tmp_path / "media"


@pytest.fixture
def settings(db: Database, media_dir: Path) -> Settings:
    return Settings(
        database_url=db.url,
        embedded_workers=False,
        redis_url=None,
        serve_tuning=False,
        media_dir=media_dir,
        media_max_image_bytes=MAX_IMAGE,
    )


@pytest.fixture
def shop(uow: UnitOfWork) -> dict[str, Any]:
    ops = factories.make_operator(uow)
    cats = factories.make_categories(uow, ops)
    owner = factories.make_user(uow, name="Owner")
    rival = factories.make_user(uow, name="Rival")
    store = factories.make_store(uow, ops, owner)
    factories.make_store(uow, ops, rival)
    coat = factories.make_product(uow, factories.principal(owner), store, cats["coats"])
    return {"owner": owner, "rival": rival, "store": store, "cats": cats, "coat": coat.product}


def stored(uow: UnitOfWork, media_dir: Path) -> tuple[int, int]:
    with uow.read() as session:
        rows = session.scalar(select(func.count()).select_from(ProductImage)) or 0
    return rows, len([p for p in media_dir.rglob("*") if p.is_file()]) if media_dir.exists() else 0


def uploads(*named: tuple[str, bytes]) -> list[tuple[str, tuple[str, bytes, str]]]:
    return [("images", (name, data, "image/jpeg")) for name, data in named]


def new_product_form(shop: dict[str, Any], token: str, title: str) -> dict[str, Any]:
    return {
        "csrf_token": token,
        "category_id": str(shop["cats"]["dresses"].id),
        "title_en": title,
        "list_price": "399",
        "weight_grams": "400",
        "sku_colour": ["white", "beige", ""],
        "sku_size": ["S", "M", ""],
        "sku_price": ["299", "309", ""],
        "sku_stock": ["5", "8", ""],
    }


def products_titled(uow: UnitOfWork, title: str) -> list[catalog.Product]:
    with uow.read() as session:
        return list(
            session.scalars(select(catalog.Product).where(catalog.Product.title_en == title))
        )


def field_error(html: str) -> str:
    found = re.search(r'<p class="field-error" id="images-error" role="alert">([^<]*)</p>', html)
    assert found, "the message sits beside the file field"
    return found.group(1)


def test_a_new_product_is_listed_with_its_pictures_and_the_shop_shows_them(
    client: TestClient, uow: UnitOfWork, shop: dict[str, Any], media_dir: Path
) -> None:
    path = f"/merchant/stores/{shop['store'].id}/products/new"
    token = browser_sign_in(client, shop["owner"], path)
    form = client.get(path, headers=HTML).text
    assert 'enctype="multipart/form-data"' in form and "data-sku-editor" in form
    assert form.count('name="sku_price"') == 6  # without JS: a fixed number of rows

    made = client.post(
        path,
        data=new_product_form(shop, token, "Linen Dress"),
        files=uploads(
            ("one.jpg", picture("JPEG")),
            ("two.png", picture("PNG")),
            ("three.webp", picture("WEBP")),
        ),
        headers=HTML,
        follow_redirects=False,
    )

    assert made.status_code == 303, made.text
    (dress,) = products_titled(uow, "Linen Dress")
    assert stored(uow, media_dir) == (3, 9)
    page = client.get(f"/p/{dress.id}", headers=HTML).text
    assert page.count('data-testid="gallery-slide"') == 3
    assert page.count("data-gallery-thumb") == 3
    assert "/static/js/gallery.js" in page
    assert dress.image_url.startswith("/media/u/products/") and dress.image_url.endswith(
        "-480.webp"
    )
    edit = client.get(f"/merchant/products/{dress.id}", headers=HTML).text
    assert edit.count('data-testid="merchant-image"') == 3


@pytest.mark.parametrize(
    ("name", "data", "status", "message"),
    [
        (
            "notes.jpg",
            b"plain text, not a picture\n" * 20,
            415,
            "“notes.jpg” is not a JPEG, PNG or WebP picture.",
        ),
        (
            "huge.png",
            picture("PNG") + b"\0" * MAX_IMAGE,
            413,
            "“huge.png” is larger than 195 KB. Choose a smaller picture.",
        ),
    ],
    ids=["not-an-image", "too-large"],
)
def test_a_refused_picture_lists_nothing_and_says_why_beside_the_field(
    client: TestClient,
    uow: UnitOfWork,
    shop: dict[str, Any],
    media_dir: Path,
    name: str,
    data: bytes,
    status: int,
    message: str,
) -> None:
    path = f"/merchant/stores/{shop['store'].id}/products/new"
    token = browser_sign_in(client, shop["owner"], path)

    refused = client.post(
        path,
        data=new_product_form(shop, token, "Refused Dress"),
        files=uploads(("fine.png", picture("PNG")), (name, data)),
        headers=HTML,
    )

    assert refused.status_code == status
    assert field_error(refused.text) == message
    assert 'value="Refused Dress"' in refused.text  # what was typed is kept
    assert products_titled(uow, "Refused Dress") == []
    assert stored(uow, media_dir) == (0, 0)


def test_the_edit_page_uploads_reorders_ties_and_removes_pictures(
    client: TestClient, uow: UnitOfWork, shop: dict[str, Any], media_dir: Path
) -> None:
    coat = shop["coat"]
    page = f"/merchant/products/{coat.id}"
    token = browser_sign_in(client, shop["owner"], page)

    done = client.post(
        f"{page}/images",
        data={"csrf_token": token},
        files=uploads(
            ("a.jpg", picture("JPEG", colour=(200, 0, 0))),
            ("b.jpg", picture("JPEG", colour=(0, 0, 0))),
        ),
        headers=HTML,
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    assert done.headers["location"] == f"{page}#pictures"
    first, second = [
        v.id for v in catalog.product_gallery(uow, client.app.state.runtime.media, coat.id)
    ]  # type: ignore[attr-defined]

    for action, data in ((f"{second}/main", {}), (f"{second}/colour", {"colour": "black"})):
        answer = client.post(
            f"{page}/images/{action}",
            data={"csrf_token": token, **data},
            headers=HTML,
            follow_redirects=False,
        )
        assert answer.status_code == 303, answer.text
    views = catalog.product_gallery(uow, client.app.state.runtime.media, coat.id)  # type: ignore[attr-defined]
    assert [(v.id, v.colour) for v in views] == [(second, "black"), (first, None)]
    shop_page = client.get(f"/p/{coat.id}", headers=HTML).text
    assert 'data-colour="black"' in shop_page

    removed = client.post(
        f"{page}/images/{second}/remove",
        data={"csrf_token": token},
        headers=HTML,
        follow_redirects=False,
    )
    assert removed.status_code == 303
    assert stored(uow, media_dir) == (1, 3)

    refused = client.post(
        f"{page}/images",
        data={"csrf_token": token},
        files=uploads(("x.jpg", b"text")),
        headers=HTML,
    )
    assert refused.status_code == 415
    assert "is not a JPEG, PNG or WebP picture" in field_error(refused.text)
    assert stored(uow, media_dir) == (1, 3)
    # What a browser sends when no file was chosen: one part with an empty file name.
    boundary = "----agora-test"
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{token}\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="images"; filename=""\r\n'
        f"Content-Type: application/octet-stream\r\n\r\n\r\n--{boundary}--\r\n"
    )
    nothing = client.post(
        f"{page}/images",
        content=body.encode(),
        headers={**HTML, "Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    assert nothing.status_code == 422
    assert field_error(nothing.text) == "Choose one or more pictures to upload."


def test_another_stores_staff_cannot_touch_the_pictures(
    client: TestClient, uow: UnitOfWork, shop: dict[str, Any], media_dir: Path
) -> None:
    coat = shop["coat"]
    page = f"/merchant/products/{coat.id}"
    token = browser_sign_in(client, shop["owner"], page)
    client.post(
        f"{page}/images",
        data={"csrf_token": token},
        files=uploads(("a.jpg", picture())),
        headers=HTML,
    )
    (mine,) = catalog.product_gallery(uow, client.app.state.runtime.media, coat.id)  # type: ignore[attr-defined]
    before = stored(uow, media_dir)

    token = browser_sign_in(client, shop["rival"], "/")
    assert client.get(page, headers=HTML).status_code == 404
    assert (
        client.post(
            f"{page}/images",
            data={"csrf_token": token},
            files=uploads(("b.png", picture("PNG"))),
            headers=HTML,
        ).status_code
        == 404
    )
    for action in ("main", "remove", "colour"):
        answer = client.post(
            f"{page}/images/{mine.id}/{action}", data={"csrf_token": token}, headers=HTML
        )
        assert answer.status_code == 404
    assert stored(uow, media_dir) == before
    assert [
        v.id for v in catalog.product_gallery(uow, client.app.state.runtime.media, coat.id)
    ] == [mine.id]  # type: ignore[attr-defined]


def test_the_sku_editor_adds_rows_to_a_listed_product(
    client: TestClient, uow: UnitOfWork, shop: dict[str, Any]
) -> None:
    coat = shop["coat"]
    detail = catalog.product_detail(uow, coat.id)
    page = f"/merchant/products/{coat.id}"
    token = browser_sign_in(client, shop["owner"], page)
    ids = [str(s.id) for s in detail.skus]
    form = {
        "csrf_token": token,
        "sku_id": ids,
        "sku_price": ["299", "299"],
        "sku_stock": ["10", "5"],
        "sku_active": ids,
    }

    saved = client.post(
        f"{page}/skus",
        data={
            **form,
            "new_colour": ["navy", ""],
            "new_size": ["L", ""],
            "new_price": ["289", ""],
            "new_stock": ["3", ""],
        },
        headers=HTML,
        follow_redirects=False,
    )

    assert saved.status_code == 303, saved.text
    skus = catalog.product_detail(uow, coat.id).skus
    assert [(s.colour, s.size, s.price) for s in skus] == [
        ("red", "M", 29900),
        ("black", "M", 29900),
        ("navy", "L", 28900),
    ]
    assert inventory.stock_levels(uow, [skus[2].id])[skus[2].id] == 3

    duplicate = client.post(
        f"{page}/skus",
        data={
            **form,
            "sku_stock": ["1", "1"],
            "new_colour": ["red"],
            "new_size": ["M"],
            "new_price": ["199"],
            "new_stock": ["1"],
        },
        headers=HTML,
    )
    assert duplicate.status_code == 422
    assert 'data-testid="sku-error"' in duplicate.text
    assert len(catalog.product_detail(uow, coat.id).skus) == 3
    levels = inventory.stock_levels(uow, [s.id for s in skus])
    assert [levels[s.id] for s in skus] == [10, 5, 3]  # the refused save changed no stock either
