"""Entry point of ``stac-ingest``: global options, lazy subcommands, one error handler.

Subcommand modules are imported only when run, so ``stac-ingest --help`` never imports
boto3 or pypgstac. Every error is turned into one line on stderr here, and only here.
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
import sys
import traceback
from typing import Any

import click

from stac_ingest import __version__
from stac_ingest.cli.context import CliContext

# name -> "module:attribute". A command whose module is absent is not listed.
COMMANDS: dict[str, str] = {
    "generate": "stac_ingest.cli.generate:generate",
    "load-items": "stac_ingest.cli.load_items:load_items",
    "collections": "stac_ingest.cli.collections:collections",
    "logs": "stac_ingest.cli.logs:logs",
    "dlq": "stac_ingest.cli.dlq:dlq",
    "status": "stac_ingest.cli.status:status",
    "synth": "stac_ingest.cli.infra:synth",
    "deploy": "stac_ingest.cli.infra:deploy",
    "diff": "stac_ingest.cli.infra:diff",
    "destroy": "stac_ingest.cli.infra:destroy",
    "local": "stac_ingest.cli.local:local",
    "map": "stac_ingest.cli.map:map_command",
    "demo": "stac_ingest.cli.demo:demo",
}


class LazyGroup(click.Group):
    """A group whose subcommands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(
            name
            for name, target in COMMANDS.items()
            if importlib.util.find_spec(target.split(":")[0]) is not None
        )

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, attr = target.split(":")
        if importlib.util.find_spec(module_name) is None:
            return None
        command = getattr(importlib.import_module(module_name), attr)
        assert isinstance(command, click.Command)
        return command


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="stac-ingest")
@click.option(
    "--stack", envvar="STAC_INGEST_STACK", help="Ingest stack name  [env: STAC_INGEST_STACK]"
)
@click.option("--db-stack", help="Database stack name  [default: <stack>-pgstac]")
@click.option("--region", help="AWS region  [default: the profile's or AWS_REGION]")
@click.option("--profile", help="AWS named profile")
@click.option("--local", "local", is_flag=True, envvar="STAC_INGEST_LOCAL",
              help="Operate the local embedded pipeline instead of a deployed stack  "
              "[env: STAC_INGEST_LOCAL]")  # fmt: skip
@click.option("--home", type=click.Path(file_okay=False), envvar="STAC_INGEST_HOME",
              help="State directory of the local pipeline  [default: ./.stac-ingest]  "
              "[env: STAC_INGEST_HOME]")  # fmt: skip
@click.option("--dsn", envvar="PGSTAC_DSN",
              help="pgstac connection string for direct database access  [env: PGSTAC_DSN]")  # fmt: skip
@click.option("-v", "--verbose", count=True, help="More log output; -v also shows tracebacks")
@click.option("-q", "--quiet", is_flag=True, help="Only errors on stderr; no progress bars")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable JSON on stdout")
@click.pass_context
def cli(ctx: click.Context, /, **options: Any) -> None:
    """Operate a STAC ingestion pipeline into pgstac: deployed on AWS, or local."""
    ctx.obj = CliContext(**options)
    level = logging.WARNING
    if options["quiet"]:
        level = logging.ERROR
    elif options["verbose"] >= 2:
        level = logging.DEBUG
    elif options["verbose"] == 1:
        level = logging.INFO
    logging.basicConfig(
        level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr
    )


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns (and, as a console script, exits with) the exit code."""
    verbose = _verbosity(sys.argv[1:] if argv is None else argv)
    try:
        result = cli.main(args=argv, prog_name="stac-ingest", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        return 130
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        return 130
    except Exception as exc:
        from stac_ingest.sdk.aws import as_stac_ingest_error

        err = as_stac_ingest_error(exc)
        if verbose:
            traceback.print_exc()
        line = f"error: {err.message}"
        if err.hint:
            line += f" (hint: {err.hint})"
        click.echo(line, err=True)
        return err.exit_code
    return result if isinstance(result, int) else 0


def _verbosity(argv: list[str]) -> int:
    count = 0
    for arg in argv:
        if arg == "--verbose":
            count += 1
        elif arg.startswith("-") and not arg.startswith("--") and set(arg[1:]) == {"v"}:
            count += len(arg) - 1
    return count


def run() -> None:  # pragma: no cover - console-script shim
    sys.exit(main())
