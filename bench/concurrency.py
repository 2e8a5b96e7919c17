"""Concurrent loaders: does a second item-load Lambda add throughput?

The capacity model assumes that pgstac serializes upserts within a partition, so that a
second loader helps only when the two load different partitions. This measures it:
item-load handlers in separate processes (as separate Lambda containers are), each
loading its own items in 1,000-record events, started together, against the same pgstac:

- **1 loader**: one handler loads all the items into one collection (one partition);
- **2 loaders, 1 partition**: two handlers load half each into the same collection;
- **2 loaders, 2 partitions**: two handlers load half each into two collections.

The clock runs from the common start to the last handler's end; each process imports its
code and builds its events before the start (its connection opens with its first event). Each run starts from empty collections and must leave exactly
the expected rows. On this machine the loaders, PostgreSQL and everything else share the
same cores, so the speed-ups are a floor of what separate Lambdas and a database server get.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from bench import items as data
from bench.report import Section, Table
from bench.services import Services
from bench.timing import alternate, log, median, spread

COLLECTIONS = ("bench-conc-a", "bench-conc-b")


def _loader(dsn: str, collection: str, start: int, count: int, at: float) -> float:
    """One loader process: import, build its events, wait for the common start, load them.

    Returns the wall-clock time it finished.
    """
    import logging

    from stac_ingest.lambdas import item_load

    os.environ["PGSTAC_DSN"] = dsn
    os.environ.pop("PGSTAC_SECRET_ARN", None)
    logging.disable(logging.INFO)
    events = [
        data.sqs_event(data.item_bodies(collection, start + s, n), start + s)
        for s, n in data.chunks(count, 1000)
    ]
    time.sleep(max(0.0, at - time.time()))
    for event in events:
        response = item_load.handler(event, None)
        if response["batchItemFailures"]:
            raise RuntimeError(f"loader failed records: {response['batchItemFailures'][:2]}")
    return time.time()


def _sql(dsn: str, query: str, *args: Any) -> Any:
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("SET search_path TO pgstac, public")
        cursor = conn.execute(query, args)
        return cursor.fetchone() if cursor.description else None


def _reset(dsn: str) -> None:
    _sql(dsn, "DELETE FROM items WHERE collection = ANY(%s)", list(COLLECTIONS))
    _sql(dsn, "VACUUM ANALYZE items")
    _sql(dsn, "CHECKPOINT")


def _count(dsn: str) -> int:
    return int(
        _sql(dsn, "SELECT count(*) FROM items WHERE collection = ANY(%s)", list(COLLECTIONS))[0]
    )


def run_loaders(
    pool: ProcessPoolExecutor, dsn: str, plan: list[tuple[str, int, int]], total: int
) -> float:
    """Run one loader per (collection, start, count) at once; seconds from start to last end."""
    _reset(dsn)
    at = time.time() + 4.0  # time for every process to import and build its events
    futures = [pool.submit(_loader, dsn, coll, start, n, at) for coll, start, n in plan]
    ends = [f.result() for f in futures]
    seconds = max(ends) - at
    if _count(dsn) != total:
        raise RuntimeError(f"{_count(dsn)} rows after concurrent loaders, not {total}")
    return seconds


def run(svc: Services, *, quick: bool, reps: int) -> Section:
    from pypgstac.db import PgstacDB
    from pypgstac.load import Loader, Methods

    dsn = svc.pgstac_dsn()
    with PgstacDB(dsn=dsn) as db:
        Loader(db).load_collections(
            iter([data.collection(c) for c in COLLECTIONS]), insert_mode=Methods.upsert
        )
    total = 4_000 if quick else 20_000
    half = total // 2
    a, b = COLLECTIONS
    plans = {
        "1 loader": [(a, 0, total)],
        "2 loaders, 1 partition": [(a, 0, half), (a, half, half)],
        "2 loaders, 2 partitions": [(a, 0, half), (b, half, half)],
    }
    log(f"concurrency: {total:,} items by 1 or 2 loader processes")
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=2, mp_context=context) as pool:
        times = alternate(
            {name: lambda p=plan: run_loaders(pool, dsn, p, total) for name, plan in plans.items()},
            reps,
        )
    _reset(dsn)
    one = median(times["1 loader"])
    rows = [
        [name, f"{median(secs):.2f} ({spread(secs)})", f"{total / median(secs):,.0f}",
         f"{one / median(secs):.2f}x"]
        for name, secs in times.items()
    ]  # fmt: skip
    return Section(
        key="concurrency",
        title="1b. Concurrent loaders and pgstac partitions",
        method=__doc__ or "",
        tables=[
            Table(
                caption=f"{total:,} items; medians of {reps} alternating repetitions",
                columns=["Loaders", "Seconds (min-max)", "Items/s", "Speed-up over 1 loader"],
                rows=rows,
            )
        ],
        raw={"seconds": times, "items": total},
    )
