"""The load stage as a service: settings, the database connection and the payload store.

``stac_ingest.lambdas.item_load`` keeps one :class:`LoadStage` per warm container.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from stac_ingest.errors import ConfigError
from stac_ingest.sdk.loading import ItemLoader, LoadReport
from stac_ingest.sdk.payloads import PayloadStore
from stac_ingest.sdk.records import SqsRecord


class LoadSettings(BaseSettings):
    """The load Lambda's environment. One of the two database settings is required."""

    model_config = SettingsConfigDict(extra="ignore")

    pgstac_secret_arn: str | None = Field(
        None, description="Secrets Manager ARN of the pgstac secret"
    )
    pgstac_dsn: str | None = Field(None, description="A libpq connection string, for local use")
    payload_bucket: str | None = Field(None, description="Bucket of oversize payloads")


class LoadStage:
    """Loads batches of records; resolves the database once, on first use."""

    def __init__(self, settings: LoadSettings, *, store: PayloadStore | None = None) -> None:
        if not settings.pgstac_secret_arn and not settings.pgstac_dsn:
            raise ConfigError("set PGSTAC_SECRET_ARN or PGSTAC_DSN")
        self.settings = settings
        self.store = store or PayloadStore(settings.payload_bucket)
        self._loader: ItemLoader | None = None

    def _dsn(self) -> str:
        if self.settings.pgstac_dsn:
            return self.settings.pgstac_dsn
        from stac_ingest.sdk.dbsecret import dsn_from_secret

        assert self.settings.pgstac_secret_arn is not None
        return dsn_from_secret(self.settings.pgstac_secret_arn)

    def load(self, records: Sequence[SqsRecord]) -> LoadReport:
        if self._loader is None:
            self._loader = ItemLoader(self._dsn(), fetch=self.store.fetch)
        return self._loader.load(records)

    def close(self) -> None:
        if self._loader is not None:
            self._loader.close()
            self._loader = None
