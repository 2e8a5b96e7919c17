"""Hypothesis-generated SQS events against the real loader.

Random JSON, truncated envelopes and valid items, mixed. The loader never raises past
its own per-record handling, and its report agrees with the database: every record
reported loaded is in pgstac, and no record reported failed is.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stac_ingest.sdk.loading import ItemLoader
from stac_ingest.sdk.records import SqsRecord, unwrap
from tests.conftest import make_item, sns_envelope

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)


@st.composite
def records(draw: st.DrawFn, collection: str, prefix: str) -> tuple[str, str | None]:
    """A record body, and the item id it carries when it is valid."""
    kind = draw(
        st.sampled_from(["item", "item", "raw-item", "json", "truncated", "mutated", "text"])
    )
    ident = f"{prefix}-{draw(st.integers(0, 10**9))}"
    item = make_item(collection, ident)
    if kind == "item":
        return sns_envelope(item), ident
    if kind == "raw-item":
        return json.dumps(item), ident
    if kind == "json":
        return sns_envelope(json.dumps(draw(json_values))), None
    if kind == "truncated":
        body = sns_envelope(item)
        return body[: draw(st.integers(0, 10**6)) % len(body)], None
    if kind == "mutated":
        key = draw(st.sampled_from(["id", "collection", "geometry", "properties", "type"]))
        item[key] = draw(json_values)
        return sns_envelope(item), None
    return draw(st.text(max_size=40)), None


@pytest.fixture(scope="module")
def loader(pgstac_dsn: str) -> Any:
    with ItemLoader(pgstac_dsn) as shared:
        yield shared


@settings(
    max_examples=75,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_report_matches_the_database(
    data: st.DataObject, loader: ItemLoader, pgstac_dsn: str, pgstac_collection: dict[str, Any]
) -> None:
    cid = pgstac_collection["id"]
    prefix = uuid.uuid4().hex[:8]  # ids never repeat across examples, which share the database
    drawn = data.draw(st.lists(records(cid, prefix), min_size=1, max_size=25))
    batch = [SqsRecord(message_id=f"r{i}", body=body) for i, (body, _) in enumerate(drawn)]

    report = loader.load(batch)

    failed = set(report.failed_ids)
    assert failed <= {r.message_id for r in batch}
    with psycopg.connect(pgstac_dsn) as conn:
        stored = {
            row[0]
            for row in conn.execute(
                "SELECT id FROM pgstac.items WHERE collection = %s", (cid,)
            ).fetchall()
        }
    valid = {i for _, i in drawn if i}
    for (body, ident), record in zip(drawn, batch, strict=True):
        if ident is not None and [i for _, i in drawn].count(ident) == 1:
            # A well-formed item: loaded, and not reported failed.
            assert record.message_id not in failed, body
            assert ident in stored
        try:
            message, _ = unwrap(body)
        except Exception:
            assert record.message_id in failed, f"unreadable body not reported: {body!r}"
            continue
        readable_id = message.get("id") if isinstance(message, dict) else None
        if record.message_id not in failed:
            # Reported loaded (or a skipped duplicate): the item is in pgstac.
            assert isinstance(message, dict) and message.get("type") == "Feature", body
            assert readable_id in stored, f"reported loaded but missing: {body}"
        elif isinstance(readable_id, str):
            assert readable_id not in stored or readable_id in valid, (
                f"reported failed but stored: {readable_id}"
            )
