"""Drives the local pipeline until both queues are drained, with the Lambdas' stage code.

* Generation: ``gen_workers`` threads each lease one ItemRequest at a time and run it
  through :class:`~stac_ingest.sdk.gen_stage.GenStage` with a shared
  :class:`~stac_ingest.sdk.generation.WorkerRunner` (one uv environment per package, a
  pool of long-lived stactools workers). Items go to the load queue.
* Loading: one thread leases up to ``load_batch_size`` items, waiting up to
  ``load_window_seconds`` to fill a batch while generation is still running, and upserts
  them with :class:`~stac_ingest.sdk.loading.ItemLoader` (poison isolation included).
* Per-record failures are retried after ``retry_delay_seconds``; after ``max_attempts``
  receives a message goes to the dead-letter table. A message is deleted only after its
  stage succeeded, so a killed run loses nothing; only one process drains at a time
  (``run.lock``), and it releases the leases a killed run left behind.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from stac_ingest.errors import PartialFailure, StacIngestError
from stac_ingest.models import ItemRequest
from stac_ingest.sdk.jsonlog import log_event
from stac_ingest.sdk.local import logfile
from stac_ingest.sdk.local.payloads import LocalPayloadStore
from stac_ingest.sdk.local.queue import LocalQueue
from stac_ingest.sdk.local.settings import LocalSettings
from stac_ingest.sdk.progress import Progress, ProgressUpdate, notify
from stac_ingest.sdk.records import SqsRecord

logger = logging.getLogger("stac_ingest.local")
gen_logger = logging.getLogger("stac_ingest.gen")
load_logger = logging.getLogger("stac_ingest.load")


class RunReport(BaseModel):
    """What one drain of the local pipeline did."""

    generated: int = Field(0, description="ItemRequests that produced an item")
    gen_retries: int = Field(0, description="Failed generation attempts, retried")
    gen_dead_lettered: int = 0
    loaded_items: int = 0
    loaded_collections: int = 0
    load_retries: int = Field(0, description="Failed load attempts, retried")
    load_dead_lettered: int = 0
    released_leases: int = Field(0, description="Leases of an interrupted run taken back")
    elapsed_seconds: float = 0.0
    dead_letters: dict[str, int] = Field(
        default_factory=dict, description="Dead letters per stage after the run"
    )

    def summary(self) -> str:
        text = (
            f"generated {self.generated:,} items, loaded {self.loaded_items:,} items"
            + (f" and {self.loaded_collections:,} collections" if self.loaded_collections else "")
            + f" in {self.elapsed_seconds:.1f} s"
        )
        if self.gen_retries or self.load_retries:
            text += f"; {self.gen_retries + self.load_retries:,} failed attempts retried"
        dead = self.gen_dead_lettered + self.load_dead_lettered
        if dead:
            text += f"; {dead:,} dead-lettered (gen {self.gen_dead_lettered:,}, load {self.load_dead_lettered:,})"
        if self.released_leases:
            text += f"; resumed {self.released_leases:,} messages of an interrupted run"
        return text

    def raise_for_failures(self) -> None:
        """:class:`PartialFailure` when this run dead-lettered anything."""
        if self.gen_dead_lettered or self.load_dead_lettered:
            stage = "gen" if self.gen_dead_lettered else "load"
            raise PartialFailure(
                f"{self.gen_dead_lettered + self.load_dead_lettered:,} messages were "
                "dead-lettered after their attempts",
                hint=f"stac-ingest --local dlq peek {stage}",
            )


class _LazyRunner:
    """Creates the WorkerRunner (which needs uv) on the first create-item."""

    def __init__(self, factory: Callable[[], Any]) -> None:
        self._factory = factory
        self._runner: Any = None
        self._lock = threading.Lock()

    def create_item(self, request: ItemRequest, *, timeout: float) -> dict[str, Any]:
        with self._lock:
            if self._runner is None:
                self._runner = self._factory()
        result: dict[str, Any] = self._runner.create_item(request, timeout=timeout)
        return result

    def ensure(self) -> None:
        """Create the runner now: a missing uv fails the run, not every record."""
        with self._lock:
            if self._runner is None:
                self._runner = self._factory()

    def close(self) -> None:
        with self._lock:
            if self._runner is not None:
                self._runner.close()
                self._runner = None


@contextlib.contextmanager
def run_lock(home: Path, progress: Progress | None = None) -> Iterator[None]:
    """Hold ``home/run.lock``: one draining process per state dir (waits for the other)."""
    path = home / "run.lock"
    home.mkdir(parents=True, exist_ok=True)
    with path.open("a+") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            other = fh.read().strip() or "?"
            notify(
                progress,
                ProgressUpdate(note=f"waiting for another local run (pid {other}) to finish"),
            )
            fcntl.flock(fh, fcntl.LOCK_EX)
        fh.seek(0)
        fh.truncate()
        fh.write(str(os.getpid()))
        fh.flush()
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


class LocalRunner:
    """Drains ``queue`` into the pgstac that ``dsn`` (a callable, resolved lazily) names."""

    def __init__(
        self,
        home: Path,
        settings: LocalSettings,
        queue: LocalQueue,
        dsn: Callable[[], str],
        *,
        runner_factory: Callable[[], Any] | None = None,
    ) -> None:
        self.home = home
        self.settings = settings
        self.queue = queue
        self._dsn = dsn
        self._runner_factory = runner_factory or _worker_runner
        self._counts = RunReport()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._errors: list[BaseException] = []
        self._total = 0
        self._progress: Progress | None = None
        self.lease = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"

    # -- bookkeeping -------------------------------------------------------------------
    def _count(self, advance: int = 0, more: int = 0, **fields: int) -> None:
        with self._lock:
            for name, value in fields.items():
                setattr(self._counts, name, getattr(self._counts, name) + value)
            self._total += more
            total = self._total if more else None
        if advance or more:
            notify(self._progress, ProgressUpdate(advance=advance, total=total))

    def drain(self, progress: Progress | None = None) -> RunReport:
        """Process messages until both queues are empty; returns what was done."""
        started = time.monotonic()
        self._progress = progress
        with run_lock(self.home, progress):
            self._counts.released_leases = self.queue.release_leases()
            self._total = self.queue.pending()
            if self._total:
                notify(progress, ProgressUpdate(total=self._total))
                with logfile.capture(self.home):
                    self._run()
        report = self._counts.model_copy()
        report.elapsed_seconds = time.monotonic() - started
        report.dead_letters = {s: self.queue.dead_count(s) for s in ("gen", "load")}
        return report

    def _run(self) -> None:
        from stac_ingest.sdk.gen_stage import GenSettings, GenStage
        from stac_ingest.sdk.loading import ItemLoader
        from stac_ingest.sdk.pgstac_db import check

        dsn = self._dsn()
        check(dsn)  # an unreachable database fails now, not after every record's attempts
        store = LocalPayloadStore(self.home / "payloads")
        runner = _LazyRunner(self._runner_factory)
        gen_depth = self.queue.depth("gen")
        if gen_depth.visible + gen_depth.in_flight:
            runner.ensure()
        gen = GenStage(
            GenSettings(
                item_load_topic_arn=None,
                payload_bucket=None,
                create_item_timeout=self.settings.create_item_timeout_seconds,
                records_in_parallel=1,
            ),
            runner=runner,
            publish=self._publish_items,
            store=store,
        )
        loader = ItemLoader(dsn, fetch=store.fetch)
        log_event(logger, "run_started", pending=self._total, lease=self.lease)
        threads = [
            threading.Thread(target=self._guard, args=(self._gen_loop, gen), daemon=True)
            for _ in range(self.settings.gen_workers)
        ]
        threads.append(threading.Thread(target=self._guard, args=(self._load_loop, loader)))
        for thread in threads:
            thread.start()
        try:
            while not self._errors and self.queue.pending() > 0:
                time.sleep(self.settings.poll_seconds)
        finally:
            self._stop.set()
            if self._errors:
                runner.close()  # ends create-item calls in flight; their messages retry later
            for thread in threads:
                thread.join()
            runner.close()
            loader.close()
            log_event(
                logger,
                "run_finished",
                **self._counts.model_dump(exclude={"dead_letters", "elapsed_seconds"}),
            )
        if self._errors:
            error = self._errors[0]
            if isinstance(error, StacIngestError):
                raise error
            raise StacIngestError(f"the local pipeline stopped: {error}") from error

    def _guard(self, loop: Callable[[Any], None], arg: Any) -> None:
        try:
            loop(arg)
        except BaseException as exc:
            self._errors.append(exc)
            self._stop.set()

    # -- generation --------------------------------------------------------------------
    def _publish_items(self, bodies: Sequence[str]) -> list[str | None]:
        self.queue.send("load", bodies)
        self._count(more=len(bodies))
        return [None] * len(bodies)

    def _gen_loop(self, gen: Any) -> None:
        settings = self.settings
        while not self._stop.is_set():
            records = self.queue.receive(
                "gen", 1, visibility=settings.gen_visibility_timeout_seconds, lease=self.lease
            )
            if not records:
                self._stop.wait(settings.poll_seconds)
                continue
            report = gen.run(records)
            failed = {f.message_id: f.reason for f in report.failures}
            self.queue.ack([r.message_id for r in records if r.message_id not in failed])
            dead = self._fail("gen", records, failed)
            self._count(
                advance=len(records) - len(failed) + dead,
                generated=report.published,
                gen_retries=len(failed) - dead,
                gen_dead_lettered=dead,
            )

    # -- loading -----------------------------------------------------------------------
    def _gen_active(self) -> bool:
        depth = self.queue.depth("gen")
        return depth.visible + depth.in_flight > 0

    def _load_loop(self, loader: Any) -> None:
        settings = self.settings
        size = settings.load_batch_size

        def receive(n: int) -> list[SqsRecord]:
            return self.queue.receive(
                "load", n, visibility=settings.load_visibility_timeout_seconds, lease=self.lease
            )

        while not self._stop.is_set():
            batch = receive(size)
            if not batch:
                self._stop.wait(settings.poll_seconds)
                continue
            window_ends = time.monotonic() + settings.load_window_seconds
            while (
                len(batch) < size
                and time.monotonic() < window_ends
                and not self._stop.is_set()
                and self._gen_active()
            ):
                self._stop.wait(settings.poll_seconds)
                batch += receive(size - len(batch))
            report = loader.load(batch)
            failed = {f.message_id: f.reason for f in report.failures}
            self.queue.ack([r.message_id for r in batch if r.message_id not in failed])
            dead = self._fail("load", batch, failed)
            log_event(
                load_logger,
                "batch_loaded",
                records=len(batch),
                items=report.loaded_items,
                collections=report.loaded_collections or None,
                duplicates=report.duplicates or None,
                failed=len(failed) or None,
            )
            self._count(
                advance=len(batch) - len(failed) + dead,
                loaded_items=report.loaded_items,
                loaded_collections=report.loaded_collections,
                load_retries=len(failed) - dead,
                load_dead_lettered=dead,
            )

    def _fail(self, stage: str, records: Sequence[SqsRecord], failed: dict[str, str]) -> int:
        if not failed:
            return 0
        dead = self.queue.fail(list(failed.items()), retry_delay=self.settings.retry_delay_seconds)
        if dead:
            counts = {r.message_id: r.receive_count for r in records}
            for message_id, reason in failed.items():
                if counts.get(message_id, 0) >= self.settings.max_attempts:
                    log_event(
                        gen_logger if stage == "gen" else load_logger,
                        "dead_lettered",
                        level=logging.WARNING,
                        messageId=message_id,
                        receiveCount=counts[message_id],
                        reason=reason,
                    )
        return dead


def _worker_runner() -> Any:
    from stac_ingest.sdk.generation import WorkerRunner

    return WorkerRunner()
