"""What the global options resolve to, shared by every subcommand."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from stac_ingest.sdk.pipeline import Pipeline


@dataclass
class CliContext:
    stack: str | None = None
    db_stack: str | None = None
    region: str | None = None
    profile: str | None = None
    local: bool = False
    home: str | None = None
    dsn: str | None = None
    verbose: int = 0
    quiet: bool = False
    as_json: bool = False
    _pipeline: Any = field(default=None, repr=False)

    @property
    def show_progress(self) -> bool:
        return not self.quiet and not self.as_json

    def pipeline(self) -> Pipeline:
        """The deployment the global options name, resolved once per invocation."""
        if self._pipeline is None:
            from stac_ingest.sdk.pipeline import Pipeline

            self._pipeline = Pipeline.resolve(
                stack=self.stack,
                db_stack=self.db_stack,
                region=self.region,
                profile=self.profile,
                local=self.local,
                home=self.home,
                dsn=self.dsn,
            )
        return self._pipeline  # type: ignore[no-any-return]

    def emit(self, data: Any, text: str | None = None) -> None:
        """Print a result: JSON when ``--json``, else ``text`` (or a plain rendering)."""
        if self.as_json:
            if hasattr(data, "model_dump"):
                data = data.model_dump(mode="json")
            click.echo(json.dumps(data, indent=2, default=str))
        elif text is not None:
            click.echo(text)
        else:
            click.echo(str(data))

    def note(self, message: str) -> None:
        """A human note on stderr, unless quiet."""
        if not self.quiet:
            click.echo(message, err=True)

    @staticmethod
    def stdout_is_tty() -> bool:
        return sys.stdout.isatty()


pass_cli = click.make_pass_decorator(CliContext)
