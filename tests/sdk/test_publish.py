"""Batched, concurrent publishing to SNS in moto: retries, partial failures, oversize bodies."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import boto3
import pytest

from stac_ingest import Pipeline
from stac_ingest.errors import AwsError
from stac_ingest.outputs import MAX_MESSAGE_BYTES
from stac_ingest.sdk.aws import make_session
from stac_ingest.sdk.progress import ProgressUpdate
from stac_ingest.sdk.publish import Entry, publish_entries
from tests.sdk.conftest import STACK, MotoStack, throttle_first


def _entries(n: int) -> list[Entry]:
    return [Entry(index=i, line=i + 1, body=json.dumps({"n": i})) for i in range(n)]


def test_publishes_every_entry_in_batches(moto_stack: MotoStack) -> None:
    session = make_session()
    calls: list[int] = []
    session.events.register(
        "provide-client-params.sns.PublishBatch",
        lambda params, **_: calls.append(len(params["PublishBatchRequestEntries"])),
    )
    pipeline = Pipeline.from_stack(STACK, session=session)
    updates: list[ProgressUpdate] = []
    report = publish_entries(pipeline.backend, "gen", _entries(45), progress=updates.append)
    assert report.published == 45 and report.ok
    assert sorted(calls) == [5, 10, 10, 10, 10]
    assert sum(u.advance for u in updates) == 45
    assert sorted(m["n"] for m in moto_stack.messages("gen")) == list(range(45))


def test_batches_stay_under_the_size_limit(moto_stack: MotoStack) -> None:
    session = make_session()
    sizes: list[int] = []
    session.events.register(
        "provide-client-params.sns.PublishBatch",
        lambda params, **_: sizes.append(
            sum(len(e["Message"].encode()) for e in params["PublishBatchRequestEntries"])
        ),
    )
    pipeline = Pipeline.from_stack(STACK, session=session)
    big = "x" * 100_000
    entries = [Entry(index=i, line=i + 1, body=json.dumps({"n": i, "pad": big})) for i in range(5)]
    report = publish_entries(pipeline.backend, "load", entries)
    assert report.published == 5
    assert len(sizes) == 3 and max(sizes) <= MAX_MESSAGE_BYTES
    assert len(moto_stack.messages("load")) == 5


def test_throttling_storm_is_retried_to_completion(moto_stack: MotoStack) -> None:
    session = make_session()
    counter = throttle_first(session, calls=6)
    pipeline = Pipeline.from_stack(STACK, session=session)
    report = publish_entries(pipeline.backend, "gen", _entries(30))
    assert counter[0] == 6 and counter[1] >= 3
    assert report.published == 30 and report.failed == 0
    assert sorted(m["n"] for m in moto_stack.messages("gen")) == list(range(30))


def test_server_errors_are_retried(moto_stack: MotoStack) -> None:
    session = make_session()
    counter = throttle_first(session, calls=2, code="InternalError")
    pipeline = Pipeline.from_stack(STACK, session=session)
    assert publish_entries(pipeline.backend, "gen", _entries(3)).published == 3
    assert counter[0] == 2
    assert len(moto_stack.messages("gen")) == 3


def test_failed_entries_of_a_batch_are_sent_again(moto_stack: MotoStack) -> None:
    """SNS reports the last entry of the first calls as failed (throttled): it is resent."""
    session = make_session()
    dropped: list[dict[str, Any]] = []
    just_dropped: list[dict[str, Any]] = []

    def drop_last(params: dict[str, Any], **_: Any) -> None:
        entries = params["PublishBatchRequestEntries"]
        if len(dropped) < 2 and len(entries) > 1:
            dropped.append(entries.pop())
            just_dropped.append(dropped[-1])

    def report_dropped(parsed: dict[str, Any], **_: Any) -> None:
        while just_dropped:
            entry = just_dropped.pop()
            parsed.setdefault("Failed", []).append(
                {"Id": entry["Id"], "Code": "Throttling", "SenderFault": False,
                 "Message": "Rate exceeded"}
            )  # fmt: skip

    session.events.register("provide-client-params.sns.PublishBatch", drop_last)
    session.events.register("after-call.sns.PublishBatch", report_dropped)
    pipeline = Pipeline.from_stack(STACK, session=session)
    pipeline.backend.publish_concurrency = 1
    report = publish_entries(pipeline.backend, "gen", _entries(20))
    assert len(dropped) == 2
    assert report.published == 20 and report.failed == 0
    numbers = sorted(m["n"] for m in moto_stack.messages("gen"))
    assert numbers == list(range(20))  # each exactly once


def test_a_refused_call_fails_the_run(moto_stack: MotoStack) -> None:
    session = make_session()
    throttle_first(session, calls=1, code="AuthorizationError")
    pipeline = Pipeline.from_stack(STACK, session=session)
    with pytest.raises(AwsError, match="AuthorizationError"):
        publish_entries(pipeline.backend, "gen", _entries(3))


def test_rejected_entries_are_reported_and_not_sent(moto_stack: MotoStack) -> None:
    pipeline = Pipeline.from_stack(STACK)
    entries = [*_entries(3), Entry(index=3, line=9, error="malformed JSON: oops")]
    report = publish_entries(pipeline.backend, "gen", entries)
    assert (report.published, report.rejected) == (3, 1)
    assert report.errors[0].line == 9 and "malformed" in report.errors[0].reason
    assert len(moto_stack.messages("gen")) == 3


def test_oversize_without_bucket_is_rejected(moto_stack: MotoStack) -> None:
    pipeline = Pipeline.from_stack(STACK)
    body = json.dumps({"pad": "y" * (MAX_MESSAGE_BYTES + 10)})
    report = publish_entries(pipeline.backend, "load", [Entry(index=0, line=4, body=body)])
    assert report.published == 0 and report.rejected == 1
    assert report.errors[0].line == 4 and "no payload bucket" in report.errors[0].reason
    assert moto_stack.depth(moto_stack.queue("load")) == 0


def test_oversize_with_bucket_goes_as_a_pointer(make_stack: Callable[..., MotoStack]) -> None:
    stack = make_stack(bucket=True)
    pipeline = Pipeline.from_stack(STACK)
    body = json.dumps({"pad": "z" * (MAX_MESSAGE_BYTES + 10)})
    report = publish_entries(pipeline.backend, "load", [Entry(index=0, line=1, body=body)])
    assert report.published == 1 and report.stored_payloads == 1
    (message,) = stack.messages("load")
    assert set(message) == {"href"} and message["href"].startswith("s3://")
    bucket, _, key = message["href"][5:].partition("/")
    stored = boto3.client("s3").get_object(Bucket=bucket, Key=key)["Body"].read()
    assert stored == body.encode()


def test_in_flight_work_is_bounded(moto_stack: MotoStack) -> None:
    """The stream is pulled only a few batches ahead of what was sent: memory stays flat."""
    session = make_session()
    pulled = [0]
    ahead: list[int] = []
    sent = [0]

    def measure(params: dict[str, Any], **_: Any) -> None:
        sent[0] += len(params["PublishBatchRequestEntries"])
        ahead.append(pulled[0] - sent[0])

    session.events.register("provide-client-params.sns.PublishBatch", measure)
    pipeline = Pipeline.from_stack(STACK, session=session)
    pipeline.backend.publish_concurrency = 2

    def stream() -> Any:
        for entry in _entries(150):
            pulled[0] += 1
            yield entry

    report = publish_entries(pipeline.backend, "load", stream())
    assert report.published == 150
    # at most 2 x concurrency batches in flight plus the one being filled
    assert max(ahead) <= (2 * 2 + 1) * 10
    assert len(moto_stack.messages("load")) == 150
