"""Durable queues for the local pipeline, in one SQLite database (WAL).

Each stage has a queue with SQS semantics and a dead-letter table:

* ``send`` inserts a batch in one transaction.
* ``receive`` leases up to N visible messages: their receive count goes up and they stay
  invisible for the visibility timeout. A message is deleted only by ``ack`` once its
  stage succeeded, so a process killed at any moment loses nothing: its leases expire
  (or are released by the next runner, see :meth:`LocalQueue.release_leases`).
* ``fail`` makes a message visible again after the retry delay, or moves it to the
  dead-letter table once it has been received ``max_attempts`` times. A message whose
  leases kept expiring (a crashing worker) is dead-lettered on its next receive.
"""

from __future__ import annotations

import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path

from pydantic import BaseModel

from stac_ingest.errors import StacIngestError
from stac_ingest.sdk.backend import Stage
from stac_ingest.sdk.records import SqsRecord

_SCHEMA = """
CREATE TABLE IF NOT EXISTS messages (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    message_id TEXT NOT NULL UNIQUE,
    stage TEXT NOT NULL,
    body TEXT NOT NULL,
    sent_at REAL NOT NULL,
    visible_at REAL NOT NULL,
    receive_count INTEGER NOT NULL DEFAULT 0,
    lease TEXT,
    last_error TEXT
);
CREATE INDEX IF NOT EXISTS messages_ready ON messages (stage, visible_at, seq);
CREATE TABLE IF NOT EXISTS dead_letters (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    message_id TEXT NOT NULL,
    stage TEXT NOT NULL,
    body TEXT NOT NULL,
    sent_at REAL NOT NULL,
    receive_count INTEGER NOT NULL,
    dead_at REAL NOT NULL,
    reason TEXT
);
CREATE INDEX IF NOT EXISTS dead_letters_stage ON dead_letters (stage, seq);
"""


class StoredDeadLetter(BaseModel):
    message_id: str
    stage: str
    body: str
    sent_at: float
    receive_count: int
    dead_at: float
    reason: str | None = None


class Depth(BaseModel):
    visible: int
    in_flight: int
    oldest_sent_at: float | None = None
    dead_letters: int


class LocalQueue:
    """The queue store at ``path``. Thread-safe: one SQLite connection per thread.

    (``check_same_thread`` is off only so that :meth:`close` can close them all.)
    """

    def __init__(self, path: Path, *, max_attempts: int = 5) -> None:
        self.path = Path(path)
        self.max_attempts = max_attempts
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._guard = threading.Lock()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._conn().executescript(_SCHEMA)

    # -- connections -------------------------------------------------------------------
    def _conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            try:
                conn = sqlite3.connect(
                    self.path, timeout=60.0, isolation_level=None, check_same_thread=False
                )
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute("PRAGMA synchronous=NORMAL")
                conn.execute("PRAGMA busy_timeout=60000")
            except sqlite3.Error as exc:
                raise StacIngestError(f"cannot open the local queue {self.path}: {exc}") from exc
            self._local.conn = conn
            with self._guard:
                self._connections.append(conn)
        return conn

    def close(self) -> None:
        with self._guard:
            for conn in self._connections:
                conn.close()
            self._connections.clear()
        self._local = threading.local()

    class _Txn:
        def __init__(self, conn: sqlite3.Connection) -> None:
            self.conn = conn

        def __enter__(self) -> sqlite3.Connection:
            self.conn.execute("BEGIN IMMEDIATE")
            return self.conn

        def __exit__(self, exc_type: object, *rest: object) -> None:
            self.conn.execute("ROLLBACK" if exc_type else "COMMIT")

    def _write(self) -> LocalQueue._Txn:
        return LocalQueue._Txn(self._conn())

    # -- sending and receiving ---------------------------------------------------------
    def send(self, stage: Stage, bodies: Sequence[str], *, delay: float = 0.0) -> list[str]:
        """Enqueue ``bodies`` in one transaction; returns their message ids."""
        now = time.time()
        ids = [str(uuid.uuid4()) for _ in bodies]
        with self._write() as conn:
            conn.executemany(
                "INSERT INTO messages (message_id, stage, body, sent_at, visible_at) "
                "VALUES (?, ?, ?, ?, ?)",
                [(i, stage, b, now, now + delay) for i, b in zip(ids, bodies, strict=True)],
            )
        return ids

    def receive(
        self, stage: Stage, limit: int, *, visibility: float, lease: str
    ) -> list[SqsRecord]:
        """Lease up to ``limit`` visible messages of ``stage`` for ``visibility`` seconds."""
        now = time.time()
        with self._write() as conn:
            self._expire_overreceived(conn, stage, now)
            rows = conn.execute(
                "UPDATE messages SET receive_count = receive_count + 1, visible_at = ?, lease = ? "
                "WHERE seq IN (SELECT seq FROM messages WHERE stage = ? AND visible_at <= ? "
                "ORDER BY visible_at, seq LIMIT ?) RETURNING seq, message_id, body, receive_count",
                (now + visibility, lease, stage, now, limit),
            ).fetchall()
        rows.sort()
        return [SqsRecord(message_id=r[1], body=r[2], receive_count=r[3]) for r in rows]

    def _expire_overreceived(self, conn: sqlite3.Connection, stage: Stage, now: float) -> None:
        """Dead-letter visible messages already received ``max_attempts`` times."""
        where = "stage = ? AND visible_at <= ? AND receive_count >= ?"
        args = (stage, now, self.max_attempts)
        conn.execute(
            "INSERT INTO dead_letters (message_id, stage, body, sent_at, receive_count, dead_at, "
            "reason) SELECT message_id, stage, body, sent_at, receive_count, ?, "
            "coalesce(last_error, 'processing never finished (lease expired)') "
            f"FROM messages WHERE {where} ORDER BY seq",
            (now, *args),
        )
        conn.execute(f"DELETE FROM messages WHERE {where}", args)

    def ack(self, message_ids: Sequence[str]) -> None:
        """Delete processed messages."""
        if not message_ids:
            return
        with self._write() as conn:
            conn.executemany(
                "DELETE FROM messages WHERE message_id = ?", [(m,) for m in message_ids]
            )

    def fail(self, failures: Sequence[tuple[str, str]], *, retry_delay: float) -> int:
        """Record failed attempts ``(message_id, reason)``; returns how many were dead-lettered."""
        if not failures:
            return 0
        now = time.time()
        dead = 0
        with self._write() as conn:
            for message_id, reason in failures:
                row = conn.execute(
                    "SELECT receive_count FROM messages WHERE message_id = ?", (message_id,)
                ).fetchone()
                if row is None:
                    continue
                if row[0] >= self.max_attempts:
                    conn.execute(
                        "INSERT INTO dead_letters (message_id, stage, body, sent_at, "
                        "receive_count, dead_at, reason) SELECT message_id, stage, body, "
                        "sent_at, receive_count, ?, ? FROM messages WHERE message_id = ?",
                        (now, reason, message_id),
                    )
                    conn.execute("DELETE FROM messages WHERE message_id = ?", (message_id,))
                    dead += 1
                else:
                    conn.execute(
                        "UPDATE messages SET visible_at = ?, lease = NULL, last_error = ? "
                        "WHERE message_id = ?",
                        (now + retry_delay, reason, message_id),
                    )
        return dead

    def release_leases(self) -> int:
        """Make every leased message visible now (its holder is known to be gone)."""
        with self._write() as conn:
            cur = conn.execute(
                "UPDATE messages SET visible_at = ?, lease = NULL WHERE lease IS NOT NULL",
                (time.time(),),
            )
            return cur.rowcount

    # -- state -------------------------------------------------------------------------
    def depth(self, stage: Stage) -> Depth:
        now = time.time()
        conn = self._conn()
        visible, in_flight, oldest = conn.execute(
            "SELECT coalesce(sum(visible_at <= ?), 0), coalesce(sum(visible_at > ?), 0), "
            "min(sent_at) FROM messages WHERE stage = ?",
            (now, now, stage),
        ).fetchone()
        dead = conn.execute(
            "SELECT count(*) FROM dead_letters WHERE stage = ?", (stage,)
        ).fetchone()[0]
        return Depth(
            visible=int(visible), in_flight=int(in_flight), oldest_sent_at=oldest, dead_letters=dead
        )

    def pending(self) -> int:
        """Messages of both stages not yet processed (visible, leased or delayed)."""
        return int(self._conn().execute("SELECT count(*) FROM messages").fetchone()[0])

    def next_visible_at(self) -> float | None:
        row = self._conn().execute("SELECT min(visible_at) FROM messages").fetchone()
        return None if row[0] is None else float(row[0])

    # -- dead letters ------------------------------------------------------------------
    def dead_count(self, stage: Stage) -> int:
        return int(
            self._conn()
            .execute("SELECT count(*) FROM dead_letters WHERE stage = ?", (stage,))
            .fetchone()[0]
        )

    def dead_letters(self, stage: Stage, limit: int | None = None) -> Iterator[StoredDeadLetter]:
        """Dead letters of ``stage``, oldest first, read in pages (none removed)."""
        after, left = 0, limit
        while left is None or left > 0:
            page = 500 if left is None else min(500, left)
            rows = (
                self._conn()
                .execute(
                    "SELECT seq, message_id, stage, body, sent_at, receive_count, dead_at, reason "
                    "FROM dead_letters WHERE stage = ? AND seq > ? ORDER BY seq LIMIT ?",
                    (stage, after, page),
                )
                .fetchall()
            )
            if not rows:
                return
            for row in rows:
                yield StoredDeadLetter(
                    message_id=row[1], stage=row[2], body=row[3], sent_at=row[4],
                    receive_count=row[5], dead_at=row[6], reason=row[7],
                )  # fmt: skip
            after = rows[-1][0]
            if left is not None:
                left -= len(rows)

    def replay(self, stage: Stage, limit: int | None = None) -> int:
        """Move dead letters back to the stage's queue with a fresh receive count."""
        now = time.time()
        with self._write() as conn:
            seqs = [
                r[0]
                for r in conn.execute(
                    "SELECT seq FROM dead_letters WHERE stage = ? ORDER BY seq LIMIT ?",
                    (stage, -1 if limit is None else limit),
                ).fetchall()
            ]
            conn.executemany(
                "INSERT INTO messages (message_id, stage, body, sent_at, visible_at) "
                "SELECT message_id, stage, body, sent_at, ? FROM dead_letters WHERE seq = ?",
                [(now, s) for s in seqs],
            )
            conn.executemany("DELETE FROM dead_letters WHERE seq = ?", [(s,) for s in seqs])
        return len(seqs)

    def purge(self, stage: Stage) -> int:
        with self._write() as conn:
            return conn.execute("DELETE FROM dead_letters WHERE stage = ?", (stage,)).rowcount
