"""``status``: queue depths per stage, dead letters, and item counts per collection."""

from __future__ import annotations

from datetime import UTC, datetime

from pydantic import BaseModel, Field

from stac_ingest.errors import StacIngestError
from stac_ingest.sdk.backend import STAGES, Backend, QueueStats
from stac_ingest.sdk.pgstac_db import CollectionInfo


class StatusReport(BaseModel):
    target: str
    checked_at: datetime
    stages: list[QueueStats]
    collections: list[CollectionInfo] | None = Field(
        None, description="Item counts per collection; None without database access"
    )
    database_note: str | None = Field(None, description="Why there are no collection counts")
    stac_api_url: str | None = None

    def render(self) -> str:
        lines = [f"{self.target}  ({self.checked_at:%Y-%m-%d %H:%M:%S} UTC)"]
        lines.append(f"{'stage':<6} {'visible':>9} {'in-flight':>10} {'oldest':>9} {'dead':>7}")
        for s in self.stages:
            age = "-" if s.oldest_age_seconds is None else f"{s.oldest_age_seconds:.0f}s"
            lines.append(
                f"{s.stage:<6} {s.visible:>9,} {s.in_flight:>10,} {age:>9} {s.dead_letters:>7,}"
            )
        if self.collections is not None:
            lines.append("")
            lines.append(f"{'collection':<40} {'items':>12}")
            lines += [f"{c.id:<40} {c.items:>12,}" for c in self.collections]
        elif self.database_note:
            lines.append(f"collections: not shown ({self.database_note})")
        if self.stac_api_url:
            lines.append(f"STAC API: {self.stac_api_url}")
        return "\n".join(lines)


def status(backend: Backend, *, dsn: str | None = None, with_database: bool = True) -> StatusReport:
    stages = [backend.queue_stats(stage) for stage in STAGES]
    report = StatusReport(
        target=backend.label,
        checked_at=datetime.now(UTC),
        stages=stages,
        stac_api_url=backend.stac_api_url(),
    )
    if not with_database:
        return report
    try:
        target = dsn or backend.database_dsn()
        if target is None:
            report.database_note = "no database access: pass --dsn"
            return report
        from stac_ingest.sdk.pgstac_db import list_collections

        report.collections = list_collections(target)
    except StacIngestError as exc:
        report.database_note = exc.message
    return report
