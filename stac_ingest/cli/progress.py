"""The CLI's side of SDK progress callbacks: a tqdm bar on stderr."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import click

from stac_ingest.cli.context import CliContext

if TYPE_CHECKING:
    from stac_ingest.sdk.progress import Progress, ProgressUpdate


@contextlib.contextmanager
def progress_bar(cli: CliContext, desc: str, unit: str = "rec") -> Iterator[Progress]:
    """A progress callback: a bar when progress is shown, else only warnings on stderr."""
    if not cli.show_progress:

        def quiet(update: ProgressUpdate) -> None:
            if update.note:
                cli.note(update.note)

        yield quiet
        return
    from tqdm import tqdm

    bars: list[tqdm[Any]] = []  # made on the first update, so early errors show no bar

    def show(update: ProgressUpdate) -> None:
        if not bars:
            bars.append(
                tqdm(desc=desc, unit=unit, file=sys.stderr, dynamic_ncols=True, mininterval=0.2)
            )
        bar = bars[0]
        if update.total is not None:
            bar.total = update.total
        if update.advance:
            bar.update(update.advance)
        if update.note:
            bar.write(update.note, file=sys.stderr)

    try:
        yield show
    finally:
        for bar in bars:
            bar.close()


def report_errors(cli: CliContext, errors: list[tuple[int, str]], more: int = 0) -> None:
    """Per-line errors on stderr: ``line N: reason``."""
    for line, reason in errors:
        click.echo(f"line {line}: {reason}", err=True)
    if more:
        click.echo(f"... and {more:,} more", err=True)
