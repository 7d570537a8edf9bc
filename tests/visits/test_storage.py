"""The photo stores: local folder and S3 (moto's in-process fake), and the photo checks."""

import boto3
import pytest
from moto import mock_aws

from elevator_registry.config import Settings
from elevator_registry.errors import DomainError
from elevator_registry.visits import photos
from elevator_registry.visits.storage import (
    LocalPhotoStorage,
    S3PhotoStorage,
    build_photo_storage,
    sha256_of,
)
from tests.visits.photos import jpeg, png


def test_local_storage_is_content_addressed_and_idempotent(tmp_path) -> None:
    store = LocalPhotoStorage(tmp_path)
    data = jpeg()
    digest = store.put(data, content_type="image/jpeg")
    assert digest == sha256_of(data)
    assert store.put(data, content_type="image/jpeg") == digest
    assert store.get(digest) == data
    assert len(list(tmp_path.rglob("*"))) == 3  # two fan-out folders and one file


def test_local_storage_reports_a_missing_photo(tmp_path) -> None:
    with pytest.raises(KeyError):
        LocalPhotoStorage(tmp_path).get("0" * 64)


@mock_aws
def test_s3_storage_puts_once_and_reads_back() -> None:
    client = boto3.client("s3", region_name="us-east-1")
    client.create_bucket(Bucket="photos")
    store = S3PhotoStorage(client, bucket="photos", prefix="visit-photos/")
    data = jpeg()
    digest = store.put(data, content_type="image/jpeg")
    assert store.put(data, content_type="image/jpeg") == digest
    listing = client.list_objects_v2(Bucket="photos")
    assert [item["Key"] for item in listing["Contents"]] == [f"visit-photos/{digest}"]
    head = client.head_object(Bucket="photos", Key=f"visit-photos/{digest}")
    assert head["ContentType"] == "image/jpeg"
    assert store.get(digest) == data
    with pytest.raises(KeyError):
        store.get("0" * 64)


@mock_aws
def test_settings_select_the_s3_store() -> None:
    settings = Settings(photo_storage="s3", photo_s3_bucket="b", photo_s3_region="us-east-1")
    store = build_photo_storage(settings)
    assert isinstance(store, S3PhotoStorage) and store.bucket == "b"
    assert isinstance(build_photo_storage(Settings()), LocalPhotoStorage)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"\xff\xd8\xff\xe0rest", "image/jpeg"),
        (b"\x89PNG\r\n\x1a\nrest", "image/png"),
        (b"\x00\x00\x00\x18ftypheic\x00\x00", "image/heic"),
        (b"\x00\x00\x00\x18ftypmif1\x00\x00", "image/heic"),
    ],
)
def test_types_are_read_from_magic_bytes(data: bytes, expected: str) -> None:
    assert photos.content_type_of(data) == expected


@pytest.mark.parametrize(
    "data", [b"GIF89a....", b"%PDF-1.4", b"\x00\x00\x00\x18ftypmp42", b"<svg/>"]
)
def test_other_files_are_refused(data: bytes) -> None:
    with pytest.raises(DomainError) as refused:
        photos.content_type_of(data)
    assert refused.value.code == "PHOTO_TYPE_NOT_ALLOWED" and refused.value.message_zh


def test_size_limits() -> None:
    photos.check_size(100, 100)
    with pytest.raises(DomainError) as large:
        photos.check_size(101, 100)
    assert large.value.code == "PHOTO_TOO_LARGE"
    with pytest.raises(DomainError) as empty:
        photos.check_size(0, 100)
    assert empty.value.code == "PHOTO_EMPTY"


def test_exif_time_without_offset_is_the_districts_time() -> None:
    taken = photos.capture_time(jpeg("2026:11:15 09:31:00"), "image/jpeg", "Asia/Shanghai")
    assert taken is not None and taken.isoformat() == "2026-11-15T09:31:00+08:00"


def test_a_photo_without_exif_has_no_time() -> None:
    assert photos.capture_time(jpeg(None), "image/jpeg", "Asia/Shanghai") is None
    assert photos.capture_time(png(), "image/png", "Asia/Shanghai") is None
