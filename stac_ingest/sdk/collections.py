"""Collections: upsert (through the load stage, or directly), create with a stactools package, list."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any, Literal

import orjson
from pydantic import BaseModel

from stac_ingest.errors import GenerationError, InputError, StacIngestError
from stac_ingest.outputs import MAX_MESSAGE_BYTES
from stac_ingest.sdk.backend import Backend
from stac_ingest.sdk.sources import read_document

CREATE_TIMEOUT_SECONDS = 1800


class CollectionResult(BaseModel):
    id: str
    via: Literal["load-stage", "pgstac"]
    target: str


def validated(collection: Any) -> dict[str, Any]:
    from stac_ingest.sdk.validate import validate_collection

    validate_collection(collection)
    assert isinstance(collection, dict)
    return collection


def upsert(
    backend: Backend, collection: dict[str, Any], *, direct_dsn: str | None = None
) -> CollectionResult:
    """Publish a collection to the load stage, or (with ``direct_dsn``) write it to pgstac."""
    collection = validated(collection)
    if direct_dsn is not None:
        from stac_ingest.sdk.pgstac_db import upsert_collection

        upsert_collection(direct_dsn, collection)
        return CollectionResult(id=collection["id"], via="pgstac", target=backend.label)
    body = orjson.dumps(collection)
    if len(body) > MAX_MESSAGE_BYTES:
        href = backend.store_payload(f"collection-{collection['id']}", body)
        if href is None:
            raise InputError(
                f"collection {collection['id']} is {len(body):,} bytes, over the SNS limit, and "
                f"{backend.label} has no payload bucket",
                hint="load it with --direct",
            )
        body = orjson.dumps({"href": href})
    outcome = backend.publish("load", [body.decode()])
    if outcome.errors[0] is not None:
        raise StacIngestError(
            f"publishing collection {collection['id']} failed: {outcome.errors[0]}"
        )
    return CollectionResult(id=collection["id"], via="load-stage", target=backend.label)


def read_collection(source: str, *, session: Any = None) -> dict[str, Any]:
    document = read_document(source, session=session, what="collection")
    try:
        return validated(document)
    except StacIngestError as exc:
        raise InputError(f"{source}: {exc.message}") from None


def create_collection_argv(
    group: str, args: list[str], options: dict[str, str], destination: Path
) -> list[str]:
    """``stac <group> create-collection [--key value]... <args> <destination>``."""
    argv = ["stac", group, "create-collection"]
    for key, value in options.items():
        argv += [f"--{key}", value] if value != "" else [f"--{key}"]
    return [*argv, *args, str(destination)]


def create(
    package: str,
    group: str,
    *,
    args: list[str] | None = None,
    options: dict[str, str] | None = None,
    extra_requirements: list[str] | None = None,
) -> dict[str, Any]:
    """Run the package's ``create-collection`` through uvx and return the collection."""
    from stac_ingest.sdk.generation import find_uv, run_uvx

    with tempfile.TemporaryDirectory(prefix="stac-ingest-collection-") as tmp:
        destination = Path(tmp) / "collection.json"
        argv = create_collection_argv(group, list(args or []), dict(options or {}), destination)
        run_uvx(
            package, list(extra_requirements or []), find_uv(), argv,
            timeout=CREATE_TIMEOUT_SECONDS, doing=f"run {package} {group} create-collection",
        )  # fmt: skip
        if destination.is_dir():
            destination = destination / "collection.json"
        if not destination.is_file():
            raise GenerationError(f"{group} create-collection wrote no collection file")
        try:
            return validated(orjson.loads(destination.read_bytes()))
        except (orjson.JSONDecodeError, StacIngestError) as exc:
            raise GenerationError(
                f"{group} create-collection wrote an invalid collection: {exc}"
            ) from None
