"""``stac-ingest logs`` against CloudWatch Logs in moto."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import boto3

from tests.cli.conftest import Result
from tests.sdk.conftest import MotoStack


def test_logs(run: Callable[..., Result], moto_stack: MotoStack) -> None:
    logs = boto3.client("logs")
    group = "/aws/lambda/item-load-function"
    logs.create_log_group(logGroupName=group)
    logs.create_log_stream(logGroupName=group, logStreamName="s")
    now = int(time.time() * 1000)
    logs.put_log_events(
        logGroupName=group,
        logStreamName="s",
        logEvents=[
            {"timestamp": now, "message": "loaded 5"},
            {"timestamp": now + 1, "message": "ERROR x"},
        ],
    )
    result = run("logs", "load", "--since", "5m")
    assert result.code == 0
    assert [line.split(" ", 1)[1] for line in result.out.splitlines()] == ["loaded 5", "ERROR x"]
    filtered = run("--json", "logs", "load", "--filter", "ERROR")
    assert [json.loads(x)["message"] for x in filtered.out.splitlines()] == ["ERROR x"]


def test_logs_bad_since(run: Callable[..., Result], moto_stack: MotoStack) -> None:
    result = run("logs", "gen", "--since", "last week")
    assert result.code == 2 and result.error_lines[0].startswith("error: --since must be")
