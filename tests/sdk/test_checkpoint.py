"""Checkpoints: atomic, lagging-only progress records, and the out-of-order watermark."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from stac_ingest.errors import UsageError
from stac_ingest.sdk.checkpoint import Checkpoint, Watermark


def test_watermark_advances_over_contiguous_done_records() -> None:
    mark = Watermark(5)
    for index in (7, 6, 9):
        mark.done(index)
    assert mark.next == 5
    mark.done(5)
    assert mark.next == 8
    mark.done(8)
    assert mark.next == 10


def test_a_failure_blocks_the_watermark() -> None:
    mark = Watermark(0)
    mark.done(0)
    mark.block()
    mark.done(1)
    assert mark.next == 1


def test_checkpoint_roundtrip_and_throttling(tmp_path: Path) -> None:
    path = tmp_path / "run.ckpt"
    ckpt = Checkpoint(path, {"source": "a.txt"}, every_seconds=3600)
    assert ckpt.load() == 0
    ckpt.update(10, force=True)
    ckpt.update(20)  # within the interval: not written yet
    assert json.loads(path.read_text())["next_index"] == 10
    ckpt.update(20, force=True)
    assert Checkpoint(path, {"source": "a.txt"}).load() == 20
    assert not path.with_name("run.ckpt.tmp").exists()


def test_checkpoint_of_another_run_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "run.ckpt"
    Checkpoint(path, {"source": "a.txt"}).update(3, force=True)
    with pytest.raises(UsageError, match=r"another run \(inventory a.txt\)"):
        Checkpoint(path, {"source": "b.txt"}).load()


def test_corrupt_checkpoint_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "run.ckpt"
    path.write_text("garbage")
    with pytest.raises(UsageError, match="not a stac-ingest checkpoint"):
        Checkpoint(path, {}).load()
