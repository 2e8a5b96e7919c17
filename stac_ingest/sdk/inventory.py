"""Inventories: streams of create-item inputs, one record a line.

Formats: plain text (one URL per line; blank lines and ``#`` comments skipped), CSV (one
chosen column: a header name, or a 0-based index for header-less files), or NDJSON of
full :class:`~stac_ingest.models.ItemRequest` objects. Everything is streamed, so memory
stays flat however long the inventory is.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel

from stac_ingest.errors import UsageError
from stac_ingest.sdk.sources import open_text

Format = Literal["auto", "text", "csv", "ndjson"]


class InventoryRecord(BaseModel):
    """One record: its 0-based ``index`` among records and its 1-based ``line``."""

    index: int
    line: int
    value: Any = None
    error: str | None = None


def detect_format(source: str, column: str | None) -> Format:
    lower = source.lower().split("?")[0]
    if lower.endswith((".ndjson", ".jsonl")):
        return "ndjson"
    if lower.endswith(".csv") or column is not None:
        return "csv"
    return "auto"


class Inventory:
    """Iterate the records of an inventory, after ``skip`` records, at most ``limit``.

    ``seen`` counts every record of the source read so far (including skipped ones), so
    callers can tell an empty inventory from one that was skipped to its end.
    """

    def __init__(
        self,
        source: str | Path,
        *,
        fmt: Format = "auto",
        column: str | None = None,
        skip: int = 0,
        limit: int | None = None,
        session: Any = None,
    ) -> None:
        if skip < 0 or (limit is not None and limit < 0):
            raise UsageError("--skip and --limit must not be negative")
        self.source = str(source)
        self.fmt: Format = fmt if fmt != "auto" else detect_format(self.source, column)
        self.column = column
        self.skip = skip
        self.limit = limit
        self.session = session
        self.seen = 0

    def __iter__(self) -> Iterator[InventoryRecord]:
        emitted = 0
        with open_text(self.source, session=self.session, what="inventory") as stream:
            for index, line, value, error in self._records(stream):
                if error is None and isinstance(value, str) and not _is_utf8(value):
                    value, error = None, "not UTF-8 text"
                self.seen = index + 1
                if index < self.skip:
                    continue
                if self.limit is not None and emitted >= self.limit:
                    return
                emitted += 1
                yield InventoryRecord(index=index, line=line, value=value, error=error)
                if self.limit is not None and emitted >= self.limit:
                    return

    def _records(self, stream: Any) -> Iterator[tuple[int, int, Any, str | None]]:
        fmt = self.fmt
        if fmt == "csv":
            yield from self._csv(stream)
            return
        index = 0
        for line_no, raw in enumerate(stream, start=1):
            text = raw.strip()
            if not text or text.startswith("#"):
                continue
            if fmt == "auto":
                fmt = "ndjson" if text.startswith("{") else "text"
            if fmt == "ndjson":
                value, error = _parse_request(text)
                yield index, line_no, value, error
            else:
                yield index, line_no, text, None
            index += 1

    def _csv(self, stream: Any) -> Iterator[tuple[int, int, Any, str | None]]:
        if self.column is None:
            raise UsageError("a CSV inventory needs --column NAME (header) or --column INDEX")
        reader = csv.reader(stream)
        if self.column.isdigit():
            position = int(self.column)
        else:
            header = next(reader, None)
            if header is None:
                return
            names = [h.strip() for h in header]
            if self.column not in names:
                raise UsageError(
                    f"CSV inventory has no column {self.column!r} (columns: {', '.join(names)})"
                )
            position = names.index(self.column)
        index = 0
        for row in reader:
            if not row or not any(cell.strip() for cell in row):
                continue
            line = reader.line_num
            if position >= len(row) or not row[position].strip():
                yield index, line, None, f"no value in column {self.column}"
            else:
                yield index, line, row[position].strip(), None
            index += 1


def _is_utf8(text: str) -> bool:
    """False for text holding undecodable bytes (kept as surrogates by ``open_text``)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _parse_request(text: str) -> tuple[Any, str | None]:
    import orjson
    import pydantic

    from stac_ingest.models import ItemRequest, format_validation_error

    try:
        obj = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        return None, f"malformed JSON: {exc}"
    try:
        return ItemRequest.model_validate(obj), None
    except pydantic.ValidationError as exc:
        return None, f"invalid ItemRequest: {format_validation_error(exc)}"
