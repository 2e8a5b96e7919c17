"""The deployment's settings: a pydantic-settings model read from ``config.yml``.

Precedence, highest first: keyword overrides, environment variables
(``STAC_INGEST_<FIELD>``, nested with ``__``: ``STAC_INGEST_ITEM_LOAD__MAX_CONCURRENCY=4``),
the YAML file, then the defaults below, which are the design values. ``load_config`` turns
every problem into a :class:`~stac_ingest.errors.ConfigError` that names the field.
"""

from __future__ import annotations

import ipaddress
import re
from contextvars import ContextVar
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    InitSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from stac_ingest.errors import ConfigError

#: The file ``load_config`` reads when no path is given and the file exists.
DEFAULT_CONFIG_FILE = "config.yml"
#: The environment variable naming a config file (the CLI's ``--config`` wins over it).
CONFIG_ENV_VAR = "STAC_INGEST_CONFIG"
ENV_PREFIX = "STAC_INGEST_"

#: AWS's advice for an SQS event source: visibility >= 6 x function timeout + batching window.
VISIBILITY_FACTOR = 6

_YAML_DATA: ContextVar[dict[str, Any] | None] = ContextVar("_YAML_DATA", default=None)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class VpcConfig(_Section):
    """The network: public, private-with-egress and isolated subnets in each AZ."""

    cidr: str = Field("10.20.0.0/16", description="IPv4 range of the VPC")
    max_azs: int = Field(2, ge=2, le=3, description="Availability zones (RDS needs two)")
    nat_gateways: int = Field(
        0, ge=0, le=3, description="NAT gateways; 0 keeps the private subnets offline"
    )
    flow_logs: bool = Field(True, description="Send VPC flow logs to CloudWatch Logs")

    @field_validator("cidr")
    @classmethod
    def _check_cidr(cls, value: str) -> str:
        net = ipaddress.ip_network(value, strict=True)
        if not isinstance(net, ipaddress.IPv4Network) or not 16 <= net.prefixlen <= 24:
            raise ValueError("must be an IPv4 network between /16 and /24")
        return str(net)


class DatabaseConfig(_Section):
    """The pgstac database (eoapi-cdk's PgStacDatabase) and its STAC API."""

    instance_type: str = Field("t3.small", description="RDS instance class without `db.`")
    postgres_version: str = Field("17.9", description="PostgreSQL version, major.minor")
    allocated_storage_gib: int = Field(20, ge=20, le=65536)
    multi_az: bool = False
    backup_retention_days: int = Field(7, ge=1, le=35)
    deletion_protection: bool = Field(False, description="RDS deletion protection")
    removal_policy: Literal["snapshot", "retain", "destroy"] = Field(
        "snapshot", description="What `destroy` does to the database"
    )
    access_cidrs: list[str] = Field(
        default_factory=list,
        description="IPv4 networks (VPN, peering) allowed to reach PostgreSQL directly",
    )
    stac_api: bool = Field(True, description="Serve a STAC API (stac-fastapi-pgstac)")

    @field_validator("instance_type")
    @classmethod
    def _check_instance_type(cls, value: str) -> str:
        value = value.removeprefix("db.")
        if not re.fullmatch(r"[a-z][a-z0-9-]*\.[a-z0-9]+", value):
            raise ValueError(f"not an instance class: {value!r} (e.g. t3.small)")
        return value

    @field_validator("postgres_version")
    @classmethod
    def _check_pg_version(cls, value: str) -> str:
        if not re.fullmatch(r"1[3-7]\.\d+", value):
            raise ValueError("must be a PostgreSQL version from 13 to 17 as major.minor, e.g. 17.9")
        return value

    @property
    def postgres_major(self) -> str:
        return self.postgres_version.split(".")[0]

    @field_validator("access_cidrs")
    @classmethod
    def _check_cidrs(cls, value: list[str]) -> list[str]:
        out = []
        for cidr in value:
            try:
                net = ipaddress.ip_network(cidr, strict=True)
            except ValueError as exc:
                raise ValueError(f"{cidr!r} is not a network: {exc}") from None
            if not isinstance(net, ipaddress.IPv4Network):
                raise ValueError(f"{cidr!r}: only IPv4 networks are supported")
            if net.prefixlen == 0:
                raise ValueError(f"{cidr!r} would open the database to the whole internet")
            out.append(str(net))
        return out


class StageConfig(_Section):
    """One pipeline stage: its queue, its Lambda and the event source between them."""

    memory_mb: int = Field(1024, ge=128, le=10240)
    timeout_seconds: int = Field(ge=1, le=900)
    visibility_timeout_seconds: int = Field(ge=0, le=43200)
    batch_size: int = Field(ge=1, le=10000)
    batching_window_seconds: int = Field(0, ge=0, le=300)
    max_concurrency: int = Field(ge=2, le=1000, description="Event source maximum concurrency")
    max_receive_count: int = Field(5, ge=1, le=1000, description="Receives before the DLQ")

    @model_validator(mode="after")
    def _check_consistency(self) -> StageConfig:
        if self.batch_size > 10 and self.batching_window_seconds < 1:
            raise ValueError(
                "batch_size over 10 needs batching_window_seconds of at least 1 (an SQS rule)"
            )
        if self.visibility_timeout_seconds < self.timeout_seconds:
            raise ValueError(
                f"visibility_timeout_seconds ({self.visibility_timeout_seconds}) must not be "
                f"below timeout_seconds ({self.timeout_seconds}); Lambda refuses the event source"
            )
        return self

    @property
    def recommended_visibility_seconds(self) -> int:
        return VISIBILITY_FACTOR * self.timeout_seconds + self.batching_window_seconds


class ItemGenConfig(StageConfig):
    """Item generation: a container Lambda running stactools packages through uvx."""

    timeout_seconds: int = Field(120, ge=1, le=900)
    visibility_timeout_seconds: int = Field(120, ge=0, le=43200)
    batch_size: int = Field(10, ge=1, le=10000)
    max_concurrency: int = Field(20, ge=2, le=1000)
    records_in_parallel: int = Field(
        1,
        ge=1,
        le=32,
        description="Records of one batch generated at once inside a function: raise it for "
        "packages that wait on remote reads, with memory_mb to match (a worker each)",
    )


class ItemLoadConfig(StageConfig):
    """Item loading: batches of items upserted into pgstac; kept low to spare the database."""

    timeout_seconds: int = Field(45, ge=1, le=900)
    visibility_timeout_seconds: int = Field(60, ge=0, le=43200)
    batch_size: int = Field(1000, ge=1, le=10000)
    batching_window_seconds: int = Field(60, ge=0, le=300)
    max_concurrency: int = Field(2, ge=2, le=1000)


class PayloadConfig(_Section):
    """The S3 bucket for messages over the 256 KiB SNS limit."""

    expiration_days: int = Field(7, ge=1, le=3650, description="Days before payloads expire")


class AlarmsConfig(_Section):
    email: str | None = Field(None, description="Subscribe this address to the alarm topic")

    @field_validator("email")
    @classmethod
    def _check_email(cls, value: str | None) -> str | None:
        if value is not None and not _EMAIL.match(value):
            raise ValueError(f"not an email address: {value!r}")
        return value


class InfraConfig(BaseSettings):
    """Everything the CDK app needs; the defaults are the design values."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, env_nested_delimiter="__", extra="forbid", frozen=True
    )

    project_id: str = Field("stac-ingest", description="Prefix of every stack name")
    stage: str = Field("dev", description="Deployment stage, e.g. dev or prod")
    tags: dict[str, str] = Field(default_factory=dict, description="Tags on every resource")
    vpc: VpcConfig = Field(default_factory=VpcConfig)
    database: DatabaseConfig = Field(default_factory=DatabaseConfig)
    item_gen: ItemGenConfig = Field(default_factory=ItemGenConfig)
    item_load: ItemLoadConfig = Field(default_factory=ItemLoadConfig)
    payload: PayloadConfig = Field(default_factory=PayloadConfig)
    alarms: AlarmsConfig = Field(default_factory=AlarmsConfig)

    @field_validator("project_id")
    @classmethod
    def _check_project(cls, value: str) -> str:
        if not re.fullmatch(r"[a-z][a-z0-9-]{1,30}", value):
            raise ValueError(
                "lower-case letters, digits and '-', starting with a letter, 2-31 long"
            )
        return value

    @field_validator("stage")
    @classmethod
    def _check_stage(cls, value: str) -> str:
        if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,15}", value):
            raise ValueError("lower-case letters, digits and '-', 1-16 long")
        return value

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        yaml_settings = InitSettingsSource(settings_cls, init_kwargs=_YAML_DATA.get() or {})
        return (init_settings, env_settings, yaml_settings)

    # --- derived names -------------------------------------------------------------------
    @property
    def ingest_stack_name(self) -> str:
        return f"{self.project_id}-{self.stage}"

    @property
    def database_stack_name(self) -> str:
        return f"{self.ingest_stack_name}-pgstac"

    @property
    def vpc_stack_name(self) -> str:
        return f"{self.ingest_stack_name}-vpc"

    @property
    def stack_names(self) -> list[str]:
        """All stacks, in deployment order."""
        return [self.vpc_stack_name, self.database_stack_name, self.ingest_stack_name]

    def warnings(self) -> list[str]:
        """Settings that work but go against AWS's advice; see docs/deployment.md."""
        out = []
        for name in ("item_gen", "item_load"):
            stage: StageConfig = getattr(self, name)
            recommended = stage.recommended_visibility_seconds
            if stage.visibility_timeout_seconds < recommended:
                out.append(
                    f"{name}.visibility_timeout_seconds={stage.visibility_timeout_seconds} is "
                    f"below the {recommended} s AWS recommends ({VISIBILITY_FACTOR} x "
                    f"timeout_seconds {stage.timeout_seconds} + batching_window_seconds "
                    f"{stage.batching_window_seconds}): a throttled or slow batch can be "
                    "received again while still running (see docs/deployment.md)"
                )
        return out


def resolve_config_path(path: str | Path | None, *, cwd: Path | None = None) -> Path | None:
    """The file to read: ``path``, else ``$STAC_INGEST_CONFIG``, else ``./config.yml`` if any."""
    import os

    if path:
        return Path(path)
    env = os.environ.get(CONFIG_ENV_VAR)
    if env:
        return Path(env)
    default = (cwd or Path.cwd()) / DEFAULT_CONFIG_FILE
    return default if default.is_file() else None


def read_yaml(path: Path) -> dict[str, Any]:
    import yaml

    if not path.is_file():
        raise ConfigError(f"config file not found: {path}")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ConfigError(f"config file {path} is not valid YAML: {exc}") from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"config file {path} must hold a mapping of settings at the top")
    return data


def load_config(path: str | Path | None = None, **overrides: Any) -> InfraConfig:
    """The settings from ``path`` (see :func:`resolve_config_path`), env and ``overrides``."""
    from pydantic import ValidationError

    from stac_ingest.models import format_validation_error

    resolved = resolve_config_path(path)
    data = read_yaml(resolved) if resolved is not None else {}
    token = _YAML_DATA.set(data)
    try:
        return InfraConfig(**overrides)
    except ValidationError as exc:
        where = f" in {resolved}" if resolved is not None else ""
        raise ConfigError(
            f"invalid config{where}: {format_validation_error(exc)}",
            hint=f"see config.example.yml; env overrides use {ENV_PREFIX}<FIELD>",
        ) from exc
    finally:
        _YAML_DATA.reset(token)
