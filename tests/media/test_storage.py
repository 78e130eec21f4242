"""Local and S3-compatible storage keep files by safe, content-addressed keys."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from agora.config import Settings
from agora.media import LocalStorage, S3Storage, UnsafeKey, open_storage

KEY = "products/ab/abcdef-240.webp"


def test_local_storage_writes_once_and_deletes(tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path / "media")

    storage.put(KEY, b"first", content_type="image/webp")
    storage.put(KEY, b"second", content_type="image/webp")  # content-addressed: kept as is

    assert (tmp_path / "media" / "products" / "ab" / "abcdef-240.webp").read_bytes() == b"first"
    assert storage.url(KEY) == "/media/u/products/ab/abcdef-240.webp"
    assert not [p for p in (tmp_path / "media").rglob(".upload-*")]
    storage.delete(KEY)
    storage.delete(KEY)  # already gone: nothing to do
    assert not storage.path_of(KEY).exists()


@pytest.mark.parametrize(
    "key",
    ["../etc/passwd", "/etc/passwd", "products/../../x.webp", "a//b.webp", "A.webp", "a\\b", ""],
)
def test_unsafe_keys_are_refused(tmp_path: Path, key: str) -> None:
    storage = LocalStorage(tmp_path)
    with pytest.raises(UnsafeKey):
        storage.put(key, b"x", content_type="image/webp")
    with pytest.raises(UnsafeKey):
        storage.url(key)
    assert list(tmp_path.iterdir()) == []


def test_settings_choose_the_storage(tmp_path: Path) -> None:
    local = open_storage(Settings(database_url=f"sqlite:///{tmp_path}/agora.db"))
    assert isinstance(local, LocalStorage)
    assert local.root == tmp_path / "media"
    chosen = open_storage(Settings(media_dir=tmp_path / "elsewhere"))
    assert isinstance(chosen, LocalStorage) and chosen.root == tmp_path / "elsewhere"
    s3 = open_storage(
        Settings(
            media_backend="s3",
            s3_bucket="pictures",
            s3_public_base_url="https://cdn.example.com/pictures/",
            s3_endpoint_url="http://127.0.0.1:9000",
        )
    )
    assert isinstance(s3, S3Storage)
    assert s3.url(KEY) == f"https://cdn.example.com/pictures/{KEY}"
    with pytest.raises(ValueError, match="bucket"):
        open_storage(Settings(media_backend="s3"))


@pytest.fixture
def s3() -> Iterator[Any]:
    moto = pytest.importorskip("moto")
    import boto3

    with moto.mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket="pictures")
        yield client


def test_s3_storage_puts_objects_with_their_type_and_cache_life(s3: Any) -> None:
    storage = S3Storage(
        bucket="pictures",
        public_base_url="https://cdn.example.com",
        region="us-east-1",
        access_key_id="testing",
        secret_access_key="testing",
    )

    storage.put(KEY, b"webp bytes", content_type="image/webp")

    stored = s3.get_object(Bucket="pictures", Key=KEY)
    assert stored["Body"].read() == b"webp bytes"
    assert stored["ContentType"] == "image/webp"
    assert stored["CacheControl"] == "public, max-age=31536000, immutable"
    assert storage.url(KEY) == f"https://cdn.example.com/{KEY}"
    storage.delete(KEY)
    assert s3.list_objects_v2(Bucket="pictures").get("KeyCount") == 0
    with pytest.raises(UnsafeKey):
        storage.put("../x", b"x", content_type="image/webp")
