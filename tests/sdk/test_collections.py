"""Collections: upsert through the load stage or directly, list with counts, create via uvx."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import psycopg
import pytest

from stac_ingest import Pipeline
from stac_ingest.errors import GenerationError, InputError
from stac_ingest.sdk import collections
from tests.conftest import make_collection, make_item
from tests.sdk.conftest import STACK, MotoStack


def test_upsert_goes_through_the_load_stage(moto_stack: MotoStack, tmp_path: Path) -> None:
    coll = make_collection("via-topic")
    path = tmp_path / "c.json"
    path.write_text(json.dumps(coll, indent=2))
    result = Pipeline.from_stack(STACK).upsert_collection(str(path))
    assert (result.id, result.via) == ("via-topic", "load-stage")
    (message,) = moto_stack.messages("load")
    assert message == coll


def test_upsert_direct_writes_pgstac(db_stack: MotoStack, pgstac_dsn: str) -> None:
    coll = make_collection(title="Direct")
    result = Pipeline.from_stack(STACK).upsert_collection(coll, direct=True)
    assert result.via == "pgstac"
    with psycopg.connect(pgstac_dsn) as conn:
        row = conn.execute(
            "SELECT content->>'title' FROM pgstac.collections WHERE id = %s", [coll["id"]]
        ).fetchone()
    assert row == ("Direct",)
    assert db_stack.depth(db_stack.queue("load")) == 0


def test_invalid_collection_file(moto_stack: MotoStack, tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    path.write_text(json.dumps({"type": "Collection", "id": "x"}))
    with pytest.raises(InputError, match="extent"):
        Pipeline.from_stack(STACK).upsert_collection(str(path))
    with pytest.raises(InputError, match="not found"):
        Pipeline.from_stack(STACK).upsert_collection(str(tmp_path / "none.json"))
    assert moto_stack.depth(moto_stack.queue("load")) == 0


def test_list_shows_item_counts(db_stack: MotoStack, pgstac_collection: dict[str, Any]) -> None:
    from pypgstac.db import PgstacDB
    from pypgstac.load import Loader, Methods

    pipeline = Pipeline.from_stack(STACK)
    cid = pgstac_collection["id"]
    with PgstacDB(dsn=pipeline.database_dsn()) as db:
        Loader(db).load_items(
            iter([make_item(cid, f"x{i}") for i in range(3)]), insert_mode=Methods.upsert
        )
    infos = {c.id: c.items for c in pipeline.list_collections()}
    assert infos[cid] == 3


def test_create_collection_argv(tmp_path: Path) -> None:
    argv = collections.create_collection_argv(
        "gladglclu2020", ["src"], {"year": "2020", "cog": ""}, tmp_path / "c.json"
    )
    assert argv == [
        "stac", "gladglclu2020", "create-collection", "--year", "2020", "--cog",
        "src", str(tmp_path / "c.json"),
    ]  # fmt: skip


def test_create_runs_the_package_and_upserts(
    db_stack: MotoStack, pgstac_dsn: str, testpkg_requirement: str
) -> None:
    pipeline = Pipeline.from_stack(STACK)
    result = pipeline.create_collection(testpkg_requirement, "testpkg", direct=True)
    assert (result.id, result.via) == ("testpkg", "pgstac")
    assert "testpkg" in {c.id for c in pipeline.list_collections()}
    via_topic = pipeline.create_collection(testpkg_requirement, "testpkg")
    assert via_topic.via == "load-stage"
    assert [m["id"] for m in db_stack.messages("load")] == ["testpkg"]


def test_create_failure_is_one_line(moto_stack: MotoStack, testpkg_requirement: str) -> None:
    with pytest.raises(GenerationError) as info:
        Pipeline.from_stack(STACK).create_collection(testpkg_requirement, "no-such-group")
    assert "\n" not in info.value.message
    assert info.value.message.startswith(
        f"cannot run {testpkg_requirement} no-such-group create-collection"
    )
