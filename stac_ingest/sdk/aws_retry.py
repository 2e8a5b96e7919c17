"""Which AWS failures are worth retrying, and the tenacity policy for them."""

from __future__ import annotations

from typing import Any

_RETRYABLE_CODES = {
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottled",
    "TooManyRequestsException",
    "ProvisionedThroughputExceededException",
    "RequestLimitExceeded",
    "SlowDown",
    "KMSThrottlingException",
    "InternalError",
    "InternalFailure",
    "ServiceUnavailable",
    "InternalServerError",
}


def is_retryable_code(code: str | None) -> bool:
    return bool(code) and (code in _RETRYABLE_CODES or "Throttl" in str(code))


def is_retryable(exc: BaseException) -> bool:
    """Throttling, 5xx, and connection failures; never auth or validation errors."""
    import botocore.exceptions as bex

    if isinstance(exc, bex.ClientError):
        code = exc.response.get("Error", {}).get("Code")
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        return is_retryable_code(code) or int(status or 0) >= 500
    return isinstance(
        exc,
        bex.EndpointConnectionError
        | bex.ConnectionClosedError
        | bex.ReadTimeoutError
        | bex.ConnectTimeoutError,
    )


def retrying(attempts: int, *, max_wait: float = 20.0) -> Any:
    """A tenacity ``Retrying`` with full-jitter exponential backoff on retryable errors."""
    from tenacity import (
        Retrying,
        retry_if_exception,
        stop_after_attempt,
        wait_random_exponential,
    )

    return Retrying(
        stop=stop_after_attempt(attempts),
        wait=wait_random_exponential(multiplier=0.1, max=max_wait),
        retry=retry_if_exception(is_retryable),
        reraise=True,
    )
