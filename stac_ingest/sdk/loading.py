"""Upserting a batch of records into pgstac, with poison isolation.

The load stage's core, shared by the item-load Lambda, the local pipeline and
``load-items --direct``. Items go through pypgstac's ``Loader`` (format, then one
``load_partition`` upsert per partition) over a single connection. When a partition's
load raises, the records in it are bisected until the ones that really fail are found;
the rest are loaded. A record is reported as failed only if its own rows did not load,
and a lost database connection fails every record not yet committed: nothing is
silently dropped.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from pydantic import Field

from stac_ingest.errors import DatabaseError
from stac_ingest.sdk.batch import (
    Fetch,
    ParsedBatch,
    RecordFailure,
    StageReport,
    Unit,
    parse_batch,
)
from stac_ingest.sdk.dbsecret import redact
from stac_ingest.sdk.jsonlog import log_event
from stac_ingest.sdk.records import SqsRecord

if TYPE_CHECKING:
    import psycopg
    from pypgstac.load import Loader

logger = logging.getLogger("stac_ingest.load")

#: Retries of one partition load for transient conflicts (deadlocks, serialization).
PARTITION_ATTEMPTS = 4

#: First key of the advisory locks that serialize loads of one collection.
_LOCK_SPACE = 0x5714


class LoadReport(StageReport):
    """What one load batch did."""

    loaded_items: int = 0
    loaded_collections: int = 0
    duplicates: int = Field(0, description="Older copies of an item in the same batch, skipped")


class _ConnectionLost(Exception):
    """The database went away mid-batch; carries the original error."""


def _is_connection_error(exc: BaseException) -> bool:
    """The connection is gone (not a refusal of this data: deadlocks, conflicts, bad rows).

    Deadlocks and serialization failures are OperationalErrors too, but they say nothing
    about the server being reachable; they are retried, then bisected like any refusal.
    """
    import psycopg

    if not isinstance(exc, psycopg.OperationalError | psycopg.InterfaceError):
        return False
    state = getattr(exc, "sqlstate", None)
    return state is None or state.startswith(("08", "57P"))


class ItemLoader:
    """Loads batches into the pgstac at ``dsn``, keeping one connection while it is healthy."""

    def __init__(self, dsn: str, *, fetch: Fetch | None = None, connect_timeout: int = 10) -> None:
        self._dsn = dsn
        self._fetch = fetch
        self._connect_timeout = connect_timeout
        self._conn: psycopg.Connection[Any] | None = None

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def __enter__(self) -> ItemLoader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def connection(self) -> psycopg.Connection[Any]:
        import psycopg

        if self._conn is None or self._conn.closed or self._conn.broken:
            try:
                self._conn = psycopg.connect(
                    self._dsn,
                    autocommit=True,
                    connect_timeout=self._connect_timeout,
                    application_name="stac-ingest",
                )
            except psycopg.Error as exc:
                raise DatabaseError(f"cannot connect to pgstac: {_first_line(exc)}") from exc
            self._conn.execute("SET search_path TO pgstac, public")
        return self._conn

    def load(self, records: Sequence[SqsRecord]) -> LoadReport:
        """Load one batch; every record is either loaded, a skipped duplicate, or a failure."""
        parsed = parse_batch(records, self._fetch)
        report = LoadReport(
            records=len(records), duplicates=parsed.duplicates, failures=list(parsed.failures)
        )
        if parsed.units:
            settled: set[int] = set()  # indexes of units loaded or already reported failed
            try:
                loader = _make_loader(self.connection())
                self._load_units(loader, parsed, report, settled)
            except (DatabaseError, _ConnectionLost) as exc:
                reason = exc.message if isinstance(exc, DatabaseError) else str(exc)
                report.failures += [
                    _failure(u, f"database unavailable: {reason}")
                    for u in parsed.units
                    if u.index not in settled
                ]
                self.close()
        for failure in report.failures:
            failure.reason = redact(failure.reason, self._dsn)
            log_event(logger, "record_failed", level=logging.ERROR, **_fields(failure))
        return report

    def _load_units(
        self, loader: Loader, parsed: ParsedBatch, report: LoadReport, settled: set[int]
    ) -> None:
        """Load the batch, adding each unit's index to ``settled`` once it is decided.

        A unit is decided when it fails, or when every partition holding its rows has
        committed. A unit that lost an item to a newer copy elsewhere in the batch is
        decided last: if that copy failed, so does it (nothing of it was loaded).
        """
        units = parsed.units
        by_index = {u.index: u for u in units}
        failed: dict[int, str] = {}
        waiting = set(parsed.superseded)

        def fail(unit: Unit, reason: str) -> None:
            failed[unit.index] = reason
            settled.add(unit.index)
            report.failures.append(_failure(unit, reason))

        def succeed(unit: Unit) -> None:
            if unit.index in waiting or unit.index in settled:
                return
            settled.add(unit.index)
            report.loaded_items += len(unit.items)

        # Collections first, so that items of the same batch find them.
        for unit in units:
            if unit.collections:
                try:
                    _upsert_collections(loader, unit.collections)
                except Exception as exc:
                    _reraise_if_connection(exc)
                    fail(unit, f"collection upsert failed: {_first_line(exc)}")
                    continue
                report.loaded_collections += len(unit.collections)
                succeed(unit)
        # Format every item once; a row that cannot even be formatted fails its record.
        rows: dict[str, list[tuple[int, dict[str, Any]]]] = defaultdict(list)
        for unit in units:
            if unit.index in settled or not unit.items:
                continue
            formatted = []
            try:
                for item in unit.items:
                    row = loader.format_item(item)
                    formatted.append((loader._partition_update(row), row))
            except Exception as exc:
                _reraise_if_connection(exc)
                fail(unit, _format_reason(exc, unit))
                continue
            for partition, row in formatted:
                rows[partition].append((unit.index, row))
        # A unit is loaded once every partition holding one of its rows has committed.
        pending: dict[int, int] = defaultdict(int)
        for entries in rows.values():
            for index in {i for i, _ in entries}:
                pending[index] += 1
        for unit in units:
            if unit.index not in failed and pending[unit.index] == 0:
                succeed(unit)  # only skipped duplicates left
        # One upsert per partition; bisect the records of a partition that fails.
        for partition, entries in rows.items():
            culprits = dict(_load_bisecting(loader, partition, entries))
            for index in sorted({i for i, _ in entries}):
                if index in failed:
                    continue
                if index in culprits:
                    fail(by_index[index], culprits[index])
                    continue
                pending[index] -= 1
                if pending[index] == 0:
                    succeed(by_index[index])
        # Units that lost copies: decided by the units whose copies won.
        for index in sorted(waiting):
            if index in failed:
                continue
            losers_of = [w for w in sorted(parsed.superseded[index]) if w in failed]
            if losers_of:
                winner = by_index[losers_of[0]]
                fail(
                    by_index[index],
                    f"its newer copy in message {winner.message_id} failed: {failed[winner.index]}",
                )
            else:
                waiting.discard(index)
                succeed(by_index[index])


def _load_bisecting(
    loader: Loader, partition: str, entries: list[tuple[int, dict[str, Any]]]
) -> list[tuple[int, str]]:
    """Load ``entries`` into ``partition``; returns (record index, reason) of the culprits."""
    groups: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for index, row in entries:
        groups[index].append(row)
    culprits: list[tuple[int, str]] = []

    def attempt(indexes: list[int]) -> None:
        batch = [row for i in indexes for row in groups[i]]
        try:
            _load_partition(loader, partition, batch)
        except Exception as exc:
            _reraise_if_connection(exc)
            if len(indexes) == 1:
                culprits.append((indexes[0], _first_line(exc)))
                return
            middle = len(indexes) // 2
            attempt(indexes[:middle])
            attempt(indexes[middle:])

    attempt(sorted(groups))
    return culprits


def _load_partition(loader: Loader, partition: str, rows: list[dict[str, Any]]) -> None:
    """Upsert ``rows`` into ``partition`` and drop their copies in other partitions.

    pypgstac's upsert works within one partition: an item whose datetime moved to another
    partition would be stored twice. So, in one transaction, under a per-collection
    advisory lock: upsert, then delete the ids' rows in other partitions. The lock makes
    concurrent loaders of one collection take turns (pgstac already serializes upserts
    per partition); without it, two loaders moving the same id to different partitions
    would each delete the other's copy.
    """
    from pypgstac.load import Methods
    from tenacity import stop_after_attempt, wait_random_exponential

    # pypgstac retries conflicts up to 10 times with waits of up to two minutes; a Lambda
    # with 45 s cannot afford that, so the same retry runs with a tighter budget.
    retrying = type(loader).load_partition.retry_with(
        stop=stop_after_attempt(PARTITION_ATTEMPTS), wait=wait_random_exponential(0.2, max=3)
    )
    conn = loader.db.connect()
    cached = loader._partition_cache[partition]
    # A collection without time partitions keeps every item in one table: nothing can move.
    moving = sorted(
        {row["collection"] for row in rows if loader.collection_json(row["collection"])[2]}
    )
    try:
        with conn.transaction():
            for collection in moving:
                conn.execute(
                    "SELECT pg_advisory_xact_lock(%s, hashtext(%s))", (_LOCK_SPACE, collection)
                )
            retrying(loader, cached, rows, Methods.upsert)  # it pops 'partition': harmless to reuse
            if moving:
                _remove_moved_copies(
                    loader, partition, [r for r in rows if r["collection"] in moving]
                )
    except BaseException:
        # The rollback also undid pypgstac's partition check: make the next try redo it.
        cached.requires_update = True
        raise


def _remove_moved_copies(loader: Loader, partition: str, rows: list[dict[str, Any]]) -> None:
    by_collection: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        by_collection[row["collection"]].append(row["id"])
    conn = loader.db.connect()
    for collection, ids in by_collection.items():
        conn.execute(
            """
            DELETE FROM items i
            WHERE i.collection = %s AND i.id = ANY(%s) AND i.tableoid <> %s::regclass
            """,
            (collection, ids, partition),
        )


def _upsert_collections(loader: Loader, collections: list[dict[str, Any]]) -> None:
    from pypgstac.load import Methods

    loader.load_collections(iter(collections), insert_mode=Methods.upsert)


def _make_loader(conn: psycopg.Connection[Any]) -> Loader:
    from pypgstac.db import PgstacDB
    from pypgstac.load import Loader

    class _OneConnection(PgstacDB):
        """pypgstac's database handle, on our connection instead of a pool."""

        def connect(self) -> psycopg.Connection[Any]:
            return conn

    try:
        loader = Loader(db=_OneConnection(connection=conn))
        loader.check_version()
    except Exception as exc:
        _reraise_if_connection(exc)
        raise DatabaseError(f"pgstac is not usable: {_first_line(exc)}") from exc
    return loader


def _format_reason(exc: BaseException, unit: Unit) -> str:
    """pypgstac's reason for refusing to format an item, made plain where it is cryptic."""
    text = _first_line(exc)
    if text.startswith("Error getting info for") or "is not present in the database" in text:
        missing = sorted({i["collection"] for i in unit.items})
        return (
            f"collection {', '.join(missing)} is not present in the database "
            "(upsert the collection, then replay)"
        )
    return text


def _reraise_if_connection(exc: BaseException) -> None:
    if _is_connection_error(exc):
        raise _ConnectionLost(_first_line(exc)) from exc


def _failure(unit: Unit, reason: str) -> RecordFailure:
    first = (unit.items or unit.collections or [{}])[0]
    is_coll = bool(unit.collections) and not unit.items
    return RecordFailure(
        message_id=unit.message_id,
        reason=reason,
        item_id=first.get("id") if not is_coll else None,
        collection=first.get("id") if is_coll else first.get("collection"),
    )


def _fields(failure: RecordFailure) -> dict[str, Any]:
    return {
        "messageId": failure.message_id,
        "itemId": failure.item_id,
        "collection": failure.collection,
        "reason": failure.reason,
    }


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:500]
