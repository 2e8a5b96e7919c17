"""Publishing a stream of message bodies to a stage, in batches, on a thread pool.

At most ``2 x backend.publish_concurrency`` batches are in flight, so memory stays flat
however long the stream is. Oversize bodies go to ``backend.store_payload`` and are sent
as ``{"href": ...}`` pointers, or are rejected when the backend has no payload store.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass

import orjson

from stac_ingest.outputs import MAX_MESSAGE_BYTES
from stac_ingest.sdk.backend import Backend, PublishOutcome, Stage
from stac_ingest.sdk.checkpoint import Checkpoint, Watermark
from stac_ingest.sdk.progress import Progress, ProgressUpdate, PublishReport, notify


@dataclass(frozen=True)
class Entry:
    """One record to publish: unique ``index``, 1-based ``line``, and a body or an error."""

    index: int
    line: int
    body: str | None = None
    error: str | None = None


@dataclass
class _Batch:
    entries: list[Entry]
    bodies: list[str]
    size: int = 0


def publish_entries(
    backend: Backend,
    stage: Stage,
    entries: Iterable[Entry],
    *,
    start_index: int = 0,
    progress: Progress | None = None,
    checkpoint: Checkpoint | None = None,
    report: PublishReport | None = None,
) -> PublishReport:
    """Publish every entry; returns counts and the per-line errors (never raises for them)."""
    report = report or PublishReport(stage=stage)
    mark = Watermark(start_index)
    started = time.monotonic()
    limit = max(1, backend.max_batch_entries)
    in_flight: dict[Future[PublishOutcome], _Batch] = {}
    workers = max(1, backend.publish_concurrency)
    pool = ThreadPoolExecutor(max_workers=workers)

    def settle(done: Iterable[Future[PublishOutcome]], *, quiet: bool = False) -> None:
        for future in done:
            batch = in_flight.pop(future)
            outcome = future.result()
            for entry, error in zip(batch.entries, outcome.errors, strict=True):
                if error is None:
                    report.published += 1
                    mark.done(entry.index)
                else:
                    report.failed += 1
                    report.add_error(entry.line, error)
                    mark.block()
            if not quiet:
                notify(progress, ProgressUpdate(advance=len(batch.entries)))
        if checkpoint is not None:
            checkpoint.update(mark.next)

    def submit(batch: _Batch) -> None:
        finished = [f for f in in_flight if f.done()]
        if finished:  # keeps progress and the checkpoint current on a slow input
            settle(finished)
        while len(in_flight) >= 2 * workers:
            done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
            settle(done)
        in_flight[pool.submit(backend.publish, stage, batch.bodies)] = batch

    batch = _Batch([], [])
    try:
        for entry in entries:
            body = _prepare(backend, stage, entry, report)
            if body is None:
                report.rejected += 1
                mark.done(entry.index)
                notify(progress, ProgressUpdate(advance=1))
                continue
            size = len(body.encode())
            if batch.entries and (
                len(batch.entries) >= limit or batch.size + size > MAX_MESSAGE_BYTES
            ):
                submit(batch)
                batch = _Batch([], [])
            batch.entries.append(entry)
            batch.bodies.append(body)
            batch.size += size
        if batch.entries:
            submit(batch)
        while in_flight:
            done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
            settle(done)
    finally:
        # interrupted or failed: count what was sent, so the checkpoint is as far on as it can be
        pool.shutdown(wait=True, cancel_futures=True)
        try:
            for future in [f for f in in_flight if f.done() and not f.cancelled()]:
                if future.exception() is None:
                    settle([future], quiet=True)
        finally:
            if checkpoint is not None:
                checkpoint.update(mark.next, force=True)
        report.elapsed_seconds = time.monotonic() - started
        report.rate_per_second = (
            report.published / report.elapsed_seconds if report.published else 0.0
        )
    return report


def _prepare(backend: Backend, stage: Stage, entry: Entry, report: PublishReport) -> str | None:
    """The body to send, or None (with the error recorded) when the entry is rejected."""
    if entry.error is not None or entry.body is None:
        report.add_error(entry.line, entry.error or "empty record")
        return None
    body = entry.body
    raw = body.encode()
    if len(raw) <= MAX_MESSAGE_BYTES:
        return body
    href = backend.store_payload(f"{stage}-{entry.index}", raw)
    if href is None:
        report.add_error(
            entry.line,
            f"message is {len(raw):,} bytes, over the {MAX_MESSAGE_BYTES // 1024} KiB SNS limit, "
            f"and {backend.label} has no payload bucket",
        )
        return None
    report.stored_payloads += 1
    return orjson.dumps({"href": href}).decode()
