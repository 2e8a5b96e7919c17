from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import boto3
import psycopg
import pytest

from stac_ingest.lambdas import item_gen, item_load

Handler = Callable[[dict[str, Any]], dict[str, Any]]


@pytest.fixture
def load_handler(
    pgstac_dsn: str, monkeypatch: pytest.MonkeyPatch, lambda_context: Any
) -> Iterator[Handler]:
    """The item-load handler, configured through its environment for the test pgstac."""
    monkeypatch.setenv("PGSTAC_DSN", pgstac_dsn)
    monkeypatch.delenv("PGSTAC_SECRET_ARN", raising=False)
    item_load._stage = None

    def call(event: dict[str, Any]) -> dict[str, Any]:
        return item_load.handler(event, lambda_context)

    yield call
    if item_load._stage is not None:
        item_load._stage.close()
    item_load._stage = None


def failed_ids(response: dict[str, Any]) -> set[str]:
    return {f["itemIdentifier"] for f in response["batchItemFailures"]}


def stored_items(dsn: str, collection: str) -> dict[str, dict[str, Any]]:
    """Items of ``collection`` as pgstac returns them (hydrated), by id."""
    with psycopg.connect(dsn) as conn:
        conn.execute("SET search_path TO pgstac, public")
        rows = conn.execute(
            "SELECT id, pgstac.content_hydrate(i) FROM pgstac.items i WHERE collection = %s",
            (collection,),
        ).fetchall()
    return {r[0]: r[1] for r in rows}


@pytest.fixture
def load_queue(moto_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The load topic with a queue subscribed (by API: moto's CFN skips subscriptions)."""
    sns, sqs = boto3.client("sns"), boto3.client("sqs")
    topic = sns.create_topic(Name="item-load")["TopicArn"]
    url = sqs.create_queue(QueueName="item-load")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)
    monkeypatch.setenv("ITEM_LOAD_TOPIC_ARN", topic)
    monkeypatch.delenv("PAYLOAD_BUCKET", raising=False)
    item_gen._stage = None
    yield url
    if item_gen._stage is not None:
        item_gen._stage.runner.close()
    item_gen._stage = None


def received(url: str) -> list[Any]:
    """Messages on the queue, unwrapped from their SNS envelopes."""
    sqs = boto3.client("sqs")
    out: list[Any] = []
    while True:
        got = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0)
        if not got.get("Messages"):
            return out
        for msg in got["Messages"]:
            out.append(json.loads(json.loads(msg["Body"])["Message"]))
            sqs.delete_message(QueueUrl=url, ReceiptHandle=msg["ReceiptHandle"])
