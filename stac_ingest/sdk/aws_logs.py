"""Reading a Lambda's CloudWatch Logs: paginated, optionally following new events."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from stac_ingest.errors import DeploymentError
from stac_ingest.sdk.aws import as_stac_ingest_error
from stac_ingest.sdk.backend import LogEvent


def events(
    logs: Any,
    group: str,
    *,
    since: datetime,
    filter_text: str | None,
    follow: bool,
    poll_seconds: float = 2.0,
) -> Iterator[LogEvent]:
    """Events of ``group`` from ``since`` on; with ``follow``, polls for new ones forever."""
    import botocore.exceptions

    start_ms = int(since.timestamp() * 1000)
    seen: set[str] = set()
    while True:
        kwargs: dict[str, Any] = {"logGroupName": group, "startTime": start_ms, "interleaved": True}
        if filter_text:
            kwargs["filterPattern"] = '"' + filter_text.replace('"', '\\"') + '"'
        newest = start_ms
        batch_ids: set[str] = set()
        try:
            while True:
                page = logs.filter_log_events(**kwargs)
                for event in page.get("events", []):
                    event_id = event.get("eventId") or f"{event['timestamp']}:{event['message']}"
                    batch_ids.add(event_id)
                    newest = max(newest, int(event["timestamp"]))
                    if event_id in seen:
                        continue
                    yield LogEvent(
                        timestamp=datetime.fromtimestamp(event["timestamp"] / 1000, UTC),
                        message=event["message"].rstrip("\n"),
                        stream=event.get("logStreamName"),
                    )
                token = page.get("nextToken")
                if not token or token == kwargs.get("nextToken"):
                    break
                kwargs["nextToken"] = token
        except botocore.exceptions.ClientError as exc:
            code = exc.response.get("Error", {}).get("Code")
            if code != "ResourceNotFoundException":
                raise as_stac_ingest_error(exc) from exc
            if not follow:
                raise DeploymentError(
                    f"log group {group} does not exist",
                    hint="the function has not run yet, or the stack is not deployed",
                ) from exc
        if not follow:
            return
        # the next poll starts at the newest timestamp; events at that instant are deduped
        seen = {e for e in seen | batch_ids} if newest == start_ms else batch_ids
        start_ms = newest
        time.sleep(poll_seconds)
