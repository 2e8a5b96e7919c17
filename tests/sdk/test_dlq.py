"""Dead letters in moto: count, non-destructive peek and export, replay (fallback), purge;
the StartMessageMoveTask path with botocore's Stubber (moto lacks it)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import boto3
import pytest
from botocore.stub import Stubber

from stac_ingest import Pipeline
from stac_ingest.errors import AwsError, UsageError
from stac_ingest.sdk import aws_dlq
from tests.conftest import sns_envelope
from tests.sdk.conftest import STACK, MotoStack


def _seed(stack: MotoStack, stage: str, n: int) -> None:
    for i in range(n):
        stack.sqs.send_message(
            QueueUrl=stack.dlq(stage),
            MessageBody=sns_envelope({"n": i}, timestamp="2026-03-01T12:00:00.000Z"),
        )


def test_count_both_stages(moto_stack: MotoStack) -> None:
    _seed(moto_stack, "gen", 3)
    _seed(moto_stack, "load", 1)
    pipeline = Pipeline.from_stack(STACK)
    assert pipeline.dlq_count().counts == {"gen": 3, "load": 1}
    assert pipeline.dlq_count("load").counts == {"load": 1}


def test_peek_is_not_destructive(moto_stack: MotoStack) -> None:
    _seed(moto_stack, "gen", 4)
    pipeline = Pipeline.from_stack(STACK)
    letters = pipeline.dlq_peek("gen", 2)
    assert len(letters) == 2
    assert all(isinstance(x.message, dict) and "n" in x.message for x in letters)
    assert letters[0].receive_count >= 1
    assert letters[0].sent_at is not None and letters[0].sent_at.year == 2026
    assert pipeline.dlq_count("gen").counts["gen"] == 4
    assert len(pipeline.dlq_peek("gen", 10)) == 4  # all visible again at once


def test_export_writes_ndjson_and_keeps_messages(moto_stack: MotoStack, tmp_path: Path) -> None:
    _seed(moto_stack, "load", 5)
    moto_stack.sqs.send_message(QueueUrl=moto_stack.dlq("load"), MessageBody="not json")
    pipeline = Pipeline.from_stack(STACK)
    out = tmp_path / "dead.ndjson"
    result = pipeline.dlq_export("load", out)
    assert result.exported == 6
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert sorted(r["message"]["n"] for r in rows if isinstance(r["message"], dict)) == list(
        range(5)
    )
    assert "not json" in [r["message"] for r in rows]
    assert pipeline.dlq_count("load").counts["load"] == 6
    stream = io.StringIO()
    assert pipeline.dlq_export("load", stream).exported == 6
    assert len(stream.getvalue().splitlines()) == 6


def test_replay_moves_everything_back(moto_stack: MotoStack) -> None:
    _seed(moto_stack, "gen", 13)
    pipeline = Pipeline.from_stack(STACK)
    result = pipeline.dlq_replay("gen")  # moto has no move task: the fallback runs
    assert result.moved == 13
    assert pipeline.dlq_count("gen").counts["gen"] == 0
    assert sorted(m["n"] for m in moto_stack.messages("gen")) == list(range(13))


def test_replay_with_max(moto_stack: MotoStack) -> None:
    _seed(moto_stack, "load", 5)
    pipeline = Pipeline.from_stack(STACK)
    assert pipeline.dlq_replay("load", limit=2).moved == 2
    assert pipeline.dlq_count("load").counts["load"] == 3
    assert len(moto_stack.messages("load")) == 2


def test_purge(moto_stack: MotoStack) -> None:
    _seed(moto_stack, "gen", 3)
    pipeline = Pipeline.from_stack(STACK)
    assert pipeline.dlq_purge("gen").purged == 3
    assert pipeline.dlq_count("gen").counts["gen"] == 0


@pytest.mark.parametrize("call", ["count", "peek", "replay", "purge", "export"])
def test_unknown_stage(moto_stack: MotoStack, call: str, tmp_path: Path) -> None:
    pipeline = Pipeline.from_stack(STACK)
    args: tuple[object, ...] = ("gne",) if call != "export" else ("gne", tmp_path / "x")
    with pytest.raises(UsageError, match="unknown stage 'gne'"):
        getattr(pipeline, f"dlq_{call}")(*args)
    assert not (tmp_path / "x").exists()


DLQ_ARN = "arn:aws:sqs:us-east-1:123456789012:gen-dlq"
SRC_ARN = "arn:aws:sqs:us-east-1:123456789012:gen-queue"


def _stubbed() -> tuple[object, Stubber]:
    sqs = boto3.client(
        "sqs", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x"
    )
    return sqs, Stubber(sqs)


def test_move_task_runs_to_completion() -> None:
    sqs, stub = _stubbed()
    stub.add_response(
        "start_message_move_task",
        {"TaskHandle": "handle-1"},
        {"SourceArn": DLQ_ARN, "DestinationArn": SRC_ARN},
    )
    stub.add_response(
        "list_message_move_tasks",
        {"Results": [{"Status": "RUNNING", "ApproximateNumberOfMessagesMoved": 3}]},
        {"SourceArn": DLQ_ARN, "MaxResults": 1},
    )
    stub.add_response(
        "list_message_move_tasks",
        {"Results": [{"Status": "COMPLETED", "ApproximateNumberOfMessagesMoved": 7}]},
        {"SourceArn": DLQ_ARN, "MaxResults": 1},
    )
    with stub:
        assert aws_dlq.move_with_task(sqs, DLQ_ARN, SRC_ARN, poll_seconds=0) == 7
    stub.assert_no_pending_responses()


def test_move_task_failure_is_reported() -> None:
    sqs, stub = _stubbed()
    stub.add_response("start_message_move_task", {"TaskHandle": "h"})
    stub.add_response(
        "list_message_move_tasks",
        {"Results": [{"Status": "FAILED", "ApproximateNumberOfMessagesMoved": 2,
                      "FailureReason": "AccessDenied"}]},
    )  # fmt: skip
    with stub, pytest.raises(AwsError, match="after 2 messages: AccessDenied"):
        aws_dlq.move_with_task(sqs, DLQ_ARN, SRC_ARN, poll_seconds=0)


def test_move_task_unsupported_means_fallback() -> None:
    sqs, stub = _stubbed()
    stub.add_client_error("start_message_move_task", "UnsupportedOperation", http_status_code=400)
    with stub:
        assert aws_dlq.move_with_task(sqs, DLQ_ARN, SRC_ARN, poll_seconds=0) is None
