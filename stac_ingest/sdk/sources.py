"""Opening an input as a stream of text lines: a local path, ``-`` (stdin), http(s)://, s3://."""

from __future__ import annotations

import contextlib
import io
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from stac_ingest.errors import InputError


@contextlib.contextmanager
def open_text(source: str | Path, *, session: Any = None, what: str = "input") -> Iterator[IO[str]]:
    """A text stream of ``source``, read lazily; a missing source is an :class:`InputError`."""
    text = str(source)
    if text == "-":
        # Bytes that are not UTF-8 survive as surrogates, so the line that holds them is
        # rejected by the JSON parser with its line number instead of ending the run.
        if isinstance(sys.stdin, io.TextIOWrapper):
            sys.stdin.reconfigure(errors="surrogateescape")
        yield sys.stdin
    elif text.startswith(("http://", "https://")):
        with _open_http(text, what) as stream:
            yield stream
    elif text.startswith("s3://"):
        with _open_s3(text, session, what) as stream:
            yield stream
    else:
        path = Path(text).expanduser()
        if not path.is_file():
            raise InputError(f"{what} file not found: {text}")
        with path.open("r", encoding="utf-8", errors="surrogateescape", newline="") as stream:
            yield stream


@contextlib.contextmanager
def _open_http(url: str, what: str) -> Iterator[IO[str]]:
    import urllib.error
    import urllib.request

    try:
        response = urllib.request.urlopen(url, timeout=60)
    except urllib.error.HTTPError as exc:
        raise InputError(f"{what} not found at {url} (HTTP {exc.code})") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise InputError(f"cannot fetch {what} {url}: {reason}") from None
    with response:
        yield io.TextIOWrapper(response, encoding="utf-8", errors="surrogateescape", newline="")


@contextlib.contextmanager
def _open_s3(url: str, session: Any, what: str) -> Iterator[IO[str]]:
    import botocore.exceptions

    from stac_ingest.sdk.aws import as_stac_ingest_error, client, make_session

    bucket, _, key = url[len("s3://") :].partition("/")
    if not bucket or not key:
        raise InputError(f"not an s3://bucket/key URL: {url}")
    s3 = client(session or make_session(), "s3")
    try:
        body = s3.get_object(Bucket=bucket, Key=key)["Body"]
    except botocore.exceptions.ClientError as exc:
        code = exc.response.get("Error", {}).get("Code")
        if code in {"NoSuchKey", "NoSuchBucket", "404"}:
            raise InputError(f"{what} not found: {url}") from None
        raise as_stac_ingest_error(exc) from exc
    except Exception as exc:
        raise as_stac_ingest_error(exc) from exc
    try:
        yield io.TextIOWrapper(
            io.BufferedReader(_Readable(body)),
            encoding="utf-8",
            errors="surrogateescape",
            newline="",
        )
    finally:
        body.close()


class _Readable(io.RawIOBase):
    """A botocore StreamingBody as a raw binary stream for TextIOWrapper."""

    def __init__(self, body: Any) -> None:
        self._body = body

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._body.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def read_document(source: str | Path, *, session: Any = None, what: str = "input") -> Any:
    """A whole JSON document from ``source``."""
    import orjson

    with open_text(source, session=session, what=what) as stream:
        text = stream.read()
    if not text.strip():
        raise InputError(f"{what} is empty: {source}")
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        raise InputError(f"{what} is not valid JSON: {source}: {exc}") from None
