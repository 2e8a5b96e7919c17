"""Message models shared by the SDK, the CLI and the Lambdas."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

_OPTION_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-]*$")

NonEmpty = Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]


class ItemRequest(BaseModel):
    """A request to generate one STAC item with a stactools package.

    The documented message, which stays valid forever::

        {"package_name": "stactools-glad-glclu2020", "group_name": "gladglclu2020",
         "create_item_args": ["https://.../50N_090W.tif"]}

    runs ``stac gladglclu2020 create-item https://.../50N_090W.tif <out.json>`` with
    ``stactools`` and the package installed by uv.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    package_name: NonEmpty = Field(description="PyPI requirement of the stactools package")
    group_name: NonEmpty = Field(description="The package's command group under `stac`")
    create_item_args: list[str] = Field(
        default_factory=list, description="Positional arguments of `create-item`"
    )
    create_item_options: dict[str, str] = Field(
        default_factory=dict,
        description='Options rendered as `--key value` after the arguments (`""` is a bare flag)',
    )
    collection_id: str | None = Field(
        default=None, description="Overrides the generated item's `collection`"
    )
    extra_requirements: list[str] = Field(
        default_factory=list, description="Extra requirements added with `uvx --with`"
    )

    @field_validator("package_name")
    @classmethod
    def _check_package(cls, value: str) -> str:
        _check_requirement(value)
        return value

    @field_validator("group_name")
    @classmethod
    def _check_group(cls, value: str) -> str:
        if value.startswith("-") or any(c.isspace() for c in value):
            raise ValueError(f"not a command group name: {value!r}")
        return value

    @field_validator("create_item_options")
    @classmethod
    def _check_options(cls, value: dict[str, str]) -> dict[str, str]:
        for key in value:
            if not _OPTION_KEY.match(key):
                raise ValueError(f"not an option name: {key!r}")
        return value

    @field_validator("extra_requirements")
    @classmethod
    def _check_requirements(cls, value: list[str]) -> list[str]:
        for req in value:
            _check_requirement(req)
        return value

    def option_args(self) -> list[str]:
        """``create_item_options`` as ``--key value`` arguments; an empty value is a bare flag."""
        args: list[str] = []
        for key, val in self.create_item_options.items():
            args += [f"--{key}", val] if val != "" else [f"--{key}"]
        return args

    def environment_key(self) -> tuple[str, ...]:
        """Requests with equal keys can share one installed environment."""
        return (self.package_name, *sorted(self.extra_requirements))


def _check_requirement(value: str) -> None:
    """A PEP 508 requirement (``name``, ``name>=1``, ``name @ file:///...``); never an option."""
    from packaging.requirements import InvalidRequirement, Requirement

    if value.startswith("-"):
        raise ValueError(f"not a package requirement: {value!r}")
    try:
        Requirement(value)
    except InvalidRequirement as exc:
        raise ValueError(f"not a package requirement: {value!r}") from exc


class BatchItemFailure(BaseModel):
    """One entry of an SQS partial batch response."""

    model_config = ConfigDict(populate_by_name=True)

    item_identifier: str = Field(alias="itemIdentifier")


class BatchResponse(BaseModel):
    """The SQS partial batch response a Lambda returns."""

    model_config = ConfigDict(populate_by_name=True)

    batch_item_failures: list[BatchItemFailure] = Field(
        default_factory=list, alias="batchItemFailures"
    )

    @classmethod
    def of(cls, failed_ids: list[str]) -> BatchResponse:
        return cls(batch_item_failures=[BatchItemFailure(item_identifier=i) for i in failed_ids])

    def to_lambda(self) -> dict[str, list[dict[str, str]]]:
        return self.model_dump(by_alias=True)


def format_validation_error(exc: Exception) -> str:
    """A pydantic ValidationError as one short line: ``field: message; field: message``."""
    from pydantic import ValidationError

    if not isinstance(exc, ValidationError):
        return str(exc)
    parts = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"]) or "message"
        msg = "unknown field" if err["type"] == "extra_forbidden" else err["msg"]
        parts.append(f"{loc}: {msg}")
    return "; ".join(parts)
