"""End to end on the local pipeline with the real stactools-glad-glclu2020 package.

Ten GeoTIFFs made by the test become items in pgstac; one request for a tile that is
not there yet fails all its attempts (quick retries) and is dead-lettered. The tile is
then written (the fix), the dead letter replayed, and its item loaded.
"""

from __future__ import annotations

import json
from pathlib import Path

import psycopg
import pytest

from stac_ingest.sdk.generate import GenerateSpec
from stac_ingest.sdk.local.backend import LocalBackend
from stac_ingest.sdk.pipeline import Pipeline
from stac_ingest.sdk.progress import ProgressUpdate
from tests.conftest import make_collection
from tests.geotiffs import GLAD_EXTRAS, GLAD_GROUP, GLAD_PACKAGE, tile_names, write_glad_tiles

pytestmark = pytest.mark.slow


def items_of(dsn: str, collection: str) -> dict[str, list[float]]:
    with psycopg.connect(dsn) as conn:
        rows = conn.execute(
            "SELECT id, ARRAY[ST_XMin(geometry), ST_YMin(geometry)] FROM pgstac.items "
            "WHERE collection = %s",
            (collection,),
        ).fetchall()
    return {r[0]: list(r[1]) for r in rows}


def test_glad_tiles_through_the_local_pipeline(
    local_backend: LocalBackend, pgstac_dsn: str, tmp_path: Path
) -> None:
    root = tmp_path / "glad"
    names = tile_names(11)
    present, late = names[:10], names[10]
    write_glad_tiles(root, present)
    inventory = tmp_path / "tiles.txt"
    inventory.write_text("".join(f"{root}/v2/2020/{n}.tif\n" for n in names))
    collection = make_collection()["id"]
    pipeline = Pipeline(local_backend, dsn=pgstac_dsn)
    pipeline.upsert_collection(make_collection(collection), direct=True)

    spec = GenerateSpec(
        package=GLAD_PACKAGE,
        group=GLAD_GROUP,
        collection=collection,
        options={"href-format": f"{root}/{{version}}/{{year}}/{{loc}}.tif"},
        extra_requirements=GLAD_EXTRAS,
        inventory=str(inventory),
    )
    assert pipeline.generate(spec).published == 11
    updates: list[ProgressUpdate] = []
    run = pipeline.drain(progress=updates.append)

    attempts = local_backend.settings.max_attempts
    assert (run.generated, run.loaded_items) == (10, 10)
    assert (run.gen_retries, run.gen_dead_lettered) == (attempts - 1, 1)
    assert max(u.total or 0 for u in updates) == 21  # 11 requests, then 10 items
    loaded = items_of(pgstac_dsn, collection)
    assert set(loaded) == {f"v2_2020_{n}" for n in present}
    assert loaded["v2_2020_50N_090W"] == [-90.0, 40.0]

    (letter,) = pipeline.dlq_peek("gen")
    assert letter.receive_count == attempts
    assert letter.message["create_item_args"] == [f"{root}/v2/2020/{late}.tif"]
    assert letter.reason and "create-item failed" in letter.reason
    failures = [
        json.loads(e.message) for e in pipeline.logs("gen", since="1h", filter_text="record_failed")
    ]
    assert len(failures) == attempts

    write_glad_tiles(root, [late])  # the fix
    assert pipeline.dlq_replay("gen").moved == 1
    run = pipeline.drain()
    assert (run.generated, run.loaded_items, run.gen_dead_lettered) == (1, 1, 0)
    assert set(items_of(pgstac_dsn, collection)) == {f"v2_2020_{n}" for n in names}
    assert pipeline.dlq_count().counts == {"gen": 0, "load": 0}
