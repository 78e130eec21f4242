"""Where media files are kept: one small interface, a local folder and an S3-compatible bucket.

Keys are content-addressed (``products/ab/<sha256>-480.webp``), so a key once written never
changes: writing it again is a no-op, and browsers may cache its URL for a year.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from agora.config import Settings

# Lower-case segments of letters, digits, "-", "_" and one "." per name: no "..", no absolute
# path, no backslash, nothing a file system or a URL would read twice.
_KEY = re.compile(r"^[a-z0-9_-]+(?:/[a-z0-9_-]+)*(?:\.[a-z0-9]+)?$")
CACHE_FOREVER = "public, max-age=31536000, immutable"


class UnsafeKey(ValueError):
    """A key that is not a plain relative path of safe characters."""


def check_key(key: str) -> str:
    if len(key) > 200 or not _KEY.fullmatch(key):
        raise UnsafeKey(key)
    return key


class Storage(Protocol):
    """Keeps files by key. ``put`` of a key already there does nothing (content-addressed)."""

    def put(self, key: str, data: bytes, *, content_type: str) -> None: ...

    def delete(self, key: str) -> None: ...

    def url(self, key: str) -> str: ...


class LocalStorage:
    """Files under ``root``, served by the pages at ``url_prefix`` (``web/media.py``)."""

    def __init__(self, root: Path, *, url_prefix: str = "/media/u") -> None:
        self.root = root
        self.url_prefix = url_prefix.rstrip("/")

    def path_of(self, key: str) -> Path:
        """The file of ``key`` (which may not exist). Raises ``UnsafeKey``."""
        return self.root.joinpath(*check_key(key).split("/"))

    def put(self, key: str, data: bytes, *, content_type: str) -> None:
        path = self.path_of(key)
        if path.exists():
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written beside and renamed into place: a reader never sees half a file.
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as file:
                file.write(data)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def delete(self, key: str) -> None:
        self.path_of(key).unlink(missing_ok=True)

    def url(self, key: str) -> str:
        return f"{self.url_prefix}/{check_key(key)}"


class S3Storage:
    """Objects in an S3-compatible bucket, read by browsers from ``public_base_url``.

    ``boto3`` is imported only when the first client is made (the optional ``s3`` extra).
    """

    def __init__(
        self,
        *,
        bucket: str,
        public_base_url: str,
        endpoint_url: str | None = None,
        region: str | None = None,
        access_key_id: str | None = None,
        secret_access_key: str | None = None,
        client: Any = None,
    ) -> None:
        if not bucket or not public_base_url:
            raise ValueError("S3 media storage needs a bucket and a public base URL")
        self.bucket = bucket
        self.public_base_url = public_base_url.rstrip("/")
        self._options = {
            "endpoint_url": endpoint_url,
            "region_name": region,
            "aws_access_key_id": access_key_id,
            "aws_secret_access_key": secret_access_key,
        }
        self._client = client

    @property
    def client(self) -> Any:
        if self._client is None:
            try:
                import boto3
            except ImportError as exc:  # pragma: no cover - depends on the installed extras
                raise RuntimeError("S3 media storage needs boto3: pip install 'agora[s3]'") from exc
            self._client = boto3.client("s3", **self._options)
        return self._client

    def put(self, key: str, data: bytes, *, content_type: str) -> None:
        self.client.put_object(
            Bucket=self.bucket,
            Key=check_key(key),
            Body=data,
            ContentType=content_type,
            CacheControl=CACHE_FOREVER,
        )

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=check_key(key))

    def url(self, key: str) -> str:
        return f"{self.public_base_url}/{check_key(key)}"


def open_storage(settings: Settings) -> Storage:
    """The storage the settings choose (``media_backend``)."""
    if settings.media_backend == "s3":
        return S3Storage(
            bucket=settings.s3_bucket,
            public_base_url=settings.s3_public_base_url,
            endpoint_url=settings.s3_endpoint_url,
            region=settings.s3_region,
            access_key_id=settings.s3_access_key_id,
            secret_access_key=settings.s3_secret_access_key,
        )
    return LocalStorage(settings.media_folder())
