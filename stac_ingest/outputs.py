"""CloudFormation output keys: the contract between ``infra/`` and ``stac_ingest.sdk``.

The CDK app emits exactly these keys and ``Pipeline.from_stack`` reads exactly these keys;
both import them from here, and a test checks that the synthesized template's set equals
:data:`INGEST_OUTPUT_KEYS`.
"""

from __future__ import annotations

from typing import Final


class IngestOutputs:
    """Outputs of the ingest stack (``{project_id}-{stage}``)."""

    ITEM_GEN_TOPIC_ARN: Final = "ItemGenSNSTopicArn"
    ITEM_GEN_QUEUE_URL: Final = "ItemGenQueueUrl"
    ITEM_GEN_DLQ_URL: Final = "ItemGenDLQUrl"
    ITEM_GEN_FUNCTION_NAME: Final = "ItemGenFunctionName"
    ITEM_LOAD_TOPIC_ARN: Final = "ItemLoadTopicArn"
    ITEM_LOAD_QUEUE_URL: Final = "ItemLoadQueueUrl"
    ITEM_LOAD_DLQ_URL: Final = "ItemLoadDLQUrl"
    ITEM_LOAD_FUNCTION_NAME: Final = "ItemLoadFunctionName"
    PAYLOAD_BUCKET_NAME: Final = "PayloadBucketName"
    ALARM_TOPIC_ARN: Final = "AlarmTopicArn"
    DASHBOARD_URL: Final = "DashboardUrl"


class DatabaseOutputs:
    """Outputs of the database stack (``{project_id}-{stage}-pgstac``)."""

    PGSTAC_SECRET: Final = "PgstacSecret"
    STAC_API_URL: Final = "StacApiUrl"


#: Keys every ingest stack must have; ``from_stack`` fails clearly when one is missing.
REQUIRED_INGEST_OUTPUT_KEYS: Final[frozenset[str]] = frozenset(
    {
        IngestOutputs.ITEM_GEN_TOPIC_ARN,
        IngestOutputs.ITEM_GEN_QUEUE_URL,
        IngestOutputs.ITEM_GEN_DLQ_URL,
        IngestOutputs.ITEM_GEN_FUNCTION_NAME,
        IngestOutputs.ITEM_LOAD_TOPIC_ARN,
        IngestOutputs.ITEM_LOAD_QUEUE_URL,
        IngestOutputs.ITEM_LOAD_DLQ_URL,
        IngestOutputs.ITEM_LOAD_FUNCTION_NAME,
    }
)

#: Every key the ingest stack emits.
INGEST_OUTPUT_KEYS: Final[frozenset[str]] = REQUIRED_INGEST_OUTPUT_KEYS | {
    IngestOutputs.PAYLOAD_BUCKET_NAME,
    IngestOutputs.ALARM_TOPIC_ARN,
    IngestOutputs.DASHBOARD_URL,
}

#: Every key the database stack emits (``StacApiUrl`` only when the API is enabled).
DATABASE_OUTPUT_KEYS: Final[frozenset[str]] = frozenset(
    {DatabaseOutputs.PGSTAC_SECRET, DatabaseOutputs.STAC_API_URL}
)

#: SNS and SQS refuse messages over 256 KiB (262,144 bytes).
MAX_MESSAGE_BYTES: Final = 262_144
