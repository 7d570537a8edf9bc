"""Where visit photos live: content-addressed by SHA-256, behind a two-method interface.

`LocalPhotoStorage` (the default) writes ``<root>/ab/cd/<sha256>``; `S3PhotoStorage` writes the
object ``<prefix><sha256>`` to any S3-compatible store (AWS, MinIO, Ceph, OSS' S3 API). Both are
idempotent: the address is the content, so storing the same bytes twice is one object, and a
retried upload costs nothing but the transfer. `photo_storage(settings)` picks one by settings.
"""

import base64
import hashlib
import os
import tempfile
from pathlib import Path
from typing import Any, Protocol

from elevator_registry.config import Settings


def sha256_of(data: bytes) -> str:
    """The photo's address: the hex SHA-256 of its bytes."""
    return hashlib.sha256(data).hexdigest()


class PhotoStorage(Protocol):
    """A content-addressed blob store."""

    def put(self, data: bytes, *, content_type: str) -> str:
        """Stores `data` (once) and returns its SHA-256."""
        ...

    def get(self, sha256: str) -> bytes:
        """The bytes stored under `sha256`; KeyError if there are none."""
        ...


class LocalPhotoStorage:
    """Files under a root folder, two levels of fan-out so no folder grows past 65,536 entries."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def put(self, data: bytes, *, content_type: str) -> str:
        """Writes the file atomically (temp file + rename) unless it is already there."""
        digest = sha256_of(data)
        path = self._path(digest)
        if path.exists():
            return digest
        path.parent.mkdir(parents=True, exist_ok=True)
        # A crash mid-write must never leave a truncated file under a valid hash.
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        Path(temporary).replace(path)
        return digest

    def get(self, sha256: str) -> bytes:
        """Reads the file; KeyError when it is missing."""
        try:
            return self._path(sha256).read_bytes()
        except FileNotFoundError as error:
            raise KeyError(sha256) from error


class S3PhotoStorage:
    """Objects in an S3-compatible bucket (boto3 client given, or built from settings)."""

    def __init__(self, client: Any, *, bucket: str, prefix: str = "") -> None:
        self.client = client
        self.bucket = bucket
        self.prefix = prefix

    def put(self, data: bytes, *, content_type: str) -> str:
        """PUTs the object unless HEAD finds it: a retried upload is not transferred twice."""
        from botocore.exceptions import ClientError

        digest = sha256_of(data)
        key = self.prefix + digest
        try:
            self.client.head_object(Bucket=self.bucket, Key=key)
            return digest
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") not in ("404", "NoSuchKey", "NotFound"):
                raise
        self.client.put_object(
            Bucket=self.bucket,
            Key=key,
            Body=data,
            ContentType=content_type,
            # The store checks the bytes it received against the hash we computed.
            ChecksumSHA256=_base64_sha256(data),
        )
        return digest

    def get(self, sha256: str) -> bytes:
        """GETs the object; KeyError when it is missing."""
        from botocore.exceptions import ClientError

        try:
            answer = self.client.get_object(Bucket=self.bucket, Key=self.prefix + sha256)
        except ClientError as error:
            raise KeyError(sha256) from error
        return bytes(answer["Body"].read())


def _base64_sha256(data: bytes) -> str:
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


def build_photo_storage(settings: Settings) -> PhotoStorage:
    """The storage the settings name (`photo_storage`: local or s3)."""
    if settings.photo_storage == "s3":
        import boto3

        if not settings.photo_s3_bucket:
            raise ValueError("photo_storage=s3 needs photo_s3_bucket")
        client = boto3.client(
            "s3",
            endpoint_url=settings.photo_s3_endpoint_url,
            region_name=settings.photo_s3_region,
        )
        return S3PhotoStorage(
            client, bucket=settings.photo_s3_bucket, prefix=settings.photo_s3_prefix
        )
    return LocalPhotoStorage(settings.photo_storage_dir)


_storages: dict[tuple[object, ...], PhotoStorage] = {}


def photo_storage(settings: Settings) -> PhotoStorage:
    """The process-wide storage for `settings` (one boto3 client, reused across requests)."""
    key = (
        settings.photo_storage,
        settings.photo_storage_dir,
        settings.photo_s3_bucket,
        settings.photo_s3_endpoint_url,
        settings.photo_s3_region,
        settings.photo_s3_prefix,
    )
    if key not in _storages:
        _storages[key] = build_photo_storage(settings)
    return _storages[key]
