"""The primitives a pipeline target provides: a deployed AWS stack or the local pipeline.

:class:`stac_ingest.sdk.pipeline.Pipeline` holds one :class:`Backend` and builds every
operator operation (generate, load-items, collections, dlq, logs, status) on these
primitives, so the same SDK code drives both targets. Backends only move messages and
read state; validation, batching, progress and checkpoints live above them.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any, Literal, Protocol

from pydantic import BaseModel, Field

Stage = Literal["gen", "load"]
STAGES: tuple[Stage, ...] = ("gen", "load")


class QueueStats(BaseModel):
    """Depth of one stage's queue and dead-letter queue."""

    stage: Stage
    visible: int
    in_flight: int
    oldest_age_seconds: float | None = None
    dead_letters: int


class DeadLetter(BaseModel):
    """One dead-lettered message, with its envelope unwrapped."""

    message_id: str
    receive_count: int
    body: str = Field(description="The raw body as it sits in the dead-letter queue")
    message: Any = Field(description="The unwrapped message: parsed JSON, or the text")
    sent_at: datetime | None = None
    reason: str | None = Field(None, description="Why it was dead-lettered, where known (local)")

    def render(self, stage: str) -> str:
        """A human block: header, why it failed (or where to look), the message."""
        import json

        sent = f", sent {self.sent_at:%Y-%m-%d %H:%M:%S}" if self.sent_at else ""
        why = (
            f"reason: {self.reason}"
            if self.reason
            else f"reason: see `stac-ingest logs {stage} --since 14d --filter {self.message_id}`"
        )
        message = (
            self.message if isinstance(self.message, str) else json.dumps(self.message, indent=2)
        )
        return f"--- {self.message_id} (received {self.receive_count}x{sent})\n{why}\n{message}"


class LogEvent(BaseModel):
    timestamp: datetime
    message: str
    stream: str | None = None


class PublishOutcome(BaseModel):
    """Per-entry result of one publish batch: ``errors[i]`` is None when entry i went."""

    errors: list[str | None]


class Backend(Protocol):
    """What a pipeline target must provide."""

    #: A short label for messages, e.g. ``aws:myproj-dev`` or ``local:.stac-ingest``.
    label: str

    #: Largest batch one ``publish`` call takes (10 for SNS PublishBatch).
    max_batch_entries: int

    #: How many ``publish`` calls may run at once.
    publish_concurrency: int

    def publish(self, stage: Stage, bodies: Sequence[str]) -> PublishOutcome:
        """Send message bodies to a stage's input (the SNS topic, or the local queue)."""
        ...

    def store_payload(self, key: str, body: bytes) -> str | None:
        """Store an oversize message and return its href, or None if there is no store."""
        ...

    def queue_stats(self, stage: Stage) -> QueueStats: ...

    def dlq_count(self, stage: Stage) -> int: ...

    def dlq_peek(self, stage: Stage, limit: int) -> list[DeadLetter]:
        """Look at up to ``limit`` dead letters without removing them."""
        ...

    def dlq_iter(self, stage: Stage) -> Iterator[DeadLetter]:
        """Every dead letter, without removing any (for export)."""
        ...

    def dlq_replay(self, stage: Stage, limit: int | None) -> int:
        """Move dead letters back to the stage's source queue; returns how many moved."""
        ...

    def dlq_purge(self, stage: Stage) -> int:
        """Delete every dead letter; returns how many (or an estimate, for SQS)."""
        ...

    def logs(
        self, stage: Stage, *, since: datetime, filter_text: str | None, follow: bool
    ) -> Iterator[LogEvent]: ...

    def database_dsn(self) -> str | None:
        """A libpq connection string for direct pgstac access, when one can be had."""
        ...

    def stac_api_url(self) -> str | None: ...
