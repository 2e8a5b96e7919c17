"""``--resume FILE``: where a publishing run got to, so a killed run can carry on.

The file holds the index of the first record not yet known to be published (every
record before it was published or permanently rejected). It is written atomically and
only ever lags behind the truth, so a resumed run may repeat a few records (loading is
an upsert) but never skips one.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Any

from stac_ingest.errors import UsageError


class Checkpoint:
    def __init__(
        self, path: str | Path, run: dict[str, Any], *, every_seconds: float = 0.5
    ) -> None:
        self.path = Path(path)
        self.run = run
        self.every_seconds = every_seconds
        self._saved_at = 0.0
        self._saved: int | None = None

    def load(self) -> int:
        """The record index to resume at: 0 for a new file."""
        if not self.path.exists():
            return 0
        try:
            state = json.loads(self.path.read_text(encoding="utf-8"))
            position = int(state["next_index"])
            run = state["run"]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise UsageError(f"not a stac-ingest checkpoint file: {self.path} ({exc})") from None
        if run != self.run:
            source = run.get("source") if isinstance(run, dict) else run
            raise UsageError(
                f"checkpoint {self.path} belongs to another run (inventory {source})",
                hint="use a new --resume file, or the same arguments as that run",
            )
        self._saved = position
        return position

    def update(self, next_index: int, *, force: bool = False) -> None:
        """Record progress; writes at most every ``every_seconds`` unless ``force``."""
        if next_index == self._saved:
            return
        now = time.monotonic()
        if not force and now - self._saved_at < self.every_seconds:
            return
        self._write(next_index)
        self._saved_at = now

    def _write(self, next_index: int) -> None:
        tmp = self.path.with_name(self.path.name + ".tmp")
        data = json.dumps({"next_index": next_index, "run": self.run}, sort_keys=True)
        with tmp.open("w", encoding="utf-8") as stream:
            stream.write(data + "\n")
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(tmp, self.path)
        self._saved = next_index


class Watermark:
    """The lowest record index not yet done, from out-of-order completions.

    A record that failed blocks the watermark for good, so a resumed run retries it.
    """

    def __init__(self, start: int) -> None:
        self.next = start
        self._done: set[int] = set()
        self.blocked = False

    def done(self, index: int) -> None:
        if self.blocked:
            return
        if index != self.next:
            self._done.add(index)
            return
        self.next += 1
        while self.next in self._done:
            self._done.remove(self.next)
            self.next += 1

    def block(self) -> None:
        self.blocked = True
        self._done.clear()
