"""Media: where uploaded files live (local disk or an S3-compatible bucket), and the checks and
renditions an uploaded image goes through before it is stored. Stands on core alone; catalog
keeps which images a product has."""

from agora.media.images import (
    RENDITION_WIDTHS,
    ImageTooLarge,
    NotAnImage,
    ProcessedImage,
    TooManyPixels,
    process_image,
)
from agora.media.storage import LocalStorage, S3Storage, Storage, UnsafeKey, open_storage

__all__ = [
    "RENDITION_WIDTHS",
    "ImageTooLarge",
    "LocalStorage",
    "NotAnImage",
    "ProcessedImage",
    "S3Storage",
    "Storage",
    "TooManyPixels",
    "UnsafeKey",
    "open_storage",
    "process_image",
]
