"""Where stored files live: a local folder (default) or an S3-compatible object store.

Both backends offer the same small interface, used only by `carflow.storage`:
`put(temp_path, name)` moves a checked temporary file into place, `open(name)` gives a
binary stream, `size`, `exists`, `delete`, `names_older_than(cutoff)` (the orphan sweep)
and `download_url(...)` (a presigned URL, S3 only). Names are the generated hex names of
`save_upload`; the uploaded filename never reaches a path or an object key.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

import boto3
from botocore.config import Config as BotoConfig
from botocore.exceptions import BotoCoreError, ClientError


class StorageUnavailable(OSError):
    """The file store could not be reached or refused the request (not a missing file)."""


def _missing(error: ClientError) -> bool:
    return error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound")


class LocalBackend:
    """Files in one folder (may be shared by several processes on one server)."""

    def __init__(self, folder: str | os.PathLike):
        self.folder = Path(folder)

    def path(self, name: str) -> Path:
        return self.folder / name

    def put(self, temp_path: Path, name: str) -> None:
        os.replace(temp_path, self.path(name))  # atomic: a reader never sees half a file

    def open(self, name: str) -> BinaryIO:
        return open(self.path(name), "rb")

    def size(self, name: str) -> int:
        return self.path(name).stat().st_size

    def exists(self, name: str) -> bool:
        return self.path(name).is_file()

    def delete(self, name: str) -> None:
        self.path(name).unlink(missing_ok=True)

    def names_older_than(self, cutoff: float) -> Iterator[str]:
        for entry in os.scandir(self.folder):
            try:
                if entry.is_file(follow_symlinks=False) and entry.stat().st_mtime <= cutoff:
                    yield entry.name
            except FileNotFoundError:
                continue  # removed meanwhile

    def download_url(self, name: str, content_type: str, disposition: str) -> str | None:
        return None


class S3Backend:
    """Objects in one bucket under a key prefix (boto3; any S3-compatible store)."""

    def __init__(self, config):
        self.bucket = config["CARFLOW_S3_BUCKET"]
        if not self.bucket:
            raise ValueError("CARFLOW_STORAGE=s3 needs CARFLOW_S3_BUCKET")
        self.prefix = config.get("CARFLOW_S3_PREFIX") or ""
        self.sse = config.get("CARFLOW_S3_SSE") or None
        if self.sse not in (None, "AES256", "aws:kms"):
            raise ValueError("CARFLOW_S3_SSE must be AES256 or aws:kms")
        self.presign_seconds = int(config.get("CARFLOW_S3_PRESIGN_SECONDS") or 0)
        self.client = boto3.client(
            "s3",
            endpoint_url=config.get("CARFLOW_S3_ENDPOINT_URL") or None,
            region_name=config.get("CARFLOW_S3_REGION") or None,
            config=BotoConfig(
                signature_version="s3v4",
                connect_timeout=5,
                read_timeout=30,
                retries={"max_attempts": 3, "mode": "standard"},
            ),
        )  # credentials: the standard AWS environment variables / profiles / roles

    def key(self, name: str) -> str:
        return self.prefix + name

    def put(self, temp_path: Path, name: str) -> None:
        extra = {"ServerSideEncryption": self.sse} if self.sse else None
        try:
            self.client.upload_file(str(temp_path), self.bucket, self.key(name), ExtraArgs=extra)
        except (BotoCoreError, ClientError) as error:
            raise StorageUnavailable(str(error)) from error
        Path(temp_path).unlink(missing_ok=True)

    def open(self, name: str) -> BinaryIO:
        try:
            return self.client.get_object(Bucket=self.bucket, Key=self.key(name))["Body"]
        except ClientError as error:
            if _missing(error):
                raise FileNotFoundError(name) from error
            raise StorageUnavailable(str(error)) from error
        except BotoCoreError as error:
            raise StorageUnavailable(str(error)) from error

    def _head(self, name: str) -> dict | None:
        try:
            return self.client.head_object(Bucket=self.bucket, Key=self.key(name))
        except ClientError as error:
            if _missing(error):
                return None
            raise StorageUnavailable(str(error)) from error
        except BotoCoreError as error:
            raise StorageUnavailable(str(error)) from error

    def size(self, name: str) -> int:
        head = self._head(name)
        if head is None:
            raise FileNotFoundError(name)
        return int(head["ContentLength"])

    def exists(self, name: str) -> bool:
        return self._head(name) is not None

    def delete(self, name: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self.key(name))

    def names_older_than(self, cutoff: float) -> Iterator[str]:
        limit = datetime.fromtimestamp(cutoff, UTC)
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=self.prefix
        )
        for page in pages:
            for item in page.get("Contents", []):
                if item["LastModified"] <= limit:
                    yield item["Key"][len(self.prefix) :]

    def download_url(self, name: str, content_type: str, disposition: str) -> str | None:
        """A short-lived presigned GET (when CARFLOW_S3_PRESIGN_SECONDS is set)."""
        if not self.presign_seconds:
            return None
        params = {
            "Bucket": self.bucket,
            "Key": self.key(name),
            "ResponseContentType": content_type,
            "ResponseContentDisposition": disposition,
        }
        return self.client.generate_presigned_url(
            "get_object", Params=params, ExpiresIn=self.presign_seconds
        )


def make_backend(config, local_folder: Path):
    """The backend the configuration names (`CARFLOW_STORAGE`: local (default) or s3)."""
    kind = (config.get("CARFLOW_STORAGE") or "local").lower()
    if kind == "s3":
        return S3Backend(config)
    if kind != "local":
        raise ValueError("CARFLOW_STORAGE must be local or s3")
    return LocalBackend(local_folder)
