"""Oversize messages of the local pipeline: files under the state dir, ``file://`` pointers."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlparse

from stac_ingest.errors import InputError
from stac_ingest.sdk.payloads import PayloadStore, payload_key


class LocalPayloadStore(PayloadStore):
    """Writes payloads to ``root`` and reads ``file://`` pointers (and the usual schemes)."""

    def __init__(self, root: Path) -> None:
        super().__init__(None)
        self.root = root

    def put(self, body: bytes, *, key: str | None = None) -> str:
        path = self.root / payload_key(body, prefix="").lstrip("/")
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            tmp = path.with_name(path.name + ".partial")
            tmp.write_bytes(body)
            tmp.replace(path)
        return path.absolute().as_uri()

    def fetch(self, href: str) -> bytes:
        parsed = urlparse(href)
        if parsed.scheme == "file":
            try:
                return Path(unquote(parsed.path)).read_bytes()
            except OSError as exc:
                raise InputError(f"cannot read pointer {href}: {exc}") from exc
        return super().fetch(href)
