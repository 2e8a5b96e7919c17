"""Progress callbacks and the reports that long operations return."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from pydantic import BaseModel, Field

from stac_ingest.errors import PartialFailure

MAX_REPORTED_ERRORS = 100


@dataclass(frozen=True)
class ProgressUpdate:
    """``advance`` records were handled; ``total`` is set once known; ``note`` is a warning."""

    advance: int = 0
    total: int | None = None
    note: str | None = None


Progress = Callable[[ProgressUpdate], None]


def notify(progress: Progress | None, update: ProgressUpdate) -> None:
    if progress is not None:
        progress(update)


class RecordError(BaseModel):
    """A rejected or failed record: its 1-based line in the input, and why."""

    line: int
    reason: str


class PublishReport(BaseModel):
    """The outcome of publishing a stream of records to a stage."""

    stage: str
    published: int = 0
    failed: int = Field(0, description="Sent but refused after all retries")
    rejected: int = Field(0, description="Never sent: invalid or oversize")
    stored_payloads: int = Field(0, description="Oversize messages sent as {'href': ...}")
    elapsed_seconds: float = 0.0
    rate_per_second: float = 0.0
    errors: list[RecordError] = Field(default_factory=list)
    more_errors: int = Field(0, description="Errors beyond the ones listed")
    warnings: list[str] = Field(default_factory=list)
    resumed_at: int | None = Field(None, description="Record index a --resume run started at")

    def add_error(self, line: int, reason: str) -> None:
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append(RecordError(line=line, reason=reason))
        else:
            self.more_errors += 1

    @property
    def ok(self) -> bool:
        return not self.failed and not self.rejected

    def summary(self) -> str:
        text = (
            f"published {self.published:,}, failed {self.failed:,}, rejected {self.rejected:,} "
            f"in {self.elapsed_seconds:.1f} s ({self.rate_per_second:,.0f}/s)"
        )
        if self.stored_payloads:
            text += f"; {self.stored_payloads:,} oversize sent through the payload bucket"
        return text

    def raise_for_failures(self) -> None:
        """Raise :class:`PartialFailure` when any record was rejected or failed."""
        if self.ok:
            return
        total = self.published + self.failed + self.rejected
        first = (
            f" (first: line {self.errors[0].line}: {self.errors[0].reason})" if self.errors else ""
        )
        raise PartialFailure(
            f"{self.failed + self.rejected:,} of {total:,} records not published{first}"
        )
