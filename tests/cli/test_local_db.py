"""``stac-ingest local db start|stop|status|url``: a cluster of its own in the state dir."""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest

from tests.cli.conftest import Result

pytestmark = pytest.mark.slow


@pytest.fixture
def home(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A state dir the cluster's system user can reach (not under a private tmp)."""
    monkeypatch.delenv("PGSTAC_DSN", raising=False)
    root = Path(tempfile.mkdtemp(prefix="stac-ingest-home-"))
    root.chmod(0o755)
    yield root / "state"
    from stac_ingest.sdk.local.database import LocalDatabase

    LocalDatabase(root / "state").cluster().stop(mode="immediate")
    shutil.rmtree(root, ignore_errors=True)


def test_db_lifecycle(run: Callable[..., Result], home: Path) -> None:
    def local(*args: str) -> Result:
        return run("--home", str(home), *args, stack=None)

    stopped = local("local", "db", "url")
    assert stopped.code == 7
    assert stopped.error_lines == [
        "error: the local pgstac is not running (hint: run `stac-ingest local db start`)"
    ]
    started = local("--json", "local", "db", "start")
    assert started.code == 0, started.err
    status = json.loads(started.out)
    assert status["running"] and status["managed"]
    assert status["pgstac_version"] == "0.10.0"
    assert (home / "pg" / "pgdata" / "PG_VERSION").exists()

    dsn = local("local", "db", "url").out.strip()
    with psycopg.connect(dsn) as conn:
        assert conn.execute("SELECT pgstac.get_version()").fetchone() == ("0.10.0",)
    assert "running at" in local("local", "db", "status").out
    assert local("local", "db", "start").code == 0  # again: a no-op
    listed = local("--local", "--json", "collections", "list")  # uses the managed cluster
    assert listed.code == 0 and json.loads(listed.out) == []

    assert "stopped" in local("local", "db", "stop").out
    assert json.loads(local("--json", "local", "db", "status").out)["running"] is False
    # a command that needs the database starts it on demand
    assert local("--local", "collections", "list").code == 0
    assert json.loads(local("--json", "local", "db", "status").out)["running"] is True


def test_db_start_with_an_external_dsn_is_refused(
    run: Callable[..., Result], pgstac_dsn: str, tmp_path: Path
) -> None:
    result = run("--home", str(tmp_path), "--dsn", pgstac_dsn, "local", "db", "start", stack=None)
    assert result.code == 2
    assert len(result.error_lines) == 1 and "external pgstac" in result.error_lines[0]
    status = run("--home", str(tmp_path), "--dsn", pgstac_dsn, "--json", "local", "db", "status",
                 stack=None)  # fmt: skip
    assert json.loads(status.out) == {
        "managed": False, "running": True, "dsn": None, "datadir": None,
        "pgstac_version": "0.10.0",
    }  # fmt: skip
