"""A merchant lists a product with three pictures and more SKUs than the form first shows; the
product page shows the three in its gallery. A file that is not a picture, and one too large,
are each refused beside the file field and nothing is stored."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from agora.demo.seed import merchant_email
from e2e.steps import flash, sign_in
from pictures import picture

pytestmark = pytest.mark.e2e

MAX_IMAGE = 8 * 1_048_576  # the default media_max_image_bytes


def stored_files(server_database_url: str) -> int:
    folder = Path(server_database_url.removeprefix("sqlite:///")).parent / "media"
    return sum(1 for path in folder.rglob("*") if path.is_file()) if folder.exists() else 0


def test_a_merchant_lists_a_product_with_three_pictures(
    page: Page, server_database_url: str, tmp_path: Path
) -> None:
    shots = []
    for name, fmt, colour in (
        ("front.jpg", "JPEG", (200, 30, 30)),
        ("side.png", "PNG", (30, 30, 200)),
        ("back.webp", "WEBP", (30, 160, 60)),
    ):
        path = tmp_path / name
        path.write_bytes(picture(fmt, size=(900, 900), colour=colour))
        shots.append(str(path))
    title = f"Gallery Test Tee {uuid.uuid4().hex[:6]}"

    sign_in(page, merchant_email("agora-self"))
    page.goto("/merchant")
    page.locator("#main").get_by_role("link", name="List a product").click()
    page.wait_for_url(re.compile(r"/products/new$"))
    page.fill("#title_en", title)
    tees = page.locator("#category_id option", has_text="T-Shirts").first.get_attribute("value")
    page.select_option("#category_id", tees)
    page.fill("#list_price", "99")

    # The SKU editor: one blank row to start with (JS dropped the other blanks); add a second.
    editor = page.get_by_test_id("sku-editor")
    expect(editor.locator("[data-sku-row]")).to_have_count(1)
    editor.get_by_role("button", name="+ Add a SKU").click()
    expect(editor.locator("[data-sku-row]")).to_have_count(2)
    for row, (colour, size) in enumerate((("red", "M"), ("blue", "L")), start=1):
        page.select_option(f"#sku-colour-{row}", colour)
        page.fill(f"#sku-size-{row}", size)
        page.fill(f"#sku-price-{row}", "79")
        page.fill(f"#sku-stock-{row}", "5")
    page.set_input_files("#images", shots)
    page.get_by_role("button", name="List product").click()

    page.wait_for_url(re.compile(r"/merchant/products/[0-9a-f-]+$"))
    expect(flash(page)).to_contain_text("Listed")
    expect(page.get_by_test_id("merchant-image")).to_have_count(3)
    product_id = page.url.rsplit("/", 1)[1]

    page.goto(f"/p/{product_id}")
    gallery = page.get_by_test_id("gallery")
    expect(gallery.get_by_test_id("gallery-slide")).to_have_count(3)
    for slide in gallery.get_by_test_id("gallery-slide").all():
        image = slide.locator("img")
        expect(image).to_have_attribute("src", re.compile(r"^/media/u/products/.+-1080\.webp$"))
        # Loaded: the browser picked a rendition from the srcset (480 or 1080 px wide).
        assert image.evaluate("img => img.complete && img.naturalWidth") in (480, 900)
    gallery.locator("[data-gallery-thumb]").nth(2).click()
    expect(gallery).to_have_attribute("data-current", "2")
    expect(page.locator("[data-sku-picker] button[data-colour]")).to_have_count(2)


def test_a_file_that_is_not_a_picture_or_too_large_is_refused_beside_the_field(
    page: Page, server_database_url: str, tmp_path: Path
) -> None:
    text = tmp_path / "holiday.jpg"
    text.write_text("Not a picture at all, only a name that says so.\n" * 20)
    huge = tmp_path / "huge.png"
    huge.write_bytes(picture("PNG") + b"\0" * MAX_IMAGE)

    sign_in(page, merchant_email("agora-self"))
    page.goto("/merchant")
    page.locator("table a[href^='/merchant/products/']").first.click()
    page.wait_for_url(re.compile(r"/merchant/products/[0-9a-f-]+$"))
    before = page.get_by_test_id("merchant-image").count()
    # On a phone the page fits its width: SKU rows and pictures stack as cards.
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.goto(page.get_by_role("link", name="List a product").first.get_attribute("href") or "")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.go_back()
    files = stored_files(server_database_url)

    for path, message in (
        (text, "“holiday.jpg” is not a JPEG, PNG or WebP picture."),
        (huge, "“huge.png” is larger than 8 MB. Choose a smaller picture."),
    ):
        form = page.get_by_test_id("image-upload-form")
        form.get_by_test_id("image-input").set_input_files(str(path))
        form.get_by_role("button", name="Upload").click()
        expect(page.locator("#images-error")).to_have_text(message)
        expect(page.get_by_test_id("image-input")).to_have_attribute("aria-invalid", "true")
        expect(page.get_by_test_id("merchant-image")).to_have_count(before)
        assert stored_files(server_database_url) == files
