"""Reading a stage's logs from a time on (``--since 10m``), optionally following."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from stac_ingest.errors import UsageError
from stac_ingest.sdk.backend import Backend, LogEvent
from stac_ingest.sdk.dlq import parse_stage

_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
_RELATIVE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$")


def parse_since(value: str | datetime, *, now: datetime | None = None) -> datetime:
    """``10m``, ``2h``, ``1d``... before now, or an ISO 8601 time (UTC when naive)."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    match = _RELATIVE.match(value)
    if match:
        delta = timedelta(**{_UNITS[match.group(2)]: float(match.group(1))})
        return (now or datetime.now(UTC)) - delta
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise UsageError(
            f"--since must be a duration like 10m, 2h, 1d or an ISO time, got {value!r}"
        ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def events(
    backend: Backend,
    stage: str,
    *,
    since: str | datetime = "10m",
    filter_text: str | None = None,
    follow: bool = False,
) -> Iterator[LogEvent]:
    """The stage's log events; with ``follow`` the iterator never ends (stop consuming it)."""
    name = parse_stage(stage)
    start = parse_since(since)
    return backend.logs(name, since=start, filter_text=filter_text or None, follow=follow)
