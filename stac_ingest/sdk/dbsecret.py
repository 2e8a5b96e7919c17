"""Database connection strings: from a Secrets Manager secret, or given directly."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from typing import Any

import orjson

from stac_ingest.errors import ConfigError, DatabaseError

_REQUIRED = ("username", "password", "host", "dbname")


def dsn_from_secret_value(value: str) -> str:
    """A libpq URI from a pgstac secret's JSON (keys username, password, host, port, dbname)."""
    from psycopg.conninfo import make_conninfo

    try:
        data = orjson.loads(value)
    except orjson.JSONDecodeError as exc:
        raise ConfigError("the pgstac secret is not JSON") from exc
    if not isinstance(data, dict):
        raise ConfigError("the pgstac secret is not a JSON object")
    missing = [k for k in _REQUIRED if not data.get(k)]
    if missing:
        raise ConfigError(f"the pgstac secret lacks {', '.join(missing)}")
    return make_conninfo(
        "",
        user=str(data["username"]),
        password=str(data["password"]),
        host=str(data["host"]),
        port=str(data.get("port") or 5432),
        dbname=str(data["dbname"]),
    )


def dsn_from_secret(secret_arn: str, client: Any = None) -> str:
    """Fetch the secret and build the connection string. The password is never logged."""
    if client is None:
        import boto3

        client = boto3.client("secretsmanager")
    try:
        with _quiet_response_bodies():
            value = client.get_secret_value(SecretId=secret_arn)["SecretString"]
    except Exception as exc:
        from stac_ingest.sdk.aws import as_stac_ingest_error

        err = as_stac_ingest_error(exc)
        raise DatabaseError(f"cannot read the pgstac secret {secret_arn}: {err.message}") from exc
    return dsn_from_secret_value(value)


@contextlib.contextmanager
def _quiet_response_bodies() -> Iterator[None]:
    """botocore logs response bodies at DEBUG (``-vv``): never this one, it holds the password."""
    parsers = logging.getLogger("botocore.parsers")
    before = parsers.level
    if parsers.getEffectiveLevel() < logging.INFO:
        parsers.setLevel(logging.INFO)
    try:
        yield
    finally:
        parsers.setLevel(before)


def password_of(dsn: str) -> str | None:
    from psycopg.conninfo import conninfo_to_dict

    try:
        value = conninfo_to_dict(dsn).get("password")
    except Exception:
        return None
    return str(value) if value else None


def redact(text: str, dsn: str) -> str:
    """``text`` with the password of ``dsn`` masked."""
    secret = password_of(dsn)
    return text.replace(secret, "***") if secret else text
