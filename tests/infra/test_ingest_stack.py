"""Template assertions for the ingest stack: every value the design names."""

from __future__ import annotations

import json
from typing import Any

import pytest

from stac_ingest.outputs import INGEST_OUTPUT_KEYS
from tests.infra.conftest import Synth

ONE_WEEK_DAYS = 7
FOURTEEN_DAYS_S = 14 * 24 * 3600


def _ref_id(value: Any) -> str:
    """The logical id behind a ``Ref`` or ``Fn::GetAtt``."""
    if "Ref" in value:
        return str(value["Ref"])
    return str(value["Fn::GetAtt"][0])


def test_output_keys_are_exactly_the_sdks(synth: Synth) -> None:
    assert set(synth.template(synth.ingest)["Outputs"]) == set(INGEST_OUTPUT_KEYS)


def test_stack_names(synth: Synth, variant: Synth) -> None:
    assert (synth.ingest, synth.database, synth.vpc) == (
        "stac-ingest-dev",
        "stac-ingest-dev-pgstac",
        "stac-ingest-dev-vpc",
    )
    assert (variant.ingest, variant.database, variant.vpc) == (
        "acme-prod",
        "acme-prod-pgstac",
        "acme-prod-vpc",
    )


@pytest.mark.parametrize(
    ("prefix", "visibility"), [("PipelineItemGen", 120), ("PipelineItemLoad", 60)]
)
def test_queues_and_dead_letter_queues(synth: Synth, prefix: str, visibility: int) -> None:
    queue = synth.one(synth.ingest, "AWS::SQS::Queue", f"{prefix}Queue")
    dlq_id = synth.logical_id(synth.ingest, "AWS::SQS::Queue", f"{prefix}DeadLetterQueue")
    dlq = synth.one(synth.ingest, "AWS::SQS::Queue", f"{prefix}DeadLetterQueue")
    assert queue["VisibilityTimeout"] == visibility
    assert queue["RedrivePolicy"]["maxReceiveCount"] == 5
    assert _ref_id(queue["RedrivePolicy"]["deadLetterTargetArn"]) == dlq_id
    assert dlq["MessageRetentionPeriod"] == FOURTEEN_DAYS_S


def test_every_queue_is_encrypted_and_ssl_only(synth: Synth) -> None:
    queues = synth.resources(synth.ingest, "AWS::SQS::Queue")
    assert len(queues) == 4
    for res in queues.values():
        assert res["Properties"]["SqsManagedSseEnabled"] is True
        assert "QueueName" not in res["Properties"]
    protected: set[str] = set()
    for policy in synth.resources(synth.ingest, "AWS::SQS::QueuePolicy").values():
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            if statement.get("Condition") == {"Bool": {"aws:SecureTransport": "false"}}:
                assert statement["Effect"] == "Deny"
                protected.update(_ref_id(q) for q in policy["Properties"]["Queues"])
    assert protected == set(queues)


@pytest.mark.parametrize("stage", ["ItemGen", "ItemLoad"])
def test_topics_feed_their_queues(synth: Synth, stage: str) -> None:
    topic_id = synth.logical_id(synth.ingest, "AWS::SNS::Topic", f"Pipeline{stage}Topic")
    queue_id = synth.logical_id(synth.ingest, "AWS::SQS::Queue", f"Pipeline{stage}Queue")
    subs = [
        r["Properties"]
        for r in synth.resources(synth.ingest, "AWS::SNS::Subscription").values()
        if _ref_id(r["Properties"]["TopicArn"]) == topic_id
    ]
    assert len(subs) == 1
    assert subs[0]["Protocol"] == "sqs"
    assert _ref_id(subs[0]["Endpoint"]) == queue_id
    topic = synth.one(synth.ingest, "AWS::SNS::Topic", f"Pipeline{stage}Topic")
    assert "TopicName" not in topic


def test_topics_enforce_ssl(synth: Synth) -> None:
    topics = set(synth.resources(synth.ingest, "AWS::SNS::Topic"))
    protected: set[str] = set()
    for policy in synth.resources(synth.ingest, "AWS::SNS::TopicPolicy").values():
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            if statement.get("Condition") == {"Bool": {"aws:SecureTransport": "false"}}:
                protected.update(_ref_id(t) for t in policy["Properties"]["Topics"])
    assert protected == topics


def _function(synth: Synth, name: str) -> dict[str, Any]:
    return synth.one(synth.ingest, "AWS::Lambda::Function", f"Pipeline{name}Function")


def test_item_gen_function(synth: Synth) -> None:
    fn = _function(synth, "ItemGen")
    assert fn["PackageType"] == "Image"
    assert fn["ImageConfig"]["Command"] == ["stac_ingest.lambdas.item_gen.handler"]
    assert fn["MemorySize"] == 1024
    assert fn["Timeout"] == 120
    assert "VpcConfig" not in fn, "item generation needs the internet: outside the VPC"
    env = fn["Environment"]["Variables"]
    assert set(env) == {"ITEM_LOAD_TOPIC_ARN", "PAYLOAD_BUCKET", "RECORDS_IN_PARALLEL"}
    assert env["RECORDS_IN_PARALLEL"] == "1"
    load_topic = synth.logical_id(synth.ingest, "AWS::SNS::Topic", "PipelineItemLoadTopic")
    bucket = synth.logical_id(synth.ingest, "AWS::S3::Bucket", "PipelinePayloadBucket")
    assert _ref_id(env["ITEM_LOAD_TOPIC_ARN"]) == load_topic
    assert _ref_id(env["PAYLOAD_BUCKET"]) == bucket
    assert "FunctionName" not in fn


def test_item_load_function(synth: Synth) -> None:
    fn = _function(synth, "ItemLoad")
    assert fn["Runtime"] == "python3.12"
    assert fn["Handler"] == "stac_ingest.lambdas.item_load.handler"
    assert fn["MemorySize"] == 1024
    assert fn["Timeout"] == 45
    assert fn["Code"]["S3Key"].endswith(".zip")
    env = fn["Environment"]["Variables"]
    assert set(env) == {"PGSTAC_SECRET_ARN", "PAYLOAD_BUCKET"}
    # The secret lives in the database stack: a cross-stack import.
    assert "Fn::ImportValue" in env["PGSTAC_SECRET_ARN"]
    subnets = fn["VpcConfig"]["SubnetIds"]
    assert len(subnets) == 2
    assert all("privateSubnet" in s["Fn::ImportValue"] for s in subnets)
    assert "FunctionName" not in fn


def test_loader_reaches_the_database_through_security_groups(synth: Synth) -> None:
    sg = synth.logical_id(synth.ingest, "AWS::EC2::SecurityGroup", "PipelineItemLoadSecurityGroup")
    rules = list(synth.resources(synth.ingest, "AWS::EC2::SecurityGroupIngress").values())
    assert len(rules) == 1
    rule = rules[0]["Properties"]
    assert (rule["FromPort"], rule["ToPort"], rule["IpProtocol"]) == (5432, 5432, "tcp")
    assert _ref_id(rule["SourceSecurityGroupId"]) == sg
    assert "dbSecurityGroup" in rule["GroupId"]["Fn::ImportValue"]
    fn = _function(synth, "ItemLoad")
    assert [_ref_id(g) for g in fn["VpcConfig"]["SecurityGroupIds"]] == [sg]


def _mapping(synth: Synth, name: str) -> dict[str, Any]:
    return synth.one(
        synth.ingest, "AWS::Lambda::EventSourceMapping", f"Pipeline{name}FunctionSqsEventSource"
    )


def test_event_sources(synth: Synth) -> None:
    gen, load = _mapping(synth, "ItemGen"), _mapping(synth, "ItemLoad")
    assert gen["BatchSize"] == 10
    assert "MaximumBatchingWindowInSeconds" not in gen
    assert gen["ScalingConfig"] == {"MaximumConcurrency": 20}
    assert load["BatchSize"] == 1000
    assert load["MaximumBatchingWindowInSeconds"] == 60
    assert load["ScalingConfig"] == {"MaximumConcurrency": 2}
    for mapping in (gen, load):
        assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]


def test_event_sources_follow_the_config(variant: Synth) -> None:
    gen, load = _mapping(variant, "ItemGen"), _mapping(variant, "ItemLoad")
    assert gen["BatchSize"] == 5
    assert gen["ScalingConfig"] == {"MaximumConcurrency": 50}
    assert load["ScalingConfig"] == {"MaximumConcurrency": 4}
    gen_env = _function(variant, "ItemGen")["Environment"]["Variables"]
    assert gen_env["RECORDS_IN_PARALLEL"] == "4"


def test_logs_are_kept_one_week(synth: Synth) -> None:
    for name in ("ItemGen", "ItemLoad"):
        group = synth.logical_id(synth.ingest, "AWS::Logs::LogGroup", f"Pipeline{name}Logs")
        props = synth.one(synth.ingest, "AWS::Logs::LogGroup", f"Pipeline{name}Logs")
        assert props["RetentionInDays"] == ONE_WEEK_DAYS
        fn = _function(synth, name)
        assert _ref_id(fn["LoggingConfig"]["LogGroup"]) == group


def test_payload_bucket(synth: Synth, variant: Synth) -> None:
    bucket = synth.one(synth.ingest, "AWS::S3::Bucket", "PipelinePayloadBucket")
    assert bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"][0][
        "ServerSideEncryptionByDefault"
    ] == {"SSEAlgorithm": "AES256"}
    assert bucket["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    assert bucket["LifecycleConfiguration"]["Rules"][0]["ExpirationInDays"] == 7
    assert "BucketName" not in bucket
    other = variant.one(variant.ingest, "AWS::S3::Bucket", "PipelinePayloadBucket")
    assert other["LifecycleConfiguration"]["Rules"][0]["ExpirationInDays"] == 3
    policy = synth.one(synth.ingest, "AWS::S3::BucketPolicy", "PipelinePayloadBucketPolicy")
    ssl = [
        s
        for s in policy["PolicyDocument"]["Statement"]
        if s.get("Condition") == {"Bool": {"aws:SecureTransport": "false"}}
    ]
    assert ssl and ssl[0]["Effect"] == "Deny"


def _actions(synth: Synth, function: str) -> set[str]:
    policy = synth.one(
        synth.ingest, "AWS::IAM::Policy", f"Pipeline{function}FunctionServiceRoleDefaultPolicy"
    )
    actions: set[str] = set()
    for statement in policy["PolicyDocument"]["Statement"]:
        got = statement["Action"]
        actions.update([got] if isinstance(got, str) else got)
    return actions


def test_bucket_write_for_generation_read_for_loading(synth: Synth) -> None:
    gen, load = _actions(synth, "ItemGen"), _actions(synth, "ItemLoad")
    assert "s3:PutObject" in gen
    assert not any(a.startswith("s3:GetObject") for a in gen)
    assert "s3:GetObject*" in load
    assert "s3:PutObject" not in load
    assert "sns:Publish" in gen
    assert {"secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"} <= load


def test_alarms(synth: Synth) -> None:
    topic = synth.logical_id(synth.ingest, "AWS::SNS::Topic", "MonitoringAlarmTopic")
    alarms = synth.resources(synth.ingest, "AWS::CloudWatch::Alarm")
    assert len(alarms) == 3
    for name in ("ItemGen", "ItemLoad"):
        alarm = synth.one(
            synth.ingest, "AWS::CloudWatch::Alarm", f"Monitoring{name}DeadLetterAlarm"
        )
        dlq = synth.logical_id(synth.ingest, "AWS::SQS::Queue", f"Pipeline{name}DeadLetterQueue")
        assert alarm["MetricName"] == "ApproximateNumberOfMessagesVisible"
        assert alarm["Namespace"] == "AWS/SQS"
        assert _ref_id(alarm["Dimensions"][0]["Value"]) == dlq
        assert (alarm["Threshold"], alarm["ComparisonOperator"]) == (0, "GreaterThanThreshold")
        assert [_ref_id(a) for a in alarm["AlarmActions"]] == [topic]
    errors = synth.one(synth.ingest, "AWS::CloudWatch::Alarm", "MonitoringItemLoadErrorsAlarm")
    load_fn = synth.logical_id(synth.ingest, "AWS::Lambda::Function", "PipelineItemLoadFunction")
    assert (errors["MetricName"], errors["Namespace"]) == ("Errors", "AWS/Lambda")
    assert _ref_id(errors["Dimensions"][0]["Value"]) == load_fn
    assert (errors["Threshold"], errors["ComparisonOperator"]) == (0, "GreaterThanThreshold")
    assert [_ref_id(a) for a in errors["AlarmActions"]] == [topic]


def test_alarm_email_only_when_configured(synth: Synth, variant: Synth) -> None:
    def emails(s: Synth) -> list[str]:
        return [
            r["Properties"]["Endpoint"]
            for r in s.resources(s.ingest, "AWS::SNS::Subscription").values()
            if r["Properties"]["Protocol"] == "email"
        ]

    assert emails(synth) == []
    assert emails(variant) == ["ops@example.org"]


def test_dashboard_shows_every_stage_metric(synth: Synth) -> None:
    dashboards = synth.resources(synth.ingest, "AWS::CloudWatch::Dashboard")
    assert len(dashboards) == 1
    (dashboard_id, dashboard), *_ = dashboards.items()
    assert "DashboardName" not in dashboard["Properties"]
    body = json.dumps(dashboard["Properties"]["DashboardBody"])
    for metric in (
        "ApproximateNumberOfMessagesVisible",
        "ApproximateAgeOfOldestMessage",
        "Invocations",
        "Errors",
        "Duration",
        "ConcurrentExecutions",
    ):
        assert metric in body
    for stage in ("ItemGen", "ItemLoad"):
        for rtype, prefix in (
            ("AWS::SQS::Queue", f"Pipeline{stage}Queue"),
            ("AWS::SQS::Queue", f"Pipeline{stage}DeadLetterQueue"),
            ("AWS::Lambda::Function", f"Pipeline{stage}Function"),
        ):
            assert synth.logical_id(synth.ingest, rtype, prefix) in body
    url = json.dumps(synth.template(synth.ingest)["Outputs"]["DashboardUrl"])
    assert "#dashboards:name=" in url and dashboard_id in url
