"""``stac-ingest demo`` (``make demo``): the whole local pipeline on sample GeoTIFFs.

1. starts the local pgstac (or uses ``--dsn``);
2. creates the GLAD GLCLU2020 collection with the real ``stactools-glad-glclu2020
   create-collection`` through uvx;
3. generates items for the sample tiles shipped in ``stac_ingest/samples/glad`` through
   the local pipeline, running the package's ``create-item`` for real, and loads them;
4. reads the loaded items back from pgstac, searches them through a local STAC API over
   HTTP, and writes the coverage map.

Only the package index is needed (uv installs the package once). Re-running upserts the
same items: the result is the same.
"""

from __future__ import annotations

import time
import urllib.request
from importlib.resources import files
from pathlib import Path
from typing import Any

import orjson
from pydantic import BaseModel, Field

from stac_ingest.errors import StacIngestError
from stac_ingest.sdk.coverage_map import CoverageMap
from stac_ingest.sdk.local.runner import RunReport
from stac_ingest.sdk.local.settings import LocalSettings
from stac_ingest.sdk.progress import Progress, ProgressUpdate, notify

GLAD_PACKAGE = "stactools-glad-glclu2020"
GLAD_GROUP = "gladglclu2020"
#: As measured: the package needs these two added to work.
GLAD_EXTRAS = ["requests", "affine<3"]
#: The id create-collection --type annual writes, and the collection create-item sets.
GLAD_COLLECTION = "glad-glclu2020-v2"
GLAD_MEDIA_TYPE = "image/tiff; application=geotiff"


class DemoReport(BaseModel):
    target: str
    collection: str
    samples: int = Field(description="Sample GeoTIFFs in the inventory")
    run: RunReport
    items_in_pgstac: int
    sample_item: dict[str, Any]
    api_url: str
    api_matched: int = Field(description="Items the STAC API's /search returned")
    coverage_map: CoverageMap
    elapsed_seconds: float

    def summary(self) -> str:
        return (
            f"loaded {self.run.loaded_items} items ({self.items_in_pgstac} in {self.collection} "
            f"now); the STAC API at {self.api_url} found {self.api_matched}; "
            f"coverage map: {self.coverage_map.path}; {self.elapsed_seconds:.0f} s in all"
        )


def samples_root() -> Path:
    """The folder holding ``v2/2020/*.tif`` (the root of the GLAD href format)."""
    return Path(str(files("stac_ingest") / "samples" / "glad"))


def sample_tiles() -> list[Path]:
    tiles = sorted((samples_root() / "v2" / "2020").glob("*.tif"))
    if not tiles:
        raise StacIngestError(f"no sample GeoTIFFs under {samples_root()}: a broken install?")
    return tiles


def read_item(dsn: str, collection: str) -> tuple[int, dict[str, Any]]:
    """How many items ``collection`` holds, and the first one as pgstac serves it."""
    from stac_ingest.sdk.pgstac_db import connect

    with connect(dsn) as conn:
        count = conn.execute(
            "SELECT count(*) FROM pgstac.items WHERE collection = %s", (collection,)
        ).fetchone()[0]
        row = conn.execute(
            "SELECT pgstac.get_item(id, collection) FROM pgstac.items WHERE collection = %s "
            "ORDER BY id LIMIT 1",
            (collection,),
        ).fetchone()
    if row is None:
        raise StacIngestError(f"no items of {collection} in pgstac after the run")
    item = row[0] if isinstance(row[0], dict) else orjson.loads(row[0])
    return int(count), item


def search(api_url: str, collection: str, limit: int = 100) -> list[dict[str, Any]]:
    """The features of a GET /search on the STAC API."""
    url = f"{api_url}/search?collections={collection}&limit={limit}"
    with urllib.request.urlopen(url, timeout=30) as resp:
        body = orjson.loads(resp.read())
    features: list[dict[str, Any]] = body.get("features", [])
    return features


def run_demo(
    home: str | Path | None = None,
    dsn: str | None = None,
    *,
    settings: LocalSettings | None = None,
    map_path: str | Path | None = None,
    progress: Progress | None = None,
) -> DemoReport:
    """Run the demo; ``progress`` gets each step as a note and the pipeline's progress."""
    from stac_ingest.sdk.coverage_map import write_coverage_map
    from stac_ingest.sdk.generate import GenerateSpec
    from stac_ingest.sdk.local.api import ApiServer
    from stac_ingest.sdk.local.backend import LocalBackend
    from stac_ingest.sdk.pipeline import Pipeline

    started = time.monotonic()

    def step(text: str) -> None:
        notify(progress, ProgressUpdate(note=f"==> {text}"))

    backend = LocalBackend(home, dsn, settings=settings)
    pipeline = Pipeline(backend, dsn=dsn)
    try:
        step("starting the local pgstac" if not dsn else "checking the pgstac at --dsn")
        db = pipeline.database_dsn()
        step(f"creating {GLAD_COLLECTION} with `{GLAD_PACKAGE} create-collection` (uvx)")
        pipeline.create_collection(
            GLAD_PACKAGE,
            GLAD_GROUP,
            options={"type": "annual", "media-type": GLAD_MEDIA_TYPE},
            extra_requirements=GLAD_EXTRAS,
            direct=True,
        )
        tiles = sample_tiles()
        inventory = backend.home / "demo" / "inventory.txt"
        inventory.parent.mkdir(parents=True, exist_ok=True)
        inventory.write_text("".join(f"{t}\n" for t in tiles))
        step(f"generating items for {len(tiles)} sample GeoTIFFs through the local pipeline")
        root = samples_root()
        pipeline.generate(
            GenerateSpec(
                package=GLAD_PACKAGE,
                group=GLAD_GROUP,
                options={"href-format": f"{root}/{{version}}/{{year}}/{{loc}}.tif"},
                extra_requirements=GLAD_EXTRAS,
                inventory=str(inventory),
            )
        ).raise_for_failures()
        run = pipeline.drain(progress=progress)
        run.raise_for_failures()
        count, item = read_item(db, GLAD_COLLECTION)
        step("searching the local STAC API over HTTP")
        with ApiServer(db) as api_url:
            found = search(api_url, GLAD_COLLECTION)
        step("writing the coverage map")
        out = map_path or backend.home / "demo" / f"{GLAD_COLLECTION}.html"
        coverage = write_coverage_map(db, GLAD_COLLECTION, out)
    finally:
        backend.close()
    return DemoReport(
        target=backend.label,
        collection=GLAD_COLLECTION,
        samples=len(tiles),
        run=run,
        items_in_pgstac=count,
        sample_item=item,
        api_url=api_url,
        api_matched=len(found),
        coverage_map=coverage,
        elapsed_seconds=time.monotonic() - started,
    )
