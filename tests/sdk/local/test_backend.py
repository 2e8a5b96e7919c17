"""The local target through Pipeline: load-items, collections, dlq, logs and status."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import psycopg
import pytest

from stac_ingest.errors import PartialFailure
from stac_ingest.sdk.local.backend import LocalBackend
from stac_ingest.sdk.pipeline import Pipeline
from stac_ingest.sdk.progress import ProgressUpdate
from tests.conftest import make_collection, make_item


def item_count(dsn: str, collection: str) -> int:
    with psycopg.connect(dsn) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pgstac.items WHERE collection = %s", (collection,)
        ).fetchone()
    assert row is not None
    return int(row[0])


def write_ndjson(path: Path, docs: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(d) + "\n" for d in docs))
    return path


def test_collection_and_items_through_the_load_stage(
    local_backend: LocalBackend, pgstac_dsn: str, tmp_path: Path
) -> None:
    pipeline = Pipeline(local_backend, dsn=pgstac_dsn)
    coll = make_collection()
    assert pipeline.upsert_collection(coll).via == "load-stage"
    items = [make_item(coll["id"], f"i{n}") for n in range(30)]
    report = pipeline.load_items(write_ndjson(tmp_path / "items.ndjson", items))
    assert report.published == 30
    stats = pipeline.status(with_database=False).stages
    assert {s.stage: s.visible for s in stats} == {"gen": 0, "load": 31}

    updates: list[ProgressUpdate] = []
    run = pipeline.drain(progress=updates.append)
    assert (run.loaded_items, run.loaded_collections) == (30, 1)
    assert run.load_dead_lettered == 0
    assert sum(u.advance for u in updates) == 31
    assert item_count(pgstac_dsn, coll["id"]) == 30
    after = pipeline.status()
    assert all(s.visible == 0 and s.in_flight == 0 for s in after.stages)
    assert after.collections is not None
    assert {c.id: c.items for c in after.collections}[coll["id"]] == 30


def test_poison_item_is_dead_lettered_then_replayed_after_a_fix(
    local_backend: LocalBackend, pgstac_dsn: str, tmp_path: Path
) -> None:
    pipeline = Pipeline(local_backend, dsn=pgstac_dsn)
    coll = make_collection()
    pipeline.upsert_collection(coll, direct=True)
    missing = f"{coll['id']}-later"  # an item of a collection that does not exist yet
    good = [make_item(coll["id"], f"g{n}") for n in range(5)]
    pipeline.load_items(
        write_ndjson(tmp_path / "items.ndjson", [*good, make_item(missing, "orphan")])
    )
    run = pipeline.drain()
    assert (run.loaded_items, run.load_dead_lettered) == (5, 1)
    assert run.load_retries == local_backend.settings.max_attempts - 1
    with pytest.raises(PartialFailure):
        run.raise_for_failures()
    assert pipeline.dlq_count().counts == {"gen": 0, "load": 1}
    (letter,) = pipeline.dlq_peek("load")
    assert letter.message["id"] == "orphan"
    assert letter.receive_count == local_backend.settings.max_attempts
    assert letter.reason and missing in letter.reason

    exported = pipeline.dlq_export("load", tmp_path / "dead.ndjson")
    assert exported.exported == 1
    assert json.loads((tmp_path / "dead.ndjson").read_text())["message"]["id"] == "orphan"
    assert pipeline.dlq_count("load").counts == {"load": 1}  # export removes nothing

    pipeline.upsert_collection(make_collection(missing), direct=True)  # the fix
    assert pipeline.dlq_replay("load").moved == 1
    run = pipeline.drain()
    assert (run.loaded_items, run.load_dead_lettered) == (1, 0)
    assert item_count(pgstac_dsn, missing) == 1
    assert pipeline.dlq_count().counts == {"gen": 0, "load": 0}

    events = list(pipeline.logs("load", since="1h"))
    failed = [json.loads(e.message) for e in events if "record_failed" in e.message]
    assert len(failed) == local_backend.settings.max_attempts
    assert all(f["itemId"] == "orphan" for f in failed)
    assert list(pipeline.logs("load", since="1h", filter_text="dead_lettered"))
    assert not list(pipeline.logs("gen", since="1h", filter_text="record_failed"))


def test_purge_removes_dead_letters(local_backend: LocalBackend, pgstac_dsn: str) -> None:
    pipeline = Pipeline(local_backend, dsn=pgstac_dsn)
    local_backend.publish("load", ['{"not": "an item"}', "not json"])
    run = pipeline.drain()
    assert run.load_dead_lettered == 2
    assert pipeline.dlq_purge("load").purged == 2
    assert pipeline.dlq_count("load").counts == {"load": 0}


def test_oversize_items_travel_as_file_pointers(
    local_backend: LocalBackend, pgstac_dsn: str, tmp_path: Path
) -> None:
    pipeline = Pipeline(local_backend, dsn=pgstac_dsn)
    coll = make_collection()
    pipeline.upsert_collection(coll, direct=True)
    big = make_item(coll["id"], "big", padding="x" * 300_000)
    report = pipeline.load_items(write_ndjson(tmp_path / "big.ndjson", [big]))
    assert report.stored_payloads == 1
    assert pipeline.drain().loaded_items == 1
    assert item_count(pgstac_dsn, coll["id"]) == 1


def test_nothing_to_do_needs_no_database(tmp_path: Path) -> None:
    backend = LocalBackend(tmp_path / "state", "postgresql://nobody@127.0.0.1:1/none")
    run = Pipeline(backend).drain()
    assert run.loaded_items == 0 and run.dead_letters == {"gen": 0, "load": 0}
