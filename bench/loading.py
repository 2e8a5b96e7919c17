"""The item-load Lambda handler vs pypgstac's ``Loader`` called directly.

All contenders load the same items in the same chunks into the same pgstac, and start
from the same JSON text. The **handler** gets each chunk as a Lambda SQS event of SNS
envelopes (as the load queue delivers them; "raw delivery": the bare item JSON, as with
the subscription's ``RawMessageDelivery``) and parses, validates, de-duplicates and
upserts them, reporting per-record failures; a fresh handler state per run, so the first
event opens the connection. The **Loader** baseline parses each chunk's item lines with
orjson and calls ``Loader.load_items(iter(items), insert_mode=Methods.upsert)`` on one
``PgstacDB`` kept for the whole run, as ``pypgstac load items`` does with an NDJSON file.
**Loader (dicts)** is the same without the parsing (items handed over as dicts), the
floor of what any wrapper can reach. Only the calls are timed: building events and
chunks, emptying the table (DELETE, VACUUM ANALYZE, CHECKPOINT) and counting the rows
afterwards (every run must leave exactly the expected number) are not.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from typing import Any

import orjson

from bench import items as data
from bench.report import Section, Table, Target
from bench.services import Services
from bench.timing import alternate, log, median, spread

COLLECTION = "bench-load"


@dataclass(frozen=True)
class Scenario:
    label: str
    count: int
    chunk: int
    reingest: bool = False
    target: bool = False
    raw: bool = False


def scenarios(quick: bool) -> list[Scenario]:
    if quick:
        return [
            Scenario("2k items, 1000-record events", 2_000, 1000, target=True),
            Scenario("2k items, 100-record events", 2_000, 100),
            Scenario("2k re-ingested unchanged, 1000-record events", 2_000, 1000, True),
            Scenario("2k items, 1000-record events, raw delivery", 2_000, 1000, raw=True),
        ]
    return [
        Scenario("10k items, 1000-record events", 10_000, 1000, target=True),
        Scenario("100k items, 1000-record events", 100_000, 1000, target=True),
        Scenario("10k items, 100-record events", 10_000, 100),
        Scenario("10k re-ingested unchanged, 1000-record events", 10_000, 1000, True),
        Scenario("10k items, 1000-record events, raw delivery", 10_000, 1000, raw=True),
    ]


class _Lambda:
    """The context object the handler is given."""

    aws_request_id = "bench"
    function_name = "bench-item-load"

    def get_remaining_time_in_millis(self) -> int:
        return 45_000


def _sql(dsn: str, query: str, *args: Any) -> Any:
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("SET search_path TO pgstac, public")
        cursor = conn.execute(query, args)
        return cursor.fetchone() if cursor.description else None


def _count(dsn: str) -> int:
    return int(_sql(dsn, "SELECT count(*) FROM items WHERE collection = %s", COLLECTION)[0])


def _empty(dsn: str) -> None:
    _sql(dsn, "DELETE FROM items WHERE collection = %s", COLLECTION)
    _settle(dsn)


def _settle(dsn: str) -> None:
    """Vacuum and checkpoint, so that no run pays for the previous one's dead rows."""
    _sql(dsn, "VACUUM ANALYZE items")
    _sql(dsn, "CHECKPOINT")


def run_handler(dsn: str, scenario: Scenario, batch_times: list[float] | None = None) -> float:
    """The handler on ``scenario``'s events; returns the seconds spent inside it."""
    import logging

    from stac_ingest.lambdas import item_load

    saved = {k: os.environ.pop(k, None) for k in ("PGSTAC_DSN", "PGSTAC_SECRET_ARN")}
    os.environ["PGSTAC_DSN"] = dsn
    if item_load._stage is not None:
        item_load._stage.close()
    item_load._stage = None  # a fresh container: the first event opens the connection
    root = logging.getLogger()
    root.handlers.clear()  # the handler sets up its own, as in Lambda
    context = _Lambda()
    total = 0.0
    try:
        for start, n in data.chunks(scenario.count, scenario.chunk):
            bodies = data.item_bodies(COLLECTION, start, n)
            event = data.sqs_event(bodies, start, raw=scenario.raw)
            started = time.perf_counter()
            response = item_load.handler(event, context)
            took = time.perf_counter() - started
            total += took
            if batch_times is not None:
                batch_times.append(took)
            if response["batchItemFailures"]:
                failed = response["batchItemFailures"][:3]
                raise RuntimeError(f"the handler failed records: {failed}")
    finally:
        if item_load._stage is not None:
            item_load._stage.close()
        item_load._stage = None
        root.handlers.clear()
        root.setLevel(logging.WARNING)
        for key, value in saved.items():  # later benchmarks' processes inherit os.environ
            os.environ.pop(key, None)
            if value is not None:
                os.environ[key] = value
    return total


def run_direct(dsn: str, scenario: Scenario, *, parse: bool = True) -> float:
    """pypgstac's Loader on the same chunks; returns the seconds spent parsing and loading."""
    from pypgstac.db import PgstacDB
    from pypgstac.load import Loader, Methods

    total = 0.0
    with PgstacDB(dsn=dsn) as db:
        loader = Loader(db)
        for start, n in data.chunks(scenario.count, scenario.chunk):
            lines = data.item_bodies(COLLECTION, start, n)
            parsed = None if parse else [orjson.loads(b) for b in lines]
            started = time.perf_counter()
            chunk = [orjson.loads(b) for b in lines] if parsed is None else parsed
            loader.load_items(iter(chunk), insert_mode=Methods.upsert)
            total += time.perf_counter() - started
    return total


def run_direct_dicts(dsn: str, scenario: Scenario) -> float:
    return run_direct(dsn, scenario, parse=False)


def _contender(dsn: str, scenario: Scenario, fn: Any, batch_times: list[float] | None) -> float:
    if scenario.reingest:
        _settle(dsn)
    else:
        _empty(dsn)
    seconds = float(
        fn(dsn, scenario, batch_times) if batch_times is not None else fn(dsn, scenario)
    )
    loaded = _count(dsn)
    if loaded != scenario.count:
        raise RuntimeError(f"{scenario.label}: {loaded} rows after the run, not {scenario.count}")
    return seconds


def parse_cost() -> float:
    """Microseconds per record of ``parse_batch`` on 10 events of 1,000 SNS-enveloped items."""
    from stac_ingest.sdk.batch import parse_batch
    from stac_ingest.sdk.records import records_from_event

    events = [
        records_from_event(data.sqs_event(data.item_bodies(COLLECTION, start, n), start))
        for start, n in data.chunks(10_000, 1000)
    ]
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        for records in events:
            parse_batch(records)
        best = min(best, time.perf_counter() - started)
    return best / 10_000 * 1e6


def _rate(count: int, seconds: list[float]) -> str:
    return f"{count / median(seconds):,.0f}"


def run(svc: Services, *, quick: bool, reps: int) -> Section:
    from pypgstac.db import PgstacDB
    from pypgstac.load import Loader, Methods

    dsn = svc.pgstac_dsn()
    with PgstacDB(dsn=dsn) as db:
        Loader(db).load_collections(iter([data.collection(COLLECTION)]), insert_mode=Methods.upsert)
    # Import everything both contenders use before the clock runs for either.
    _empty(dsn)
    run_handler(dsn, Scenario("warm-up", 1000, 1000))
    rows: list[list[str]] = []
    targets: list[Target] = []
    raw: dict[str, Any] = {}
    per_batch: list[list[str]] = []
    for scenario in scenarios(quick):
        log(f"loading: {scenario.label}")
        if scenario.reingest:
            _empty(dsn)
            run_direct(dsn, scenario)
        batches: list[float] = []
        times = alternate(
            {
                "handler": lambda s=scenario, b=batches: _contender(dsn, s, run_handler, b),
                "Loader": lambda s=scenario: _contender(dsn, s, run_direct, None),
                "Loader (dicts)": lambda s=scenario: _contender(dsn, s, run_direct_dicts, None),
            },
            min(reps, 3) if scenario.count > 50_000 else reps,
        )
        ratio = median(times["Loader"]) / median(times["handler"])
        floor = median(times["Loader (dicts)"]) / median(times["handler"])
        rows.append(
            [
                scenario.label,
                _rate(scenario.count, times["handler"]),
                _rate(scenario.count, times["Loader"]),
                _rate(scenario.count, times["Loader (dicts)"]),
                f"**{ratio:.2f}x**",
                f"{floor:.2f}x",
                " / ".join(spread(times[k]) for k in times),
            ]
        )
        batches.sort()
        p95 = batches[int(0.95 * (len(batches) - 1))]
        per_batch.append(
            [
                scenario.label,
                str(len(batches)),
                f"{median(batches) * 1000:.0f}",
                f"{p95 * 1000:.0f}",
                f"{batches[-1] * 1000:.0f}",
            ]
        )
        raw[scenario.label] = {
            "count": scenario.count,
            "chunk": scenario.chunk,
            "reingest": scenario.reingest,
            "raw": scenario.raw,
            "seconds": times,
            "handler_batch_seconds_median": median(batches),
            "handler_batch_seconds_p95": p95,
        }
        if scenario.target:
            targets.append(
                Target(name=f"handler vs Loader, {scenario.label}", measured=ratio, threshold=0.8)
            )
    _empty(dsn)
    overhead = parse_cost()
    first = scenarios(quick)[0]
    handler_us = median(raw[first.label]["seconds"]["handler"]) / first.count * 1e6
    loader_us = median(raw[first.label]["seconds"]["Loader"]) / first.count * 1e6
    raw["parse_batch_us_per_record"] = overhead
    notes = [
        f"Where the gap comes from: the handler's own work before pypgstac sees an item "
        f"(unwrap the SNS envelope, validate, de-duplicate: `parse_batch`) costs "
        f"{overhead:.0f} us a record on the same events (best of 3, timed alone), against "
        f"{handler_us:.0f} us a record for the whole handler and {loader_us:.0f} us for the "
        f"Loader in the first scenario. The rest (format, COPY, upsert) is pypgstac's, the "
        "same in both; the Loader parses each item once, as the handler does inside its "
        "envelope.",
        f"What the 0.8x target allows: the handler may spend 0.25 x {loader_us:.0f} = "
        f"{0.25 * loader_us:.0f} us a record more than the Loader; it spends "
        f"{handler_us - loader_us:.0f} us. A cheaper `parse_batch` (fast path in the "
        "de-duplication when a batch has no repeated ids, lighter validation) is what would "
        "move it; raw message delivery on the load subscription would not (see its row).",
    ]
    return Section(
        key="loading",
        title="1. Loading: item-load handler vs pypgstac Loader",
        method=__doc__ or "",
        tables=[
            Table(
                caption=(
                    "Items/s from the median of the alternating repetitions; ratio = handler "
                    "rate / Loader rate; seconds min-max for handler / Loader / Loader (dicts)"
                ),
                columns=[
                    "Scenario",
                    "Handler items/s",
                    "Loader items/s",
                    "Loader (dicts) items/s",
                    "Handler / Loader",
                    "Handler / Loader (dicts)",
                    "Seconds, min-max",
                ],
                rows=rows,
            ),
            Table(
                caption="Handler time per event, all repetitions (the input of docs/capacity.md)",
                columns=["Scenario", "Events", "Median ms", "p95 ms", "Max ms"],
                rows=per_batch,
            ),
        ],
        targets=targets,
        notes=notes,
        raw=raw,
    )
