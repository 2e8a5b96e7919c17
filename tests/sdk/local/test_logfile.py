"""The local pipeline's JSON log file: what is written, filtered and followed."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

from stac_ingest.sdk.jsonlog import log_event
from stac_ingest.sdk.local.logfile import capture, log_path, read_events

HOUR_AGO = datetime.now(UTC) - timedelta(hours=1)


def test_lines_by_stage_and_filter(tmp_path: Path) -> None:
    with capture(tmp_path):
        log_event(logging.getLogger("stac_ingest.gen"), "record_failed", reason="gen boom")
        log_event(logging.getLogger("stac_ingest.load"), "batch_loaded", items=3)
        log_event(logging.getLogger("stac_ingest.local"), "run_finished")
        logging.getLogger("stac_ingest.gen").debug("not written: below INFO")
    lines = [json.loads(line) for line in log_path(tmp_path).read_text().splitlines()]
    assert [(x["stage"], x["event"]) for x in lines] == [
        ("gen", "record_failed"), ("load", "batch_loaded"), ("pipeline", "run_finished"),
    ]  # fmt: skip
    gen = [json.loads(e.message)["event"] for e in read_events(tmp_path, "gen", since=HOUR_AGO)]
    assert gen == ["record_failed", "run_finished"]
    only = list(read_events(tmp_path, "load", since=HOUR_AGO, filter_text="batch"))
    assert [json.loads(e.message)["items"] for e in only] == [3]
    assert list(read_events(tmp_path, "gen", since=datetime.now(UTC) + timedelta(hours=1))) == []


def test_follow_yields_lines_written_later(tmp_path: Path) -> None:
    gen = logging.getLogger("stac_ingest.gen")
    with capture(tmp_path):
        log_event(gen, "first")
    events = read_events(tmp_path, "gen", since=HOUR_AGO, follow=True, poll_seconds=0.01)
    assert json.loads(next(events).message)["event"] == "first"
    with capture(tmp_path):
        log_event(gen, "second")
    assert json.loads(next(events).message)["event"] == "second"
    events.close()


def test_no_log_file_yet_is_no_events(tmp_path: Path) -> None:
    assert list(read_events(tmp_path, "load", since=HOUR_AGO)) == []
