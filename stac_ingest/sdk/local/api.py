"""A STAC API (stac-fastapi-pgstac) over the local pgstac, on loopback.

:func:`serve` runs in the foreground (``stac-ingest local api``) and records its URL in
``<home>/api.json`` so that ``status`` can show it; :class:`ApiServer` runs the same app
in a background thread (the demo and the tests search through it over HTTP).
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import orjson

from stac_ingest.errors import StacIngestError, ToolMissingError, UsageError

_LOCAL_EXTRA_HINT = "install the `local` extra: uv sync --extra local (make does it)"


def _require_local_extra() -> None:
    import importlib.util

    for module in ("stac_fastapi.pgstac", "uvicorn"):
        if importlib.util.find_spec(module.split(".")[0]) is None:
            raise ToolMissingError(f"{module} is not installed", hint=_LOCAL_EXTRA_HINT)


def build_app(dsn: str) -> Any:
    """The stac-fastapi-pgstac application reading the pgstac at ``dsn``."""
    _require_local_extra()
    # stac-fastapi warns about default titles at every settings object it makes (imports too)
    logging.getLogger("stac_fastapi.types.config").setLevel(logging.ERROR)
    from fastapi import FastAPI
    from psycopg.conninfo import conninfo_to_dict
    from stac_fastapi.pgstac.app import instantiate_api
    from stac_fastapi.pgstac.config import PostgresSettings, Settings
    from stac_fastapi.pgstac.db import close_db_connection, connect_to_db

    info = conninfo_to_dict(dsn)
    postgres = PostgresSettings(
        pguser=str(info.get("user") or os.environ.get("PGUSER") or "postgres"),
        pgpassword=str(info.get("password") or ""),
        pghost=str(info.get("host") or "127.0.0.1"),
        pgport=int(info.get("port") or 5432),
        pgdatabase=str(info.get("dbname") or "postgres"),
    )

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await connect_to_db(app, postgres_settings=postgres)
        yield
        await close_db_connection(app)

    settings = Settings(
        stac_fastapi_title="stac-ingest local",
        stac_fastapi_description="The local pipeline's pgstac",
        stac_fastapi_landing_id="stac-ingest-local",
    )
    api = instantiate_api(lifespan=lifespan, settings=settings)
    return api.app


def _config(dsn: str, host: str, port: int) -> Any:
    import uvicorn

    if host not in ("127.0.0.1", "localhost", "::1"):
        raise UsageError(f"the local API only listens on loopback, not {host}")
    return uvicorn.Config(build_app(dsn), host=host, port=port, log_level="warning", lifespan="on")


def api_file(home: Path) -> Path:
    return home / "api.json"


def running_api_url(home: Path) -> str | None:
    """The URL recorded by a ``local api`` process that is still alive."""
    try:
        data = orjson.loads(api_file(home).read_bytes())
        pid, url = int(data["pid"]), str(data["url"])
    except (OSError, orjson.JSONDecodeError, KeyError, TypeError, ValueError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        pass
    return url


def serve(dsn: str, *, home: Path, host: str = "127.0.0.1", port: int = 8081) -> None:
    """Serve until interrupted (blocking)."""
    import uvicorn

    server = uvicorn.Server(_config(dsn, host, port))
    home.mkdir(parents=True, exist_ok=True)
    url = f"http://{host}:{port}"
    api_file(home).write_bytes(orjson.dumps({"pid": os.getpid(), "url": url}))
    try:
        server.run()
    finally:
        with contextlib.suppress(OSError):
            api_file(home).unlink()
    if not server.started:
        raise StacIngestError(f"the STAC API could not start on {url} (is the port in use?)")


class ApiServer:
    """The API in a background thread: ``with ApiServer(dsn) as url: ...``."""

    def __init__(self, dsn: str, *, host: str = "127.0.0.1", port: int = 0) -> None:
        from stac_ingest.sdk.pgcluster import free_port

        self.host = host
        self.port = port or free_port()
        self._dsn = dsn
        self._server: Any = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self, timeout: float = 30.0) -> str:
        import uvicorn

        self._server = uvicorn.Server(_config(self._dsn, self.host, self.port))
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise StacIngestError(f"the STAC API did not start on {self.url}")
            time.sleep(0.05)
        return self.url

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._server = self._thread = None

    def __enter__(self) -> str:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
