"""``stac-ingest dlq``: dead letters of a stage: count, peek, replay, purge, export."""

from __future__ import annotations

import click

from stac_ingest.cli.context import CliContext, pass_cli
from stac_ingest.cli.progress import progress_bar


@click.group()
def dlq() -> None:
    """Inspect and recover dead-lettered messages (stages: gen, load)."""


@dlq.command()
@click.argument("stage", required=False, metavar="[gen|load]")
@pass_cli
def count(cli: CliContext, stage: str | None) -> None:
    """How many dead letters each stage holds (both stages by default)."""
    counts = cli.pipeline().dlq_count(stage)
    cli.emit(counts.counts, "\n".join(f"{s}: {n:,}" for s, n in counts.counts.items()))


@dlq.command()
@click.argument("stage", metavar="gen|load")
@click.option("-n", "limit", type=int, default=10, show_default=True, help="How many to show")
@pass_cli
def peek(cli: CliContext, stage: str, limit: int) -> None:
    """Show dead letters without removing them: receive count, reason, unwrapped message."""
    letters = cli.pipeline().dlq_peek(stage, limit)
    text = "\n".join(letter.render(stage) for letter in letters) or "(none)"
    cli.emit([letter.model_dump(mode="json") for letter in letters], text)


@dlq.command()
@click.argument("stage", metavar="gen|load")
@click.option("--max", "limit", type=int, help="Move at most N messages")
@pass_cli
def replay(cli: CliContext, stage: str, limit: int | None) -> None:
    """Move dead letters back to the stage's queue to be processed again."""
    result = cli.pipeline().dlq_replay(stage, limit)
    cli.emit(result, f"moved {result.moved:,} messages back to the {result.stage} queue")


@dlq.command()
@click.argument("stage", metavar="gen|load")
@click.option("--yes", "-y", is_flag=True, help="Do not prompt")
@pass_cli
def purge(cli: CliContext, stage: str, yes: bool) -> None:
    """Delete every dead letter of a stage (prompts unless --yes)."""
    pipeline = cli.pipeline()
    if not yes:
        counts = pipeline.dlq_count(stage).counts
        for name, n in counts.items():
            click.confirm(f"Delete all {n:,} dead letters of the {name} stage?", abort=True)
    result = pipeline.dlq_purge(stage)
    cli.emit(result, f"purged {result.purged:,} dead letters of the {result.stage} stage")


@dlq.command()
@click.argument("stage", metavar="gen|load")
@click.argument("out", metavar="FILE|-")
@pass_cli
def export(cli: CliContext, stage: str, out: str) -> None:
    """Write every dead letter as NDJSON to FILE (or stdout), removing none."""
    import sys

    pipeline = cli.pipeline()
    with progress_bar(cli, "export", unit="msg") as progress:
        result = pipeline.dlq_export(stage, sys.stdout if out == "-" else out, progress=progress)
    text = f"exported {result.exported:,} dead letters of the {result.stage} stage to {result.path}"
    if out == "-":
        cli.note(text)
    else:
        cli.emit(result, text)
