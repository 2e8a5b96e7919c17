"""Four item-load invocations at once, on overlapping partitions and overlapping ids.

pgstac has open reports of silent loss and deadlocks under concurrent loads; whatever
retry that needs must be ours, and the final rows must be exactly the expected set.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import psycopg

from stac_ingest.sdk.loading import ItemLoader
from stac_ingest.sdk.records import SqsRecord
from tests.conftest import make_item, sns_envelope


def _batch(cid: str, worker: int) -> list[SqsRecord]:
    """300 items over 3 monthly datetimes; ids 0-199 are shared by every worker."""
    records = []
    for n in range(300):
        ident = f"shared{n:03d}" if n < 200 else f"own{worker}-{n:03d}"
        month = 1 + (n + worker) % 3
        item = make_item(cid, ident, datetime=f"2020-{month:02d}-15T00:00:00Z", worker=worker)
        stamp = f"2026-01-01T00:00:0{worker}.000Z"
        records.append(SqsRecord(message_id=f"w{worker}-{n}", body=sns_envelope(item, stamp)))
    return records


def test_parallel_loads_lose_nothing(pgstac_dsn: str, pgstac_collection: dict[str, Any]) -> None:
    cid = pgstac_collection["id"]
    with psycopg.connect(pgstac_dsn, autocommit=True) as conn:
        # Monthly partitions, so that the workers' batches overlap on several partitions.
        conn.execute(
            "UPDATE pgstac.collections SET partition_trunc = 'month' WHERE id = %s", (cid,)
        )

    def run(worker: int) -> list[str]:
        with ItemLoader(pgstac_dsn) as loader:
            return loader.load(_batch(cid, worker)).failed_ids

    with ThreadPoolExecutor(max_workers=4) as pool:
        failed = list(pool.map(run, range(4)))

    assert failed == [[], [], [], []]
    with psycopg.connect(pgstac_dsn) as conn:
        rows = conn.execute(
            "SELECT id, count(*) FROM pgstac.items WHERE collection = %s GROUP BY id", (cid,)
        ).fetchall()
    expected = {f"shared{n:03d}" for n in range(200)} | {
        f"own{w}-{n:03d}" for w in range(4) for n in range(200, 300)
    }
    assert {r[0] for r in rows} == expected
    assert all(r[1] == 1 for r in rows), "an id is stored twice"
