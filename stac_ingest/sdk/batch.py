"""Turns a batch of load-stage records into checked, de-duplicated units of work.

A record is one SQS message: an Item, a Collection, an ItemCollection, or a pointer to
one of these. Each record becomes a :class:`Unit` (its collections and items), or a
:class:`RecordFailure` with the reason it can never load.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson
from pydantic import BaseModel, Field

from stac_ingest.errors import StacIngestError, ValidationError
from stac_ingest.sdk.records import SqsRecord, unwrap
from stac_ingest.sdk.validate import classify, item_key, validate_collection, validate_item

Fetch = Callable[[str], bytes]


class RecordFailure(BaseModel):
    """Why one record was not loaded."""

    message_id: str
    reason: str
    item_id: str | None = None
    collection: str | None = None


class StageReport(BaseModel):
    """What one batch of a stage did: how many records, and which failed and why."""

    records: int = 0
    failures: list[RecordFailure] = Field(default_factory=list)

    @property
    def failed_ids(self) -> list[str]:
        return [f.message_id for f in self.failures]


@dataclass
class Unit:
    """What one record asks to load. ``items`` may shrink when duplicates are dropped."""

    index: int
    message_id: str
    timestamp: str | None
    collections: list[dict[str, Any]] = field(default_factory=list)
    items: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class ParsedBatch:
    units: list[Unit]
    failures: list[RecordFailure]
    duplicates: int = 0
    #: Unit index -> indexes of the units whose newer copies replaced some of its items.
    superseded: dict[int, set[int]] = field(default_factory=dict)


def parse_batch(records: Sequence[SqsRecord], fetch: Fetch | None = None) -> ParsedBatch:
    """Parse, resolve pointers, validate, and de-duplicate a batch of records."""
    units: list[Unit] = []
    failures: list[RecordFailure] = []
    for index, record in enumerate(records):
        try:
            units.append(_parse_record(index, record, fetch))
        except Exception as exc:  # whatever a record holds, it fails alone
            reason = (
                exc.message
                if isinstance(exc, StacIngestError)
                else f"unreadable record: {type(exc).__name__}: {str(exc)[:200]}"
            )
            coll, ident = _best_key(record.body)
            failures.append(
                RecordFailure(
                    message_id=record.message_id, reason=reason, item_id=ident, collection=coll
                )
            )
    duplicates, superseded = _drop_duplicates(units)
    return ParsedBatch(units=units, failures=failures, duplicates=duplicates, superseded=superseded)


def _parse_record(index: int, record: SqsRecord, fetch: Fetch | None) -> Unit:
    message, timestamp = unwrap(record.body)
    kind = classify(message)
    if kind == "pointer":
        if fetch is None:
            raise ValidationError("pointer messages need a payload store, and none is configured")
        try:
            message = orjson.loads(fetch(message["href"]))
        except orjson.JSONDecodeError as exc:
            raise ValidationError(f"malformed JSON behind pointer {message['href']}") from exc
        kind = classify(message)
        if kind == "pointer":
            raise ValidationError("a pointer may not point at another pointer")
    unit = Unit(index=index, message_id=record.message_id, timestamp=timestamp)
    if kind == "collection":
        validate_collection(message)
        unit.collections.append(message)
    elif kind == "item":
        validate_item(message)
        unit.items.append(message)
    else:
        features = message["features"]
        if not features:
            raise ValidationError("ItemCollection has no features")
        for position, feature in enumerate(features):
            try:
                validate_item(feature)
            except ValidationError as exc:
                raise ValidationError(f"feature {position}: {exc.message}") from exc
        unit.items.extend(features)
    return unit


def _best_key(body: str) -> tuple[str | None, str | None]:
    """(collection, id) of a failed record, when its body can be read at all."""
    try:
        message, _ = unwrap(body)
    except Exception:
        return None, None
    return item_key(message)


def _drop_duplicates(units: list[Unit]) -> tuple[int, dict[int, set[int]]]:
    """Keep one copy of each (collection, id): the newest by SNS timestamp, else the last.

    Returns how many copies were dropped, and for each unit that lost a copy, the units
    whose copies won (so that a loser is not reported loaded if its winner fails).
    """
    winner: dict[tuple[str, str], tuple[tuple[str, int], int, int]] = {}
    for unit in units:
        for pos, item in enumerate(unit.items):
            key = (item["collection"], item["id"])
            rank = (unit.timestamp or "", unit.index)
            best = winner.get(key)
            if best is None or rank >= best[0]:
                winner[key] = (rank, unit.index, pos)
    keep = {(u, p) for _, u, p in winner.values()}
    dropped = 0
    superseded: dict[int, set[int]] = {}
    for unit in units:
        kept = []
        for pos, item in enumerate(unit.items):
            if (unit.index, pos) in keep:
                kept.append(item)
                continue
            dropped += 1
            won_by = winner[(item["collection"], item["id"])][1]
            if won_by != unit.index:
                superseded.setdefault(unit.index, set()).add(won_by)
        unit.items = kept
    return dropped, superseded
