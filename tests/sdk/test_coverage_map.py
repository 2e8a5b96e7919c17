"""The coverage map: footprints from pgstac, rendered by headless Chromium, offline."""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from pypgstac.db import PgstacDB
from pypgstac.load import Loader, Methods

from stac_ingest.errors import InputError
from stac_ingest.sdk.coverage_map import write_coverage_map
from tests.conftest import make_collection, make_item

CHROMIUM = "/usr/bin/chromium"


def grid_items(collection: str, cells: list[tuple[int, int]]) -> list[dict[str, object]]:
    items = []
    for x, y in cells:
        item = make_item(collection, f"tile_{x}_{y}")
        item["geometry"] = {
            "type": "Polygon",
            "coordinates": [[[x, y], [x + 10, y], [x + 10, y + 10], [x, y + 10], [x, y]]],
        }
        item["bbox"] = [x, y, x + 10, y + 10]
        items.append(item)
    return items


@pytest.fixture
def grid_collection(pgstac_dsn: str) -> tuple[str, int]:
    """A 3x3 grid of 10-degree tiles with two missing: 7 items."""
    coll = make_collection()
    cells = [(x, y) for x in (-100, -90, -80) for y in (30, 40, 50)]
    cells.remove((-90, 40))
    cells.remove((-80, 30))
    with PgstacDB(dsn=pgstac_dsn) as db:
        loader = Loader(db)
        loader.load_collections(iter([coll]), insert_mode=Methods.upsert)
        loader.load_items(iter(grid_items(coll["id"], cells)), insert_mode=Methods.upsert)
    return coll["id"], len(cells)


def render_dom(page: Path) -> str:
    """The DOM after load, as headless Chromium builds it (no network, empty profile)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/bootstrap.sh --with-browser")
    profile = tempfile.mkdtemp(prefix="stac-ingest-chromium-")
    try:
        proc = subprocess.run(
            [
                CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", f"--user-data-dir={profile}",
                "--virtual-time-budget=5000", "--dump-dom", page.resolve().as_uri(),
            ],
            capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


def test_map_renders_every_footprint_offline(
    pgstac_dsn: str, grid_collection: tuple[str, int], tmp_path: Path
) -> None:
    collection, count = grid_collection
    result = write_coverage_map(pgstac_dsn, collection, tmp_path / "map.html", tiles=False)
    assert (result.items, result.shown) == (count, count)
    assert result.bbox == [-100.0, 30.0, -70.0, 60.0]
    page = Path(result.path).read_text()
    assert not re.search(r"<script[^>]+src=", page)  # nothing loaded from a CDN
    assert not re.search(r"<link[^>]+stylesheet", page)
    dom = render_dom(Path(result.path))
    paths = re.findall(r"<path[^>]*class=\"[^\"]*leaflet-interactive", dom)
    assert len(paths) == count
    assert "leaflet-container" in dom


def test_map_with_background_tiles_still_draws_offline(
    pgstac_dsn: str, grid_collection: tuple[str, int], tmp_path: Path
) -> None:
    collection, count = grid_collection
    result = write_coverage_map(pgstac_dsn, collection, tmp_path / "tiles.html", max_items=5)
    assert (result.items, result.shown) == (count, 5)
    assert "of 7" in Path(result.path).read_text()
    dom = render_dom(Path(result.path))
    assert len(re.findall(r"<path[^>]*leaflet-interactive", dom)) == 5
    assert "leaflet-tile" in dom


def test_unknown_collection_and_bad_output(pgstac_dsn: str, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not in pgstac"):
        write_coverage_map(pgstac_dsn, "no-such-collection", tmp_path / "m.html")
    with pytest.raises(InputError, match="HTML"):
        write_coverage_map(pgstac_dsn, "whatever", tmp_path / "m.png")
    assert not list(tmp_path.iterdir())
