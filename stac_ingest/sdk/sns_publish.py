"""SNS ``PublishBatch`` with retries: of throttling and 5xx, and of the entries SNS failed."""

from __future__ import annotations

import random
import time
from collections.abc import Sequence
from typing import Any

from stac_ingest.errors import StacIngestError
from stac_ingest.outputs import MAX_MESSAGE_BYTES
from stac_ingest.sdk.aws import as_stac_ingest_error
from stac_ingest.sdk.aws_retry import is_retryable_code, retrying

#: SNS takes at most 10 entries per PublishBatch call.
MAX_BATCH_ENTRIES = 10


def publish_batch(
    sns: Any, topic_arn: str, bodies: Sequence[str], *, attempts: int = 20
) -> list[str | None]:
    """Publish up to 10 bodies; returns, per body, None when sent or the reason it was not.

    A call that raises a retryable error (throttling, 5xx, connection) is retried with
    jittered backoff; entries that SNS reports as failed with a retryable code are sent
    again; sender faults are final. A non-retryable error of the call itself raises.
    """
    if len(bodies) > MAX_BATCH_ENTRIES:
        raise ValueError(f"PublishBatch takes at most {MAX_BATCH_ENTRIES} entries")
    errors: list[str | None] = [None] * len(bodies)
    pending = {str(i): body for i, body in enumerate(bodies)}
    last_error: dict[str, str] = {}
    for attempt in range(attempts):
        entries = [{"Id": k, "Message": v} for k, v in pending.items()]
        try:
            response = retrying(attempts)(
                sns.publish_batch, TopicArn=topic_arn, PublishBatchRequestEntries=entries
            )
        except Exception as exc:
            raise as_stac_ingest_error(exc) from exc
        for ok in response.get("Successful", []):
            pending.pop(ok["Id"], None)
        for failed in response.get("Failed", []):
            reason = f"{failed.get('Code')}: {failed.get('Message', '')}".strip(" :")
            if failed.get("SenderFault") or not is_retryable_code(failed.get("Code")):
                pending.pop(failed["Id"], None)
                errors[int(failed["Id"])] = reason
            else:
                last_error[failed["Id"]] = reason
        if not pending:
            break
        if attempt + 1 < attempts:
            time.sleep(min(10.0, 0.1 * 2**attempt) * (0.5 + random.random()))
    for key in pending:
        errors[int(key)] = last_error.get(key, "not sent")
    return errors


def publish_all(sns: Any, topic_arn: str, bodies: Sequence[str]) -> list[str | None]:
    """Publish any number of bodies; per-body errors as in :func:`publish_batch`.

    Calls carry at most 10 entries and at most 256 KiB in all, the SNS limits.
    """
    errors: list[str | None] = []
    for chunk in chunk_for_sns(bodies):
        try:
            errors += publish_batch(sns, topic_arn, chunk)
        except StacIngestError as exc:  # this call's entries failed; the others stand
            errors += [f"publish failed: {exc.message}"] * len(chunk)
    return errors


def chunk_for_sns(bodies: Sequence[str]) -> list[list[str]]:
    """Split bodies into PublishBatch calls of <= 10 entries and <= 256 KiB each."""
    chunks: list[list[str]] = []
    current: list[str] = []
    size = 0
    for body in bodies:
        length = len(body.encode())
        if current and (len(current) == MAX_BATCH_ENTRIES or size + length > MAX_MESSAGE_BYTES):
            chunks.append(current)
            current, size = [], 0
        current.append(body)
        size += length
    if current:
        chunks.append(current)
    return chunks
