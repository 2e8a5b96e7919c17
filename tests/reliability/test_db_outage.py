"""PostgreSQL stops in the middle of a load batch: nothing is reported loaded that is not,
and a retry of the failed records, once the database is back, loads everything."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import psycopg
import pytest

from stac_ingest.sdk import loading
from stac_ingest.sdk.loading import ItemLoader
from stac_ingest.sdk.pgcluster import PgCluster
from stac_ingest.sdk.records import SqsRecord
from tests.conftest import make_collection, make_item, sns_envelope, throwaway_pgstac


@pytest.fixture
def own_cluster() -> Iterator[PgCluster]:
    """A cluster of this test's own, since the test stops it."""
    with throwaway_pgstac("stac-ingest-outage-") as cluster:
        yield cluster


def _stored(dsn: str) -> set[str]:
    with psycopg.connect(dsn) as conn:
        return {r[0] for r in conn.execute("SELECT id FROM pgstac.items").fetchall()}


def test_outage_mid_batch_then_retry(
    own_cluster: PgCluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    collections = [make_collection() for _ in range(4)]
    records = [
        SqsRecord(message_id=f"c{n}", body=sns_envelope(c)) for n, c in enumerate(collections)
    ]
    # Four collections: four partitions, loaded one after another.
    for n in range(40):
        item = make_item(collections[n % 4]["id"], f"i{n:02d}")
        records.append(SqsRecord(message_id=f"m{n:02d}", body=sns_envelope(item)))

    real = loading._load_partition
    calls = {"n": 0}

    def stop_on_third(loader: Any, partition: str, rows: list[dict[str, Any]]) -> None:
        calls["n"] += 1
        if calls["n"] == 3:
            own_cluster.stop(mode="immediate")  # the server dies under the loader
        real(loader, partition, rows)

    monkeypatch.setattr(loading, "_load_partition", stop_on_third)
    with ItemLoader(own_cluster.dsn, connect_timeout=2) as loader:
        report = loader.load(records)
    monkeypatch.setattr(loading, "_load_partition", real)

    failed = set(report.failed_ids)
    assert failed, "the outage must fail the records it interrupted"
    assert all("database unavailable" in f.reason for f in report.failures)
    reported_loaded = {r.message_id for r in records} - failed
    assert report.loaded_items == len([m for m in reported_loaded if m.startswith("m")])

    own_cluster.start()
    stored = _stored(own_cluster.dsn)
    for message_id in reported_loaded:
        if message_id.startswith("m"):
            assert f"i{message_id[1:]}" in stored, f"{message_id} reported loaded but missing"

    # The queue redelivers exactly the failed records; they all load now.
    retry = [r for r in records if r.message_id in failed]
    with ItemLoader(own_cluster.dsn) as loader:
        assert loader.load(retry).failed_ids == []
    assert _stored(own_cluster.dsn) == {f"i{n:02d}" for n in range(40)}
