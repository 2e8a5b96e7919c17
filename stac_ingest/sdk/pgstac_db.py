"""Direct pgstac access: connection checks, upserts with pypgstac, and collection counts."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel

from stac_ingest.errors import DatabaseError


class CollectionInfo(BaseModel):
    id: str
    title: str | None = None
    items: int


def _where(dsn: str) -> str:
    """host:port/dbname of a DSN, for messages (never the password)."""
    from psycopg.conninfo import conninfo_to_dict

    try:
        info = conninfo_to_dict(dsn)
    except Exception:
        return "the database"
    return f"{info.get('host', 'localhost')}:{info.get('port', 5432)}/{info.get('dbname', '')}"


@contextlib.contextmanager
def connect(dsn: str) -> Iterator[Any]:
    """A psycopg connection; an unreachable database is a one-line :class:`DatabaseError`."""
    import psycopg

    try:
        conn = psycopg.connect(dsn, connect_timeout=10, autocommit=True)
    except psycopg.Error as exc:
        reason = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
        raise DatabaseError(f"cannot connect to pgstac at {_where(dsn)}: {reason}") from None
    with conn:
        yield conn


def check(dsn: str) -> None:
    """Connect once, so that an unreachable database fails before any work."""
    with connect(dsn) as conn:
        conn.execute("SELECT 1")


def _pgstac_error(exc: Exception) -> DatabaseError:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return DatabaseError(f"pgstac refused the records: {text}")


def upsert_collection(dsn: str, collection: dict[str, Any]) -> None:
    from pypgstac.db import PgstacDB
    from pypgstac.load import Loader, Methods

    check(dsn)
    try:
        with PgstacDB(dsn=dsn) as db:
            Loader(db).load_collections(iter([collection]), insert_mode=Methods.upsert)
    except Exception as exc:
        raise _pgstac_error(exc) from exc


def list_collections(dsn: str) -> list[CollectionInfo]:
    """Every collection with its item count."""
    with connect(dsn) as conn:
        rows = conn.execute(
            "SELECT c.id, c.content->>'title', "
            "(SELECT count(*) FROM pgstac.items i WHERE i.collection = c.id) "
            "FROM pgstac.collections c ORDER BY c.id"
        ).fetchall()
    return [CollectionInfo(id=r[0], title=r[1], items=int(r[2])) for r in rows]
