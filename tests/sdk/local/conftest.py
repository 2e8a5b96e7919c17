"""Fixtures of the local pipeline tests: a fresh state dir on the session's pgstac."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from stac_ingest.sdk.local.backend import LocalBackend
from stac_ingest.sdk.local.settings import LocalSettings


def quick_settings(**overrides: object) -> LocalSettings:
    """Settings for tests: retries at once, short polls and batching windows."""
    values: dict[str, object] = {
        "gen_workers": 2,
        "retry_delay_seconds": 0,
        "load_window_seconds": 0.2,
        "poll_seconds": 0.02,
    }
    values.update(overrides)
    return LocalSettings(**values)  # type: ignore[arg-type]


@pytest.fixture
def local_home(tmp_path: Path) -> Path:
    return tmp_path / "state"


@pytest.fixture
def local_backend(local_home: Path, pgstac_dsn: str) -> Iterator[LocalBackend]:
    backend = LocalBackend(local_home, pgstac_dsn, settings=quick_settings())
    yield backend
    backend.close()
