"""SQS dead-letter operations: browse without removing, replay (move task or by hand), purge."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from stac_ingest.errors import AwsError
from stac_ingest.sdk.aws import as_stac_ingest_error
from stac_ingest.sdk.backend import DeadLetter

#: Long polling of 1 s asks every SQS server, so an empty answer means an empty queue.
WAIT_SECONDS = 1
_CREDENTIAL_CODES = {"ExpiredToken", "ExpiredTokenException", "UnrecognizedClientException"}
_DONE = {"COMPLETED", "FAILED", "CANCELLED"}


def queue_attributes(sqs: Any, url: str) -> dict[str, str]:
    try:
        attrs: dict[str, str] = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])[
            "Attributes"
        ]
    except Exception as exc:
        raise as_stac_ingest_error(exc) from exc
    return attrs


def to_dead_letter(message: dict[str, Any]) -> DeadLetter:
    from stac_ingest.errors import ValidationError
    from stac_ingest.sdk.records import unwrap

    body = message["Body"]
    attrs = message.get("Attributes", {})
    stamp: str | None = None
    try:
        parsed, stamp = unwrap(body)
    except ValidationError:
        parsed = body
    sent_at: datetime | None = None
    if stamp:
        try:
            sent_at = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
        except ValueError:
            sent_at = None
    if sent_at is None and "SentTimestamp" in attrs:
        sent_at = datetime.fromtimestamp(int(attrs["SentTimestamp"]) / 1000, UTC)
    return DeadLetter(
        message_id=message["MessageId"],
        receive_count=int(attrs.get("ApproximateReceiveCount", 0)),
        body=body,
        message=parsed,
        sent_at=sent_at,
    )


def _receive(sqs: Any, url: str, count: int, visibility: int) -> list[dict[str, Any]]:
    try:
        messages: list[dict[str, Any]] = sqs.receive_message(
            QueueUrl=url,
            MaxNumberOfMessages=max(1, min(10, count)),
            VisibilityTimeout=visibility,
            WaitTimeSeconds=WAIT_SECONDS,
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
        ).get("Messages", [])
    except Exception as exc:
        raise as_stac_ingest_error(exc) from exc
    return messages


def _release(sqs: Any, url: str, handles: list[str]) -> None:
    """Make received messages visible again at once (visibility timeout 0)."""
    for start in range(0, len(handles), 10):
        chunk = handles[start : start + 10]
        sqs.change_message_visibility_batch(
            QueueUrl=url,
            Entries=[
                {"Id": str(i), "ReceiptHandle": h, "VisibilityTimeout": 0}
                for i, h in enumerate(chunk)
            ],
        )


def browse(sqs: Any, url: str, *, limit: int | None, visibility: int = 120) -> Iterator[DeadLetter]:
    """Every message (up to ``limit``) without removing any: each is hidden while browsing
    so none is seen twice, then made visible again."""
    handles: list[str] = []
    seen: set[str] = set()
    try:
        while limit is None or len(seen) < limit:
            want = 10 if limit is None else limit - len(seen)
            messages = _receive(sqs, url, want, visibility)
            if not messages or all(m["MessageId"] in seen for m in messages):
                # Empty, or only messages whose hiding ran out: every one has been seen.
                handles += [m["ReceiptHandle"] for m in messages]
                return
            for message in messages:
                handles.append(message["ReceiptHandle"])
                if message["MessageId"] in seen:
                    continue
                seen.add(message["MessageId"])
                yield to_dead_letter(message)
    finally:
        _release(sqs, url, handles)


def replay(session: Any, sqs: Any, dlq_url: str, source_url: str, limit: int | None) -> int:
    """Move dead letters back to the source queue; returns how many moved.

    Uses SQS ``StartMessageMoveTask`` (all messages) where the endpoint supports it, and
    otherwise, or with a ``limit``, moves by hand: receive, send to the source, delete.
    """
    if limit is None:
        from stac_ingest.sdk.aws import client

        once = client(session, "sqs", retries={"max_attempts": 1, "mode": "standard"})
        dlq_arn = queue_attributes(sqs, dlq_url)["QueueArn"]
        source_arn = queue_attributes(sqs, source_url)["QueueArn"]
        moved = move_with_task(once, dlq_arn, source_arn)
        if moved is not None:
            return moved
    return move_by_hand(sqs, dlq_url, source_url, limit)


def move_with_task(
    sqs: Any, dlq_arn: str, source_arn: str, *, poll_seconds: float = 2.0
) -> int | None:
    """Run a message move task to the end; None when the endpoint does not offer it."""
    import botocore.exceptions

    try:
        sqs.start_message_move_task(SourceArn=dlq_arn, DestinationArn=source_arn)
    except botocore.exceptions.ClientError as exc:
        if exc.response.get("Error", {}).get("Code") in _CREDENTIAL_CODES:
            raise as_stac_ingest_error(exc) from exc
        return None  # not supported here (an emulator, or no permission): move by hand
    while True:
        try:
            results = sqs.list_message_move_tasks(SourceArn=dlq_arn, MaxResults=1)["Results"]
        except Exception as exc:
            raise as_stac_ingest_error(exc) from exc
        task = results[0] if results else {"Status": "COMPLETED"}
        if task.get("Status") in _DONE:
            moved = int(task.get("ApproximateNumberOfMessagesMoved", 0))
            if task["Status"] != "COMPLETED":
                reason = task.get("FailureReason", task["Status"].lower())
                raise AwsError(f"the message move task stopped after {moved} messages: {reason}")
            return moved
        time.sleep(poll_seconds)


def move_by_hand(sqs: Any, dlq_url: str, source_url: str, limit: int | None) -> int:
    """Receive, send to the source queue, then delete: a crash leaves a duplicate, never a loss."""
    moved = 0
    while limit is None or moved < limit:
        want = 10 if limit is None else limit - moved
        messages = _receive(sqs, dlq_url, want, visibility=60)
        if not messages:
            break
        entries = []
        for i, message in enumerate(messages):
            entry: dict[str, Any] = {"Id": str(i), "MessageBody": message["Body"]}
            if message.get("MessageAttributes"):
                entry["MessageAttributes"] = message["MessageAttributes"]
            entries.append(entry)
        try:
            sent = sqs.send_message_batch(QueueUrl=source_url, Entries=entries)
            ok = {s["Id"] for s in sent.get("Successful", [])}
            done = [m for i, m in enumerate(messages) if str(i) in ok]
            kept = [m["ReceiptHandle"] for i, m in enumerate(messages) if str(i) not in ok]
            for start in range(0, len(done), 10):
                sqs.delete_message_batch(
                    QueueUrl=dlq_url,
                    Entries=[
                        {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]}
                        for i, m in enumerate(done[start : start + 10])
                    ],
                )
            _release(sqs, dlq_url, kept)
        except Exception as exc:
            raise as_stac_ingest_error(exc) from exc
        if not done:
            failed = sent.get("Failed", [{}])[0]
            raise AwsError(f"cannot send dead letters back: {failed.get('Message', failed)}")
        moved += len(done)
    return moved


def purge(sqs: Any, url: str) -> int:
    attrs = queue_attributes(sqs, url)
    count = int(attrs.get("ApproximateNumberOfMessages", 0)) + int(
        attrs.get("ApproximateNumberOfMessagesNotVisible", 0)
    )
    try:
        sqs.purge_queue(QueueUrl=url)
    except Exception as exc:
        raise as_stac_ingest_error(exc) from exc
    return count
