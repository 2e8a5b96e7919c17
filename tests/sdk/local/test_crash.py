"""Crash safety: a local run killed with SIGKILL mid-flight loses nothing.

The run is a real ``stac-ingest local run`` process generating items with the local
test plugin and loading them. It is killed once some items are in pgstac and others
are still queued; the next run takes back the dead run's leases and finishes, and pgstac
then holds every item exactly once.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest

from stac_ingest.sdk.generate import GenerateSpec
from stac_ingest.sdk.local.backend import LocalBackend
from stac_ingest.sdk.pipeline import Pipeline
from tests.conftest import make_collection
from tests.sdk.local.conftest import quick_settings

pytestmark = pytest.mark.slow
REQUESTS = 40


def counts(dsn: str, collection: str) -> tuple[int, int]:
    with psycopg.connect(dsn) as conn:
        row = conn.execute(
            "SELECT count(*), count(DISTINCT id) FROM pgstac.items WHERE collection = %s",
            (collection,),
        ).fetchone()
    assert row is not None
    return int(row[0]), int(row[1])


def test_kill_9_mid_run_then_resume(
    local_home: Path, pgstac_dsn: str, testpkg_requirement: str, tmp_path: Path
) -> None:
    collection = make_collection()["id"]
    backend = LocalBackend(local_home, pgstac_dsn, settings=quick_settings())
    pipeline = Pipeline(backend, dsn=pgstac_dsn)
    pipeline.upsert_collection(make_collection(collection), direct=True)
    inventory = tmp_path / "sources.txt"
    inventory.write_text("".join(f"src{n:03d}\n" for n in range(REQUESTS)))
    spec = GenerateSpec(
        package=testpkg_requirement,
        group="testpkg",
        collection=collection,
        options={"sleep": "0.15"},
        inventory=str(inventory),
    )
    assert pipeline.generate(spec).published == REQUESTS

    env = {
        **os.environ,
        "STAC_INGEST_LOCAL_GEN_WORKERS": "2",
        "STAC_INGEST_LOCAL_LOAD_WINDOW_SECONDS": "0.1",
        "STAC_INGEST_LOCAL_RETRY_DELAY_SECONDS": "0",
    }
    proc = subprocess.Popen(
        [sys.executable, "-c", "from stac_ingest.cli.main import run; run()",
         "--home", str(local_home), "--dsn", pgstac_dsn, "-q", "local", "run"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while counts(pgstac_dsn, collection)[0] < 5:
            assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
            assert time.monotonic() < deadline, "the run loaded nothing"
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)  # stactools workers it left, if any
    loaded_before, _ = counts(pgstac_dsn, collection)
    assert loaded_before < REQUESTS, "the run finished before it was killed"
    assert backend.queue.pending() > 0

    run = pipeline.drain()
    assert run.gen_dead_lettered == 0 and run.load_dead_lettered == 0
    assert counts(pgstac_dsn, collection) == (REQUESTS, REQUESTS)
    assert backend.queue.pending() == 0
    assert pipeline.dlq_count().counts == {"gen": 0, "load": 0}
