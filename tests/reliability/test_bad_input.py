"""The bad-input catalogue (``catalogue.py``), run against the real services.

Every case is surrounded by good records, and every case checks both halves: the bad
input gets a clear error or a per-record failure, and every good record around it was
still loaded (or published).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
import psycopg
import pytest

from stac_ingest.lambdas import item_gen
from tests.cli.conftest import Result
from tests.conftest import FakeLambdaContext, make_item, sns_envelope, sqs_event
from tests.lambdas.conftest import Handler, failed_ids, received, stored_items
from tests.reliability.catalogue import CLI_INPUTS, GEN_RECORDS, LOAD_RECORDS, render_table
from tests.sdk.conftest import MotoStack

ROOT = Path(__file__).resolve().parents[2]


def _reasons(caplog: pytest.LogCaptureFixture, logger: str) -> dict[str, str]:
    return {
        line["messageId"]: line["reason"]
        for line in (json.loads(r.getMessage()) for r in caplog.records if r.name == logger)
    }


@pytest.mark.parametrize("case", sorted(LOAD_RECORDS))
def test_load_stage(
    case: str,
    load_handler: Handler,
    pgstac_dsn: str,
    pgstac_collection: dict[str, Any],
    moto_endpoint: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    _, body, reason = LOAD_RECORDS[case]
    cid = pgstac_collection["id"]
    good = [sns_envelope(make_item(cid, f"good{n}")) for n in range(4)]
    with caplog.at_level(logging.ERROR, logger="stac_ingest.load"):
        response = load_handler(sqs_event(good[0], good[1], body(cid), good[2], good[3]))
    assert failed_ids(response) == {"m2"}
    assert reason in _reasons(caplog, "stac_ingest.load")["m2"]
    assert set(stored_items(pgstac_dsn, cid)) == {f"good{n}" for n in range(4)}


@pytest.mark.parametrize("case", sorted(GEN_RECORDS))
def test_gen_stage(
    case: str, load_queue: str, testpkg_requirement: str, caplog: pytest.LogCaptureFixture
) -> None:
    _, request, reason = GEN_RECORDS[case]
    good = {"package_name": testpkg_requirement, "group_name": "testpkg"}
    event = sqs_event(
        sns_envelope({**good, "create_item_args": ["before.tif"]}),
        sns_envelope(request(testpkg_requirement)),
        sns_envelope({**good, "create_item_args": ["after.tif"]}),
    )
    with caplog.at_level(logging.ERROR, logger="stac_ingest.gen"):
        response = item_gen.handler(event, FakeLambdaContext())
    assert failed_ids(response) == {"m1"}
    assert reason in _reasons(caplog, "stac_ingest.gen")["m1"]
    assert sorted(i["id"] for i in received(load_queue)) == ["after", "before"]


def _count(dsn: str, cid: str) -> int:
    with psycopg.connect(dsn) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pgstac.items WHERE collection = %s", [cid]
        ).fetchone()
    assert row is not None
    return int(row[0])


@pytest.mark.parametrize("case", sorted(CLI_INPUTS))
def test_cli_load_items(
    case: str,
    run: Callable[..., Result],
    db_stack: MotoStack,
    pgstac_dsn: str,
    pgstac_collection: dict[str, Any],
    tmp_path: Path,
) -> None:
    _, content, message = CLI_INPUTS[case]
    cid = pgstac_collection["id"]
    path = tmp_path / "items.ndjson"
    if case == "cli-malformed-line":
        lines = [json.dumps(make_item(cid, "a")), "{broken", json.dumps(make_item(cid, "b"))]
        path.write_text("\n".join(lines) + "\n")
    else:
        path.write_bytes(content)
    result = run("-q", "load-items", "--direct", str(path))
    assert result.code != 0
    assert len(result.error_lines) == 1, result.err
    assert message in result.err
    assert "Traceback" not in result.err
    expected = 2 if case == "cli-malformed-line" else 0
    assert _count(pgstac_dsn, cid) == expected


def test_unknown_dlq_stage_changes_nothing(
    run: Callable[..., Result], moto_stack: MotoStack
) -> None:
    sqs = boto3.client("sqs")
    sqs.send_message(QueueUrl=moto_stack.dlq("load"), MessageBody="{}")
    result = run("dlq", "replay", "loader")
    assert result.code != 0
    assert len(result.err.strip().splitlines()) >= 1
    assert moto_stack.depth(moto_stack.dlq("load")) == 1


def test_docs_table_is_in_sync() -> None:
    doc = (ROOT / "docs" / "reliability.md").read_text()
    assert render_table() in doc, "regenerate with: python -m tests.reliability.catalogue"
