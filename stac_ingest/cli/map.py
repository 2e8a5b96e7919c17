"""``stac-ingest map``: the footprints of a collection's items on an HTML map."""

from __future__ import annotations

import click

from stac_ingest.cli.context import CliContext, pass_cli


@click.command("map")
@click.argument("collection")
@click.option("--out", "-o", type=click.Path(dir_okay=False), metavar="FILE.html",
              help="Where to write the map  [default: COLLECTION.html]")  # fmt: skip
@click.option("--max-items", type=click.IntRange(min=1), default=20_000, show_default=True,
              help="Draw at most this many footprints")  # fmt: skip
@click.option("--no-tiles", is_flag=True, help="No OpenStreetMap background (fully offline)")
@pass_cli
def map_command(
    cli: CliContext, collection: str, out: str | None, max_items: int, no_tiles: bool
) -> None:
    """Draw COLLECTION's item footprints from pgstac: spot the missing tiles of a grid.

    Works on the local pipeline (--local) and, with database access (the stack's
    secret or --dsn), on a deployed stack.
    """
    from stac_ingest.sdk.coverage_map import write_coverage_map

    result = write_coverage_map(
        cli.pipeline().database_dsn(), collection, out, max_items=max_items, tiles=not no_tiles
    )
    cli.emit(result, result.summary())
