"""Concurrent loaders: does a second item-load Lambda add throughput?

pypgstac's upsert copies a batch into a temporary table, then takes ``LOCK TABLE ... IN
EXCLUSIVE MODE`` on the partition for the ``INSERT ... ON CONFLICT``: loaders on one
partition serialize that step, and only that step. This measures what it costs:
item-load handlers in separate processes (as separate Lambda containers are), each
loading its items in 1,000-record events, started together, against the same pgstac:

- **1 loader**: one handler loads all the items into one collection (one partition);
- **2 loaders, 1 partition**: two handlers load half each into the same collection;
- **2 loaders, 2 partitions**: two handlers load half each into two collections;
- **2 loaders, same items**: both load the same half (every row upserted twice, as when
  a batch is redelivered while its first delivery is still loading).

The clock runs from the first handler's start to the last one's end; each process imports
its code and builds its events, then waits at a barrier for the others (its connection
opens with its first event).
Each run starts from empty collections and must leave exactly the expected rows; records
a handler reports failed are sent again, as SQS would, and counted. On this machine the
loaders, PostgreSQL and everything else share 2 cores, so the speed-ups are a floor of
what separate Lambdas and a database server get.
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


def _loader(
    dsn: str, collection: str, start: int, count: int, barrier: Any
) -> tuple[float, float, int]:
    """One loader process: import, build its events, wait for the others, load them.

    Returns the wall-clock times it started and finished, and the records it sent again.
    """
    import logging

    from stac_ingest.lambdas import item_load

    os.environ["PGSTAC_DSN"] = dsn
    os.environ.pop("PGSTAC_SECRET_ARN", None)
    logging.disable(logging.CRITICAL)
    events = [
        data.sqs_event(data.item_bodies(collection, start + s, n), start + s)
        for s, n in data.chunks(count, 1000)
    ]
    retried = 0
    barrier.wait()
    began = time.time()
    for event in events:
        for _attempt in range(5):
            response = item_load.handler(event, None)
            failed = {f["itemIdentifier"] for f in response["batchItemFailures"]}
            if not failed:
                break
            retried += len(failed)
            event = {"Records": [r for r in event["Records"] if r["messageId"] in failed]}
        else:
            raise RuntimeError(f"records still failing after 5 attempts: {sorted(failed)[:3]}")
    return began, time.time(), retried


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
    pool: ProcessPoolExecutor,
    manager: Any,
    dsn: str,
    plan: list[tuple[str, int, int]],
    retries: list[int],
) -> float:
    """Run one loader per (collection, start, count) at once; seconds from start to last end."""
    expected = len({(c, i) for c, start, n in plan for i in range(start, start + n)})
    _reset(dsn)
    barrier = manager.Barrier(len(plan))  # every loader ready before any starts
    futures = [pool.submit(_loader, dsn, coll, start, n, barrier) for coll, start, n in plan]
    spans = [f.result() for f in futures]
    seconds = max(end for _, end, _ in spans) - min(began for began, _, _ in spans)
    retries.append(sum(r for _, _, r in spans))
    if _count(dsn) != expected:
        raise RuntimeError(f"{_count(dsn)} rows after concurrent loaders, not {expected}")
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
        "2 loaders, same items": [(a, 0, half), (a, 0, half)],
    }
    retries: dict[str, list[int]] = {name: [] for name in plans}
    log(f"concurrency: {total:,} items by 1 or 2 loader processes")
    context = multiprocessing.get_context("spawn")
    with context.Manager() as manager, ProcessPoolExecutor(2, mp_context=context) as pool:
        times = alternate(
            {
                name: lambda p=plan, r=retries[name]: run_loaders(pool, manager, dsn, p, r)
                for name, plan in plans.items()
            },
            reps,
        )
    _reset(dsn)
    one = median(times["1 loader"])
    rows = [
        [name, f"{median(secs):.2f} ({spread(secs)})", f"{total / median(secs):,.0f}",
         f"{one / median(secs):.2f}x", str(sum(retries[name]))]
        for name, secs in times.items()
    ]  # fmt: skip
    return Section(
        key="concurrency",
        title="1b. Concurrent loaders and pgstac partitions",
        method=__doc__ or "",
        tables=[
            Table(
                caption=f"{total:,} items; medians of {reps} alternating repetitions",
                columns=[
                    "Loaders",
                    "Seconds (min-max)",
                    "Upserts/s",
                    "Speed-up over 1 loader",
                    "Records sent again",
                ],
                rows=rows,
            )
        ],
        raw={"seconds": times, "items": total, "retried": retries},
    )
