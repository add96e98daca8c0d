"""An S3-compatible server for tests: moto in server mode, a separate process on loopback.

`s3_settings()` starts one server per test process (on a free port, stopped at exit) and
creates a fresh bucket; it returns the app settings that point Carflow's storage at it.
`CARFLOW_TEST_STORAGE=s3 pytest tests/test_documents.py …` runs the upload suites
against it (tests/conftest.py asks `storage_overrides()` for every app).
"""

from __future__ import annotations

import atexit
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import boto3

_server: dict = {}

# moto accepts any credentials; the standard AWS variables are what boto3 reads.
FAKE_AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "eu-west-1",
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_up(url: str, process: subprocess.Popen) -> None:
    for _ in range(300):
        if process.poll() is not None:
            raise RuntimeError("moto server exited")
        try:
            urllib.request.urlopen(url, timeout=1).close()  # noqa: S310 - loopback test URL
            return
        except (urllib.error.URLError, ConnectionError, OSError):
            time.sleep(0.1)
    raise RuntimeError("moto server did not start")


def s3_endpoint() -> str:
    """The URL of this process's moto server (started on first use)."""
    if "url" not in _server:
        os.environ.update({k: os.environ.get(k, v) for k, v in FAKE_AWS_ENV.items()})
        port = _free_port()
        process = subprocess.Popen(  # noqa: S603 - fixed argv
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        atexit.register(_stop, process)
        url = f"http://127.0.0.1:{port}"
        _wait_until_up(url + "/moto-api/", process)
        _server.update(url=url, process=process)
    return _server["url"]


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


def s3_settings(sse: str | None = None, presign: int = 0) -> dict:
    """App settings for a new, empty bucket on the moto server."""
    url = s3_endpoint()
    bucket = "carflow-test-" + secrets.token_hex(6)
    client = boto3.client("s3", endpoint_url=url, region_name="eu-west-1")
    client.create_bucket(
        Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
    )
    return {
        "CARFLOW_STORAGE": "s3",
        "CARFLOW_S3_BUCKET": bucket,
        "CARFLOW_S3_ENDPOINT_URL": url,
        "CARFLOW_S3_REGION": "eu-west-1",
        "CARFLOW_S3_PREFIX": "uploads/",
        "CARFLOW_S3_SSE": sse,
        "CARFLOW_S3_PRESIGN_SECONDS": presign,
    }


def storage_overrides() -> dict:
    """S3 settings when CARFLOW_TEST_STORAGE=s3, else none (the local folder)."""
    if os.environ.get("CARFLOW_TEST_STORAGE") == "s3":
        return s3_settings()
    return {}
