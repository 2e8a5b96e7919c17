"""CLI tests run ``stac-ingest`` in-process against the moto stack of ``tests/sdk/conftest.py``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from stac_ingest.cli.main import main
from tests.sdk.conftest import (  # noqa: F401  (fixtures shared with the SDK tests)
    STACK,
    db_stack,
    make_stack,
    moto_stack,
)


@dataclass
class Result:
    code: int
    out: str
    err: str

    @property
    def error_lines(self) -> list[str]:
        return [line for line in self.err.splitlines() if line.startswith("error:")]


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Callable[..., Result]:
    """``run("dlq", "count")`` runs ``stac-ingest --stack test-ingest dlq count``."""

    def invoke(*args: str, stack: str | None = STACK) -> Result:
        capsys.readouterr()
        argv = (["--stack", stack] if stack else []) + list(args)
        code = main(argv)
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return invoke
