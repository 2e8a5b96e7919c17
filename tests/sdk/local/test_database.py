"""Where the managed cluster lives, and how the local database reports itself."""

from __future__ import annotations

import os
from pathlib import Path

from stac_ingest.sdk.local.database import LocalDatabase


def test_datadir_is_in_the_state_dir_when_the_cluster_user_can_reach_it(tmp_path: Path) -> None:
    open_root = tmp_path / "open"
    open_root.mkdir(mode=0o755)
    private = tmp_path / "private"
    private.mkdir(mode=0o700)
    tmp_path.chmod(0o755)
    reachable = all(p.stat().st_mode & 0o001 for p in (tmp_path, *tmp_path.parents))
    db = LocalDatabase(private / "state")
    if os.geteuid() == 0:
        # as root the cluster runs as `postgres`, which cannot enter private/
        assert db.datadir.parent == Path("/var/tmp")
        assert db.datadir == LocalDatabase(private / "state").datadir  # stable per home
        assert db.datadir != LocalDatabase(private / "other").datadir
        if reachable:
            assert LocalDatabase(open_root / "state").datadir == open_root / "state" / "pg"
    else:
        assert db.datadir == private / "state" / "pg"


def test_external_dsn_status(pgstac_dsn: str, tmp_path: Path) -> None:
    status = LocalDatabase(tmp_path, pgstac_dsn).status()
    assert (status.managed, status.running, status.pgstac_version) == (False, True, "0.10.0")
    down = LocalDatabase(tmp_path, "postgresql://nobody@127.0.0.1:1/none").status()
    assert (down.managed, down.running) == (False, False)
    assert "NOT reachable" in down.render()
