"""``stac-ingest logs``: a stage's function logs."""

from __future__ import annotations

import click

from stac_ingest.cli.context import CliContext, pass_cli


@click.command()
@click.argument("stage", metavar="gen|load")
@click.option("--since", default="10m", show_default=True,
              help="Start time: a duration (30s, 10m, 2h, 1d) or an ISO time")  # fmt: skip
@click.option("--follow", "-f", is_flag=True, help="Keep polling for new events (Ctrl-C stops)")
@click.option("--filter", "filter_text", metavar="TEXT", help="Only events containing TEXT")
@pass_cli
def logs(cli: CliContext, stage: str, since: str, follow: bool, filter_text: str | None) -> None:
    """Print a stage's log events (NDJSON with --json)."""
    import json

    events = cli.pipeline().logs(stage, since=since, filter_text=filter_text, follow=follow)
    try:
        for event in events:
            if cli.as_json:
                click.echo(json.dumps(event.model_dump(mode="json")))
            else:
                click.echo(f"{event.timestamp:%Y-%m-%dT%H:%M:%S.%f}"[:-3] + f"Z {event.message}")
    except KeyboardInterrupt:
        pass
