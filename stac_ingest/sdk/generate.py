"""``generate``: turn an inventory (or one set of arguments) into ItemRequests on the gen topic."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pydantic

from stac_ingest.errors import InputError, UsageError
from stac_ingest.models import ItemRequest, format_validation_error
from stac_ingest.sdk import quotas
from stac_ingest.sdk.backend import Backend
from stac_ingest.sdk.checkpoint import Checkpoint
from stac_ingest.sdk.inventory import Format, Inventory
from stac_ingest.sdk.progress import Progress, ProgressUpdate, PublishReport, notify
from stac_ingest.sdk.publish import Entry, publish_entries


class GenerateSpec(pydantic.BaseModel):
    """What to generate: the package and group, and where the create-item inputs come from."""

    package: str | None = None
    group: str | None = None
    collection: str | None = None
    options: dict[str, str] = pydantic.Field(default_factory=dict)
    extra_requirements: list[str] = pydantic.Field(default_factory=list)
    args: list[str] = pydantic.Field(
        default_factory=list, description="create-item arguments (after each inventory value)"
    )
    inventory: str | None = None
    format: Format = "auto"
    column: str | None = None
    skip: int = 0
    limit: int | None = None


def parse_options(pairs: Sequence[str]) -> dict[str, str]:
    """``k=v`` strings as a dict; anything else is a UsageError."""
    options: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"--option must be KEY=VALUE, got {pair!r}")
        options[key.strip()] = value
    return options


def _request(spec: GenerateSpec, value: Any) -> ItemRequest:
    if isinstance(value, ItemRequest):
        if spec.collection:
            return value.model_copy(update={"collection_id": spec.collection})
        return value
    if not spec.package or not spec.group:
        raise UsageError("--package and --group are required (unless the inventory is NDJSON)")
    return ItemRequest(
        package_name=spec.package,
        group_name=spec.group,
        create_item_args=[*([value] if value is not None else []), *spec.args],
        create_item_options=spec.options,
        collection_id=spec.collection,
        extra_requirements=spec.extra_requirements,
    )


def plan(spec: GenerateSpec, *, skip: int | None = None, session: Any = None) -> Iterator[Entry]:
    """The entries a run publishes: each an ItemRequest's JSON, or the reason it is rejected.

    Raises :class:`InputError` for a missing or empty inventory.
    """
    if spec.inventory is None:
        if not spec.args:
            raise UsageError("pass --inventory SRC, or the create-item ARGS of one item")
        try:
            request = _request(spec, None)
        except pydantic.ValidationError as exc:
            raise UsageError(f"invalid request: {format_validation_error(exc)}") from None
        if (skip or spec.skip) == 0 and spec.limit != 0:
            yield Entry(index=0, line=1, body=request.model_dump_json(exclude_defaults=True))
        return
    inventory = Inventory(
        spec.inventory,
        fmt=spec.format,
        column=spec.column,
        skip=spec.skip if skip is None else skip,
        limit=spec.limit if skip is None else _remaining(spec, skip),
        session=session,
    )
    for record in inventory:
        if record.error is not None:
            yield Entry(index=record.index, line=record.line, error=record.error)
            continue
        try:
            request = _request(spec, record.value)
        except pydantic.ValidationError as exc:
            yield Entry(
                index=record.index,
                line=record.line,
                error=f"invalid request: {format_validation_error(exc)}",
            )
            continue
        yield Entry(
            index=record.index,
            line=record.line,
            body=request.model_dump_json(exclude_defaults=True),
        )
    if inventory.seen == 0:
        raise InputError(f"inventory is empty: {spec.inventory}")


def _remaining(spec: GenerateSpec, resume_at: int) -> int | None:
    if spec.limit is None:
        return None
    return max(0, spec.limit - max(0, resume_at - spec.skip))


def _with_quota_warning(
    entries: Iterator[Entry], backend: Backend, report: PublishReport, progress: Progress | None
) -> Iterator[Entry]:
    """Pass entries through; once a run is big enough to meet the quota, warn once."""
    rate = quotas.planned_rate(backend.publish_concurrency, backend.max_batch_entries)
    region = getattr(backend, "region", None)
    warning = quotas.throttle_warning(region, rate) if region else None
    threshold = quotas.sns_publish_quota(region)
    for count, entry in enumerate(entries):
        if warning and count == threshold:
            report.warnings.append(warning)
            notify(progress, ProgressUpdate(note=f"warning: {warning}"))
        yield entry


def generate(
    backend: Backend,
    spec: GenerateSpec,
    *,
    resume: str | Path | None = None,
    progress: Progress | None = None,
    session: Any = None,
) -> PublishReport:
    """Publish one ItemRequest per inventory record to the gen stage."""
    report = PublishReport(stage="gen")
    checkpoint: Checkpoint | None = None
    start = spec.skip
    if resume is not None:
        checkpoint = Checkpoint(resume, _run_identity(spec))
        start = max(start, checkpoint.load())
        report.resumed_at = start
    entries = plan(spec, skip=start, session=session)
    first = next(entries, None)  # surfaces a missing or empty inventory before any publish
    if first is None:
        if checkpoint is not None:
            checkpoint.update(start, force=True)
        return report

    def chained() -> Iterator[Entry]:
        yield first
        yield from entries

    return publish_entries(
        backend,
        "gen",
        _with_quota_warning(chained(), backend, report, progress),
        start_index=start,
        progress=progress,
        checkpoint=checkpoint,
        report=report,
    )


def _run_identity(spec: GenerateSpec) -> dict[str, Any]:
    data = spec.model_dump(mode="json")
    data["source"] = data.pop("inventory")
    return data
