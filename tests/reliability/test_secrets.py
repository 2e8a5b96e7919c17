"""The loader reads its credentials from Secrets Manager (in moto); the password appears in
no log line, at any level, on success or on failure."""

from __future__ import annotations

import json
import logging
from typing import Any

import boto3
import pytest
from psycopg.conninfo import conninfo_to_dict

from stac_ingest.lambdas import item_load
from stac_ingest.sdk.pgcluster import free_port
from tests.conftest import FakeLambdaContext, make_item, sns_envelope, sqs_event
from tests.lambdas.conftest import failed_ids, stored_items

PASSWORD = "s3cr3t-Pa55word-4-tests"


def _secret(host: str, port: int) -> str:
    value = {
        "username": "postgres",
        "password": PASSWORD,
        "host": host,
        "port": port,
        "dbname": "pgstac",
    }
    return boto3.client("secretsmanager").create_secret(
        Name=f"pgstac-{port}", SecretString=json.dumps(value)
    )["ARN"]


@pytest.fixture
def handler_env(monkeypatch: pytest.MonkeyPatch, moto_endpoint: str) -> Any:
    monkeypatch.delenv("PGSTAC_DSN", raising=False)
    item_load._stage = None
    # The handler resets the root logger to INFO; botocore's own level keeps its DEBUG
    # lines (request and response bodies) flowing into the captured log.
    botocore_logger = logging.getLogger("botocore")
    before = botocore_logger.level
    botocore_logger.setLevel(logging.DEBUG)
    yield monkeypatch
    botocore_logger.setLevel(before)
    if item_load._stage is not None:
        item_load._stage.close()
    item_load._stage = None


def test_loads_with_secret_and_never_logs_the_password(
    handler_env: pytest.MonkeyPatch,
    pgstac_dsn: str,
    pgstac_collection: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    info = conninfo_to_dict(pgstac_dsn)
    handler_env.setenv("PGSTAC_SECRET_ARN", _secret(str(info["host"]), int(str(info["port"]))))
    cid = pgstac_collection["id"]
    bodies = [sns_envelope(make_item(cid, "ok")), sns_envelope(make_item(cid, "bad", datetime="x"))]
    caplog.clear()  # creating the secret above logged it, as the operator's own call would
    capfd.readouterr()
    with caplog.at_level(logging.DEBUG):
        response = item_load.handler(sqs_event(*bodies), FakeLambdaContext())
    assert failed_ids(response) == {"m1"}
    assert "ok" in stored_items(pgstac_dsn, cid)
    out, err = capfd.readouterr()
    assert any(
        r.name.startswith("botocore") and r.levelno == logging.DEBUG for r in caplog.records
    ), "botocore's debug lines must be captured, or this test checks nothing"
    assert "GetSecretValue" in caplog.text
    assert PASSWORD not in caplog.text + out + err


def test_unreachable_database_from_secret_never_logs_the_password(
    handler_env: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    handler_env.setenv("PGSTAC_SECRET_ARN", _secret("127.0.0.1", free_port()))
    caplog.clear()  # creating the secret above logged it, as the operator's own call would
    capfd.readouterr()
    with caplog.at_level(logging.DEBUG):
        response = item_load.handler(
            sqs_event(sns_envelope(make_item("c", "x"))), FakeLambdaContext()
        )
    assert failed_ids(response) == {"m0"}
    out, err = capfd.readouterr()
    assert "database unavailable" in caplog.text
    assert "GetSecretValue" in caplog.text
    assert PASSWORD not in caplog.text + out + err
