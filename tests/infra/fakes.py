"""Stand-ins for the Node CDK CLI and Docker, and a small cloud assembly, for command tests.

The fake tools are shell scripts on a private ``PATH`` that record how they were called
(``$FAKE_CDK_LOG``) and exit with ``$FAKE_CDK_EXIT``; nothing reaches AWS.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from infra.bundling import PROJECT_ROOT

PIN = "2.1149.0"
STACKS = ["stac-ingest-dev-vpc", "stac-ingest-dev-pgstac", "stac-ingest-dev"]
IMAGE_STACK = "stac-ingest-dev"

_SCRIPT = """#!/bin/sh
{ printf '%s\\n' "---" "$0" "env:AWS_REGION=$AWS_REGION" \
"env:JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=$JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION"
  printf '%s\\n' "$@"; } >> "$FAKE_CDK_LOG"
exit "${FAKE_CDK_EXIT:-0}"
"""


@dataclass
class Call:
    program: str
    args: list[str]
    env: dict[str, str]


@dataclass
class FakeTools:
    bin: Path
    log: Path

    @property
    def path(self) -> str:
        """A PATH with only the fake tools."""
        return str(self.bin)

    def calls(self) -> list[Call]:
        if not self.log.exists():
            return []
        calls = []
        for chunk in self.log.read_text().split("---\n")[1:]:
            lines = chunk.rstrip("\n").split("\n")
            env = dict(line[4:].split("=", 1) for line in lines[1:3])
            calls.append(Call(program=lines[0], args=lines[3:], env=env))
        return calls


def write_tool(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(_SCRIPT)
    path.chmod(0o755)
    return path


def make_tools(tmp: Path, names: tuple[str, ...] = ("node", "npx", "docker")) -> FakeTools:
    bin_dir = tmp / "fakebin"
    bin_dir.mkdir(parents=True, exist_ok=True)
    for name in names:
        write_tool(bin_dir / name)
    return FakeTools(bin=bin_dir, log=tmp / "fake-cdk.log")


def install_tools(tmp: Path, monkeypatch: Any) -> FakeTools:
    """Fake node/npx/docker first on PATH, logging to a file; no leftover fake settings."""
    fake = make_tools(tmp)
    monkeypatch.setenv("PATH", fake.path)
    monkeypatch.setenv("FAKE_CDK_LOG", str(fake.log))
    monkeypatch.delenv("FAKE_CDK_EXIT", raising=False)
    monkeypatch.delenv("CDK_DOCKER", raising=False)
    return fake


def make_project(tmp: Path, *, local_cdk: bool = False) -> Path:
    """A checkout-like directory: ``cdk.json``, the real ``package.json``, maybe a local CLI."""
    root = tmp / "project"
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(PROJECT_ROOT / "cdk.json", root / "cdk.json")
    shutil.copy(PROJECT_ROOT / "package.json", root / "package.json")
    if local_cdk:
        write_tool(root / "node_modules" / ".bin" / "cdk")
    return root


def write_assembly(
    directory: Path,
    stacks: list[str] = STACKS,
    *,
    image_stack: str | None = IMAGE_STACK,
    missing: list[dict[str, str]] | None = None,
) -> Path:
    """The parts of a cloud assembly ``stac_ingest.sdk.deploy`` reads."""
    directory.mkdir(parents=True, exist_ok=True)
    artifacts = {}
    for name in stacks:
        artifacts[name] = {
            "type": "aws:cloudformation:stack",
            "properties": {"templateFile": f"{name}.template.json"},
        }
        (directory / f"{name}.template.json").write_text('{"Resources": {}}')
        images = {"abc": {"source": {"directory": "asset.abc"}}} if name == image_stack else {}
        assets = {"version": "55.0.0", "files": {}, "dockerImages": images}
        (directory / f"{name}.assets.json").write_text(json.dumps(assets))
    manifest: dict[str, object] = {"version": "55.0.0", "artifacts": artifacts}
    if missing:
        manifest["missing"] = missing
    (directory / "manifest.json").write_text(json.dumps(manifest))
    return directory
