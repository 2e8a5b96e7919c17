"""``stac-ingest map``: writes the coverage map; an unknown collection is a one-line error."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from tests.cli.conftest import Result
from tests.conftest import seed_pgstac


def test_map_of_a_local_collection(
    run: Callable[..., Result], pgstac_dsn: str, tmp_path: Path
) -> None:
    coll = seed_pgstac(pgstac_dsn, 3, "m")
    out = tmp_path / "cov.html"
    args = ("--local", "--home", str(tmp_path / "h"), "--dsn", pgstac_dsn)
    result = run(*args, "--json", "map", coll["id"], "--out", str(out), "--no-tiles", stack=None)
    assert result.code == 0, result.err
    assert json.loads(result.out)["shown"] == 3
    page = out.read_text()
    assert all(f'"m{n}"' in page for n in range(3))
    assert "tile.openstreetmap" not in page

    missing = run(*args, "map", "nope", "--out", str(tmp_path / "x.html"), stack=None)
    assert missing.code == 3
    assert missing.error_lines[0].startswith("error: collection 'nope' is not in pgstac")
    assert not (tmp_path / "x.html").exists()
