"""boto3 sessions and clients, and the translation of AWS errors into stac-ingest errors.

boto3's own ``AWS_ENDPOINT_URL`` (and ``AWS_ENDPOINT_URL_<SERVICE>``) support is left
untouched, so tests and local emulators work by setting the variable.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from stac_ingest.errors import AwsError, CredentialsError, StacIngestError

if TYPE_CHECKING:
    import boto3

_RETRY_CONFIG: dict[str, Any] = {"retries": {"max_attempts": 10, "mode": "adaptive"}}


def make_session(*, region: str | None = None, profile: str | None = None) -> boto3.Session:
    import boto3
    import botocore.exceptions

    try:
        return boto3.Session(region_name=region, profile_name=profile)
    except botocore.exceptions.ProfileNotFound as exc:
        raise CredentialsError(f"AWS profile not found: {profile}") from exc


def client(session: boto3.Session, service: str, **config: Any) -> Any:
    """A client with adaptive retries; ``config`` overrides botocore Config fields."""
    from botocore.config import Config

    merged = {**_RETRY_CONFIG, "max_pool_connections": 32, **config}
    try:
        return session.client(service, config=Config(**merged))  # type: ignore[call-overload]
    except Exception as exc:
        raise as_stac_ingest_error(exc) from exc


_EXPIRED_CODES = {
    "ExpiredToken",
    "ExpiredTokenException",
    "RequestExpired",
    "UnrecognizedClientException",
}


def as_stac_ingest_error(exc: BaseException) -> StacIngestError:
    """Any exception as a :class:`StacIngestError` with a one-line message and exit code."""
    if isinstance(exc, StacIngestError):
        return exc
    try:
        import botocore.exceptions as bex
    except ImportError:  # pragma: no cover - boto3 is a dependency
        return StacIngestError(f"{type(exc).__name__}: {exc}")

    if isinstance(exc, bex.NoCredentialsError | bex.PartialCredentialsError):
        return CredentialsError(
            "no AWS credentials found",
            hint="configure credentials, pass --profile, or run `aws sso login`",
        )
    if isinstance(
        exc, bex.SSOTokenLoadError | bex.UnauthorizedSSOTokenError | bex.TokenRetrievalError
    ):
        return CredentialsError("the AWS SSO session has expired", hint="run `aws sso login`")
    if isinstance(exc, bex.NoRegionError):
        return CredentialsError("no AWS region configured", hint="pass --region or set AWS_REGION")
    if isinstance(exc, bex.ProfileNotFound):
        return CredentialsError(str(exc))
    if isinstance(exc, bex.ClientError):
        err = exc.response.get("Error", {})
        code = err.get("Code", "Unknown")
        message = err.get("Message", str(exc))
        op = getattr(exc, "operation_name", "call")
        if code in _EXPIRED_CODES:
            return CredentialsError(
                f"AWS credentials were refused ({code})", hint="run `aws sso login` or refresh them"
            )
        return AwsError(f"AWS {op} failed: {code}: {message}")
    if isinstance(exc, bex.EndpointConnectionError | bex.ConnectTimeoutError):
        return AwsError(f"cannot reach AWS: {exc}")
    if isinstance(exc, bex.BotoCoreError):
        return AwsError(str(exc))
    if isinstance(exc, OSError):
        return StacIngestError(
            f"{exc.strerror or exc}: {exc.filename}" if exc.filename else str(exc)
        )
    return StacIngestError(f"{type(exc).__name__}: {exc}")
