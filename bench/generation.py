"""Generating items: warm long-lived workers vs the seed's ``uvx`` per record.

The same stactools package (``stactools-glad-glclu2020``, with ``requests`` and
``affine<3``) runs ``create-item`` on the same small GLAD-like GeoTIFFs (made on the
spot with rasterio, as the tests make them). Contenders, alternating, each over every
tile in turn:

- **WorkerRunner, warm**: what the item-gen Lambda and the local pipeline use; uvx
  resolved the environment once and a worker process already imported stactools and
  the package (as in a warm Lambda container), so a record costs one ``create-item``;
- **WorkerRunner, cold**: a new runner for the first record (uv's cache is warm, so
  this is the environment look-up plus a worker start-up: a cold Lambda's first record);
- **seed: uvx per record** (``SubprocessRunner``): ``uvx --from stactools --with
  <package> ... stac gladglclu2020 create-item`` as a new process for every record.

Every record's item is checked (its id and bbox come from the tile's name).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from bench.report import Section, Table, Target
from bench.services import Services
from bench.timing import alternate, log, median, spread

PACKAGE = "stactools-glad-glclu2020"
GROUP = "gladglclu2020"
EXTRAS = ["requests", "affine<3"]


def tiles(root: Path, count: int) -> list[str]:
    from tests.geotiffs import tile_names, write_glad_tiles

    names = tile_names(count)
    write_glad_tiles(root, names)
    return names


def request(root: Path, name: str) -> Any:
    from stac_ingest.models import ItemRequest

    return ItemRequest(
        package_name=PACKAGE,
        group_name=GROUP,
        create_item_args=[str(root / "v2" / "2020" / f"{name}.tif")],
        create_item_options={"href-format": f"{root}/{{version}}/{{year}}/{{loc}}.tif"},
        extra_requirements=EXTRAS,
    )


def check(item: dict[str, Any], name: str) -> None:
    lat, lon = int(name[:2]), -int(name[4:7])
    if item.get("id") != f"v2_2020_{name}" or item.get("bbox") != [lon, lat - 10, lon + 10, lat]:
        raise RuntimeError(f"unexpected item for {name}: {item.get('id')} {item.get('bbox')}")


def run_all(runner: Any, root: Path, names: list[str]) -> float:
    started = time.perf_counter()
    for name in names:
        check(runner.create_item(request(root, name), timeout=300), name)
    return (time.perf_counter() - started) / len(names)


def run_cold(root: Path, name: str) -> float:
    from stac_ingest.sdk.generation import WorkerRunner

    runner = WorkerRunner()
    try:
        started = time.perf_counter()
        check(runner.create_item(request(root, name), timeout=300), name)
        return time.perf_counter() - started
    finally:
        runner.close()


def run(svc: Services, *, quick: bool, reps: int) -> Section:
    from stac_ingest.sdk.generation import SubprocessRunner, WorkerRunner

    root = svc.workdir / "glad"
    names = tiles(root, 3 if quick else 8)
    log(f"generation: resolving {PACKAGE} and warming a worker")
    warm = WorkerRunner()
    seed = SubprocessRunner()
    try:
        started = time.perf_counter()
        check(warm.create_item(request(root, names[0]), timeout=600), names[0])
        first = time.perf_counter() - started
        times = alternate(
            {
                "WorkerRunner, warm": lambda: run_all(warm, root, names),
                "WorkerRunner, cold (first record)": lambda: run_cold(root, names[-1]),
                "seed: uvx per record": lambda: run_all(seed, root, names),
            },
            reps,
        )
    finally:
        warm.close()
    per_record = {name: median(secs) for name, secs in times.items()}
    subject = per_record["WorkerRunner, warm"]
    seed_cost = per_record["seed: uvx per record"]
    rows = [
        [
            name,
            f"{secs * 1000:,.0f}",
            spread([s * 1000 for s in times[name]]),
            f"{seed_cost / secs:.1f}x",
        ]
        for name, secs in per_record.items()
    ]
    return Section(
        key="generation",
        title="3. Generation: warm workers vs uvx per record",
        method=__doc__ or "",
        tables=[
            Table(
                caption=f"{len(names)} tiles; per-record medians of {reps} alternating "
                "repetitions (warm and seed: mean over the tiles of one repetition)",
                columns=["Contender", "ms per record", "min-max ms", "Speed-up over the seed"],
                rows=rows,
            )
        ],
        targets=[
            Target(
                name="warm item generation vs uvx per record, per record",
                measured=seed_cost / subject,
                threshold=5,
            )
        ],
        notes=[
            f"The very first record of the run, with uv resolving the environment from its "
            f"cache and starting the worker, took {first:.1f} s.",
            "In the Lambda, records of one batch run on up to `concurrency` workers at once; "
            "the per-record cost here is one worker's.",
        ],
        raw={"seconds_per_record": times, "tiles": names, "first_record_seconds": first},
    )
