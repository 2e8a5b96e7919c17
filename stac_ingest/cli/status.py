"""``stac-ingest status``: queue depths, dead letters and item counts."""

from __future__ import annotations

import time

import click

from stac_ingest.cli.context import CliContext, pass_cli


@click.command()
@click.option("--watch", "-w", is_flag=True, help="Refresh until Ctrl-C")
@click.option("--interval", type=click.FloatRange(min=1), default=5, show_default=True,
              help="Seconds between refreshes with --watch")  # fmt: skip
@click.option("--no-db", is_flag=True, help="Skip the item counts (no database connection)")
@pass_cli
def status(cli: CliContext, watch: bool, interval: float, no_db: bool) -> None:
    """Per stage: visible and in-flight messages, oldest age, dead letters; item counts."""
    pipeline = cli.pipeline()
    try:
        while True:
            report = pipeline.status(with_database=not no_db)
            if watch and not cli.as_json and cli.stdout_is_tty():
                click.clear()
            cli.emit(report, report.render())
            if not watch:
                return
            time.sleep(interval)
    except KeyboardInterrupt:
        return
