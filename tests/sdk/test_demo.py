"""``stac-ingest demo`` end to end: real GLAD package, sample tiles, API search, map; twice."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from stac_ingest.cli.main import main
from stac_ingest.sdk.demo import GLAD_COLLECTION, run_demo, sample_tiles
from stac_ingest.sdk.progress import ProgressUpdate
from tests.sdk.local.conftest import quick_settings

pytestmark = pytest.mark.slow


def test_samples_ship_with_the_package() -> None:
    tiles = sample_tiles()
    assert len(tiles) == 12
    assert all(t.stat().st_size < 16_384 for t in tiles)


def test_demo_twice_gives_the_same_result(
    pgstac_dsn: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = tmp_path / "state"
    updates: list[ProgressUpdate] = []
    report = run_demo(home, pgstac_dsn, settings=quick_settings(), progress=updates.append)
    assert (report.run.generated, report.run.loaded_items) == (12, 12)
    assert report.items_in_pgstac == 12
    assert report.api_matched == 12
    item = report.sample_item
    assert item["collection"] == GLAD_COLLECTION
    assert item["id"].startswith("v2_2020_")
    assert Path(item["assets"]["data"]["href"]).is_file()  # the shipped sample it describes
    assert report.coverage_map.shown == 12
    assert Path(report.coverage_map.path).is_file()
    notes = [u.note for u in updates if u.note]
    assert any("create-collection" in n for n in notes)

    capsys.readouterr()
    assert main(["--home", str(home), "--dsn", pgstac_dsn, "-q", "demo"]) == 0
    out = capsys.readouterr().out
    assert "Loaded 12 items into glad-glclu2020-v2 (12 there now)" in out
    item_text = out[out.index("{") : out.index("\n}\n") + 2]
    assert json.loads(item_text)["id"] == item["id"]
    assert "12 items" in out.split("STAC API search", 1)[1]
