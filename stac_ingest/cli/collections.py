"""``stac-ingest collections``: upsert, create (with a stactools package) and list."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from stac_ingest.cli.context import CliContext, pass_cli

if TYPE_CHECKING:
    from stac_ingest.sdk.collections import CollectionResult


@click.group()
def collections() -> None:
    """Manage the pipeline's STAC collections."""


@collections.command()
@click.argument("source", metavar="FILE|URL")
@click.option("--direct", is_flag=True, help="Write to pgstac directly instead of the load stage")
@pass_cli
def upsert(cli: CliContext, source: str, direct: bool) -> None:
    """Insert or update a collection from a JSON file or URL."""
    result = cli.pipeline().upsert_collection(source, direct=direct)
    text = f"collection {result.id} upserted via {result.via} ({result.target})"
    _finish(cli, result, text, drain=cli.local and not direct)


@collections.command()
@click.option("--package", "-p", required=True, metavar="REQ", help="stactools package")
@click.option("--group", "-g", required=True, help="The package's command group under `stac`")
@click.option("--option", "-o", "options", multiple=True, metavar="KEY=VALUE",
              help="create-collection option, passed as --KEY VALUE (repeatable)")  # fmt: skip
@click.option("--with", "extra", multiple=True, metavar="REQ", help="Extra requirement")
@click.option("--direct", is_flag=True, help="Write to pgstac directly instead of the load stage")
@click.argument("args", nargs=-1)
@pass_cli
def create(
    cli: CliContext,
    package: str,
    group: str,
    options: tuple[str, ...],
    extra: tuple[str, ...],
    direct: bool,
    args: tuple[str, ...],
) -> None:
    """Run the package's create-collection locally through uvx, then upsert it."""
    from stac_ingest.sdk.generate import parse_options

    result = cli.pipeline().create_collection(
        package,
        group,
        args=list(args),
        options=parse_options(options),
        extra_requirements=list(extra),
        direct=direct,
    )
    text = f"collection {result.id} created and upserted via {result.via}"
    _finish(cli, result, text, drain=cli.local and not direct)


@collections.command("list")
@pass_cli
def list_(cli: CliContext) -> None:
    """List the collections in pgstac with their item counts (needs database access)."""
    infos = cli.pipeline().list_collections()
    lines = [f"{'collection':<40} {'items':>12}  title"]
    lines += [f"{c.id:<40} {c.items:>12,}  {c.title or ''}".rstrip() for c in infos]
    cli.emit([c.model_dump() for c in infos], "\n".join(lines))


def _finish(cli: CliContext, result: CollectionResult, text: str, *, drain: bool) -> None:
    """Print the result; on the local pipeline, first run it so the collection lands."""
    if drain:
        from stac_ingest.cli.local import drain_pipeline

        drain_pipeline(cli, cli.pipeline(), after=result, text=text)
    else:
        cli.emit(result, text)
