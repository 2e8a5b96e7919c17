"""The item-load Lambda against a real pgstac: loading, rejection, isolation, outages."""

from __future__ import annotations

import json
import logging
from typing import Any

import boto3
import pytest

from stac_ingest.lambdas import item_load
from tests.conftest import make_collection, make_item, sns_envelope, sqs_event
from tests.lambdas.conftest import Handler, failed_ids, stored_items


def test_valid_batch_loads_every_item(
    load_handler: Handler, pgstac_dsn: str, pgstac_collection: dict[str, Any]
) -> None:
    cid = pgstac_collection["id"]
    items = [make_item(cid, f"i{n}") for n in range(5)]
    response = load_handler(sqs_event(*(sns_envelope(i) for i in items)))
    assert response == {"batchItemFailures": []}
    assert set(stored_items(pgstac_dsn, cid)) == {f"i{n}" for n in range(5)}


def test_raw_delivery_bodies_are_accepted(
    load_handler: Handler, pgstac_dsn: str, pgstac_collection: dict[str, Any]
) -> None:
    cid = pgstac_collection["id"]
    response = load_handler(sqs_event(json.dumps(make_item(cid, "raw"))))
    assert failed_ids(response) == set()
    assert "raw" in stored_items(pgstac_dsn, cid)


def test_thousand_record_batch(
    load_handler: Handler, pgstac_dsn: str, pgstac_collection: dict[str, Any]
) -> None:
    cid = pgstac_collection["id"]
    bodies = [sns_envelope(make_item(cid, f"k{n:04d}")) for n in range(1000)]
    bodies[500] = sns_envelope(make_item(cid, "bad", datetime="not-a-date"))
    response = load_handler(sqs_event(*bodies))
    assert failed_ids(response) == {"m500"}
    assert len(stored_items(pgstac_dsn, cid)) == 999


def test_failure_log_names_item_and_collection(
    load_handler: Handler, pgstac_collection: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    cid = pgstac_collection["id"]
    with caplog.at_level(logging.ERROR, logger="stac_ingest.load"):
        load_handler(sqs_event(sns_envelope(make_item(cid, "late", datetime="nope"))))
    line = json.loads(caplog.records[0].getMessage())
    assert line["itemId"] == "late"
    assert line["collection"] == cid
    assert "datetime" in line["reason"]


def test_duplicates_keep_the_newest_and_are_not_failures(
    load_handler: Handler, pgstac_dsn: str, pgstac_collection: dict[str, Any]
) -> None:
    cid = pgstac_collection["id"]
    newest = sns_envelope(make_item(cid, "dup", version="new"), "2026-01-02T00:00:00.000Z")
    older = sns_envelope(make_item(cid, "dup", version="old"), "2026-01-01T00:00:00.000Z")
    response = load_handler(sqs_event(newest, older))
    assert failed_ids(response) == set()
    assert stored_items(pgstac_dsn, cid)["dup"]["properties"]["version"] == "new"


def test_duplicates_without_timestamps_keep_the_last(
    load_handler: Handler, pgstac_dsn: str, pgstac_collection: dict[str, Any]
) -> None:
    cid = pgstac_collection["id"]
    first = json.dumps(make_item(cid, "dup", version="first"))
    last = json.dumps(make_item(cid, "dup", version="last"))
    assert failed_ids(load_handler(sqs_event(first, last))) == set()
    assert stored_items(pgstac_dsn, cid)["dup"]["properties"]["version"] == "last"


def test_collection_is_upserted_before_its_items(load_handler: Handler, pgstac_dsn: str) -> None:
    coll = make_collection()
    items = [make_item(coll["id"], f"c{n}") for n in range(3)]
    # The collection arrives after its items in the batch and still lands first.
    response = load_handler(sqs_event(*(sns_envelope(i) for i in items), sns_envelope(coll)))
    assert failed_ids(response) == set()
    assert set(stored_items(pgstac_dsn, coll["id"])) == {"c0", "c1", "c2"}


def test_item_collection_message(
    load_handler: Handler, pgstac_dsn: str, pgstac_collection: dict[str, Any]
) -> None:
    cid = pgstac_collection["id"]
    fc = {"type": "FeatureCollection", "features": [make_item(cid, f"f{n}") for n in range(4)]}
    assert failed_ids(load_handler(sqs_event(sns_envelope(fc)))) == set()
    assert set(stored_items(pgstac_dsn, cid)) == {"f0", "f1", "f2", "f3"}


def test_item_collection_with_a_bad_feature_fails_whole(
    load_handler: Handler, pgstac_dsn: str, pgstac_collection: dict[str, Any]
) -> None:
    cid = pgstac_collection["id"]
    fc = {"type": "FeatureCollection", "features": [make_item(cid, "ok"), {"type": "Feature"}]}
    assert failed_ids(load_handler(sqs_event(sns_envelope(fc)))) == {"m0"}
    assert stored_items(pgstac_dsn, cid) == {}


def test_pointer_to_s3_object(
    load_handler: Handler,
    pgstac_dsn: str,
    pgstac_collection: dict[str, Any],
    moto_endpoint: str,
) -> None:
    cid = pgstac_collection["id"]
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="payloads")
    big = make_item(cid, "big", blob="x" * 300_000)
    s3.put_object(Bucket="payloads", Key="big.json", Body=json.dumps(big).encode())
    response = load_handler(sqs_event(sns_envelope({"href": "s3://payloads/big.json"})))
    assert failed_ids(response) == set()
    assert len(stored_items(pgstac_dsn, cid)["big"]["properties"]["blob"]) == 300_000


def test_poison_record_is_isolated_by_bisection(
    load_handler: Handler, pgstac_dsn: str, pgstac_collection: dict[str, Any]
) -> None:
    """A NUL character passes every check but is refused by PostgreSQL's jsonb."""
    cid = pgstac_collection["id"]
    bodies = [sns_envelope(make_item(cid, f"p{n:02d}")) for n in range(20)]
    bodies[7] = sns_envelope(make_item(cid, "poison7", note="a\u0000b"))
    bodies[13] = sns_envelope(make_item(cid, "poison13", note="\u0000"))
    response = load_handler(sqs_event(*bodies))
    assert failed_ids(response) == {"m7", "m13"}
    stored = stored_items(pgstac_dsn, cid)
    assert len(stored) == 18
    assert "poison7" not in stored
    assert "poison13" not in stored


def test_upsert_replaces_an_existing_item(
    load_handler: Handler, pgstac_dsn: str, pgstac_collection: dict[str, Any]
) -> None:
    cid = pgstac_collection["id"]
    load_handler(sqs_event(sns_envelope(make_item(cid, "u", cloud=10))))
    response = load_handler(sqs_event(sns_envelope(make_item(cid, "u", cloud=90))))
    assert failed_ids(response) == set()
    stored = stored_items(pgstac_dsn, cid)
    assert len(stored) == 1
    assert stored["u"]["properties"]["cloud"] == 90


def test_database_down_fails_every_record(
    monkeypatch: pytest.MonkeyPatch, lambda_context: Any, caplog: pytest.LogCaptureFixture
) -> None:
    from stac_ingest.sdk.pgcluster import free_port

    monkeypatch.setenv("PGSTAC_DSN", f"postgresql://u:hunter2@127.0.0.1:{free_port()}/db")
    item_load._stage = None
    items = [sns_envelope(make_item("c", f"d{n}")) for n in range(3)]
    try:
        with caplog.at_level(logging.DEBUG):
            response = item_load.handler(sqs_event(*items), lambda_context)
    finally:
        item_load._stage = None
    assert failed_ids(response) == {"m0", "m1", "m2"}
    assert "hunter2" not in caplog.text
    assert "database" in caplog.text


def test_item_moved_to_another_partition_is_stored_once(
    load_handler: Handler, pgstac_dsn: str, pgstac_collection: dict[str, Any]
) -> None:
    import psycopg

    cid = pgstac_collection["id"]
    with psycopg.connect(pgstac_dsn, autocommit=True) as conn:
        conn.execute("UPDATE pgstac.collections SET partition_trunc = 'year' WHERE id = %s", (cid,))
    load_handler(sqs_event(sns_envelope(make_item(cid, "moved", datetime="2019-05-01T00:00:00Z"))))
    response = load_handler(
        sqs_event(sns_envelope(make_item(cid, "moved", datetime="2021-05-01T00:00:00Z")))
    )
    assert failed_ids(response) == set()
    with psycopg.connect(pgstac_dsn) as conn:
        rows = conn.execute(
            "SELECT datetime::date::text FROM pgstac.items WHERE collection = %s AND id = 'moved'",
            (cid,),
        ).fetchall()
    assert rows == [("2021-05-01",)]


def test_an_older_copy_is_not_reported_loaded_when_its_newer_copy_fails(
    load_handler: Handler, pgstac_dsn: str, pgstac_collection: dict[str, Any]
) -> None:
    """The newer copy wins the de-duplication, then PostgreSQL refuses it (a NUL)."""
    cid = pgstac_collection["id"]
    older = sns_envelope(make_item(cid, "twin", v="old"), "2026-01-01T00:00:00.000Z")
    newer = sns_envelope(make_item(cid, "twin", v="new\u0000"), "2026-01-02T00:00:00.000Z")
    other = sns_envelope(make_item(cid, "bystander"))
    response = load_handler(sqs_event(older, newer, other))
    assert failed_ids(response) == {"m0", "m1"}
    assert set(stored_items(pgstac_dsn, cid)) == {"bystander"}
