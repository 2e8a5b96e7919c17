"""``stac-ingest collections`` against the moto stack and the test pgstac."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.cli.conftest import Result
from tests.conftest import make_collection
from tests.sdk.conftest import MotoStack


def test_upsert(run: Callable[..., Result], moto_stack: MotoStack, tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    path.write_text(json.dumps(make_collection("cli-coll")))
    result = run("collections", "upsert", str(path))
    assert result.code == 0, result.err
    assert "cli-coll" in result.out and "load-stage" in result.out
    assert [m["id"] for m in moto_stack.messages("load")] == ["cli-coll"]


def test_upsert_invalid(run: Callable[..., Result], moto_stack: MotoStack, tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    path.write_text("{not json")
    result = run("collections", "upsert", str(path))
    assert result.code == 3 and len(result.err.strip().splitlines()) == 1
    assert moto_stack.depth(moto_stack.queue("load")) == 0


def test_list(
    run: Callable[..., Result], db_stack: MotoStack, pgstac_collection: dict[str, Any]
) -> None:
    result = run("--json", "collections", "list")
    assert result.code == 0, result.err
    rows = {r["id"]: r["items"] for r in json.loads(result.out)}
    assert rows[pgstac_collection["id"]] == 0
    text = run("collections", "list")
    assert pgstac_collection["id"] in text.out


def test_list_without_database(run: Callable[..., Result], moto_stack: MotoStack) -> None:
    result = run("collections", "list")
    assert result.code == 7
    assert result.error_lines[0].startswith("error: cannot connect to pgstac at db.invalid")
    assert len(result.err.strip().splitlines()) == 1


def test_create_needs_package(run: Callable[..., Result], moto_stack: MotoStack) -> None:
    result = run("collections", "create", "-g", "x")
    assert result.code == 2 and "--package" in result.err
