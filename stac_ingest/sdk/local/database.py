"""The local pipeline's pgstac: ``--dsn`` / ``PGSTAC_DSN``, or a cluster in the state dir.

Without a DSN, :class:`LocalDatabase` manages a PostgreSQL + PostGIS cluster under
``<home>/pg`` with the system's binaries (:class:`~stac_ingest.sdk.pgcluster.PgCluster`)
and installs pgstac with pypgstac's migrations. Commands that need the database start it
on demand; ``stac-ingest local db start|stop|status|url`` manage it by hand.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

from stac_ingest.errors import DatabaseError, UsageError

if TYPE_CHECKING:
    from stac_ingest.sdk.pgcluster import PgCluster


class DbStatus(BaseModel):
    managed: bool = Field(description="A cluster in the state dir (False: an external --dsn)")
    running: bool
    dsn: str | None = Field(None, description="Connection string, when running")
    datadir: str | None = None
    pgstac_version: str | None = None

    def render(self) -> str:
        if not self.managed:
            state = "reachable" if self.running else "NOT reachable"
            return f"external pgstac ({state}), pgstac {self.pgstac_version or '?'}"
        if not self.running:
            return f"local pgstac: stopped (data in {self.datadir})"
        return (
            f"local pgstac: running at {self.dsn} (pgstac {self.pgstac_version or '?'}, "
            f"data in {self.datadir})"
        )


def _reachable_by_others(path: Path) -> bool:
    """Whether every existing folder from ``path`` up may be entered by any user."""
    for folder in (path, *path.parents):
        if folder.exists() and not folder.stat().st_mode & 0o001:
            return False
    return True


def pgstac_version(dsn: str) -> str | None:
    """The installed pgstac version, or None when pgstac is not installed."""
    from stac_ingest.sdk.pgstac_db import connect

    with connect(dsn) as conn:
        if conn.execute("SELECT to_regnamespace('pgstac')").fetchone()[0] is None:
            return None
        row = conn.execute("SELECT pgstac.get_version()").fetchone()
        return None if row is None else str(row[0])


class LocalDatabase:
    """The pgstac of the local pipeline in ``home`` (or the external one ``dsn`` names)."""

    def __init__(self, home: Path, dsn: str | None = None) -> None:
        self.home = home
        self.external_dsn = dsn or None
        self._cluster: PgCluster | None = None

    @property
    def datadir(self) -> Path:
        """``<home>/pg``; as root, a folder the cluster's user can reach when that is not.

        PostgreSQL refuses to run as root, so the cluster runs as ``postgres``, which
        cannot enter a state dir under, say, a private ``/root``: then the cluster lives
        in ``/var/tmp/stac-ingest-pg-<hash of home>`` instead.
        """
        default = self.home / "pg"
        if os.geteuid() != 0 or _reachable_by_others(self.home.parent):
            return default
        digest = hashlib.sha256(str(self.home).encode()).hexdigest()[:12]
        return Path("/var/tmp") / f"stac-ingest-pg-{digest}"

    def cluster(self) -> PgCluster:
        """The managed cluster; :class:`ToolMissingError` without PostgreSQL binaries."""
        if self._cluster is None:
            from stac_ingest.sdk.pgcluster import PgCluster

            self._cluster = PgCluster(self.datadir)
        return self._cluster

    def _require_managed(self, action: str) -> PgCluster:
        if self.external_dsn:
            raise UsageError(
                f"cannot {action}: --dsn / PGSTAC_DSN points at an external pgstac",
                hint="unset PGSTAC_DSN to use the cluster in the state dir",
            )
        return self.cluster()

    def start(self) -> DbStatus:
        """Start the managed cluster (creating it first) and install or upgrade pgstac."""
        cluster = self._require_managed("start the local database")
        self.home.mkdir(parents=True, exist_ok=True)
        self.home.chmod(self.home.stat().st_mode | 0o055)  # the cluster's user must reach pg/
        cluster.start()
        cluster.migrate()
        return self.status()

    def stop(self) -> DbStatus:
        cluster = self._require_managed("stop the local database")
        cluster.stop()
        return self.status()

    def status(self) -> DbStatus:
        if self.external_dsn:
            try:
                version = pgstac_version(self.external_dsn)
            except DatabaseError:
                return DbStatus(managed=False, running=False)
            return DbStatus(managed=False, running=True, pgstac_version=version)
        cluster = self.cluster()
        if not cluster.running():
            return DbStatus(managed=True, running=False, datadir=str(self.datadir))
        return DbStatus(
            managed=True,
            running=True,
            dsn=cluster.dsn,
            datadir=str(self.datadir),
            pgstac_version=pgstac_version(cluster.dsn),
        )

    def url(self) -> str:
        """The connection string of the running database; an error says how to start it."""
        if self.external_dsn:
            return self.external_dsn
        cluster = self.cluster()
        if not cluster.running():
            raise DatabaseError(
                "the local pgstac is not running", hint="run `stac-ingest local db start`"
            )
        return cluster.dsn

    def ensure(self) -> str:
        """A DSN to a pgstac that is up and migrated, starting the managed one if needed."""
        if self.external_dsn:
            return self.external_dsn
        cluster = self.cluster()
        if not cluster.running() or pgstac_version(cluster.dsn) is None:
            self.start()
        return cluster.dsn
