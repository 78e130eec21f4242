"""The merchant console's product images: upload (also with a new product), make main, tie to a
colour, remove. Every refusal is shown beside the file field, and nothing is stored."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import Response

from agora import catalog, media
from agora.config import Settings
from agora.core.errors import AgoraError
from agora.core.i18n import gettext as _
from agora.http.deps import Actor, Media, Uow, get_runtime
from agora.web.render import check_csrf, redirect

router = APIRouter(prefix="/merchant", include_in_schema=False)

Text = Annotated[str, Form(max_length=5000)]
Uploads = Annotated[list[UploadFile], File()]
ACCEPT = "image/jpeg,image/png,image/webp"


class UploadRefused(Exception):
    """An upload the page refuses, with the message shown beside the file field."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def chosen(uploads: list[UploadFile]) -> list[UploadFile]:
    """The files actually chosen: an empty file input still sends one nameless, empty part."""
    return [upload for upload in uploads if upload.filename or upload.size]


def size_limit(settings: Settings) -> str:
    """The largest picture a merchant may upload, as people write it ("8 MB", "200 KB")."""
    size = settings.media_max_image_bytes
    if size >= 1_048_576:
        return f"{size / 1_048_576:.3g} MB"
    return f"{size // 1024} KB"


def refusal(error: AgoraError, settings: Settings, name: str = "") -> UploadRefused:
    if isinstance(error, media.ImageTooLarge):
        text = _("“%(name)s” is larger than %(size)s. Choose a smaller picture.") % {
            "name": name,
            "size": size_limit(settings),
        }
    elif isinstance(error, media.NotAnImage):
        text = _("“%(name)s” is not a JPEG, PNG or WebP picture.") % {"name": name}
    elif isinstance(error, media.TooManyPixels):
        text = _("“%(name)s” has too many pixels (at most %(n)s million).") % {
            "name": name,
            "n": settings.media_max_image_pixels // 1_000_000,
        }
    elif isinstance(error, catalog.TooManyImages):
        text = _("A product can have at most %(n)s images.") % {
            "n": settings.media_images_per_product
        }
    else:
        text = _(error.detail or error.title)
    return UploadRefused(text, error.status)


def prepare(request: Request, uploads: list[UploadFile]) -> list[media.ProcessedImage]:
    """Check and render every chosen file, before anything is stored.

    Raises:
        UploadRefused: the first file refused, named in the message.
    """
    settings = get_runtime(request).settings
    files = chosen(uploads)
    if len(files) > settings.media_images_per_product:
        raise refusal(catalog.TooManyImages(), settings)
    images = []
    for upload in files:
        name = upload.filename or _("The file")
        try:
            data = upload.file.read(settings.media_max_image_bytes + 1)
            images.append(
                media.process_image(
                    data,
                    max_bytes=settings.media_max_image_bytes,
                    max_pixels=settings.media_max_image_pixels,
                )
            )
        except AgoraError as error:
            raise refusal(error, settings, name) from error
    return images


def _back(request: Request, product_id: uuid.UUID, flash: str) -> Response:
    return redirect(request, f"/merchant/products/{product_id}#pictures", flash=flash)


@router.post("/products/{product_id}/images")
def upload_images(
    product_id: uuid.UUID,
    request: Request,
    actor: Actor,
    uow: Uow,
    storage: Media,
    csrf_token: Text = "",
    images: Uploads = [],  # noqa: B006 - FastAPI copies defaults per request
) -> Response:
    from agora.web.merchant import edit_page

    check_csrf(request, csrf_token)
    settings = get_runtime(request).settings
    with uow.read() as session:
        catalog.access_product(session, actor, product_id)
    try:
        if not chosen(images):
            raise UploadRefused(_("Choose one or more pictures to upload."), 422)
        processed = prepare(request, images)
        try:
            catalog.add_product_images(
                uow,
                actor=actor,
                storage=storage,
                product_id=product_id,
                images=processed,
                max_images=settings.media_images_per_product,
            )
        except catalog.TooManyImages as error:
            raise refusal(error, settings) from error
    except UploadRefused as refused:
        return edit_page(
            request, uow, actor, product_id, image_error=refused.message, status=refused.status
        )
    return _back(request, product_id, _("Uploaded %(n)s images.") % {"n": len(processed)})


@router.post("/products/{product_id}/images/{image_id}/main")
def make_main(
    product_id: uuid.UUID,
    image_id: uuid.UUID,
    request: Request,
    actor: Actor,
    uow: Uow,
    storage: Media,
    csrf_token: Text = "",
) -> Response:
    check_csrf(request, csrf_token)
    catalog.make_main_image(
        uow, actor=actor, storage=storage, product_id=product_id, image_id=image_id
    )
    return _back(request, product_id, _("That image is now the main one."))


@router.post("/products/{product_id}/images/{image_id}/colour")
def set_colour(
    product_id: uuid.UUID,
    image_id: uuid.UUID,
    request: Request,
    actor: Actor,
    uow: Uow,
    storage: Media,
    csrf_token: Text = "",
    colour: Annotated[str, Form(max_length=32)] = "",
) -> Response:
    check_csrf(request, csrf_token)
    catalog.set_image_colour(
        uow,
        actor=actor,
        storage=storage,
        product_id=product_id,
        image_id=image_id,
        colour=colour or None,
    )
    return _back(request, product_id, _("Image colour saved."))


@router.post("/products/{product_id}/images/{image_id}/remove")
def remove(
    product_id: uuid.UUID,
    image_id: uuid.UUID,
    request: Request,
    actor: Actor,
    uow: Uow,
    storage: Media,
    csrf_token: Text = "",
) -> Response:
    check_csrf(request, csrf_token)
    catalog.remove_product_image(
        uow, actor=actor, storage=storage, product_id=product_id, image_id=image_id
    )
    return _back(request, product_id, _("Image removed."))
