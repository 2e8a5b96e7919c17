"""Bulk: a 10,000-item ``load-items --local`` run yields exactly 10,000 rows in pgstac."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import psycopg
from pypgstac.db import PgstacDB
from pypgstac.load import Loader, Methods

from tests.cli.conftest import Result
from tests.conftest import make_collection, make_item

COUNT = 10_000


def test_ten_thousand_items(run: Callable[..., Result], pgstac_dsn: str, tmp_path: Path) -> None:
    coll = make_collection()
    with PgstacDB(dsn=pgstac_dsn) as db:
        Loader(db).load_collections(iter([coll]), insert_mode=Methods.upsert)
    source = tmp_path / "items.ndjson"
    with source.open("w") as fh:
        for n in range(COUNT):
            fh.write(json.dumps(make_item(coll["id"], f"bulk-{n:05d}")) + "\n")
    home = tmp_path / "state"
    result = run(
        "--local", "--home", str(home), "--dsn", pgstac_dsn, "--json", "load-items", str(source),
        stack=None,
    )  # fmt: skip
    assert result.code == 0, result.err
    document = json.loads(result.out)  # one JSON document: what was published, then the run
    published, drained = document["published"], document["run"]
    assert published["published"] == COUNT
    assert drained["loaded_items"] == COUNT
    assert drained["load_dead_lettered"] == 0
    with psycopg.connect(pgstac_dsn) as conn:
        row = conn.execute(
            "SELECT count(*), count(DISTINCT id) FROM pgstac.items WHERE collection = %s",
            (coll["id"],),
        ).fetchone()
    assert row == (COUNT, COUNT)
