"""``stac-ingest local api`` serves the local pgstac over HTTP on loopback."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

from stac_ingest.sdk.pgcluster import free_port
from tests.cli.conftest import Result
from tests.conftest import seed_pgstac


def get(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=10) as resp:
        return json.loads(resp.read())


def test_local_api_serves_a_search(
    run: Callable[..., Result], pgstac_dsn: str, tmp_path: Path
) -> None:
    coll = seed_pgstac(pgstac_dsn, 4, "api")
    home, port = tmp_path / "state", free_port()
    proc = subprocess.Popen(
        [sys.executable, "-c", "from stac_ingest.cli.main import run; run()",
         "--home", str(home), "--dsn", pgstac_dsn, "local", "api", "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                found = get(f"{base}/search?collections={coll['id']}&limit=10")
                break
            except (urllib.error.URLError, ConnectionError):
                assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
                assert time.monotonic() < deadline, "the API did not come up"
                time.sleep(0.2)
        assert sorted(f["id"] for f in found["features"]) == [f"api{n}" for n in range(4)]
        assert coll["id"] in {c["id"] for c in get(f"{base}/collections")["collections"]}
        status = run("--local", "--home", str(home), "--dsn", pgstac_dsn, "--json", "status",
                     stack=None)  # fmt: skip
        assert json.loads(status.out)["stac_api_url"] == base
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=30)
    assert proc.returncode == 0, proc.stderr.read() if proc.stderr else ""
    assert not (home / "api.json").exists()


def test_local_api_refuses_a_non_loopback_host(
    run: Callable[..., Result], pgstac_dsn: str, tmp_path: Path
) -> None:
    result = run("--home", str(tmp_path), "--dsn", pgstac_dsn, "local", "api", "--host",
                 "0.0.0.0", stack=None)  # fmt: skip
    assert result.code == 2
    assert result.error_lines == ["error: the local API only listens on loopback, not 0.0.0.0"]
    assert os.path.exists(tmp_path) and not (tmp_path / "api.json").exists()
