"""Logs from CloudWatch Logs in moto: since, filter, pagination, follow."""

from __future__ import annotations

import contextlib
import time
from datetime import UTC, datetime, timedelta

import boto3
import pytest

from stac_ingest import Pipeline
from stac_ingest.errors import DeploymentError, UsageError
from stac_ingest.sdk.logs import parse_since
from tests.sdk.conftest import STACK, MotoStack

GROUP = "/aws/lambda/item-gen-function"


def _put(messages: list[str], *, age_seconds: float = 0, stream: str = "s1") -> None:
    logs = boto3.client("logs")
    with contextlib.suppress(logs.exceptions.ResourceAlreadyExistsException):
        logs.create_log_group(logGroupName=GROUP)
    with contextlib.suppress(logs.exceptions.ResourceAlreadyExistsException):
        logs.create_log_stream(logGroupName=GROUP, logStreamName=stream)
    now = int((time.time() - age_seconds) * 1000)
    logs.put_log_events(
        logGroupName=GROUP,
        logStreamName=stream,
        logEvents=[{"timestamp": now + i, "message": m} for i, m in enumerate(messages)],
    )


def test_parse_since() -> None:
    now = datetime(2026, 1, 1, 12, tzinfo=UTC)
    assert parse_since("10m", now=now) == now - timedelta(minutes=10)
    assert parse_since("2h", now=now) == now - timedelta(hours=2)
    assert parse_since("1d", now=now) == now - timedelta(days=1)
    assert parse_since("2026-01-01T10:00:00Z") == datetime(2026, 1, 1, 10, tzinfo=UTC)
    with pytest.raises(UsageError, match="--since"):
        parse_since("yesterday")


def test_reads_events_since(moto_stack: MotoStack) -> None:
    _put(["old event"], age_seconds=3600)
    _put(["START", "ERROR item x failed", "END"])
    pipeline = Pipeline.from_stack(STACK)
    messages = [e.message for e in pipeline.logs("gen", since="10m")]
    assert messages == ["START", "ERROR item x failed", "END"]
    assert next(e.message for e in pipeline.logs("gen", since="2h")) == "old event"


def test_filter(moto_stack: MotoStack) -> None:
    _put(["START", "ERROR item x failed", "END"])
    events = list(Pipeline.from_stack(STACK).logs("gen", filter_text="ERROR"))
    assert [e.message for e in events] == ["ERROR item x failed"]


def test_follow_yields_new_events(moto_stack: MotoStack) -> None:
    _put(["first"])
    pipeline = Pipeline.from_stack(STACK)
    pipeline.backend.poll_seconds = 0.05  # type: ignore[attr-defined]
    events = pipeline.logs("gen", follow=True)
    assert next(events).message == "first"
    _put(["second", "third"], stream="s2")
    assert [next(events).message, next(events).message] == ["second", "third"]


def test_missing_log_group(moto_stack: MotoStack) -> None:
    with pytest.raises(DeploymentError, match="item-load-function does not exist"):
        list(Pipeline.from_stack(STACK).logs("load"))


def test_unknown_stage(moto_stack: MotoStack) -> None:
    with pytest.raises(UsageError, match="unknown stage"):
        Pipeline.from_stack(STACK).logs("nope")
