"""load-items: validation with line numbers, documents and NDJSON, direct pgstac loading."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
import pytest

from stac_ingest import Pipeline
from stac_ingest.errors import DatabaseError, InputError, PartialFailure
from stac_ingest.sdk.load_items import read_items
from tests.conftest import make_item
from tests.sdk.conftest import STACK, MotoStack


def _ndjson(tmp_path: Path, lines: list[str]) -> str:
    path = tmp_path / "items.ndjson"
    path.write_text("\n".join(lines) + "\n")
    return str(path)


def test_ndjson_with_bad_lines_publishes_the_rest(moto_stack: MotoStack, tmp_path: Path) -> None:
    items = [make_item("c1", f"i{i}") for i in range(4)]
    no_geometry = {k: v for k, v in make_item("c1", "bad").items() if k != "geometry"}
    src = _ndjson(
        tmp_path,
        [json.dumps(items[0]), "{broken", json.dumps(items[1]), json.dumps(no_geometry),
         "", json.dumps(items[2]), json.dumps(items[3])],
    )  # fmt: skip
    report = Pipeline.from_stack(STACK).load_items(src)
    assert (report.published, report.rejected) == (4, 2)
    assert [(e.line, e.reason.split(":")[0]) for e in report.errors] == [
        (2, "malformed JSON"),
        (4, "item has no geometry key"),
    ]
    assert sorted(m["id"] for m in moto_stack.messages("load")) == ["i0", "i1", "i2", "i3"]
    with pytest.raises(PartialFailure, match="2 of 6 records not published"):
        report.raise_for_failures()


def test_feature_collection_document(tmp_path: Path) -> None:
    doc = {"type": "FeatureCollection", "features": [make_item("c", "a"), make_item("c", "b")]}
    path = tmp_path / "fc.json"
    path.write_text(json.dumps(doc, indent=2))
    got = list(read_items(str(path)))
    assert [(line, item["id"], err) for line, item, err in got] == [(1, "a", None), (1, "b", None)]


def test_pretty_printed_item_and_collection_rejected(tmp_path: Path) -> None:
    path = tmp_path / "item.json"
    path.write_text(json.dumps(make_item("c", "solo"), indent=2))
    assert [item["id"] for _, item, _ in read_items(str(path))] == ["solo"]
    coll = tmp_path / "coll.ndjson"
    coll.write_text(json.dumps({"type": "Collection", "id": "x"}) + "\n")
    ((_line, item, error),) = list(read_items(str(coll)))
    assert item is None and "collections upsert" in (error or "")


def test_malformed_first_line_is_reported_by_number(tmp_path: Path) -> None:
    src = _ndjson(tmp_path, ["{nope", json.dumps(make_item("c", "ok"))])
    got = list(read_items(src))
    assert got[0][0] == 1 and got[0][2] is not None
    assert got[1][1]["id"] == "ok"


def test_empty_input(moto_stack: MotoStack, tmp_path: Path) -> None:
    path = tmp_path / "empty.ndjson"
    path.write_text("\n\n")
    with pytest.raises(InputError, match="empty"):
        Pipeline.from_stack(STACK).load_items(str(path))


def test_oversize_item_without_bucket(moto_stack: MotoStack, tmp_path: Path) -> None:
    item = make_item("c", "huge", note="n" * 300_000)
    src = _ndjson(tmp_path, [json.dumps(item)])
    report = Pipeline.from_stack(STACK).load_items(src)
    assert report.published == 0 and report.rejected == 1
    assert "no payload bucket" in report.errors[0].reason
    assert moto_stack.depth(moto_stack.queue("load")) == 0


def test_oversize_item_with_bucket(make_stack: Callable[..., MotoStack], tmp_path: Path) -> None:
    stack = make_stack(bucket=True)
    src = _ndjson(tmp_path, [json.dumps(make_item("c", "huge", note="n" * 300_000))])
    report = Pipeline.from_stack(STACK).load_items(src)
    assert report.published == 1 and report.stored_payloads == 1
    (message,) = stack.messages("load")
    assert message["href"].startswith("s3://")


def _count(dsn: str, collection: str) -> int:
    with psycopg.connect(dsn) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pgstac.items WHERE collection = %s", [collection]
        ).fetchone()
    assert row is not None
    return int(row[0])


def test_direct_upserts_into_pgstac(
    db_stack: MotoStack, pgstac_dsn: str, pgstac_collection: dict[str, Any], tmp_path: Path
) -> None:
    cid = pgstac_collection["id"]
    items = [make_item(cid, f"d{i}") for i in range(7)]
    src = _ndjson(tmp_path, [json.dumps(i) for i in items] + ["[]"])
    pipeline = Pipeline.from_stack(STACK)  # the dsn comes from the stack's secret
    report = pipeline.load_items(src, direct=True)
    assert (report.published, report.rejected) == (7, 1)
    assert _count(pgstac_dsn, cid) == 7
    again = pipeline.load_items(src, direct=True)  # an upsert: no duplicates
    assert again.published == 7 and _count(pgstac_dsn, cid) == 7
    assert db_stack.depth(db_stack.queue("load")) == 0


def test_direct_with_unknown_collection_reports_failure(
    pgstac_dsn: str, moto_stack: MotoStack, tmp_path: Path
) -> None:
    src = _ndjson(tmp_path, [json.dumps(make_item("no-such-collection-xyz", "a"))])
    report = Pipeline.from_stack(STACK, dsn=pgstac_dsn).load_items(src, direct=True)
    assert report.failed == 1 and report.published == 0


def test_direct_unreachable_database(moto_stack: MotoStack, tmp_path: Path) -> None:
    from stac_ingest.sdk.pgcluster import free_port

    src = _ndjson(tmp_path, [json.dumps(make_item("c", "a"))])
    dsn = f"postgresql://u:topsecret@127.0.0.1:{free_port()}/db"
    with pytest.raises(DatabaseError) as info:
        Pipeline.from_stack(STACK, dsn=dsn).load_items(src, direct=True)
    assert "cannot connect" in info.value.message and "topsecret" not in info.value.message


def test_direct_isolates_a_poison_line_and_reports_it(
    db_stack: MotoStack, pgstac_dsn: str, pgstac_collection: dict[str, Any], tmp_path: Path
) -> None:
    """--direct goes through the load stage's loader: one refused item fails alone, by line."""
    import psycopg

    cid = pgstac_collection["id"]
    lines = [make_item(cid, f"p{i}") for i in range(5)]
    lines[2] = make_item(cid, "poison", note="\u0000")  # passes checks; PostgreSQL refuses it
    path = tmp_path / "items.ndjson"
    path.write_text("".join(json.dumps(i) + "\n" for i in lines))
    report = Pipeline.from_stack(STACK).load_items(str(path), direct=True)
    assert (report.published, report.failed) == (4, 1)
    assert [(e.line, "Unicode" in e.reason) for e in report.errors] == [(3, True)]
    with psycopg.connect(pgstac_dsn) as conn:
        ids = {
            r[0] for r in conn.execute("SELECT id FROM pgstac.items WHERE collection = %s", [cid])
        }
    assert ids == {"p0", "p1", "p3", "p4"}


def test_a_broken_first_line_does_not_read_the_whole_input(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """NDJSON with a malformed first line stays streamed, line numbers intact."""
    from stac_ingest.sdk import load_items

    monkeypatch.setattr(load_items, "_DOCUMENT_PROBE_CHARS", 100)  # a tiny look-ahead
    path = tmp_path / "items.ndjson"
    lines = ["{broken"] + [json.dumps(make_item("c", f"n{i}")) for i in range(50)]
    path.write_text("\n".join(lines) + "\n")
    out = list(read_items(str(path)))
    assert out[0][0] == 1 and out[0][1] is None and "malformed JSON" in (out[0][2] or "")
    assert [(line, item["id"]) for line, item, _ in out[1:]] == [
        (i + 2, f"n{i}") for i in range(50)
    ]


def test_a_pretty_printed_collection_is_one_document(tmp_path: Path) -> None:
    path = tmp_path / "fc.json"
    fc = {"type": "FeatureCollection", "features": [make_item("c", f"f{i}") for i in range(3)]}
    path.write_text(json.dumps(fc, indent=2))
    assert [item["id"] for _, item, _ in read_items(str(path))] == ["f0", "f1", "f2"]
