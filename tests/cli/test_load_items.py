"""``stac-ingest load-items`` against the moto stack."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.cli.conftest import Result
from tests.conftest import make_item
from tests.sdk.conftest import MotoStack


def test_load_items_from_stdin(
    run: Callable[..., Result], moto_stack: MotoStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = "".join(json.dumps(make_item("c", f"s{i}")) + "\n" for i in range(3))
    monkeypatch.setattr("sys.stdin", io.StringIO(text))
    result = run("load-items", "-")
    assert result.code == 0, result.err
    assert result.out.startswith("published 3")
    assert sorted(m["id"] for m in moto_stack.messages("load")) == ["s0", "s1", "s2"]


def test_bad_lines_are_reported_and_exit_non_zero(
    run: Callable[..., Result], moto_stack: MotoStack, tmp_path: Path
) -> None:
    path = tmp_path / "items.ndjson"
    path.write_text(f"{json.dumps(make_item('c', 'a'))}\n{{x\n{json.dumps(make_item('c', 'b'))}\n")
    result = run("-q", "load-items", str(path))
    assert result.code == 10
    assert "line 2: malformed JSON" in result.err
    assert len(result.error_lines) == 1
    assert sorted(m["id"] for m in moto_stack.messages("load")) == ["a", "b"]


def test_oversize_item_without_bucket(
    run: Callable[..., Result], moto_stack: MotoStack, tmp_path: Path
) -> None:
    path = tmp_path / "big.ndjson"
    path.write_text(json.dumps(make_item("c", "big", pad="p" * 270_000)) + "\n")
    result = run("-q", "load-items", str(path))
    assert result.code == 10
    assert "no payload bucket" in result.err and len(result.error_lines) == 1
    assert moto_stack.depth(moto_stack.queue("load")) == 0


def test_missing_file(run: Callable[..., Result], moto_stack: MotoStack) -> None:
    result = run("-q", "load-items", "/no/items.ndjson")
    assert result.code == 3
    assert result.err.strip().splitlines() == ["error: items file not found: /no/items.ndjson"]


def test_direct(
    run: Callable[..., Result],
    moto_stack: MotoStack,
    pgstac_dsn: str,
    pgstac_collection: dict[str, Any],
    tmp_path: Path,
) -> None:
    import psycopg

    cid = pgstac_collection["id"]
    path = tmp_path / "fc.json"
    path.write_text(json.dumps({"type": "FeatureCollection",
                                "features": [make_item(cid, f"f{i}") for i in range(4)]}))  # fmt: skip
    result = run("--dsn", pgstac_dsn, "load-items", "--direct", str(path))
    assert result.code == 0, result.err
    with psycopg.connect(pgstac_dsn) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pgstac.items WHERE collection = %s", [cid]
        ).fetchone()
    assert row == (4,)


def test_direct_with_only_a_dsn(
    run: Callable[..., Result],
    monkeypatch: pytest.MonkeyPatch,
    pgstac_dsn: str,
    pgstac_collection: dict[str, Any],
    tmp_path: Path,
) -> None:
    """No stack at all: a database is enough for direct loads; queue commands say so."""
    import psycopg

    monkeypatch.delenv("STAC_INGEST_STACK", raising=False)
    cid = pgstac_collection["id"]
    path = tmp_path / "items.ndjson"
    path.write_text("".join(json.dumps(make_item(cid, f"d{i}")) + "\n" for i in range(3)))
    result = run("--dsn", pgstac_dsn, "load-items", "--direct", str(path), stack=None)
    assert result.code == 0, result.err
    with psycopg.connect(pgstac_dsn) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pgstac.items WHERE collection = %s", [cid]
        ).fetchone()
    assert row == (3,)
    queued = run("--dsn", pgstac_dsn, "dlq", "count", stack=None)
    assert queued.code == 2
    assert queued.error_lines == [
        "error: this needs a pipeline, and only a database was given "
        "(hint: pass --stack NAME or --local, or use --direct where the command has it)"
    ]
