"""Injected throttling and 5xx answers on the publish path are retried until it completes."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from stac_ingest.errors import AwsError
from stac_ingest.sdk.sns_publish import chunk_for_sns, publish_all, publish_batch


def _refuse_first(client: Any, calls: int, code: str, status: int) -> list[int]:
    """A botocore hook on this client: the first ``calls`` PublishBatch calls get ``code``."""
    from botocore.awsrequest import AWSResponse, HTTPHeaders

    seen = [0]

    def refuse(**_: Any) -> Any:
        if seen[0] >= calls:
            return None
        seen[0] += 1
        parsed = {
            "Error": {"Code": code, "Message": "injected"},
            "ResponseMetadata": {"HTTPStatusCode": status},
        }
        return AWSResponse("https://sns.invalid", status, HTTPHeaders(), None), parsed

    client.meta.events.register("before-call.sns.PublishBatch", refuse)
    return seen


def _topic_with_queue() -> tuple[Any, str, str]:
    sns, sqs = boto3.client("sns"), boto3.client("sqs")
    topic = sns.create_topic(Name="t")["TopicArn"]
    url = sqs.create_queue(QueueName="q")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    sns.subscribe(
        TopicArn=topic, Protocol="sqs", Endpoint=arn, Attributes={"RawMessageDelivery": "true"}
    )
    return sns, topic, url


def _drain(url: str) -> list[str]:
    sqs, out = boto3.client("sqs"), []
    while got := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages"):
        for m in got:
            out.append(m["Body"])
            sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
    return out


@pytest.mark.parametrize(
    ("code", "status"), [("Throttling", 400), ("InternalError", 500), ("ServiceUnavailable", 503)]
)
def test_storm_is_retried_and_every_message_arrives(
    moto_endpoint: str, code: str, status: int
) -> None:
    sns, topic, url = _topic_with_queue()
    refused = _refuse_first(sns, 5, code, status)
    bodies = [json.dumps({"n": n}) for n in range(25)]
    assert publish_all(sns, topic, bodies) == [None] * 25
    assert refused == [5]
    assert sorted(_drain(url), key=lambda b: json.loads(b)["n"]) == bodies


def test_a_refusal_that_is_not_transient_is_an_error(moto_endpoint: str) -> None:
    sns, topic, _ = _topic_with_queue()
    _refuse_first(sns, 1, "AuthorizationError", 403)
    with pytest.raises(AwsError, match="AuthorizationError"):
        publish_batch(sns, topic, ["{}"])


def test_a_refused_call_fails_only_its_own_entries(moto_endpoint: str) -> None:
    """The first PublishBatch call is refused for good; the second call's entries still go."""
    sns, topic, url = _topic_with_queue()
    _refuse_first(sns, 1, "AuthorizationError", 403)
    bodies = [json.dumps({"n": n}) for n in range(15)]
    errors = publish_all(sns, topic, bodies)
    assert [e is not None and "AuthorizationError" in e for e in errors] == [True] * 10 + [
        False
    ] * 5
    assert sorted(json.loads(b)["n"] for b in _drain(url)) == list(range(10, 15))


def test_batches_respect_the_sns_size_limit() -> None:
    bodies = ["x" * 100_000] * 5 + ["y"] * 20
    chunks = chunk_for_sns(bodies)
    assert [len(c) for c in chunks] == [2, 2, 10, 10, 1]
    assert all(sum(len(b) for b in c) <= 262_144 for c in chunks)
