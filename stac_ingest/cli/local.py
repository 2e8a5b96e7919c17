"""``stac-ingest local``: run the local pipeline, manage its pgstac, serve a STAC API."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from stac_ingest.cli.context import CliContext, pass_cli
from stac_ingest.cli.progress import progress_bar

if TYPE_CHECKING:
    from pydantic import BaseModel

    from stac_ingest.sdk.local.database import LocalDatabase
    from stac_ingest.sdk.pipeline import Pipeline


def _pipeline(cli: CliContext) -> Pipeline:
    """The local pipeline, whether or not --local was given."""
    if cli.local:
        return cli.pipeline()
    from stac_ingest.sdk.pipeline import Pipeline

    return Pipeline.local(cli.home, cli.dsn)


def _database(cli: CliContext) -> LocalDatabase:
    from stac_ingest.sdk.local.database import LocalDatabase
    from stac_ingest.sdk.local.settings import resolve_home

    return LocalDatabase(resolve_home(cli.home), cli.dsn)


def drain_pipeline(
    cli: CliContext, pipeline: Pipeline, *, after: BaseModel | None = None, text: str = ""
) -> None:
    """Run the local pipeline to completion, after an enqueue (``after``: its report).

    With ``--json`` the two reports are one document, ``{"published": …, "run": …}``.
    """
    with progress_bar(cli, "pipeline", unit="msg") as progress:
        report = pipeline.drain(progress=progress)
    if after is None:
        cli.emit(report, report.summary())
    else:
        both = {"published": after.model_dump(mode="json"), "run": report.model_dump(mode="json")}
        cli.emit(both, f"{text}\n{report.summary()}")
    report.raise_for_failures()


@click.group()
def local() -> None:
    """The local embedded pipeline: run it, its pgstac, its STAC API.

    \b
    State lives in --home (default ./.stac-ingest): queues, dead letters, logs and,
    without --dsn, a PostgreSQL cluster with pgstac.
    """


@local.command()
@pass_cli
def run(cli: CliContext) -> None:
    """Process every queued message (resumes an interrupted run), then exit."""
    drain_pipeline(cli, _pipeline(cli))


@local.group()
def db() -> None:
    """The local pgstac: a PostgreSQL + PostGIS cluster in the state dir."""


@db.command()
@pass_cli
def start(cli: CliContext) -> None:
    """Start the cluster (creating it), and install or upgrade pgstac with pypgstac."""
    status = _database(cli).start()
    cli.emit(status, status.render())


@db.command()
@pass_cli
def stop(cli: CliContext) -> None:
    """Stop the cluster."""
    status = _database(cli).stop()
    cli.emit(status, status.render())


@db.command("status")
@pass_cli
def status_(cli: CliContext) -> None:
    """Whether the database runs, where, and its pgstac version."""
    status = _database(cli).status()
    cli.emit(status, status.render())


@db.command()
@pass_cli
def url(cli: CliContext) -> None:
    """Print the connection string (for psql, PGSTAC_DSN or any pgstac client)."""
    dsn = _database(cli).url()
    cli.emit({"dsn": dsn}, dsn)


@local.command()
@click.option("--port", type=click.IntRange(1, 65535), help="Port  [default: 8081]")
@click.option("--host", default="127.0.0.1", show_default=True, help="Loopback address")
@pass_cli
def api(cli: CliContext, port: int | None, host: str) -> None:
    """Serve the local pgstac as a STAC API (stac-fastapi-pgstac) until Ctrl-C."""
    import contextlib

    from stac_ingest.sdk.local.backend import LocalBackend

    backend = LocalBackend(cli.home, cli.dsn)
    port = port or backend.settings.api_port
    cli.note(f"STAC API on http://{host}:{port}  (Ctrl-C stops)")
    with contextlib.suppress(KeyboardInterrupt):
        backend.serve_api(host=host, port=port)
