"""``load-items``: validate STAC Items and publish them to the load stage, or load them directly.

Input is NDJSON (one Item, FeatureCollection or ``{"href"}`` pointer a line), or one JSON
document: an Item, an ItemCollection or a FeatureCollection. Each line is validated on its
own; an invalid one is reported with its line number and the rest still go.
"""

from __future__ import annotations

import io
import itertools
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from stac_ingest.errors import InputError, StacIngestError
from stac_ingest.sdk.backend import Backend
from stac_ingest.sdk.progress import Progress, ProgressUpdate, PublishReport, notify
from stac_ingest.sdk.publish import Entry, publish_entries
from stac_ingest.sdk.records import SqsRecord
from stac_ingest.sdk.sources import open_text

#: Items per load: the load stage's batch size.
DIRECT_CHUNK = 1000

#: How far past a broken first line to look for one JSON document spread over lines.
_DOCUMENT_PROBE_CHARS = 1 << 20

if TYPE_CHECKING:
    from stac_ingest.sdk.loading import ItemLoader


def _expand(obj: Any, line: int) -> Iterator[tuple[int, Any, str | None]]:
    """(line, item, error) for one parsed JSON value."""
    from stac_ingest.sdk.validate import classify, validate_item

    try:
        kind = classify(obj)
    except StacIngestError as exc:
        yield line, None, exc.message
        return
    if kind == "collection":
        yield line, None, "a Collection, not an Item (use `collections upsert`)"
    elif kind == "pointer":
        yield line, obj, None
    elif kind == "items":
        for feature in obj["features"]:
            yield from _expand(feature, line)
    else:
        try:
            validate_item(obj)
        except StacIngestError as exc:
            yield line, None, exc.message
            return
        yield line, obj, None


def read_items(source: str | Path, *, session: Any = None) -> Iterator[tuple[int, Any, str | None]]:
    """Every item of ``source`` as ``(line, item, error)``; streamed for NDJSON."""
    with open_text(source, session=session, what="items") as stream:
        first_line = 0
        first = ""
        for raw in stream:
            first_line += 1
            if raw.strip():
                first = raw
                break
        if not first:
            raise InputError(f"no items in {source}: the input is empty")
        try:
            obj = orjson.loads(first)
        except orjson.JSONDecodeError:
            # A JSON document spread over lines, or NDJSON whose first line is broken. Only
            # a lone "{" or "[" starts a document worth reading whole; otherwise a bounded
            # look ahead, so that a huge NDJSON file never lands in memory at once.
            limit = None if first.strip() in ("{", "[") else _DOCUMENT_PROBE_CHARS
            rest = stream.read() if limit is None else stream.read(limit)
            if limit is None or len(rest) < limit:
                try:
                    document = orjson.loads(first + rest)
                except orjson.JSONDecodeError:
                    pass
                else:
                    yield from _expand(document, first_line)
                    return
            text = first + rest + ("" if limit is None else stream.readline())
            yield from _ndjson(itertools.chain(io.StringIO(text), stream), first_line)
            return
        yield from _expand(obj, first_line)
        yield from _ndjson(stream, first_line + 1)


def _ndjson(lines: Any, start: int) -> Iterator[tuple[int, Any, str | None]]:
    for line_no, raw in enumerate(lines, start=start):
        text = raw.strip()
        if not text:
            continue
        try:
            obj = orjson.loads(text)
        except orjson.JSONDecodeError as exc:
            yield line_no, None, f"malformed JSON: {exc}"
            continue
        yield from _expand(obj, line_no)


def load_items(
    backend: Backend,
    source: str | Path,
    *,
    progress: Progress | None = None,
    session: Any = None,
) -> PublishReport:
    """Publish the valid items of ``source`` to the load stage."""

    def entries() -> Iterator[Entry]:
        for index, (line, item, error) in enumerate(read_items(source, session=session)):
            body = None if item is None else orjson.dumps(item).decode()
            yield Entry(index=index, line=line, body=body, error=error)

    return publish_entries(backend, "load", entries(), progress=progress)


def load_items_direct(
    dsn: str, source: str | Path, *, progress: Progress | None = None, session: Any = None
) -> PublishReport:
    """Upsert the valid items of ``source`` straight into pgstac.

    Through the load stage's own loader (:class:`~stac_ingest.sdk.loading.ItemLoader`),
    so a direct load has the same guarantees as the Lambda: poison records are isolated
    and reported by line, an item whose datetime moved partition is stored once, and
    concurrent loads are safe.
    """
    from stac_ingest.sdk.loading import ItemLoader
    from stac_ingest.sdk.pgstac_db import check

    check(dsn)
    report = PublishReport(stage="direct")
    started = time.monotonic()
    chunk: list[SqsRecord] = []
    with ItemLoader(dsn) as loader:
        for line, item, error in read_items(source, session=session):
            if error is not None or item is None:
                report.rejected += 1
                report.add_error(line, error or "empty record")
                notify(progress, ProgressUpdate(advance=1))
                continue
            if "href" in item and "type" not in item:
                report.rejected += 1
                report.add_error(line, "pointers cannot be loaded with --direct")
                continue
            chunk.append(SqsRecord(message_id=str(line), body=orjson.dumps(item).decode()))
            if len(chunk) >= DIRECT_CHUNK:
                _load_chunk(loader, chunk, report, progress)
                chunk = []
        if chunk:
            _load_chunk(loader, chunk, report, progress)
    report.elapsed_seconds = time.monotonic() - started
    if report.published:
        report.rate_per_second = report.published / report.elapsed_seconds
    return report


def _load_chunk(
    loader: ItemLoader, chunk: list[SqsRecord], report: PublishReport, progress: Progress | None
) -> None:
    """Load one chunk; each failed record is reported at its line (the record's id)."""
    result = loader.load(chunk)
    report.failed += len(result.failures)
    report.published += len(chunk) - len(result.failures)
    for failure in result.failures:
        report.add_error(int(failure.message_id), failure.reason)
    notify(progress, ProgressUpdate(advance=len(chunk)))
