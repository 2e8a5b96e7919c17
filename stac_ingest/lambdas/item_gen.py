"""Item-generation Lambda: ItemRequests -> stactools create-item -> the load topic."""

from __future__ import annotations

import time
from typing import Any

from stac_ingest.errors import ConfigError
from stac_ingest.models import BatchResponse
from stac_ingest.sdk.gen_stage import GenSettings, GenStage
from stac_ingest.sdk.jsonlog import configure_lambda_logging
from stac_ingest.sdk.records import records_from_event

_stage: GenStage | None = None


def _build() -> GenStage:
    import boto3

    from stac_ingest.sdk.generation import WorkerRunner
    from stac_ingest.sdk.sns_publish import publish_all

    settings = GenSettings()
    if not settings.item_load_topic_arn:
        raise ConfigError("ITEM_LOAD_TOPIC_ARN is not set")
    topic, sns = settings.item_load_topic_arn, boto3.client("sns")
    return GenStage(
        settings, runner=WorkerRunner(), publish=lambda bodies: publish_all(sns, topic, bodies)
    )


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    global _stage
    configure_lambda_logging()
    if _stage is None:
        _stage = _build()
    deadline = time.monotonic() + context.get_remaining_time_in_millis() / 1000.0
    report = _stage.run(records_from_event(event), deadline=deadline)
    return BatchResponse.of(report.failed_ids).to_lambda()
