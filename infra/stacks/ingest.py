"""The ingest stack (``{project_id}-{stage}``): the pipeline, its alarms and dashboard.

Its outputs are the contract with ``stac_ingest.sdk``: exactly the keys of
:data:`stac_ingest.outputs.INGEST_OUTPUT_KEYS`, emitted at the stack's top level so that
their logical ids are the keys themselves.
"""

from __future__ import annotations

from typing import Any

from aws_cdk import CfnOutput, Stack
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_rds as rds
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from infra.config import InfraConfig
from infra.constructs.monitoring import PipelineMonitoring
from infra.constructs.pipeline import IngestionPipeline, LambdaCode
from infra.stacks.database import POSTGRES_PORT
from stac_ingest.outputs import IngestOutputs


class IngestStack(Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: InfraConfig,
        code: LambdaCode,
        vpc: ec2.IVpc,
        database: rds.IDatabaseInstance,
        pgstac_secret: secretsmanager.ISecret,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        self.pipeline = IngestionPipeline(
            self, "Pipeline", config=config, code=code, vpc=vpc, pgstac_secret=pgstac_secret
        )
        # remote_rule puts the ingress rule in this stack, next to the loader's security
        # group; in the database stack it would make the two stacks depend on each other.
        for group in database.connections.security_groups:
            group.add_ingress_rule(
                self.pipeline.item_load_security_group,
                ec2.Port.tcp(POSTGRES_PORT),
                "item-load Lambda upserts into pgstac",
                True,
            )
        self.monitoring = PipelineMonitoring(
            self, "Monitoring", pipeline=self.pipeline, alarm_email=config.alarms.email
        )
        p = self.pipeline
        outputs = {
            IngestOutputs.ITEM_GEN_TOPIC_ARN: (p.item_gen_topic.topic_arn, "Publish ItemRequests here"),
            IngestOutputs.ITEM_GEN_QUEUE_URL: (p.item_gen_queue.queue_url, "Item-generation queue"),
            IngestOutputs.ITEM_GEN_DLQ_URL: (p.item_gen_dead_letter_queue.queue_url, "Item-generation DLQ"),
            IngestOutputs.ITEM_GEN_FUNCTION_NAME: (p.item_gen_function.function_name, "Item-generation Lambda"),
            IngestOutputs.ITEM_LOAD_TOPIC_ARN: (p.item_load_topic.topic_arn, "Publish STAC items here"),
            IngestOutputs.ITEM_LOAD_QUEUE_URL: (p.item_load_queue.queue_url, "Item-load queue"),
            IngestOutputs.ITEM_LOAD_DLQ_URL: (p.item_load_dead_letter_queue.queue_url, "Item-load DLQ"),
            IngestOutputs.ITEM_LOAD_FUNCTION_NAME: (p.item_load_function.function_name, "Item-load Lambda"),
            IngestOutputs.PAYLOAD_BUCKET_NAME: (p.payload_bucket.bucket_name, "Bucket for messages over 256 KiB"),
            IngestOutputs.ALARM_TOPIC_ARN: (self.monitoring.alarm_topic.topic_arn, "Alarm notifications"),
            IngestOutputs.DASHBOARD_URL: (self.monitoring.dashboard_url, "CloudWatch dashboard"),
        }  # fmt: skip
        for key, (value, description) in outputs.items():
            CfnOutput(self, key, value=value, description=description)
