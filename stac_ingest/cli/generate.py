"""``stac-ingest generate``: publish ItemRequests for an inventory to the item-generation stage."""

from __future__ import annotations

import click

from stac_ingest.cli.context import CliContext, pass_cli
from stac_ingest.cli.progress import progress_bar, report_errors


@click.command()
@click.option("--package", "-p", metavar="REQ", help="stactools package (a PEP 508 requirement)")
@click.option("--group", "-g", help="The package's command group under `stac`")
@click.option("--collection", "-c", help="Collection id to set on every generated item")
@click.option("--option", "-o", "options", multiple=True, metavar="KEY=VALUE",
              help="create-item option, passed as --KEY VALUE (repeatable)")  # fmt: skip
@click.option("--with", "extra", multiple=True, metavar="REQ",
              help="Extra requirement installed with the package (repeatable)")  # fmt: skip
@click.option("--inventory", "-i", metavar="SRC",
              help="File, '-' (stdin), http(s):// or s3:// URL: one URL a line, CSV or NDJSON")  # fmt: skip
@click.option("--format", "fmt", type=click.Choice(["auto", "text", "csv", "ndjson"]),
              default="auto", show_default=True, help="Inventory format")  # fmt: skip
@click.option("--column", help="CSV column: a header name, or a 0-based index (no header)")
@click.option("--skip", type=click.IntRange(min=0), default=0, help="Skip the first N records")
@click.option("--limit", type=click.IntRange(min=0), help="Publish at most N records")
@click.option("--dry-run", is_flag=True, help="Print the requests as NDJSON; publish nothing")
@click.option("--resume", type=click.Path(dir_okay=False), metavar="FILE",
              help="Checkpoint file: a killed run started again with it carries on")  # fmt: skip
@click.option("--no-wait", is_flag=True,
              help="--local: only enqueue; `stac-ingest local run` processes later")  # fmt: skip
@click.argument("args", nargs=-1)
@pass_cli
def generate(
    cli: CliContext,
    package: str | None,
    group: str | None,
    collection: str | None,
    options: tuple[str, ...],
    extra: tuple[str, ...],
    inventory: str | None,
    fmt: str,
    column: str | None,
    skip: int,
    limit: int | None,
    dry_run: bool,
    resume: str | None,
    no_wait: bool,
    args: tuple[str, ...],
) -> None:
    """Publish one ItemRequest per inventory record (or one for ARGS) to the gen stage.

    \b
    Examples:
      stac-ingest --stack myproj-dev generate -p stactools-glad-glclu2020 \\
          -g gladglclu2020 -i urls.txt --resume urls.ckpt
      stac-ingest generate -p stactools-glad-glclu2020 -g gladglclu2020 --dry-run \\
          https://example.com/50N_090W.tif
    """
    from stac_ingest.sdk.generate import GenerateSpec, parse_options

    spec = GenerateSpec(
        package=package,
        group=group,
        collection=collection,
        options=parse_options(options),
        extra_requirements=list(extra),
        args=list(args),
        inventory=inventory,
        format=fmt,
        column=column,
        skip=skip,
        limit=limit,
    )
    if dry_run:
        _dry_run(cli, spec)
        return
    pipeline = cli.pipeline()
    with progress_bar(cli, "generate") as progress:
        report = pipeline.generate(spec, resume=resume, progress=progress)
    report_errors(cli, [(e.line, e.reason) for e in report.errors], report.more_errors)
    if report.resumed_at:
        cli.note(f"resumed at record {report.resumed_at:,} from {resume}")
    if cli.local and not no_wait:
        from stac_ingest.cli.local import drain_pipeline

        drain_pipeline(cli, pipeline, after=report, text=report.summary())
    else:
        cli.emit(report, report.summary())
    report.raise_for_failures()


def _dry_run(cli: CliContext, spec: object) -> None:
    from stac_ingest.errors import PartialFailure
    from stac_ingest.sdk.generate import GenerateSpec, plan

    assert isinstance(spec, GenerateSpec)
    rejected = 0
    for entry in plan(spec):
        if entry.body is None:
            rejected += 1
            click.echo(f"line {entry.line}: {entry.error}", err=True)
        else:
            click.echo(entry.body)
    if rejected:
        raise PartialFailure(f"{rejected:,} inventory records are invalid")
