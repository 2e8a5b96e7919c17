"""A target that is only a pgstac database: ``--dsn`` with neither ``--stack`` nor ``--local``.

Direct operations (``load-items --direct``, ``collections upsert --direct``,
``collections list``, ``map``) need nothing else; everything that moves messages says
clearly that it needs a pipeline.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import NoReturn

from stac_ingest.errors import UsageError
from stac_ingest.sdk.backend import DeadLetter, LogEvent, PublishOutcome, QueueStats, Stage


class DatabaseBackend:
    """Direct database access only."""

    max_batch_entries = 10
    publish_concurrency = 1

    def __init__(self, dsn: str) -> None:
        from psycopg.conninfo import conninfo_to_dict

        self._dsn = dsn
        info = conninfo_to_dict(dsn)
        self.label = f"db:{info.get('host', 'localhost')}/{info.get('dbname', '')}"

    def _needs_pipeline(self) -> NoReturn:
        raise UsageError(
            "this needs a pipeline, and only a database was given",
            hint="pass --stack NAME or --local, or use --direct where the command has it",
        )

    def publish(self, stage: Stage, bodies: Sequence[str]) -> PublishOutcome:
        self._needs_pipeline()

    def store_payload(self, key: str, body: bytes) -> str | None:
        self._needs_pipeline()

    def queue_stats(self, stage: Stage) -> QueueStats:
        self._needs_pipeline()

    def dlq_count(self, stage: Stage) -> int:
        self._needs_pipeline()

    def dlq_peek(self, stage: Stage, limit: int) -> list[DeadLetter]:
        self._needs_pipeline()

    def dlq_iter(self, stage: Stage) -> Iterator[DeadLetter]:
        self._needs_pipeline()

    def dlq_replay(self, stage: Stage, limit: int | None) -> int:
        self._needs_pipeline()

    def dlq_purge(self, stage: Stage) -> int:
        self._needs_pipeline()

    def logs(
        self, stage: Stage, *, since: datetime, filter_text: str | None, follow: bool
    ) -> Iterator[LogEvent]:
        self._needs_pipeline()

    def database_dsn(self) -> str | None:
        return self._dsn

    def stac_api_url(self) -> str | None:
        return None
