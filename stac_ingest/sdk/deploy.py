"""Synthesize and deploy the CDK app (``infra/``) through the pinned Node CDK CLI.

``synth`` runs the app (``python -m infra.app``) into a cloud assembly (``cdk.out/``); it
needs Node (jsii runs aws-cdk-lib on it) but no AWS credentials and no Docker. ``deploy``,
``diff`` and ``destroy`` synthesize first (or take an existing assembly) and then run the CDK
CLI on that assembly with ``--app <assembly>``, so the config is applied exactly once.

The CDK CLI is the one ``package.json`` pins (``npm ci`` puts it in
``node_modules/.bin/cdk``), else ``npx --yes aws-cdk@<pin>``. Everything here works from a
checkout of the repository (the directory with ``cdk.json``).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from stac_ingest.errors import ConfigError, DeploymentError, ToolMissingError, UsageError

Progress = Callable[[str], None]
Action = Literal["deploy", "diff", "destroy"]
Approval = Literal["never", "any-change", "broadening"]

DEFAULT_OUTDIR = "cdk.out"
#: jsii prints a banner on every start under Node 20; these silence it.
QUIET_JSII_ENV = {
    "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
    "JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION": "1",
}
_NODE_HINT = "install Node.js and npm (e.g. `apt-get install nodejs npm`), then run `npm ci`"


class StackArtifact(BaseModel):
    name: str
    template: str = Field(description="Path of the synthesized CloudFormation template")


class SynthResult(BaseModel):
    """A synthesized cloud assembly."""

    outdir: str
    stacks: list[StackArtifact]
    warnings: list[str] = Field(default_factory=list)


class CdkRun(BaseModel):
    """One run of the CDK CLI."""

    action: str
    command: list[str]
    stacks: list[str]
    exit_code: int


# --- locating things -----------------------------------------------------------------------
def project_dir(start: Path | None = None) -> Path:
    """The checkout to work in: the nearest directory with ``cdk.json`` from ``start``/cwd."""
    here = (start or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        if (candidate / "cdk.json").is_file():
            return candidate
    source = Path(__file__).resolve().parents[2]
    if (source / "cdk.json").is_file():
        return source
    raise UsageError(
        "no cdk.json here or above: run this from a stac-ingest checkout",
        hint="git clone the repository and run `make setup` there",
    )


def cdk_pin(root: Path) -> str:
    """The aws-cdk version ``package.json`` pins."""
    try:
        data = json.loads((root / "package.json").read_text(encoding="utf-8"))
        version = data.get("devDependencies", {}).get("aws-cdk") or data["dependencies"]["aws-cdk"]
    except (OSError, ValueError, KeyError) as exc:
        raise DeploymentError(f"{root / 'package.json'} does not pin aws-cdk") from exc
    return str(version).lstrip("^~=")


def cdk_command_prefix(root: Path, *, path: str | None = None) -> list[str]:
    """How to start the pinned CDK CLI: ``node_modules/.bin/cdk``, else ``npx``."""
    pin = cdk_pin(root)
    node = shutil.which("node", path=path)
    local = root / "node_modules" / ".bin" / "cdk"
    if node is not None and local.is_file() and os.access(local, os.X_OK):
        return [str(local)]
    npx = shutil.which("npx", path=path)
    if node is None or npx is None:
        raise ToolMissingError(
            f"Node.js is not installed; the CDK CLI (aws-cdk {pin}) needs it", hint=_NODE_HINT
        )
    return [npx, "--yes", f"aws-cdk@{pin}"]


def subprocess_env(
    *, region: str | None = None, base: Mapping[str, str] | None = None
) -> dict[str, str]:
    env = dict(os.environ if base is None else base)
    env.update(QUIET_JSII_ENV)
    if region:
        env["AWS_REGION"] = env["AWS_DEFAULT_REGION"] = region
    return env


# --- synth ---------------------------------------------------------------------------------
def load_settings(config_path: str | Path | None) -> list[str]:
    """Validate the config in-process (fast, clear errors); returns its warnings."""
    try:
        from infra.config import load_config
    except ImportError as exc:  # an installed wheel has no infra/
        raise UsageError("the CDK app (infra/) is not importable: use a checkout") from exc
    return load_config(config_path).warnings()


def read_assembly(outdir: Path) -> list[StackArtifact]:
    """The stacks of a cloud assembly, from its ``manifest.json``."""
    manifest_path = outdir / "manifest.json"
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise DeploymentError(f"no cloud assembly at {outdir} (missing manifest.json)") from exc
    if manifest.get("missing"):
        keys = ", ".join(m.get("key", "?") for m in manifest["missing"])
        raise DeploymentError(f"the assembly needs context lookups it cannot do offline: {keys}")
    stacks = []
    for name, artifact in manifest.get("artifacts", {}).items():
        if artifact.get("type") == "aws:cloudformation:stack":
            template = artifact.get("properties", {}).get("templateFile", f"{name}.template.json")
            stacks.append(StackArtifact(name=name, template=str(outdir / template)))
    if not stacks:
        raise DeploymentError(f"the cloud assembly at {outdir} has no stacks")
    return stacks


def synth(
    config_path: str | Path | None = None,
    *,
    outdir: str | Path | None = None,
    root: Path | None = None,
    progress: Progress | None = None,
) -> SynthResult:
    """Synthesize the app into ``outdir`` (default ``<checkout>/cdk.out``)."""
    root = root or project_dir()
    config_file = Path(config_path).resolve() if config_path else None
    if config_file is not None and not config_file.is_file():
        raise ConfigError(f"config file not found: {config_path}")
    warnings = load_settings(config_file)
    if shutil.which("node") is None:
        raise ToolMissingError(
            "Node.js is not installed; aws-cdk-lib runs on it through jsii", hint=_NODE_HINT
        )
    out = Path(outdir).resolve() if outdir else root / DEFAULT_OUTDIR
    env = subprocess_env()
    env["CDK_OUTDIR"] = str(out)
    env["CDK_CONTEXT_JSON"] = json.dumps({"config": str(config_file)} if config_file else {})
    if progress:
        progress(f"synthesizing {root.name} into {out}")
    proc = subprocess.run(
        [sys.executable, "-m", "infra.app"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise _synth_error(proc.returncode, proc.stderr)
    return SynthResult(outdir=str(out), stacks=read_assembly(out), warnings=warnings)


def _synth_error(code: int, stderr: str) -> Exception:
    lines = [line for line in stderr.strip().splitlines() if line.strip()]
    errors = [line.removeprefix("error: ") for line in lines if line.startswith("error: ")]
    if errors and code == ConfigError.exit_code:
        return ConfigError(errors[-1])
    detail = errors[-1] if errors else " | ".join(lines[-3:]) or f"exit code {code}"
    return DeploymentError(f"synth failed: {detail}")


# --- deploy, diff, destroy -----------------------------------------------------------------
def select_stacks(available: Sequence[str], requested: Sequence[str]) -> list[str]:
    """``requested`` checked against the assembly's stacks (all of them when empty)."""
    unknown = [name for name in requested if name not in available]
    if unknown:
        raise UsageError(
            f"unknown stack {unknown[0]!r}; this assembly has: {', '.join(sorted(available))}"
        )
    return list(requested)


def cdk_arguments(
    action: Action,
    assembly: str | Path,
    stacks: Sequence[str],
    *,
    require_approval: Approval | None = None,
    force: bool = False,
    profile: str | None = None,
) -> list[str]:
    """The CDK CLI arguments (after the executable) for one action on an assembly."""
    args: list[str] = [action, "--app", str(assembly)]
    if profile:
        args += ["--profile", profile]
    if action == "deploy" and require_approval:
        args += ["--require-approval", require_approval]
    if action == "destroy" and force:
        args.append("--force")
    if stacks:
        args += list(stacks)
    elif action != "diff":  # `cdk diff` has no --all; with no names it diffs every stack
        args.append("--all")
    return args


def run_cdk(
    action: Action,
    *,
    config_path: str | Path | None = None,
    assembly: str | Path | None = None,
    stacks: Sequence[str] = (),
    require_approval: Approval | None = None,
    force: bool = False,
    profile: str | None = None,
    region: str | None = None,
    root: Path | None = None,
    progress: Progress | None = None,
) -> CdkRun:
    """Synthesize (unless ``assembly`` is given) and run ``cdk <action>`` on the result.

    The CDK CLI inherits the terminal: it prints its own progress and asks for approvals.
    A non-zero exit raises :class:`DeploymentError` (``diff`` exits 0 even with changes).
    """
    root = root or project_dir()
    prefix = cdk_command_prefix(root)
    if assembly is None:
        outdir = synth(config_path, root=root, progress=progress).outdir
    else:
        outdir = str(Path(assembly).resolve())
    available = [stack.name for stack in read_assembly(Path(outdir))]
    selected = select_stacks(available, stacks)
    if action == "deploy" and builds_images(Path(outdir), selected or available):
        _check_container_tool()
    command = prefix + cdk_arguments(
        action,
        outdir,
        selected,
        require_approval=require_approval,
        force=force,
        profile=profile,
    )
    if progress:
        progress(f"running cdk {action} on {', '.join(selected) or 'all stacks'}")
    try:
        code = subprocess.call(command, cwd=root, env=subprocess_env(region=region))
    except OSError as exc:
        raise ToolMissingError(f"cannot start the CDK CLI {command[0]}: {exc}") from exc
    if code != 0:
        raise DeploymentError(f"cdk {action} failed (exit code {code}); see its output above")
    return CdkRun(action=action, command=command, stacks=selected or available, exit_code=code)


def builds_images(outdir: Path, stacks: Sequence[str]) -> bool:
    """Whether deploying ``stacks`` builds a container image (the item-generation one)."""
    for name in stacks:
        try:
            assets = json.loads((outdir / f"{name}.assets.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if assets.get("dockerImages"):
            return True
    return False


def _check_container_tool() -> None:
    """``cdk deploy`` builds the item-generation image; say so before CloudFormation starts."""
    tool = os.environ.get("CDK_DOCKER", "docker")
    if shutil.which(tool) is None:
        raise ToolMissingError(
            f"`cdk deploy` builds the item-generation container image and needs {tool}",
            hint="install Docker (or set CDK_DOCKER to a compatible tool such as finch)",
        )
