from __future__ import annotations

from agora.core.errors import N_, Conflict, NotFound


class ProductNotFound(NotFound):
    code = "product_not_found"
    title = N_("This product does not exist or is no longer available.")


class StoreNotFound(NotFound):
    code = "store_not_found"
    title = N_("This store does not exist.")


class SlugTaken(Conflict):
    code = "slug_taken"
    title = N_("This short name is already taken.")


class ImageNotFound(NotFound):
    code = "image_not_found"
    title = N_("This image does not exist.")


class TooManyImages(Conflict):
    code = "too_many_images"
    title = N_("This product already has as many images as it may have.")
