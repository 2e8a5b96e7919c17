"""Messages too large for SNS travel through a payload store as ``{"href": ...}`` pointers."""

from __future__ import annotations

import hashlib
import urllib.request
from typing import Any
from urllib.parse import urlparse

from stac_ingest.errors import InputError, OversizeError
from stac_ingest.outputs import MAX_MESSAGE_BYTES

_HTTP_TIMEOUT = 30


def payload_key(body: bytes, prefix: str = "payloads") -> str:
    """A content-addressed key: the same payload stored twice is one object."""
    return f"{prefix}/{hashlib.sha256(body).hexdigest()}.json"


def fits_in_message(body: bytes | str) -> bool:
    size = len(body.encode() if isinstance(body, str) else body)
    return size <= MAX_MESSAGE_BYTES


class PayloadStore:
    """Reads pointers (``s3://`` and ``http(s)://``) and writes oversize payloads to S3.

    The S3 client is made on first use, so a store that only meets small messages
    never imports boto3.
    """

    def __init__(self, bucket: str | None = None, *, s3_client: Any = None) -> None:
        self.bucket = bucket or None
        self._s3 = s3_client

    @property
    def s3(self) -> Any:
        if self._s3 is None:
            import boto3

            self._s3 = boto3.client("s3")
        return self._s3

    def fetch(self, href: str) -> bytes:
        """The bytes behind a pointer; :class:`InputError` when they cannot be read."""
        parsed = urlparse(href)
        try:
            if parsed.scheme == "s3":
                obj = self.s3.get_object(Bucket=parsed.netloc, Key=parsed.path.lstrip("/"))
                return bytes(obj["Body"].read())
            if parsed.scheme in ("http", "https"):
                with urllib.request.urlopen(href, timeout=_HTTP_TIMEOUT) as resp:
                    return bytes(resp.read())
        except Exception as exc:
            raise InputError(f"cannot read pointer {href}: {exc}") from exc
        raise InputError(f"unsupported pointer scheme: {href}")

    def put(self, body: bytes, *, key: str | None = None) -> str:
        """Store ``body`` and return its ``s3://`` href; :class:`OversizeError` with no bucket."""
        if not self.bucket:
            raise OversizeError(
                f"message of {len(body)} bytes is over the {MAX_MESSAGE_BYTES}-byte SNS limit "
                "and no payload bucket is configured"
            )
        key = key or payload_key(body)
        self.s3.put_object(Bucket=self.bucket, Key=key, Body=body, ContentType="application/json")
        return f"s3://{self.bucket}/{key}"
