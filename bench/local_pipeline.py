"""The local pipeline, end to end into pgstac: ``load-items`` and ``generate`` with ``--local``.

The SDK calls behind ``stac-ingest --local --dsn DSN load-items FILE`` and ``... generate``:
``Pipeline.local(home, dsn)`` enqueues the records in its SQLite queue, then ``drain()``
runs both stages with the Lambdas' stage code (the item-load ``ItemLoader`` in batches of
up to 1,000; generation on a pool of warm stactools workers, one per CPU) until the queues
are empty. The clock runs from the first enqueue to the end of the drain; then pgstac must
hold exactly the expected rows. The database is the benchmarks' pgstac on loopback (given
as ``--dsn``); each repetition starts from a fresh state directory and an empty collection.

- **load-items**: 10,000 items from an NDJSON file (the GLAD-like items of the loading
  benchmark);
- **generate**: a 200-URL inventory of GLAD GeoTIFFs (40 tiles for each of 5 years, made
  on the spot), run through the real ``stactools-glad-glclu2020`` package; uv's cache
  already holds its environment (the generation benchmark or an earlier run resolved it).
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Any

from bench import items as data
from bench.report import Section, Table
from bench.services import Services
from bench.timing import log, median, spread

COLLECTION = "bench-local"
PACKAGE = "stactools-glad-glclu2020"
GROUP = "gladglclu2020"
EXTRAS = ["requests", "affine<3"]
YEARS = (2000, 2005, 2010, 2015, 2020)


def _names(count: int) -> list[str]:
    return [f"{lat:02d}N_{lon:03d}W" for lat in range(80, 0, -10) for lon in range(10, 190, 10)][
        :count
    ]


def glad_inventory(root: Path, per_year: int) -> tuple[Path, str]:
    from tests.geotiffs import write_glad_tiles

    paths = []
    for year in YEARS:
        paths += write_glad_tiles(root, _names(per_year), year=year)
    inventory = root / "inventory.txt"
    inventory.write_text("".join(f"{p}\n" for p in paths), encoding="utf-8")
    return inventory, f"{root}/{{version}}/{{year}}/{{loc}}.tif"


def glad_collection_id(root: Path, href_format: str) -> str:
    """The collection the package writes into its items (one item made to find out)."""
    from stac_ingest.models import ItemRequest
    from stac_ingest.sdk.generation import WorkerRunner

    runner = WorkerRunner()
    try:
        item = runner.create_item(
            ItemRequest(
                package_name=PACKAGE,
                group_name=GROUP,
                create_item_args=[str(root / "v2" / "2020" / f"{_names(1)[0]}.tif")],
                create_item_options={"href-format": href_format},
                extra_requirements=EXTRAS,
            ),
            timeout=600,
        )
    finally:
        runner.close()
    return str(item["collection"])


def _sql(dsn: str, query: str, *args: Any) -> Any:
    import psycopg

    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("SET search_path TO pgstac, public")
        cursor = conn.execute(query, args)
        return cursor.fetchone() if cursor.description else None


def _reset(dsn: str, collection: str) -> None:
    from pypgstac.db import PgstacDB
    from pypgstac.load import Loader, Methods

    with PgstacDB(dsn=dsn) as db:
        Loader(db).load_collections(iter([data.collection(collection)]), insert_mode=Methods.upsert)
    _sql(dsn, "DELETE FROM items WHERE collection = %s", collection)
    _sql(dsn, "VACUUM ANALYZE items")
    _sql(dsn, "CHECKPOINT")


def _count(dsn: str, collection: str) -> int:
    return int(_sql(dsn, "SELECT count(*) FROM items WHERE collection = %s", collection)[0])


def _run(home: Path, dsn: str, collection: str, expected: int, publish: Any) -> dict[str, float]:
    from stac_ingest.sdk.pipeline import Pipeline

    shutil.rmtree(home, ignore_errors=True)
    _reset(dsn, collection)
    started = time.perf_counter()
    pipeline = Pipeline.local(home, dsn)
    report = publish(pipeline)
    enqueued = time.perf_counter()
    run = pipeline.drain()
    done = time.perf_counter()
    loaded = _count(dsn, collection)
    if not report.ok or loaded != expected:
        raise RuntimeError(
            f"local run left {loaded} rows, not {expected}: {report.summary()}; {run.summary()}"
        )
    return {"enqueue": enqueued - started, "drain": done - enqueued, "total": done - started}


def run(svc: Services, *, quick: bool, reps: int) -> Section:
    from stac_ingest.sdk.generate import GenerateSpec

    dsn = svc.pgstac_dsn()
    n_items, per_year = (2_000, 4) if quick else (10_000, 40)
    n_urls = per_year * len(YEARS)
    ndjson = data.write_ndjson(svc.workdir / "local-items.ndjson", COLLECTION, n_items)
    inventory, href_format = glad_inventory(svc.workdir / "local-glad", per_year)
    log("local: finding the GLAD collection id (resolves the package environment)")
    glad_collection = glad_collection_id(svc.workdir / "local-glad", href_format)
    spec = GenerateSpec(
        package=PACKAGE,
        group=GROUP,
        options={"href-format": href_format},
        extra_requirements=EXTRAS,
        inventory=str(inventory),
    )
    home = svc.workdir / "local-home"
    runs: dict[str, list[dict[str, float]]] = {"load-items": [], "generate": []}
    for rep in range(reps):
        log(f"local: load-items {n_items:,} items, rep {rep + 1}/{reps}")
        runs["load-items"].append(
            _run(home, dsn, COLLECTION, n_items, lambda p: p.load_items(ndjson))
        )
        log(f"local: generate {n_urls} URLs, rep {rep + 1}/{reps}")
        runs["generate"].append(
            _run(home, dsn, glad_collection, n_urls, lambda p: p.generate(spec))
        )
    _sql(dsn, "DELETE FROM items WHERE collection IN (%s, %s)", COLLECTION, glad_collection)
    sizes = {"load-items": n_items, "generate": n_urls}
    what = {
        "load-items": f"load-items, {n_items:,} items from NDJSON",
        "generate": f"generate, {n_urls} GLAD GeoTIFFs through create-item",
    }
    rows = []
    for name, results in runs.items():
        totals = [r["total"] for r in results]
        rows.append(
            [
                what[name],
                f"{median([r['enqueue'] for r in results]):.2f}",
                f"{median([r['drain'] for r in results]):.2f}",
                f"{median(totals):.2f} ({spread(totals)})",
                f"{sizes[name] / median(totals):,.0f}",
            ]
        )
    return Section(
        key="local",
        title="4. The local pipeline, end to end",
        method=__doc__ or "",
        tables=[
            Table(
                caption=f"Medians of {reps} repetitions, seconds",
                columns=["Run", "Enqueue s", "Drain s", "Total s (min-max)", "Items/s end to end"],
                rows=rows,
            )
        ],
        raw={"runs": runs, "sizes": sizes},
    )
