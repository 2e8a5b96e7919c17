"""``--local`` through the CLI: generate, run, status, logs, dlq; bad local input."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.cli.conftest import Result
from tests.conftest import make_collection

pytestmark = pytest.mark.slow


@pytest.fixture
def local(
    run: Callable[..., Result], pgstac_dsn: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Callable[..., Result]:
    """``local("status")`` runs ``stac-ingest --local --home H --dsn D status``."""
    monkeypatch.setenv("STAC_INGEST_LOCAL_RETRY_DELAY_SECONDS", "0")
    monkeypatch.setenv("STAC_INGEST_LOCAL_GEN_WORKERS", "2")
    home = tmp_path / "state"

    def invoke(*args: str) -> Result:
        return run("--local", "--home", str(home), "--dsn", pgstac_dsn, *args, stack=None)

    return invoke


def requests_file(path: Path, pkg: str, collection: str, fail: set[str]) -> Path:
    lines = []
    for name in ("a1", "a2", "a3", "bad"):
        request = {
            "package_name": pkg,
            "group_name": "testpkg",
            "create_item_args": [name],
            "collection_id": collection,
            "create_item_options": {"fail": "broken input"} if name in fail else {},
        }
        lines.append(json.dumps(request))
    path.write_text("\n".join(lines) + "\n")
    return path


def test_generate_runs_the_pipeline_and_dead_letters_the_bad_one(
    local: Callable[..., Result], testpkg_requirement: str, tmp_path: Path
) -> None:
    coll = make_collection()
    (tmp_path / "c.json").write_text(json.dumps(coll))
    assert local("-q", "collections", "upsert", str(tmp_path / "c.json")).code == 0
    inventory = requests_file(tmp_path / "r.ndjson", testpkg_requirement, coll["id"], {"bad"})
    result = local("-q", "generate", "--inventory", str(inventory))
    assert result.code == 10, result.err  # PartialFailure: one message dead-lettered
    assert "generated 3 items, loaded 3 items" in result.out
    assert result.error_lines == [
        "error: 1 messages were dead-lettered after their attempts "
        "(hint: stac-ingest --local dlq peek gen)"
    ]
    listed = local("--json", "collections", "list")
    counts = {c["id"]: c["items"] for c in json.loads(listed.out)}
    assert counts[coll["id"]] == 3

    assert local("--json", "dlq", "count").out.strip().startswith("{")
    assert json.loads(local("--json", "dlq", "count").out) == {"gen": 1, "load": 0}
    peek = local("dlq", "peek", "gen")
    assert "received 5x" in peek.out and '"bad"' in peek.out
    logs = local("logs", "gen", "--since", "1h", "--filter", "record_failed")
    lines = logs.out.splitlines()
    assert logs.code == 0 and len(lines) == 5
    assert all("broken input" in line for line in lines)
    assert local("dlq", "purge", "gen", "--yes").code == 0
    assert json.loads(local("--json", "dlq", "count", "gen").out) == {"gen": 0}


def test_no_wait_only_enqueues_and_local_run_drains(
    local: Callable[..., Result], testpkg_requirement: str, tmp_path: Path
) -> None:
    coll = make_collection()
    (tmp_path / "c.json").write_text(json.dumps(coll))
    assert local("-q", "collections", "upsert", "--direct", str(tmp_path / "c.json")).code == 0
    inventory = requests_file(tmp_path / "r.ndjson", testpkg_requirement, coll["id"], set())
    assert local("-q", "generate", "--no-wait", "--inventory", str(inventory)).code == 0
    status = json.loads(local("--json", "status").out)
    assert {s["stage"]: s["visible"] for s in status["stages"]} == {"gen": 4, "load": 0}
    result = local("-q", "--json", "local", "run")
    assert result.code == 0, result.err
    report = json.loads(result.out)
    assert (report["generated"], report["loaded_items"]) == (4, 4)
    status = json.loads(local("--json", "status").out)
    assert {c["id"]: c["items"] for c in status["collections"]}[coll["id"]] == 4
    again = json.loads(local("-q", "--json", "local", "run").out)
    assert again["loaded_items"] == 0  # nothing left: a no-op


def test_bad_local_settings_are_one_line_errors(
    local: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "state"
    home.mkdir()
    (home / "settings.json").write_text("{not json")
    result = local("status")
    assert result.code == 2
    assert len(result.error_lines) == 1 and "settings.json" in result.error_lines[0]
    (home / "settings.json").write_text('{"max_attempts": 0}')
    result = local("status")
    assert result.code == 2 and "max_attempts" in result.error_lines[0]
    (home / "settings.json").write_text('{"max_attempts": 3}')
    monkeypatch.setenv("STAC_INGEST_LOCAL_LOAD_BATCH_SIZE", "lots")
    result = local("status")
    assert result.code == 2 and "load_batch_size" in result.error_lines[0]


def test_local_run_with_an_unreachable_database_fails_fast(
    run: Callable[..., Result], tmp_path: Path
) -> None:
    home = str(tmp_path / "state")
    bad = "postgresql://nobody@127.0.0.1:1/none"
    args = ("--local", "--home", home, "--dsn", bad)
    item = {"type": "Feature", "id": "x", "collection": "c", "geometry": None,
            "properties": {"datetime": "2020-01-01T00:00:00Z"}, "links": [], "assets": {},
            "stac_version": "1.0.0"}  # fmt: skip
    (tmp_path / "i.json").write_text(json.dumps(item))
    result = run(*args, "-q", "load-items", str(tmp_path / "i.json"), stack=None)
    assert result.code == 7
    assert len(result.error_lines) == 1 and "cannot connect" in result.error_lines[0]
    status = json.loads(run(*args, "--json", "status", "--no-db", stack=None).out)
    assert {s["stage"]: s["visible"] for s in status["stages"]}["load"] == 1  # kept for later
