"""Product pictures over the API: staff upload, list, reorder, tie and delete; everyone else is
refused by id, and a refused upload stores nothing."""

from __future__ import annotations

import io
import os
import uuid
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import func, select

import factories
from agora.catalog import ProductImage
from agora.config import Settings
from agora.core.db import Database
from agora.core.uow import UnitOfWork
from factories import assert_problem
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
        media_max_upload_bytes=1_000_000,
        max_body_bytes=65_536,
        media_images_per_product=4,
    )


@pytest.fixture
def shop(uow: UnitOfWork) -> dict[str, Any]:
    ops = factories.make_operator(uow)
    cats = factories.make_categories(uow, ops)
    owner = factories.make_user(uow, name="Owner")
    rival = factories.make_user(uow, name="Rival")
    shopper = factories.make_user(uow, name="Shopper")
    store = factories.make_store(uow, ops, owner)
    factories.make_store(uow, ops, rival)
    coat = factories.make_product(uow, factories.principal(owner), store, cats["coats"])
    return {
        "coat": coat.product,
        "owner": factories.bearer(uow, owner),
        "rival": factories.bearer(uow, rival),
        "shopper": factories.bearer(uow, shopper),
    }


def files(*pictures: tuple[str, bytes]) -> list[tuple[str, tuple[str, bytes, str]]]:
    return [("images", (name, data, "image/jpeg")) for name, data in pictures]


def stored(uow: UnitOfWork, media_dir: Path) -> tuple[int, int]:
    """Picture rows, and files in the media folder."""
    with uow.read() as session:
        rows = session.scalar(select(func.count()).select_from(ProductImage)) or 0
    return rows, len([p for p in media_dir.rglob("*") if p.is_file()]) if media_dir.exists() else 0


def test_staff_upload_list_reorder_tie_and_delete(
    client: TestClient, uow: UnitOfWork, shop: dict[str, Any], media_dir: Path
) -> None:
    coat, owner = shop["coat"], shop["owner"]
    url = f"/api/v1/products/{coat.id}/images"

    made = client.post(
        url,
        files=files(
            ("front.jpg", picture("JPEG", size=(1600, 1200))), ("back.png", picture("PNG"))
        ),
        headers=owner,
    )

    assert made.status_code == 201, made.text
    front, back = made.json()
    assert (front["position"], front["main"], back["position"], back["main"]) == (0, True, 1, False)
    assert (front["width"], front["height"]) == (1080, 810)
    assert stored(uow, media_dir) == (2, 6)
    assert client.get(url, headers=owner).json() == made.json()
    assert client.get(f"/api/v1/products/{coat.id}").json()["image_url"] == front["card_url"]

    served = client.get(front["thumb_url"])
    assert served.status_code == 200
    assert served.headers["content-type"] == "image/webp"
    assert served.headers["cache-control"] == "public, max-age=31536000, immutable"

    reordered = client.patch(
        f"{url}/{back['id']}", json={"main": True, "colour": "red"}, headers=owner
    )
    assert reordered.status_code == 200, reordered.text
    assert [(i["id"], i["colour"]) for i in reordered.json()] == [
        (back["id"], "red"),
        (front["id"], None),
    ]

    assert client.delete(f"{url}/{back['id']}", headers=owner).status_code == 204
    assert [i["id"] for i in client.get(url, headers=owner).json()] == [front["id"]]
    assert stored(uow, media_dir) == (1, 3)
    assert client.get(back["thumb_url"]).status_code == 404


def test_an_upload_may_name_the_colour_it_shows(client: TestClient, shop: dict[str, Any]) -> None:
    coat = shop["coat"]
    made = client.post(
        f"/api/v1/products/{coat.id}/images",
        files=files(("black.jpg", picture("JPEG", colour=(10, 10, 10)))),
        data={"colour": "black"},
        headers=shop["owner"],
    )
    assert made.status_code == 201, made.text
    assert made.json()[0]["colour"] == "black"


def test_a_colour_goes_with_one_upload_and_a_product_takes_at_most_its_limit(
    client: TestClient, uow: UnitOfWork, shop: dict[str, Any], media_dir: Path
) -> None:
    url = f"/api/v1/products/{shop['coat'].id}/images"
    two = files(("a.png", picture("PNG")), ("b.jpg", picture()))

    assert_problem(
        client.post(url, files=two, data={"colour": "red"}, headers=shop["owner"]),
        422,
        "invalid_input",
    )
    five = files(*[(f"{n}.png", picture("PNG", colour=(n, 0, 0))) for n in range(5)])
    assert_problem(client.post(url, files=five, headers=shop["owner"]), 409, "too_many_images")
    assert client.post(url, files=five[:3], headers=shop["owner"]).status_code == 201
    assert_problem(client.post(url, files=two, headers=shop["owner"]), 409, "too_many_images")
    assert stored(uow, media_dir) == (3, 9)


@pytest.mark.parametrize("who", ["rival", "shopper"])
def test_other_stores_staff_and_shoppers_are_refused_by_id(
    client: TestClient, uow: UnitOfWork, shop: dict[str, Any], media_dir: Path, who: str
) -> None:
    coat = shop["coat"]
    url = f"/api/v1/products/{coat.id}/images"
    (mine,) = client.post(url, files=files(("a.jpg", picture())), headers=shop["owner"]).json()
    before = stored(uow, media_dir)
    stranger = shop[who]

    assert_problem(client.get(url, headers=stranger), 404, "product_not_found")
    assert_problem(
        client.post(url, files=files(("b.png", picture("PNG"))), headers=stranger),
        404,
        "product_not_found",
    )
    assert_problem(
        client.patch(f"{url}/{mine['id']}", json={"main": True}, headers=stranger),
        404,
        "product_not_found",
    )
    assert_problem(client.delete(f"{url}/{mine['id']}", headers=stranger), 404, "product_not_found")

    assert stored(uow, media_dir) == before
    assert client.get(url, headers=shop["owner"]).json() == [mine]


def test_signed_out_requests_are_refused(client: TestClient, shop: dict[str, Any]) -> None:
    url = f"/api/v1/products/{shop['coat'].id}/images"
    assert_problem(client.get(url), 401, "unauthenticated")
    assert_problem(client.post(url, files=files(("a.jpg", picture()))), 401, "unauthenticated")


def test_an_unknown_picture_is_not_found(client: TestClient, shop: dict[str, Any]) -> None:
    url = f"/api/v1/products/{shop['coat'].id}/images"
    assert_problem(
        client.delete(f"{url}/{uuid.uuid4()}", headers=shop["owner"]), 404, "image_not_found"
    )
    assert_problem(
        client.patch(f"{url}/{uuid.uuid4()}", json={"main": True}, headers=shop["owner"]),
        404,
        "image_not_found",
    )


def test_a_text_file_named_jpg_is_refused_and_nothing_is_stored(
    client: TestClient, uow: UnitOfWork, shop: dict[str, Any], media_dir: Path
) -> None:
    url = f"/api/v1/products/{shop['coat'].id}/images"

    refused = client.post(
        url,
        files=files(("good.png", picture("PNG")), ("notes.jpg", b"just some text\n" * 50)),
        headers=shop["owner"],
    )

    assert_problem(refused, 415, "not_an_image")
    assert stored(uow, media_dir) == (0, 0)


def test_an_image_over_the_limit_is_413_and_nothing_is_stored(
    client: TestClient, uow: UnitOfWork, shop: dict[str, Any], media_dir: Path
) -> None:
    url = f"/api/v1/products/{shop['coat'].id}/images"
    big = picture("PNG") + b"\0" * MAX_IMAGE  # a real PNG, padded past the limit

    assert_problem(
        client.post(url, files=files(("big.png", big)), headers=shop["owner"]),
        413,
        "image_too_large",
    )
    # A body past the upload paths' own limit never reaches the route.
    huge = b"\0" * 1_100_000
    assert_problem(
        client.post(url, files=files(("huge.png", huge)), headers=shop["owner"]),
        413,
        "body_too_large",
    )
    assert stored(uow, media_dir) == (0, 0)


def test_an_upload_may_be_larger_than_other_requests(
    client: TestClient, uow: UnitOfWork, shop: dict[str, Any], media_dir: Path
) -> None:
    noise = io.BytesIO()
    Image.frombytes("RGB", (200, 200), os.urandom(200 * 200 * 3)).save(noise, format="PNG")
    assert 65_536 < len(noise.getvalue()) < MAX_IMAGE

    made = client.post(
        f"/api/v1/products/{shop['coat'].id}/images",
        files=files(("noise.png", noise.getvalue())),
        headers=shop["owner"],
    )

    assert made.status_code == 201, made.text
    assert stored(uow, media_dir) == (1, 3)


def test_the_larger_body_is_taken_on_the_upload_paths_only(
    client: TestClient, shop: dict[str, Any]
) -> None:
    body = {"title_en": "x" * 70_000}
    assert_problem(
        client.patch(f"/api/v1/products/{shop['coat'].id}", json=body, headers=shop["owner"]),
        413,
        "body_too_large",
    )


def test_a_nul_in_an_upload_forms_text_is_refused(
    client: TestClient, uow: UnitOfWork, shop: dict[str, Any], media_dir: Path
) -> None:
    refused = client.post(
        f"/api/v1/products/{shop['coat'].id}/images",
        files=files(("a.png", picture("PNG"))),
        data={"colour": "re\x00d"},
        headers=shop["owner"],
    )
    assert_problem(refused, 422, "invalid_text")
    assert stored(uow, media_dir) == (0, 0)


@pytest.mark.parametrize(
    "path", ["/media/u/../config.py", "/media/u/products/%2e%2e/x.webp", "/media/u/nothing.webp"]
)
def test_the_media_route_serves_only_stored_files(client: TestClient, path: str) -> None:
    assert client.get(path).status_code == 404
