"""The one exception hierarchy of stac-ingest.

Every error an operator can cause or meet derives from :class:`StacIngestError`, which
carries the process exit code. The CLI turns these into a single line on stderr at one
place (``stac_ingest.cli.main``); the SDK raises them for notebooks to catch.
"""

from __future__ import annotations


class StacIngestError(Exception):
    """Root of all stac-ingest errors. ``exit_code`` is what the CLI exits with."""

    exit_code: int = 1
    hint: str | None = None

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        if hint is not None:
            self.hint = hint

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else self.__class__.__name__


class UsageError(StacIngestError):
    """The operator asked for something that cannot be done as asked."""

    exit_code = 2


class ConfigError(StacIngestError):
    """Invalid configuration (a config file, an option, an environment variable)."""

    exit_code = 2


class InputError(StacIngestError):
    """Bad input data: a missing or empty file, a malformed line, an invalid record."""

    exit_code = 3


class ValidationError(InputError):
    """A record is not acceptable STAC for loading."""


class OversizeError(InputError):
    """A message is over the SNS limit and no payload bucket is configured."""


class DeploymentError(StacIngestError):
    """The deployment cannot be resolved: a missing stack, a missing output key."""

    exit_code = 4


class AwsError(StacIngestError):
    """AWS refused or failed a call."""

    exit_code = 5


class CredentialsError(AwsError):
    """No usable AWS credentials."""

    exit_code = 6


class DatabaseError(StacIngestError):
    """pgstac could not be reached or refused a statement."""

    exit_code = 7


class GenerationError(StacIngestError):
    """A stactools package failed to produce an item."""

    exit_code = 8


class ToolMissingError(StacIngestError):
    """A required external tool (uv, Node, PostgreSQL binaries) is not installed."""

    exit_code = 9


class PartialFailure(StacIngestError):
    """The operation ran to the end, but some records were rejected or failed."""

    exit_code = 10
