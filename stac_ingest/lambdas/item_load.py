"""Item-load Lambda: SQS batch of STAC records -> pgstac upsert, with per-record failures."""

from __future__ import annotations

from typing import Any

from stac_ingest.models import BatchResponse
from stac_ingest.sdk.jsonlog import configure_lambda_logging
from stac_ingest.sdk.load_stage import LoadSettings, LoadStage
from stac_ingest.sdk.records import records_from_event

_stage: LoadStage | None = None


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    global _stage
    configure_lambda_logging()
    if _stage is None:
        _stage = LoadStage(LoadSettings())
    records = records_from_event(event)
    report = _stage.load(records)
    return BatchResponse.of(report.failed_ids).to_lambda()
