"""A private PostgreSQL + PostGIS cluster with pgstac, run from the system's binaries.

Used by ``stac-ingest local db start|stop|status|url`` and by the test suite: one
implementation of "a throwaway pgstac on loopback". When the process runs as root (CI, a
container), the cluster runs as an unprivileged system user, since PostgreSQL refuses root.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stac_ingest.errors import DatabaseError, ToolMissingError

_INSTALL_HINT = (
    "install PostgreSQL and PostGIS, e.g. `apt-get install postgresql postgresql-15-postgis-3` "
    "(or run scripts/bootstrap.sh)"
)
_DB_NAME = "pgstac"
_SUPERUSER = "postgres"


def find_bindir() -> Path:
    """The directory holding ``initdb`` and ``pg_ctl``, newest PostgreSQL first."""
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
        reverse=True,
    )
    for path in candidates:
        if (path / "initdb").exists() and (path / "pg_ctl").exists():
            return path
    pg_config = shutil.which("pg_config")
    if pg_config:
        out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=False)
        path = Path(out.stdout.strip())
        if (path / "initdb").exists():
            return path
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).resolve().parent
    raise ToolMissingError(
        f"PostgreSQL server binaries (initdb, pg_ctl) not found: {_INSTALL_HINT}"
    )


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _service_user() -> str | None:
    """The user the cluster runs as: ourselves, or an unprivileged one when we are root."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            pwd.getpwnam(name)
            return name
    raise ToolMissingError("running as root and no 'postgres' or 'nobody' user exists")


@dataclass
class PgCluster:
    """A PostgreSQL cluster in ``datadir``, listening on 127.0.0.1:``port``."""

    datadir: Path
    port: int = 0

    def __post_init__(self) -> None:
        self.datadir = Path(self.datadir).absolute()
        self.bindir = find_bindir()
        self.user = _service_user()
        port_file = self.datadir / "stac-ingest.port"
        if not self.port:
            self.port = int(port_file.read_text()) if port_file.exists() else free_port()

    @property
    def pgdata(self) -> Path:
        return self.datadir / "pgdata"

    @property
    def logfile(self) -> Path:
        return self.datadir / "postgresql.log"

    @property
    def dsn(self) -> str:
        return f"postgresql://{_SUPERUSER}@127.0.0.1:{self.port}/{_DB_NAME}"

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        cmd = [str(self.bindir / args[0]), *args[1:]]
        drop: dict[str, Any] = {}
        if self.user:  # run as the unprivileged user, from a directory it can enter
            entry = pwd.getpwnam(self.user)
            drop = {"user": entry.pw_uid, "group": entry.pw_gid, "extra_groups": [],
                    "cwd": self.datadir}  # fmt: skip
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False, **drop)
        if check and proc.returncode != 0:
            tail = (proc.stderr or proc.stdout).strip().splitlines()[-5:]
            raise DatabaseError(f"{args[0]} failed: {' | '.join(tail)}")
        return proc

    def _chown(self, path: Path) -> None:
        if self.user:
            entry = pwd.getpwnam(self.user)
            os.chown(path, entry.pw_uid, entry.pw_gid)

    def initialized(self) -> bool:
        return (self.pgdata / "PG_VERSION").exists()

    def init(self) -> None:
        """``initdb`` with trust auth on loopback only; does nothing if already done."""
        if self.initialized():
            return
        self.datadir.mkdir(parents=True, exist_ok=True)
        self.pgdata.mkdir(exist_ok=True)
        for path in (self.datadir, self.pgdata):
            self._chown(path)
        self.pgdata.chmod(0o700)
        self._run(
            "initdb", "-D", str(self.pgdata), "-U", _SUPERUSER, "--auth=trust",
            "--encoding=UTF8", "--locale=C",
        )  # fmt: skip
        conf = self.pgdata / "postgresql.conf"
        with conf.open("a") as fh:
            fh.write(
                "\n# stac-ingest local cluster\n"
                "listen_addresses = '127.0.0.1'\n"
                f"unix_socket_directories = '{self.pgdata}'\n"
                "max_connections = 100\n"
                "fsync = on\n"
                "shared_buffers = 256MB\n"
                "max_wal_size = 2GB\n"
            )

    def running(self) -> bool:
        if not self.initialized():
            return False
        return self._run("pg_ctl", "status", "-D", str(self.pgdata), check=False).returncode == 0

    def start(self, *, timeout: float = 60.0) -> None:
        """Start the cluster (initializing it first) and wait until it accepts connections."""
        self.init()
        (self.datadir / "stac-ingest.port").write_text(str(self.port))
        if not self.running():
            if not self.logfile.exists():
                self.logfile.touch()
            self._chown(self.logfile)
            self._run(
                "pg_ctl", "start", "-D", str(self.pgdata), "-l", str(self.logfile), "-w",
                "-t", str(int(timeout)), "-o", f"-p {self.port}",
            )  # fmt: skip
        self._wait_ready(timeout)
        self._ensure_database()

    def stop(self, *, mode: str = "fast") -> None:
        if self.running():
            self._run("pg_ctl", "stop", "-D", str(self.pgdata), "-m", mode, "-w")

    def _wait_ready(self, timeout: float) -> None:
        import psycopg

        deadline = time.monotonic() + timeout
        admin = f"postgresql://{_SUPERUSER}@127.0.0.1:{self.port}/postgres"
        while True:
            try:
                with psycopg.connect(admin, connect_timeout=2):
                    return
            except psycopg.OperationalError as exc:
                if time.monotonic() > deadline:
                    raise DatabaseError(f"local PostgreSQL did not come up: {exc}") from exc
                time.sleep(0.2)

    def _ensure_database(self) -> None:
        import psycopg

        admin = f"postgresql://{_SUPERUSER}@127.0.0.1:{self.port}/postgres"
        with psycopg.connect(admin, autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (_DB_NAME,))
            if exists.fetchone() is None:
                conn.execute(f"CREATE DATABASE {_DB_NAME}")

    def migrate(self) -> str:
        """Install or upgrade pgstac with pypgstac's migrations; returns the version."""
        return migrate_pgstac(self.dsn)


def migrate_pgstac(dsn: str) -> str:
    """Run pypgstac's migrations against ``dsn``; returns the pgstac version now installed."""
    from pypgstac.db import PgstacDB
    from pypgstac.migrate import Migrate

    try:
        with PgstacDB(dsn=dsn) as db:
            return str(Migrate(db).run_migration())
    except Exception as exc:
        if "postgis" in str(exc).lower():
            raise ToolMissingError(f"PostGIS is missing from the server: {_INSTALL_HINT}") from exc
        raise DatabaseError(f"pgstac migration failed: {exc}") from exc
