"""Reading pipeline messages: SQS records whose bodies are SNS envelopes or raw bodies."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import orjson

from stac_ingest.errors import ValidationError


@dataclass(frozen=True, slots=True)
class SqsRecord:
    """The part of an SQS record the stages use (a plain dataclass: a batch makes 1000)."""

    message_id: str
    body: str
    receive_count: int = 1


def records_from_event(event: Any) -> list[SqsRecord]:
    """The records of a Lambda SQS event. A malformed event (not a record list) raises."""
    if not isinstance(event, dict) or not isinstance(event.get("Records"), list):
        raise ValidationError("not an SQS event: no 'Records' list")
    out: list[SqsRecord] = []
    for raw in event["Records"]:
        if not isinstance(raw, dict) or "messageId" not in raw:
            raise ValidationError("an SQS record has no messageId")
        attrs = raw.get("attributes") or {}
        try:
            count = int(attrs.get("ApproximateReceiveCount", 1))
        except (TypeError, ValueError):
            count = 1
        out.append(
            SqsRecord(
                message_id=str(raw["messageId"]), body=str(raw.get("body", "")), receive_count=count
            )
        )
    return out


def _loads(text: str | bytes, what: str) -> Any:
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        raise ValidationError(f"malformed JSON in {what}: {exc}") from exc


def is_sns_envelope(obj: Any) -> bool:
    return (
        isinstance(obj, dict)
        and obj.get("Type") == "Notification"
        and "Message" in obj
        and ("TopicArn" in obj or "MessageId" in obj)
    )


def unwrap(body: str | bytes) -> tuple[Any, str | None]:
    """Parse a message body: an SNS envelope (unwrapped) or a raw-delivery body.

    Returns the parsed message and the envelope's ``Timestamp`` (None for raw bodies).
    Raises :class:`ValidationError` for malformed JSON or a broken envelope.
    """
    outer = _loads(body, "the message body")
    if isinstance(outer, dict) and outer.get("Type") == "Notification":
        if not is_sns_envelope(outer) or not isinstance(outer.get("Message"), str):
            raise ValidationError("malformed SNS envelope: 'Message' must be a JSON string")
        stamp = outer.get("Timestamp")
        return _loads(outer["Message"], "the SNS Message"), stamp if isinstance(
            stamp, str
        ) else None
    return outer, None
