"""docs/cli.md matches ``--help``; ``--help`` imports no heavy library."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from stac_ingest.cli.reference import render

DOC = Path(__file__).resolve().parents[2] / "docs" / "cli.md"


def test_cli_reference_is_in_sync() -> None:
    assert DOC.read_text() == render(), (
        "docs/cli.md is out of date: run `python -m stac_ingest.cli.reference > docs/cli.md`"
    )


def test_reference_covers_every_command() -> None:
    text = render()
    for path in ("stac-ingest generate", "stac-ingest load-items", "stac-ingest collections list",
                 "stac-ingest dlq replay", "stac-ingest logs", "stac-ingest status"):  # fmt: skip
        assert f"`{path}`" in text


COMMANDS = [
    [], ["generate"], ["load-items"], ["collections"], ["collections", "upsert"],
    ["collections", "create"], ["collections", "list"], ["logs"], ["dlq"], ["dlq", "count"],
    ["dlq", "peek"], ["dlq", "replay"], ["dlq", "purge"], ["dlq", "export"], ["status"],
]  # fmt: skip

PROBE = """
import sys
from stac_ingest.cli.main import main
for argv in {commands!r}:
    assert main([*argv, "--help"]) == 0, argv
heavy = ("boto3", "botocore", "pypgstac", "psycopg", "tqdm", "pydantic", "orjson")
print("HEAVY=" + ",".join(sorted(m for m in heavy if m in sys.modules)))
"""


def test_help_imports_no_heavy_library() -> None:
    out = subprocess.run(
        [sys.executable, "-c", PROBE.format(commands=COMMANDS)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    assert out[-1] == "HEAVY="
