"""Structured JSON log lines of the local pipeline, written to and read from the state dir.

A run attaches :class:`JsonFileHandler` to the stage loggers (``stac_ingest.gen``,
``stac_ingest.load``: the same loggers the Lambdas write to), so every line the stage
code logs lands in ``logs/pipeline.log`` as one JSON object with a timestamp and its
stage. :func:`read_events` is what ``stac-ingest --local logs`` shows.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import orjson

from stac_ingest.sdk.backend import LogEvent, Stage

#: The log file is moved to ``pipeline.log.1`` at the start of a run once this big.
ROTATE_BYTES = 20 * 1024 * 1024

_STAGE_LOGGERS: dict[str, str] = {"stac_ingest.gen": "gen", "stac_ingest.load": "load"}
#: Events of the whole pipeline (run started/finished) show in both stages' logs.
PIPELINE = "pipeline"


def log_path(home: Path) -> Path:
    return home / "logs" / "pipeline.log"


def _stage_of(logger_name: str) -> str:
    for prefix, stage in _STAGE_LOGGERS.items():
        if logger_name == prefix or logger_name.startswith(prefix + "."):
            return stage
    return PIPELINE


class JsonFileHandler(logging.Handler):
    """Appends one JSON line per record: ``timestamp``, ``stage``, then the event's fields."""

    def __init__(self, path: Path) -> None:
        super().__init__(level=logging.INFO)
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileNotFoundError):
            if path.stat().st_size > ROTATE_BYTES:
                path.replace(path.with_name(path.name + ".1"))
        self._fh = path.open("ab")
        self._write_lock = threading.Lock()

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = record.getMessage()
            try:
                fields = orjson.loads(text)
                if not isinstance(fields, dict):
                    fields = {"message": fields}
            except orjson.JSONDecodeError:
                fields = {"level": record.levelname.lower(), "message": text}
            line: dict[str, Any] = {
                "timestamp": datetime.fromtimestamp(record.created, UTC).isoformat(),
                "stage": _stage_of(record.name),
                "pid": os.getpid(),
                **fields,
            }
            data = orjson.dumps(line, default=str) + b"\n"
            with self._write_lock:
                self._fh.write(data)
                self._fh.flush()
        except Exception:
            self.handleError(record)

    def close(self) -> None:
        with self._write_lock:
            self._fh.close()
        super().close()


@contextlib.contextmanager
def capture(home: Path, *loggers: str) -> Iterator[None]:
    """Send the stage loggers' INFO and above to the log file while the block runs.

    Unless the root logger shows INFO (``-v``), their lines go only to the file, so that
    per-record failures do not flood the terminal under the progress bar.
    """
    handler = JsonFileHandler(log_path(home))
    names = loggers or (*_STAGE_LOGGERS, "stac_ingest.local")
    to_file_only = logging.getLogger().getEffectiveLevel() > logging.INFO
    saved = []
    for name in names:
        logger = logging.getLogger(name)
        saved.append((logger, logger.level, logger.propagate))
        if logger.getEffectiveLevel() > logging.INFO:
            logger.setLevel(logging.INFO)
        if to_file_only:
            logger.propagate = False
        logger.addHandler(handler)
    try:
        yield
    finally:
        for logger, level, propagate in saved:
            logger.removeHandler(handler)
            logger.setLevel(level)
            logger.propagate = propagate
        handler.close()


def _parse(raw: bytes) -> tuple[datetime, str, str, str | None] | None:
    try:
        line = orjson.loads(raw)
        stamp = datetime.fromisoformat(line.pop("timestamp"))
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError):
        return None
    stage = str(line.pop("stage", PIPELINE))
    pid = line.pop("pid", None)
    return stamp, stage, orjson.dumps(line).decode(), None if pid is None else f"pid-{pid}"


def read_events(
    home: Path,
    stage: Stage,
    *,
    since: datetime,
    filter_text: str | None = None,
    follow: bool = False,
    poll_seconds: float = 0.5,
) -> Iterator[LogEvent]:
    """Events of ``stage`` (and pipeline-wide ones) at or after ``since``; ``follow`` tails."""
    path = log_path(home)

    def wanted(raw: bytes) -> LogEvent | None:
        parsed = _parse(raw)
        if parsed is None:
            return None
        stamp, line_stage, message, stream = parsed
        if line_stage not in (stage, PIPELINE) or stamp < since:
            return None
        if filter_text and filter_text not in message:
            return None
        return LogEvent(timestamp=stamp, message=message, stream=stream)

    rotated = path.with_name(path.name + ".1")
    if rotated.exists():
        with rotated.open("rb") as fh:
            for raw in fh:
                event = wanted(raw)
                if event is not None:
                    yield event
    position, inode, partial = 0, None, b""
    while True:
        with contextlib.suppress(FileNotFoundError), path.open("rb") as fh:
            stat = os.fstat(fh.fileno())
            if inode is not None and (stat.st_ino != inode or stat.st_size < position):
                position, partial = 0, b""  # rotated or truncated: start over
            inode = stat.st_ino
            fh.seek(position)
            chunk = fh.read()
            position = fh.tell()
            lines = (partial + chunk).split(b"\n")
            partial = lines.pop()
            for raw in lines:
                event = wanted(raw)
                if event is not None:
                    yield event
        if not follow:
            return
        time.sleep(poll_seconds)
