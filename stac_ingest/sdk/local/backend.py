"""The local target of :class:`~stac_ingest.sdk.pipeline.Pipeline`: queues in SQLite.

``Pipeline.local(home, dsn)`` (the CLI's ``--local``) wraps a :class:`LocalBackend`, so
``generate``, ``load-items``, ``collections``, ``dlq``, ``logs`` and ``status`` work on
the local pipeline as they do on a deployed stack. Publishing only enqueues;
:meth:`LocalBackend.drain` runs both stages until the queues are empty.
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from stac_ingest.errors import StacIngestError
from stac_ingest.sdk.backend import DeadLetter, LogEvent, PublishOutcome, QueueStats, Stage
from stac_ingest.sdk.local.database import LocalDatabase
from stac_ingest.sdk.local.queue import LocalQueue, StoredDeadLetter
from stac_ingest.sdk.local.runner import LocalRunner, RunReport
from stac_ingest.sdk.local.settings import LocalSettings, load_settings, resolve_home
from stac_ingest.sdk.progress import Progress


def _label(home: Path) -> str:
    with contextlib.suppress(ValueError):
        return f"local:{home.relative_to(Path.cwd())}"
    return f"local:{home}"


class LocalBackend:
    """The local embedded pipeline whose state lives in ``home``."""

    #: Rows per enqueue transaction (publish_entries also caps a batch at 256 KiB).
    max_batch_entries = 1000
    #: SQLite has one writer: concurrent publishers would only wait for each other.
    publish_concurrency = 1

    def __init__(
        self,
        home: str | Path | None = None,
        dsn: str | None = None,
        *,
        settings: LocalSettings | None = None,
    ) -> None:
        self.home = resolve_home(home)
        self.settings = settings or load_settings(self.home)
        self.label = _label(self.home)
        self.database = LocalDatabase(self.home, dsn)
        self._queue: LocalQueue | None = None

    def __repr__(self) -> str:
        return f"LocalBackend({self.label!r})"

    @property
    def queue(self) -> LocalQueue:
        if self._queue is None:
            self._queue = LocalQueue(
                self.home / "queue.db", max_attempts=self.settings.max_attempts
            )
        return self._queue

    def close(self) -> None:
        if self._queue is not None:
            self._queue.close()
            self._queue = None

    # -- Backend -----------------------------------------------------------------------
    def publish(self, stage: Stage, bodies: Sequence[str]) -> PublishOutcome:
        try:
            self.queue.send(stage, bodies)
        except sqlite3.Error as exc:
            return PublishOutcome(errors=[f"local queue: {exc}"] * len(bodies))
        return PublishOutcome(errors=[None] * len(bodies))

    def store_payload(self, key: str, body: bytes) -> str | None:
        from stac_ingest.sdk.local.payloads import LocalPayloadStore

        return LocalPayloadStore(self.home / "payloads").put(body)

    def queue_stats(self, stage: Stage) -> QueueStats:
        depth = self.queue.depth(stage)
        age = None if depth.oldest_sent_at is None else max(0.0, time.time() - depth.oldest_sent_at)
        return QueueStats(
            stage=stage,
            visible=depth.visible,
            in_flight=depth.in_flight,
            oldest_age_seconds=age,
            dead_letters=depth.dead_letters,
        )

    def dlq_count(self, stage: Stage) -> int:
        return self.queue.dead_count(stage)

    def dlq_peek(self, stage: Stage, limit: int) -> list[DeadLetter]:
        return [_dead_letter(d) for d in self.queue.dead_letters(stage, limit)]

    def dlq_iter(self, stage: Stage) -> Iterator[DeadLetter]:
        return (_dead_letter(d) for d in self.queue.dead_letters(stage))

    def dlq_replay(self, stage: Stage, limit: int | None) -> int:
        return self.queue.replay(stage, limit)

    def dlq_purge(self, stage: Stage) -> int:
        return self.queue.purge(stage)

    def logs(
        self, stage: Stage, *, since: datetime, filter_text: str | None, follow: bool
    ) -> Iterator[LogEvent]:
        from stac_ingest.sdk.local.logfile import read_events

        return read_events(self.home, stage, since=since, filter_text=filter_text, follow=follow)

    def database_dsn(self) -> str | None:
        """The ``--dsn`` pgstac, or the managed cluster (started and migrated on demand)."""
        return self.database.ensure()

    def stac_api_url(self) -> str | None:
        """The URL of a ``stac-ingest local api`` serving this state dir, if one runs."""
        from stac_ingest.sdk.local.api import running_api_url

        return running_api_url(self.home)

    def serve_api(self, *, host: str = "127.0.0.1", port: int | None = None) -> None:
        """Serve this pipeline's pgstac as a STAC API until interrupted (blocking)."""
        from stac_ingest.sdk.local.api import serve

        dsn = self.database.ensure()
        serve(dsn, home=self.home, host=host, port=port or self.settings.api_port)

    # -- the local runner --------------------------------------------------------------
    def drain(self, progress: Progress | None = None) -> RunReport:
        """Run both stages until every queued message is processed or dead-lettered."""
        runner = LocalRunner(self.home, self.settings, self.queue, self.database.ensure)
        return runner.drain(progress)


def _dead_letter(stored: StoredDeadLetter) -> DeadLetter:
    from stac_ingest.sdk.records import unwrap

    message: Any
    try:
        message, _ = unwrap(stored.body)
    except StacIngestError:
        message = stored.body
    return DeadLetter(
        message_id=stored.message_id,
        receive_count=stored.receive_count,
        body=stored.body,
        message=message,
        sent_at=datetime.fromtimestamp(stored.sent_at, UTC),
        reason=stored.reason,
    )
