from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import psycopg
import pytest

from stac_ingest.lambdas import item_load

Handler = Callable[[dict[str, Any]], dict[str, Any]]


@pytest.fixture
def load_handler(
    pgstac_dsn: str, monkeypatch: pytest.MonkeyPatch, lambda_context: Any
) -> Iterator[Handler]:
    """The item-load handler, configured through its environment for the test pgstac."""
    monkeypatch.setenv("PGSTAC_DSN", pgstac_dsn)
    monkeypatch.delenv("PGSTAC_SECRET_ARN", raising=False)
    item_load._stage = None

    def call(event: dict[str, Any]) -> dict[str, Any]:
        return item_load.handler(event, lambda_context)

    yield call
    if item_load._stage is not None:
        item_load._stage.close()
    item_load._stage = None


def failed_ids(response: dict[str, Any]) -> set[str]:
    return {f["itemIdentifier"] for f in response["batchItemFailures"]}


def stored_items(dsn: str, collection: str) -> dict[str, dict[str, Any]]:
    """Items of ``collection`` as pgstac returns them (hydrated), by id."""
    with psycopg.connect(dsn) as conn:
        conn.execute("SET search_path TO pgstac, public")
        rows = conn.execute(
            "SELECT id, pgstac.content_hydrate(i) FROM pgstac.items i WHERE collection = %s",
            (collection,),
        ).fetchall()
    return {r[0]: r[1] for r in rows}
