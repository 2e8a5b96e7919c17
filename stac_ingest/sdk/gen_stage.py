"""The generation stage: ItemRequests in, STAC items out to the load stage.

Shared by the item-gen Lambda and the local pipeline. For each record: parse the
request, run ``create-item`` (through :class:`~stac_ingest.sdk.generation.WorkerRunner`),
apply ``collection_id``, check the result is a STAC Item, move it through the payload
store when it is over the SNS limit, and hand it to the load stage. Every failure is
per record, with its reason in one structured log line.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import orjson
from pydantic import Field
from pydantic import ValidationError as PydanticValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from stac_ingest.errors import StacIngestError, ValidationError
from stac_ingest.models import ItemRequest, format_validation_error
from stac_ingest.sdk.batch import RecordFailure, StageReport
from stac_ingest.sdk.generation import Runner
from stac_ingest.sdk.jsonlog import log_event
from stac_ingest.sdk.payloads import PayloadStore, fits_in_message
from stac_ingest.sdk.records import SqsRecord, unwrap
from stac_ingest.sdk.validate import validate_item

logger = logging.getLogger("stac_ingest.gen")

#: Sends item bodies to the load stage; returns per body None or the reason it failed.
Publish = Callable[[Sequence[str]], list[str | None]]


class GenSettings(BaseSettings):
    """The item-gen Lambda's environment."""

    model_config = SettingsConfigDict(extra="ignore")

    item_load_topic_arn: str | None = Field(None, description="Topic of the load stage")
    payload_bucket: str | None = Field(None, description="Bucket for items over 256 KiB")
    create_item_timeout: float = Field(300.0, gt=0, description="Cap on one create-item, seconds")
    safety_margin: float = Field(10.0, ge=0, description="Seconds kept free before the deadline")
    records_in_parallel: int = Field(
        1, ge=1, le=32, description="Records of a batch generated at once (env RECORDS_IN_PARALLEL)"
    )


class GenReport(StageReport):
    """What one generation batch did."""

    published: int = 0
    oversize: int = Field(0, description="Items sent as pointers through the payload store")


def parse_request(body: str) -> ItemRequest:
    """An ItemRequest from a message body (SNS envelope or raw)."""
    message, _ = unwrap(body)
    try:
        return ItemRequest.model_validate(message)
    except PydanticValidationError as exc:
        raise ValidationError(f"invalid ItemRequest: {format_validation_error(exc)}") from exc


def finish_item(item: dict[str, Any], request: ItemRequest) -> dict[str, Any]:
    """Apply ``collection_id`` and check the result is a loadable STAC Item."""
    if request.collection_id:
        item["collection"] = request.collection_id
        for link in item.get("links", []):
            if isinstance(link, dict) and link.get("rel") in ("collection", "parent", "root"):
                link.pop("href", None)
        item["links"] = [
            ln for ln in item.get("links", []) if not isinstance(ln, dict) or "href" in ln
        ]
    try:
        validate_item(item)
    except ValidationError as exc:
        raise ValidationError(
            f"create-item did not produce a loadable STAC Item: {exc.message}"
        ) from exc
    return item


class GenStage:
    """Runs a batch of generation records and publishes the items."""

    def __init__(
        self,
        settings: GenSettings,
        *,
        runner: Runner,
        publish: Publish,
        store: PayloadStore | None = None,
    ) -> None:
        self.settings = settings
        self.runner = runner
        self.publish = publish
        self.store = store or PayloadStore(settings.payload_bucket)

    def run(self, records: Sequence[SqsRecord], *, deadline: float | None = None) -> GenReport:
        """Generate and publish; ``deadline`` is a ``time.monotonic()`` value."""
        report = GenReport(records=len(records))
        bodies: list[tuple[SqsRecord, str, str | None]] = []
        with ThreadPoolExecutor(max_workers=self.settings.records_in_parallel) as pool:
            results = list(pool.map(lambda r: self._one(r, deadline), records))
        for record, result in zip(records, results, strict=True):
            if isinstance(result, RecordFailure):
                report.failures.append(result)
            else:
                body, item_id, oversize = result
                report.oversize += oversize
                bodies.append((record, body, item_id))
        if bodies:
            try:
                errors = self.publish([b for _, b, _ in bodies])
            except StacIngestError as exc:
                errors = [f"publish failed: {exc.message}"] * len(bodies)
            for (record, _, item_id), error in zip(bodies, errors, strict=True):
                if error is None:
                    report.published += 1
                else:
                    report.failures.append(
                        RecordFailure(message_id=record.message_id, item_id=item_id, reason=error)
                    )
        for failure in report.failures:
            log_event(
                logger,
                "record_failed",
                level=logging.ERROR,
                messageId=failure.message_id,
                itemId=failure.item_id,
                collection=failure.collection,
                reason=failure.reason,
            )
        return report

    def _one(
        self, record: SqsRecord, deadline: float | None
    ) -> RecordFailure | tuple[str, str | None, int]:
        request: ItemRequest | None = None
        try:
            request = parse_request(record.body)
            timeout = self.settings.create_item_timeout
            if deadline is not None:
                left = deadline - time.monotonic() - self.settings.safety_margin
                if left < 1.0:
                    raise StacIngestError("not enough time left in this invocation; retried later")
                timeout = min(timeout, left)
            item = finish_item(self.runner.create_item(request, timeout=timeout), request)
            body = orjson.dumps(item)
            oversize = 0
            if not fits_in_message(body):
                body = orjson.dumps({"href": self.store.put(body)})
                oversize = 1
            return body.decode(), item.get("id"), oversize
        except StacIngestError as exc:
            return RecordFailure(
                message_id=record.message_id,
                reason=exc.message,
                collection=request.collection_id if request else None,
                item_id=None,
            )
        except Exception as exc:  # a bug or an AWS error: still this record's failure only
            from stac_ingest.sdk.aws import as_stac_ingest_error

            return RecordFailure(
                message_id=record.message_id, reason=as_stac_ingest_error(exc).message
            )
