"""Uploaded media served from the local folder (``media.LocalStorage``) at ``/media/u/...``.

The names are content-addressed, so a file never changes under its URL: browsers keep it a
year. A bucket (``media.S3Storage``) serves its own files; then nothing is served here.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response

from agora.core.errors import NotFound
from agora.http.deps import get_runtime
from agora.media import LocalStorage, UnsafeKey
from agora.media.storage import CACHE_FOREVER

router = APIRouter(include_in_schema=False)
_TYPES = {"webp": "image/webp", "jpg": "image/jpeg", "png": "image/png"}


@router.get("/media/u/{key:path}")
async def media_file(key: str, request: Request) -> Response:
    storage = get_runtime(request).media
    if not isinstance(storage, LocalStorage):
        raise NotFound()
    try:
        path = storage.path_of(key)
    except UnsafeKey as exc:
        raise NotFound() from exc
    media_type = _TYPES.get(path.suffix.lstrip("."))
    if media_type is None or not path.is_file():
        raise NotFound()
    return FileResponse(path, media_type=media_type, headers={"Cache-Control": CACHE_FOREVER})
