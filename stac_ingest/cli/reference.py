"""The CLI reference (``docs/cli.md``), rendered from the live command tree's ``--help``.

Regenerate with ``python -m stac_ingest.cli.reference > docs/cli.md``; a test fails when
the file is out of date.
"""

from __future__ import annotations

import click

WIDTH = 100


def _walk(command: click.Command, ctx: click.Context) -> list[tuple[str, str]]:
    pages = [(ctx.command_path, command.get_help(ctx))]
    if isinstance(command, click.Group):
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            if sub is None or sub.hidden:
                continue
            sub_ctx = click.Context(
                sub, info_name=name, parent=ctx, terminal_width=WIDTH, max_content_width=WIDTH
            )
            pages += _walk(sub, sub_ctx)
    return pages


def render() -> str:
    """Markdown: one section per command, each with its ``--help`` text."""
    from stac_ingest.cli.main import cli

    root = click.Context(
        cli,
        info_name="stac-ingest",
        terminal_width=WIDTH,
        max_content_width=WIDTH,
        **cli.context_settings,
    )
    out = [
        "# CLI reference",
        "",
        "Generated from `--help` by `python -m stac_ingest.cli.reference > docs/cli.md`;",
        "a test keeps it in sync. Global options go before the command:",
        "`stac-ingest --stack myproj-dev dlq count`.",
        "",
    ]
    for path, text in _walk(cli, root):
        level = "#" * min(path.count(" ") + 2, 4)
        out += [f"{level} `{path}`", "", "```text", text.rstrip(), "```", ""]
    return "\n".join(out)


if __name__ == "__main__":  # pragma: no cover
    click.echo(render(), nl=False)
