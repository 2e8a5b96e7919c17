"""The AWS target: a deployed ingest stack, reached through its CloudFormation outputs.

Implements :class:`stac_ingest.sdk.backend.Backend` with SNS (PublishBatch), SQS, S3 (the
optional payload bucket), CloudWatch (metrics and Logs) and Secrets Manager.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from stac_ingest.errors import DeploymentError
from stac_ingest.outputs import DatabaseOutputs, IngestOutputs
from stac_ingest.sdk import aws_dlq, aws_logs
from stac_ingest.sdk.aws import as_stac_ingest_error, client
from stac_ingest.sdk.aws_retry import retrying
from stac_ingest.sdk.backend import DeadLetter, LogEvent, PublishOutcome, QueueStats, Stage
from stac_ingest.sdk.stack import StackOutputs, database_secret_arn

_STAGE_KEYS: dict[Stage, tuple[str, str, str, str]] = {
    "gen": (
        IngestOutputs.ITEM_GEN_TOPIC_ARN,
        IngestOutputs.ITEM_GEN_QUEUE_URL,
        IngestOutputs.ITEM_GEN_DLQ_URL,
        IngestOutputs.ITEM_GEN_FUNCTION_NAME,
    ),
    "load": (
        IngestOutputs.ITEM_LOAD_TOPIC_ARN,
        IngestOutputs.ITEM_LOAD_QUEUE_URL,
        IngestOutputs.ITEM_LOAD_DLQ_URL,
        IngestOutputs.ITEM_LOAD_FUNCTION_NAME,
    ),
}


class AwsBackend:
    """A deployed stack. Clients are created once (SNS: one per publishing thread)."""

    max_batch_entries = 10

    def __init__(
        self,
        session: Any,
        ingest: StackOutputs,
        database: StackOutputs | None = None,
        *,
        database_error: DeploymentError | None = None,
        publish_concurrency: int = 16,
        publish_attempts: int = 8,
    ) -> None:
        self.session = session
        self.ingest = ingest
        self.database = database
        self._database_error = database_error
        self.region: str | None = session.region_name
        self.label = f"aws:{ingest.stack_name}"
        self.publish_concurrency = publish_concurrency
        self.publish_attempts = publish_attempts
        self.poll_seconds = 2.0
        self._lock = threading.Lock()
        self._clients: dict[str, Any] = {}
        self._local = threading.local()
        self._dsn: str | None = None

    # -- clients -----------------------------------------------------------------------
    def client(self, service: str) -> Any:
        with self._lock:
            if service not in self._clients:
                self._clients[service] = client(self.session, service)
            return self._clients[service]

    def _sns(self) -> Any:
        sns = getattr(self._local, "sns", None)
        if sns is None:
            with self._lock:  # creating clients from one session is not thread-safe
                # tenacity owns the retries of PublishBatch, so botocore tries once
                sns = client(self.session, "sns", retries={"max_attempts": 1, "mode": "standard"})
            self._local.sns = sns
        return sns

    def stage_output(self, stage: Stage, which: int) -> str:
        return self.ingest.require(_STAGE_KEYS[stage][which])

    def topic_arn(self, stage: Stage) -> str:
        return self.stage_output(stage, 0)

    def queue_url(self, stage: Stage) -> str:
        return self.stage_output(stage, 1)

    def dlq_url(self, stage: Stage) -> str:
        return self.stage_output(stage, 2)

    def function_name(self, stage: Stage) -> str:
        return self.stage_output(stage, 3)

    # -- publishing --------------------------------------------------------------------
    def publish(self, stage: Stage, bodies: Sequence[str]) -> PublishOutcome:
        """PublishBatch with retries of throttling/5xx, and of the entries SNS failed."""
        from stac_ingest.sdk.sns_publish import publish_batch

        errors = publish_batch(
            self._sns(), self.topic_arn(stage), bodies, attempts=self.publish_attempts
        )
        return PublishOutcome(errors=errors)

    def store_payload(self, key: str, body: bytes) -> str | None:
        bucket = self.ingest.get(IngestOutputs.PAYLOAD_BUCKET_NAME)
        if bucket is None:
            return None
        from stac_ingest.sdk.payloads import payload_key

        object_key = payload_key(body)
        try:
            retrying(5)(
                self.client("s3").put_object,
                Bucket=bucket,
                Key=object_key,
                Body=body,
                ContentType="application/json",
            )
        except Exception as exc:
            raise as_stac_ingest_error(exc) from exc
        return f"s3://{bucket}/{object_key}"

    # -- queue state -------------------------------------------------------------------
    def queue_stats(self, stage: Stage) -> QueueStats:
        attrs = aws_dlq.queue_attributes(self.client("sqs"), self.queue_url(stage))
        return QueueStats(
            stage=stage,
            visible=int(attrs.get("ApproximateNumberOfMessages", 0)),
            in_flight=int(attrs.get("ApproximateNumberOfMessagesNotVisible", 0)),
            oldest_age_seconds=self._oldest_age(self.queue_url(stage)),
            dead_letters=self.dlq_count(stage),
        )

    def _oldest_age(self, queue_url: str) -> float | None:
        """CloudWatch's ``ApproximateAgeOfOldestMessage`` of the last 5 minutes, if any."""
        now = datetime.now(UTC)
        try:
            points = (
                self.client("cloudwatch")
                .get_metric_statistics(
                    Namespace="AWS/SQS",
                    MetricName="ApproximateAgeOfOldestMessage",
                    Dimensions=[
                        {"Name": "QueueName", "Value": queue_url.rstrip("/").split("/")[-1]}
                    ],
                    StartTime=now - timedelta(minutes=5),
                    EndTime=now,
                    Period=60,
                    Statistics=["Maximum"],
                )
                .get("Datapoints", [])
            )
        except Exception:
            return None
        if not points:
            return None
        latest = max(points, key=lambda p: p["Timestamp"])
        return float(latest["Maximum"])

    def dlq_count(self, stage: Stage) -> int:
        attrs = aws_dlq.queue_attributes(self.client("sqs"), self.dlq_url(stage))
        return int(attrs.get("ApproximateNumberOfMessages", 0)) + int(
            attrs.get("ApproximateNumberOfMessagesNotVisible", 0)
        )

    def dlq_peek(self, stage: Stage, limit: int) -> list[DeadLetter]:
        return list(aws_dlq.browse(self.client("sqs"), self.dlq_url(stage), limit=limit))

    def dlq_iter(self, stage: Stage) -> Iterator[DeadLetter]:
        return aws_dlq.browse(self.client("sqs"), self.dlq_url(stage), limit=None)

    def dlq_replay(self, stage: Stage, limit: int | None) -> int:
        return aws_dlq.replay(
            self.session, self.client("sqs"), self.dlq_url(stage), self.queue_url(stage), limit
        )

    def dlq_purge(self, stage: Stage) -> int:
        return aws_dlq.purge(self.client("sqs"), self.dlq_url(stage))

    # -- logs, database, api -----------------------------------------------------------
    def logs(
        self, stage: Stage, *, since: datetime, filter_text: str | None, follow: bool
    ) -> Iterator[LogEvent]:
        return aws_logs.events(
            self.client("logs"),
            f"/aws/lambda/{self.function_name(stage)}",
            since=since,
            filter_text=filter_text,
            follow=follow,
            poll_seconds=self.poll_seconds,
        )

    def database_dsn(self) -> str | None:
        """A connection string built from the ``PgstacSecret`` (never logged)."""
        if self._dsn is None:
            if self.database is None:
                raise self._database_error or DeploymentError("no database stack")
            arn = database_secret_arn(self.database)
            from stac_ingest.sdk.dbsecret import dsn_from_secret

            self._dsn = dsn_from_secret(arn, self.client("secretsmanager"))
        return self._dsn

    def stac_api_url(self) -> str | None:
        return self.database.get(DatabaseOutputs.STAC_API_URL) if self.database else None

    def __repr__(self) -> str:  # never shows the DSN
        return f"AwsBackend({self.label!r}, region={self.region!r})"
