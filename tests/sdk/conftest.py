"""A deployed-looking pipeline in the moto server, created through CloudFormation.

moto's CloudFormation skips ``AWS::SNS::Subscription`` and ``AWS::SecretsManager::Secret``,
so the queues are subscribed to the topics, and the pgstac secret is created, by API.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import boto3
import pytest

from stac_ingest.outputs import DatabaseOutputs, IngestOutputs

STACK = "test-ingest"


@dataclass
class MotoStack:
    name: str
    outputs: dict[str, str]
    db_outputs: dict[str, str] = field(default_factory=dict)

    @property
    def sqs(self) -> Any:
        return boto3.client("sqs")

    def url(self, key: str) -> str:
        return self.outputs[key]

    def queue(self, stage: str) -> str:
        key = (
            IngestOutputs.ITEM_GEN_QUEUE_URL
            if stage == "gen"
            else IngestOutputs.ITEM_LOAD_QUEUE_URL
        )
        return self.outputs[key]

    def dlq(self, stage: str) -> str:
        key = IngestOutputs.ITEM_GEN_DLQ_URL if stage == "gen" else IngestOutputs.ITEM_LOAD_DLQ_URL
        return self.outputs[key]

    def drain(self, url: str) -> list[str]:
        """Every body in a queue, removed (the queue is shallow in tests)."""
        bodies: list[str] = []
        while True:
            got = self.sqs.receive_message(
                QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0, VisibilityTimeout=60
            ).get("Messages", [])
            if not got:
                return bodies
            for message in got:
                bodies.append(message["Body"])
                self.sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])

    def messages(self, stage: str) -> list[Any]:
        """The unwrapped messages that reached a stage's queue (drained)."""
        from stac_ingest.sdk.records import unwrap

        return [unwrap(body)[0] for body in self.drain(self.queue(stage))]

    def depth(self, url: str) -> int:
        attrs = self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
        return int(attrs["ApproximateNumberOfMessages"]) + int(
            attrs["ApproximateNumberOfMessagesNotVisible"]
        )


def ingest_template(*, bucket: bool, drop: tuple[str, ...] = ()) -> dict[str, Any]:
    resources: dict[str, Any] = {}
    outputs: dict[str, Any] = {}
    for stage, keys in (
        ("Gen", (IngestOutputs.ITEM_GEN_TOPIC_ARN, IngestOutputs.ITEM_GEN_QUEUE_URL,
                 IngestOutputs.ITEM_GEN_DLQ_URL, IngestOutputs.ITEM_GEN_FUNCTION_NAME)),
        ("Load", (IngestOutputs.ITEM_LOAD_TOPIC_ARN, IngestOutputs.ITEM_LOAD_QUEUE_URL,
                  IngestOutputs.ITEM_LOAD_DLQ_URL, IngestOutputs.ITEM_LOAD_FUNCTION_NAME)),
    ):  # fmt: skip
        resources[f"{stage}Topic"] = {"Type": "AWS::SNS::Topic"}
        resources[f"{stage}DLQ"] = {"Type": "AWS::SQS::Queue"}
        resources[f"{stage}Queue"] = {
            "Type": "AWS::SQS::Queue",
            "Properties": {
                "VisibilityTimeout": 60,
                "RedrivePolicy": {
                    "deadLetterTargetArn": {"Fn::GetAtt": [f"{stage}DLQ", "Arn"]},
                    "maxReceiveCount": 5,
                },
            },
        }
        topic, queue, dlq, function = keys
        outputs[topic] = {"Value": {"Ref": f"{stage}Topic"}}
        outputs[queue] = {"Value": {"Ref": f"{stage}Queue"}}
        outputs[dlq] = {"Value": {"Ref": f"{stage}DLQ"}}
        outputs[function] = {"Value": f"item-{stage.lower()}-function"}
    if bucket:
        resources["PayloadBucket"] = {"Type": "AWS::S3::Bucket"}
        outputs[IngestOutputs.PAYLOAD_BUCKET_NAME] = {"Value": {"Ref": "PayloadBucket"}}
    for key in drop:
        outputs.pop(key)
    return {"Resources": resources, "Outputs": outputs}


def create_stack(
    name: str = STACK,
    *,
    bucket: bool = False,
    drop: tuple[str, ...] = (),
    dsn: str | None = None,
    with_db_stack: bool = True,
) -> MotoStack:
    cfn = boto3.client("cloudformation")
    cfn.create_stack(
        StackName=name, TemplateBody=json.dumps(ingest_template(bucket=bucket, drop=drop))
    )
    stack = cfn.describe_stacks(StackName=name)["Stacks"][0]
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stack["Outputs"]}
    sns, sqs = boto3.client("sns"), boto3.client("sqs")
    for topic_key, queue_key in (
        (IngestOutputs.ITEM_GEN_TOPIC_ARN, IngestOutputs.ITEM_GEN_QUEUE_URL),
        (IngestOutputs.ITEM_LOAD_TOPIC_ARN, IngestOutputs.ITEM_LOAD_QUEUE_URL),
    ):
        if topic_key in outputs and queue_key in outputs:
            arn = sqs.get_queue_attributes(QueueUrl=outputs[queue_key], AttributeNames=["QueueArn"])
            sns.subscribe(
                TopicArn=outputs[topic_key],
                Protocol="sqs",
                Endpoint=arn["Attributes"]["QueueArn"],
            )
    result = MotoStack(name=name, outputs=outputs)
    if with_db_stack:
        result.db_outputs = create_db_stack(f"{name}-pgstac", dsn)
    return result


def create_db_stack(name: str, dsn: str | None) -> dict[str, str]:
    from psycopg.conninfo import conninfo_to_dict

    info: dict[str, Any] = conninfo_to_dict(dsn) if dsn else {"host": "db.invalid", "port": 5432,
                                                               "dbname": "pgstac", "user": "app"}  # fmt: skip
    secret = {
        "username": info.get("user", "postgres"),
        "password": info.get("password") or "not-needed-with-trust-auth",
        "host": info.get("host", "127.0.0.1"),
        "port": int(info.get("port", 5432)),
        "dbname": info.get("dbname", "pgstac"),
    }
    arn = boto3.client("secretsmanager").create_secret(
        Name=f"{name}-secret", SecretString=json.dumps(secret)
    )["ARN"]
    template = {
        "Resources": {"Marker": {"Type": "AWS::SNS::Topic"}},
        "Outputs": {
            DatabaseOutputs.PGSTAC_SECRET: {"Value": arn},
            DatabaseOutputs.STAC_API_URL: {"Value": "https://stac.example.com"},
        },
    }
    boto3.client("cloudformation").create_stack(StackName=name, TemplateBody=json.dumps(template))
    return {
        DatabaseOutputs.PGSTAC_SECRET: arn,
        DatabaseOutputs.STAC_API_URL: "https://stac.example.com",
    }


@pytest.fixture
def make_stack(moto_endpoint: str) -> Callable[..., MotoStack]:
    """Create an ingest stack (and its ``-pgstac`` stack) in the clean moto server."""
    return create_stack


@pytest.fixture
def moto_stack(make_stack: Callable[..., MotoStack]) -> MotoStack:
    return make_stack()


@pytest.fixture
def db_stack(make_stack: Callable[..., MotoStack], pgstac_dsn: str) -> MotoStack:
    """A stack whose pgstac secret points at the real test pgstac."""
    return make_stack(dsn=pgstac_dsn)


def throttle_first(session: Any, calls: int, code: str = "Throttling") -> list[int]:
    """A botocore hook: the first ``calls`` PublishBatch calls fail with ``code``.

    Returns a counter list: [calls refused, calls passed].
    """
    from botocore.awsrequest import AWSResponse, HTTPHeaders

    counter = [0, 0]

    def refuse(**_: Any) -> Any:
        if counter[0] < calls:
            counter[0] += 1
            response = AWSResponse("https://sns.invalid", 400, HTTPHeaders(), None)
            return response, {
                "Error": {"Code": code, "Message": "Rate exceeded"},
                "ResponseMetadata": {"HTTPStatusCode": 400},
            }
        counter[1] += 1
        return None

    session.events.register("before-call.sns.PublishBatch", refuse)
    return counter
