"""The two-stage ingestion pipeline: SNS topic -> SQS queue (+DLQ) -> Lambda, twice.

1. item generation: ``ItemGenTopic`` -> ``ItemGenQueue`` -> a container Lambda that runs a
   stactools package's ``create-item`` and publishes the item to ``ItemLoadTopic``;
2. item loading: ``ItemLoadTopic`` -> ``ItemLoadQueue`` -> a zip Lambda in the VPC that
   upserts batches of items into pgstac.

Every resource is exposed as an attribute. No physical names are set, so two stages of the
same project can live in one account.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from aws_cdk import Duration, IgnoreMode, RemovalPolicy
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_ecr_assets as ecr_assets
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.config import InfraConfig, StageConfig

ITEM_GEN_HANDLER = "stac_ingest.lambdas.item_gen.handler"
ITEM_LOAD_HANDLER = "stac_ingest.lambdas.item_load.handler"
#: The item-generation image, built by ``cdk deploy`` (never at synth) from the repo root.
ITEM_GEN_DOCKERFILE = "infra/docker/item-gen.Dockerfile"
#: Only these paths of the repo go into the image's build context (dockerignore syntax).
ITEM_GEN_CONTEXT_EXCLUDE = [
    "*",
    "!pyproject.toml",
    "!uv.lock",
    "!README.md",
    "!stac_ingest",
    "!infra/docker",
    "**/__pycache__",
    "**/*.pyc",
]
LOG_RETENTION = logs.RetentionDays.ONE_WEEK
DLQ_RETENTION = Duration.days(14)


@dataclass(frozen=True)
class LambdaCode:
    """Where the two functions' code comes from (the app passes real builds, tests the same)."""

    project_root: Path
    item_load_zip: Path


class TopicQueue(Construct):
    """An SNS topic feeding an encrypted, SSL-only SQS queue with a dead-letter queue."""

    def __init__(self, scope: Construct, prefix: str, stage: StageConfig) -> None:
        super().__init__(scope, f"{prefix}Stage")
        self.topic = sns.Topic(scope, f"{prefix}Topic", enforce_ssl=True)
        self.dead_letter_queue = sqs.Queue(
            scope,
            f"{prefix}DeadLetterQueue",
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            retention_period=DLQ_RETENTION,
        )
        self.queue = sqs.Queue(
            scope,
            f"{prefix}Queue",
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            visibility_timeout=Duration.seconds(stage.visibility_timeout_seconds),
            dead_letter_queue=sqs.DeadLetterQueue(
                queue=self.dead_letter_queue, max_receive_count=stage.max_receive_count
            ),
        )
        self.topic.add_subscription(subscriptions.SqsSubscription(self.queue))


def event_source(queue: sqs.IQueue, stage: StageConfig) -> sources.SqsEventSource:
    window = stage.batching_window_seconds
    return sources.SqsEventSource(
        queue,
        batch_size=stage.batch_size,
        max_batching_window=Duration.seconds(window) if window else None,
        report_batch_item_failures=True,
        max_concurrency=stage.max_concurrency,
    )


class IngestionPipeline(Construct):
    """Topics, queues, DLQs, the payload bucket and both Lambdas, wired together."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: InfraConfig,
        code: LambdaCode,
        vpc: ec2.IVpc,
        pgstac_secret: secretsmanager.ISecret,
    ) -> None:
        super().__init__(scope, construct_id)
        gen_cfg, load_cfg = config.item_gen, config.item_load

        self.item_gen = TopicQueue(self, "ItemGen", gen_cfg)
        self.item_load = TopicQueue(self, "ItemLoad", load_cfg)
        self.item_gen_topic = self.item_gen.topic
        self.item_gen_queue = self.item_gen.queue
        self.item_gen_dead_letter_queue = self.item_gen.dead_letter_queue
        self.item_load_topic = self.item_load.topic
        self.item_load_queue = self.item_load.queue
        self.item_load_dead_letter_queue = self.item_load.dead_letter_queue

        self.payload_bucket = s3.Bucket(
            self,
            "PayloadBucket",
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            lifecycle_rules=[
                s3.LifecycleRule(
                    id="ExpirePayloads",
                    expiration=Duration.days(config.payload.expiration_days),
                    abort_incomplete_multipart_upload_after=Duration.days(1),
                )
            ],
            removal_policy=RemovalPolicy.DESTROY,
            auto_delete_objects=True,
        )

        self.item_gen_function = lambda_.DockerImageFunction(
            self,
            "ItemGenFunction",
            description="Generates STAC items with stactools packages run through uvx",
            code=lambda_.DockerImageCode.from_image_asset(
                str(code.project_root),
                file=ITEM_GEN_DOCKERFILE,
                exclude=ITEM_GEN_CONTEXT_EXCLUDE,
                ignore_mode=IgnoreMode.DOCKER,
                platform=ecr_assets.Platform.LINUX_AMD64,
                cmd=[ITEM_GEN_HANDLER],
            ),
            architecture=lambda_.Architecture.X86_64,
            memory_size=gen_cfg.memory_mb,
            timeout=Duration.seconds(gen_cfg.timeout_seconds),
            environment={
                "ITEM_LOAD_TOPIC_ARN": self.item_load_topic.topic_arn,
                "PAYLOAD_BUCKET": self.payload_bucket.bucket_name,
                "RECORDS_IN_PARALLEL": str(gen_cfg.records_in_parallel),
            },
            log_group=logs.LogGroup(
                self,
                "ItemGenLogs",
                retention=LOG_RETENTION,
                removal_policy=RemovalPolicy.DESTROY,
            ),
        )
        self.item_gen_function.add_event_source(event_source(self.item_gen_queue, gen_cfg))
        self.item_load_topic.grant_publish(self.item_gen_function)
        self.payload_bucket.grant_put(self.item_gen_function)

        self.item_load_security_group = ec2.SecurityGroup(
            self,
            "ItemLoadSecurityGroup",
            vpc=vpc,
            description="Item-load Lambda: reaches pgstac, Secrets Manager and S3",
            allow_all_outbound=True,
        )
        self.item_load_function = lambda_.Function(
            self,
            "ItemLoadFunction",
            description="Upserts batches of STAC items into pgstac",
            runtime=lambda_.Runtime.PYTHON_3_12,
            architecture=lambda_.Architecture.X86_64,
            handler=ITEM_LOAD_HANDLER,
            code=lambda_.Code.from_asset(str(code.item_load_zip)),
            memory_size=load_cfg.memory_mb,
            timeout=Duration.seconds(load_cfg.timeout_seconds),
            vpc=vpc,
            vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS),
            security_groups=[self.item_load_security_group],
            environment={
                "PGSTAC_SECRET_ARN": pgstac_secret.secret_arn,
                "PAYLOAD_BUCKET": self.payload_bucket.bucket_name,
            },
            log_group=logs.LogGroup(
                self,
                "ItemLoadLogs",
                retention=LOG_RETENTION,
                removal_policy=RemovalPolicy.DESTROY,
            ),
        )
        self.item_load_function.add_event_source(event_source(self.item_load_queue, load_cfg))
        pgstac_secret.grant_read(self.item_load_function)
        self.payload_bucket.grant_read(self.item_load_function)
