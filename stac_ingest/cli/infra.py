"""``stac-ingest synth|deploy|diff|destroy``: the CDK app through the pinned CDK CLI.

Thin adapters over :mod:`stac_ingest.sdk.deploy`; the global ``--profile`` and ``--region``
are passed on to the CDK CLI.
"""

from __future__ import annotations

from typing import Any

import click

from stac_ingest.cli.context import CliContext, pass_cli

_config = click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False),
    envvar="STAC_INGEST_CONFIG",
    help="Deployment settings  [default: ./config.yml if present]  [env: STAC_INGEST_CONFIG]",
)
_stacks = click.option(
    "--stack",
    "stacks",
    multiple=True,
    help="Only this stack (repeatable)  [default: all three]",
)
_assembly = click.option(
    "--app",
    "assembly",
    type=click.Path(file_okay=False, exists=True),
    help="Use this synthesized cloud assembly instead of synthesizing",
)


def _progress(cli: CliContext) -> Any:
    return cli.note if not cli.quiet else None


@click.command()
@_config
@click.option("--out", "outdir", type=click.Path(file_okay=False),
              help="Where to write the cloud assembly  [default: cdk.out]")  # fmt: skip
@pass_cli
def synth(cli: CliContext, config_path: str | None, outdir: str | None) -> None:
    """Write the CloudFormation templates to cdk.out/ (needs no AWS credentials)."""
    from stac_ingest.sdk.deploy import synth as run_synth

    result = run_synth(config_path, outdir=outdir, progress=_progress(cli))
    for warning in result.warnings:
        cli.note(f"warning: {warning}")
    lines = [f"{stack.name}\t{stack.template}" for stack in result.stacks]
    cli.emit(result, "\n".join(lines))


def _run(cli: CliContext, action: str, **options: Any) -> None:
    from stac_ingest.sdk.deploy import run_cdk

    result = run_cdk(
        action,  # type: ignore[arg-type]
        profile=cli.profile,
        region=cli.region,
        progress=_progress(cli),
        **options,
    )
    cli.emit(result, f"cdk {action}: done ({', '.join(result.stacks)})")


@click.command()
@_config
@_stacks
@click.option("--require-approval", type=click.Choice(["never", "any-change", "broadening"]),
              help="Which changes the CDK CLI asks you to approve  [default: broadening]")  # fmt: skip
@_assembly
@pass_cli
def deploy(
    cli: CliContext,
    config_path: str | None,
    stacks: tuple[str, ...],
    require_approval: str | None,
    assembly: str | None,
) -> None:
    """Synthesize and deploy the stacks (builds the item-generation image with Docker)."""
    _run(
        cli,
        "deploy",
        config_path=config_path,
        stacks=stacks,
        require_approval=require_approval,
        assembly=assembly,
    )


@click.command()
@_config
@_stacks
@_assembly
@pass_cli
def diff(
    cli: CliContext, config_path: str | None, stacks: tuple[str, ...], assembly: str | None
) -> None:
    """Show what a deploy would change."""
    _run(cli, "diff", config_path=config_path, stacks=stacks, assembly=assembly)


@click.command()
@_config
@_stacks
@_assembly
@click.option("--force", "-f", is_flag=True, help="Do not ask for confirmation")
@pass_cli
def destroy(
    cli: CliContext,
    config_path: str | None,
    stacks: tuple[str, ...],
    assembly: str | None,
    force: bool,
) -> None:
    """Delete the stacks (the database keeps a final snapshot unless configured otherwise)."""
    _run(cli, "destroy", config_path=config_path, stacks=stacks, assembly=assembly, force=force)


__all__ = ["deploy", "destroy", "diff", "synth"]
