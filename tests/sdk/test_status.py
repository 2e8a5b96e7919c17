"""status: queue depths and dead letters per stage, item counts with database access."""

from __future__ import annotations

from typing import Any

from stac_ingest import Pipeline
from tests.sdk.conftest import STACK, MotoStack


def test_status_counts_queues_and_dead_letters(
    db_stack: MotoStack, pgstac_collection: dict[str, Any]
) -> None:
    for i in range(3):
        db_stack.sqs.send_message(QueueUrl=db_stack.queue("gen"), MessageBody=f"{i}")
    db_stack.sqs.send_message(QueueUrl=db_stack.dlq("load"), MessageBody="dead")
    db_stack.sqs.receive_message(QueueUrl=db_stack.queue("gen"), MaxNumberOfMessages=1)
    report = Pipeline.from_stack(STACK).status()
    gen, load = report.stages
    assert (gen.stage, gen.visible, gen.in_flight, gen.dead_letters) == ("gen", 2, 1, 0)
    assert (load.stage, load.visible, load.dead_letters) == ("load", 0, 1)
    assert report.collections is not None
    assert pgstac_collection["id"] in {c.id for c in report.collections}
    assert report.stac_api_url == "https://stac.example.com"
    text = report.render()
    assert "gen" in text and pgstac_collection["id"] in text


def test_status_without_database_access(moto_stack: MotoStack) -> None:
    report = Pipeline.from_stack(STACK).status()
    assert report.collections is None
    assert report.database_note is not None and "cannot connect" in report.database_note
    assert "collections: not shown" in report.render()
