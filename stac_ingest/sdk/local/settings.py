"""The local pipeline's state directory and settings.

The state directory (``--home``, ``STAC_INGEST_HOME``, default ``./.stac-ingest``) holds::

    queue.db          the two stages' queues and dead letters (SQLite, WAL)
    settings.json     optional overrides of :class:`LocalSettings`
    logs/pipeline.log structured JSON log lines of both stages
    payloads/         items over the message size limit, referenced by file:// pointers
    pg/               the managed PostgreSQL cluster (when no --dsn is given)
    run.lock          held by the one process draining the queues

Settings come from, by priority: ``STAC_INGEST_LOCAL_*`` environment variables, then
``settings.json``, then the defaults below. Nothing is read at import time.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import orjson
from pydantic import Field
from pydantic import ValidationError as PydanticValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from stac_ingest.errors import ConfigError

DEFAULT_HOME = ".stac-ingest"


def _cpus() -> int:
    return max(1, os.cpu_count() or 1)


class LocalSettings(BaseSettings):
    """How the local pipeline runs; the defaults mirror the deployed pipeline."""

    model_config = SettingsConfigDict(env_prefix="STAC_INGEST_LOCAL_", extra="ignore")

    gen_workers: int = Field(
        default_factory=_cpus, ge=1, description="create-item calls at once (default: CPUs)"
    )
    load_batch_size: int = Field(1000, ge=1, le=10000, description="Items per pgstac upsert")
    load_window_seconds: float = Field(
        1.0, ge=0, description="How long the loader waits to fill a batch while gen runs"
    )
    max_attempts: int = Field(5, ge=1, description="Receives before a message is dead-lettered")
    retry_delay_seconds: float = Field(
        5.0, ge=0, description="Delay before a failed message is visible again"
    )
    gen_visibility_timeout_seconds: float = Field(
        900.0, gt=0, description="Lease of a gen message being processed"
    )
    load_visibility_timeout_seconds: float = Field(
        300.0, gt=0, description="Lease of a load message being processed"
    )
    create_item_timeout_seconds: float = Field(300.0, gt=0, description="Cap on one create-item")
    poll_seconds: float = Field(0.1, gt=0, description="Idle wait between queue polls")
    api_port: int = Field(8081, ge=1, le=65535, description="Port of `local api`")


def resolve_home(home: str | Path | None = None) -> Path:
    """``home``, else ``STAC_INGEST_HOME``, else ``./.stac-ingest`` (absolute)."""
    chosen = home if home is not None else os.environ.get("STAC_INGEST_HOME") or DEFAULT_HOME
    return Path(chosen).expanduser().absolute()


def load_settings(home: Path) -> LocalSettings:
    """Settings for ``home``: environment over ``settings.json`` over defaults."""
    path = home / "settings.json"
    values: dict[str, Any] = {}
    if path.exists():
        try:
            data = orjson.loads(path.read_bytes())
        except orjson.JSONDecodeError as exc:
            raise ConfigError(f"{path}: malformed JSON: {exc}") from None
        if not isinstance(data, dict):
            raise ConfigError(f"{path}: expected a JSON object of settings")
        values.update(data)
    try:
        from_env = LocalSettings()
        values.update({k: getattr(from_env, k) for k in from_env.model_fields_set})
        return LocalSettings(**values)
    except PydanticValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ConfigError(f"invalid local setting {where}: {first['msg']}") from None
