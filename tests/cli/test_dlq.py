"""``stac-ingest dlq`` against the moto stack."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.cli.conftest import Result
from tests.conftest import sns_envelope
from tests.sdk.conftest import MotoStack


def _seed(stack: MotoStack, stage: str, n: int) -> None:
    for i in range(n):
        stack.sqs.send_message(QueueUrl=stack.dlq(stage), MessageBody=sns_envelope({"n": i}))


def test_count(run: Callable[..., Result], moto_stack: MotoStack) -> None:
    _seed(moto_stack, "load", 2)
    assert run("dlq", "count").out.splitlines() == ["gen: 0", "load: 2"]
    assert json.loads(run("--json", "dlq", "count", "load").out) == {"load": 2}


def test_peek(run: Callable[..., Result], moto_stack: MotoStack) -> None:
    _seed(moto_stack, "gen", 3)
    result = run("dlq", "peek", "gen", "-n", "2")
    assert result.code == 0
    assert result.out.count("--- ") == 2 and '"n":' in result.out and "received" in result.out
    as_json = json.loads(run("--json", "dlq", "peek", "gen").out)
    assert sorted(m["message"]["n"] for m in as_json) == [0, 1, 2]
    assert moto_stack.depth(moto_stack.dlq("gen")) == 3


def test_replay(run: Callable[..., Result], moto_stack: MotoStack) -> None:
    _seed(moto_stack, "gen", 4)
    result = run("dlq", "replay", "gen")
    assert result.code == 0 and "moved 4" in result.out
    assert moto_stack.depth(moto_stack.dlq("gen")) == 0
    assert len(moto_stack.messages("gen")) == 4


def test_purge_prompts(
    run: Callable[..., Result], moto_stack: MotoStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    _seed(moto_stack, "load", 2)
    monkeypatch.setattr("sys.stdin", io.StringIO("n\n"))
    refused = run("dlq", "purge", "load")
    assert refused.code != 0 and moto_stack.depth(moto_stack.dlq("load")) == 2
    done = run("dlq", "purge", "load", "--yes")
    assert done.code == 0 and "purged 2" in done.out
    assert moto_stack.depth(moto_stack.dlq("load")) == 0


def test_export(run: Callable[..., Result], moto_stack: MotoStack, tmp_path: Path) -> None:
    _seed(moto_stack, "gen", 3)
    out = tmp_path / "dead.ndjson"
    result = run("dlq", "export", "gen", str(out))
    assert result.code == 0 and "exported 3" in result.out
    assert len(out.read_text().splitlines()) == 3
    to_stdout = run("-q", "dlq", "export", "gen", "-")
    assert [json.loads(x)["message"]["n"] for x in to_stdout.out.splitlines()] != []
    assert moto_stack.depth(moto_stack.dlq("gen")) == 3


@pytest.mark.parametrize("command", ["count", "peek", "replay", "purge", "export"])
def test_unknown_stage(
    run: Callable[..., Result], moto_stack: MotoStack, command: str, tmp_path: Path
) -> None:
    extra = [str(tmp_path / "x.ndjson")] if command == "export" else []
    result = run("dlq", command, "loader", *extra)
    assert result.code == 2
    assert result.err.strip().splitlines() == [
        "error: unknown stage 'loader': expected one of gen, load"
    ]
