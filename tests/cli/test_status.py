"""``stac-ingest status`` against the moto stack."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from tests.cli.conftest import Result
from tests.sdk.conftest import MotoStack


def test_status(
    run: Callable[..., Result], db_stack: MotoStack, pgstac_collection: dict[str, Any]
) -> None:
    db_stack.sqs.send_message(QueueUrl=db_stack.queue("load"), MessageBody="{}")
    result = run("status")
    assert result.code == 0, result.err
    assert pgstac_collection["id"] in result.out and "STAC API" in result.out
    data = json.loads(run("--json", "status").out)
    assert [s["visible"] for s in data["stages"]] == [0, 1]


def test_status_no_db(run: Callable[..., Result], moto_stack: MotoStack) -> None:
    result = run("--json", "status", "--no-db")
    assert result.code == 0
    assert json.loads(result.out)["collections"] is None


def test_status_watch_refreshes_until_ctrl_c(
    run: Callable[..., Result], moto_stack: MotoStack, monkeypatch: Any
) -> None:
    from types import SimpleNamespace

    sleeps: list[float] = []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        if len(sleeps) == 2:
            raise KeyboardInterrupt

    monkeypatch.setattr("stac_ingest.cli.status.time", SimpleNamespace(sleep=sleep))
    result = run("status", "--no-db", "--watch", "--interval", "2")
    assert result.code == 0
    assert result.out.count("in-flight") == 2 and sleeps == [2, 2]
