"""Dead-letter operations built on the backend: count, peek, replay, purge, export."""

from __future__ import annotations

from pathlib import Path
from typing import IO, Any

import orjson
from pydantic import BaseModel

from stac_ingest.errors import UsageError
from stac_ingest.sdk.backend import STAGES, Backend, DeadLetter, Stage
from stac_ingest.sdk.progress import Progress, ProgressUpdate, notify


class DlqCounts(BaseModel):
    counts: dict[str, int]


class DlqMoved(BaseModel):
    stage: str
    moved: int


class DlqPurged(BaseModel):
    stage: str
    purged: int


class DlqExported(BaseModel):
    stage: str
    exported: int
    path: str


def parse_stage(value: str) -> Stage:
    """``gen`` or ``load``; anything else is a one-line UsageError."""
    text = value.strip().lower()
    for stage in STAGES:
        if text == stage:
            return stage
    raise UsageError(f"unknown stage {value!r}: expected one of {', '.join(STAGES)}")


def count(backend: Backend, stage: str | None = None) -> DlqCounts:
    stages = STAGES if stage is None else (parse_stage(stage),)
    return DlqCounts(counts={s: backend.dlq_count(s) for s in stages})


def peek(backend: Backend, stage: str, limit: int = 10) -> list[DeadLetter]:
    if limit < 1:
        raise UsageError("-n must be at least 1")
    return backend.dlq_peek(parse_stage(stage), limit)


def replay(backend: Backend, stage: str, limit: int | None = None) -> DlqMoved:
    if limit is not None and limit < 1:
        raise UsageError("--max must be at least 1")
    name = parse_stage(stage)
    return DlqMoved(stage=name, moved=backend.dlq_replay(name, limit))


def purge(backend: Backend, stage: str) -> DlqPurged:
    name = parse_stage(stage)
    return DlqPurged(stage=name, purged=backend.dlq_purge(name))


def export_record(letter: DeadLetter) -> dict[str, Any]:
    return letter.model_dump(mode="json")


def export(
    backend: Backend, stage: str, out: str | Path | IO[str], *, progress: Progress | None = None
) -> DlqExported:
    """Write every dead letter of ``stage`` as NDJSON to ``out`` (a path or a text stream)."""
    name = parse_stage(stage)
    written = 0

    def write(stream: IO[str]) -> int:
        n = 0
        for letter in backend.dlq_iter(name):
            stream.write(orjson.dumps(export_record(letter)).decode() + "\n")
            n += 1
            notify(progress, ProgressUpdate(advance=1))
        return n

    if isinstance(out, str | Path):
        path = Path(out)
        tmp = path.with_name(path.name + ".partial")
        with tmp.open("w", encoding="utf-8") as stream:
            written = write(stream)
        tmp.replace(path)
        return DlqExported(stage=name, exported=written, path=str(path))
    written = write(out)
    return DlqExported(stage=name, exported=written, path="-")
