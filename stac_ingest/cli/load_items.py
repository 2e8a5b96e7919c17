"""``stac-ingest load-items``: validate STAC Items and publish them to the load stage."""

from __future__ import annotations

import click

from stac_ingest.cli.context import CliContext, pass_cli
from stac_ingest.cli.progress import progress_bar, report_errors


@click.command("load-items")
@click.argument("source", metavar="FILE|URL|-")
@click.option("--direct", is_flag=True,
              help="Upsert straight into pgstac (the stack's secret, or --dsn)")  # fmt: skip
@click.option("--no-wait", is_flag=True,
              help="--local: only enqueue; `stac-ingest local run` processes later")  # fmt: skip
@pass_cli
def load_items(cli: CliContext, source: str, direct: bool, no_wait: bool) -> None:
    """Load items from NDJSON, or a JSON Item, ItemCollection or FeatureCollection.

    Items are validated first; an invalid line is reported with its line number and the
    rest still go. Items over 256 KiB go through the payload bucket as pointers.
    """
    pipeline = cli.pipeline()
    with progress_bar(cli, "load-items", unit="item") as progress:
        report = pipeline.load_items(source, direct=direct, progress=progress)
    report_errors(cli, [(e.line, e.reason) for e in report.errors], report.more_errors)
    if cli.local and not direct and not no_wait:
        from stac_ingest.cli.local import drain_pipeline

        drain_pipeline(cli, pipeline, after=report, text=report.summary())
    else:
        cli.emit(report, report.summary())
    report.raise_for_failures()
