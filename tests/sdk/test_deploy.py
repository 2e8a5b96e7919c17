"""``stac_ingest.sdk.deploy``: the CDK CLI it finds and the exact commands it runs.

The CDK CLI, Node and Docker are fake scripts on a private PATH (``tests/infra/fakes.py``)
that record their arguments; the real synth is exercised by ``tests/cli/test_infra.py``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from infra.bundling import PROJECT_ROOT
from stac_ingest.errors import ConfigError, DeploymentError, ToolMissingError, UsageError
from stac_ingest.sdk import deploy
from tests.infra.fakes import (
    PIN,
    STACKS,
    FakeTools,
    install_tools,
    make_project,
    make_tools,
    write_assembly,
)


@pytest.fixture
def tools(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeTools:
    fake = install_tools(tmp_path, monkeypatch)
    return fake


@pytest.fixture
def assembly(tmp_path: Path) -> Path:
    return write_assembly(tmp_path / "cdk.out")


def test_cdk_pin_comes_from_package_json() -> None:
    assert deploy.cdk_pin(PROJECT_ROOT) == PIN


def test_prefers_the_locally_installed_cli(tmp_path: Path, tools: FakeTools) -> None:
    root = make_project(tmp_path, local_cdk=True)
    assert deploy.cdk_command_prefix(root) == [str(root / "node_modules/.bin/cdk")]


def test_falls_back_to_npx_at_the_pin(tmp_path: Path, tools: FakeTools) -> None:
    root = make_project(tmp_path)
    assert deploy.cdk_command_prefix(root) == [str(tools.bin / "npx"), "--yes", f"aws-cdk@{PIN}"]


def test_node_missing_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_project(tmp_path, local_cdk=True)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(ToolMissingError, match=r"Node\.js is not installed") as info:
        deploy.cdk_command_prefix(root)
    assert info.value.hint is not None and "npm ci" in info.value.hint


@pytest.mark.parametrize(
    ("action", "stacks", "options", "expected"),
    [
        ("deploy", [], {}, ["deploy", "--app", "A", "--all"]),
        (
            "deploy",
            ["s1", "s2"],
            {"require_approval": "never", "profile": "p"},
            ["deploy", "--app", "A", "--profile", "p", "--require-approval", "never", "s1", "s2"],
        ),
        ("diff", [], {}, ["diff", "--app", "A"]),
        ("diff", ["s1"], {"require_approval": "never"}, ["diff", "--app", "A", "s1"]),
        ("destroy", [], {}, ["destroy", "--app", "A", "--all"]),
        ("destroy", ["s1"], {"force": True}, ["destroy", "--app", "A", "--force", "s1"]),
    ],
)
def test_cdk_arguments(
    action: deploy.Action, stacks: list[str], options: dict[str, object], expected: list[str]
) -> None:
    assert deploy.cdk_arguments(action, "A", stacks, **options) == expected  # type: ignore[arg-type]


def test_deploy_runs_the_exact_command(tmp_path: Path, tools: FakeTools, assembly: Path) -> None:
    root = make_project(tmp_path)
    result = deploy.run_cdk(
        "deploy",
        assembly=assembly,
        stacks=["stac-ingest-dev-pgstac"],
        require_approval="never",
        region="eu-west-1",
        root=root,
    )
    expected = [
        *["--yes", f"aws-cdk@{PIN}", "deploy", "--app", str(assembly)],
        *["--require-approval", "never", "stac-ingest-dev-pgstac"],
    ]
    (call,) = tools.calls()
    assert call.program == str(tools.bin / "npx")
    assert call.args == expected
    assert call.env == {
        "AWS_REGION": "eu-west-1",
        "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
    }
    assert result.command == [call.program, *expected]
    assert result.stacks == ["stac-ingest-dev-pgstac"]


def test_deploy_all_stacks_with_the_local_cli(
    tmp_path: Path, tools: FakeTools, assembly: Path
) -> None:
    root = make_project(tmp_path, local_cdk=True)
    result = deploy.run_cdk("deploy", assembly=assembly, profile="ops", root=root)
    (call,) = tools.calls()
    assert call.program == str(root / "node_modules/.bin/cdk")
    assert call.args == ["deploy", "--app", str(assembly), "--profile", "ops", "--all"]
    assert result.stacks == STACKS


def test_deploy_needs_docker_only_for_the_image_stack(
    tmp_path: Path, assembly: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = make_tools(tmp_path, names=("node", "npx"))
    monkeypatch.setenv("PATH", fake.path)
    monkeypatch.setenv("FAKE_CDK_LOG", str(fake.log))
    monkeypatch.delenv("CDK_DOCKER", raising=False)
    root = make_project(tmp_path)
    with pytest.raises(ToolMissingError, match="needs docker"):
        deploy.run_cdk("deploy", assembly=assembly, root=root)
    assert fake.calls() == []
    deploy.run_cdk("deploy", assembly=assembly, stacks=["stac-ingest-dev-pgstac"], root=root)
    deploy.run_cdk("diff", assembly=assembly, root=root)
    assert [c.args[2] for c in fake.calls()] == ["deploy", "diff"]


def test_a_failing_cdk_run_is_an_error(
    tmp_path: Path, tools: FakeTools, assembly: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_CDK_EXIT", "3")
    with pytest.raises(DeploymentError, match=r"cdk destroy failed \(exit code 3\)"):
        deploy.run_cdk("destroy", assembly=assembly, force=True, root=make_project(tmp_path))


def test_unknown_stack_is_refused_before_running(
    tmp_path: Path, tools: FakeTools, assembly: Path
) -> None:
    with pytest.raises(
        UsageError, match="unknown stack 'nope'; this assembly has: stac-ingest-dev"
    ):
        deploy.run_cdk("deploy", assembly=assembly, stacks=["nope"], root=make_project(tmp_path))
    assert tools.calls() == []


def test_assembly_problems(tmp_path: Path) -> None:
    with pytest.raises(DeploymentError, match="no cloud assembly"):
        deploy.read_assembly(tmp_path / "absent")
    lookups = write_assembly(tmp_path / "lookups", missing=[{"key": "availability-zones:1"}])
    with pytest.raises(DeploymentError, match=r"context lookups.*availability-zones:1"):
        deploy.read_assembly(lookups)
    empty = write_assembly(tmp_path / "empty", stacks=[])
    with pytest.raises(DeploymentError, match="has no stacks"):
        deploy.read_assembly(empty)
    stacks = deploy.read_assembly(write_assembly(tmp_path / "ok"))
    assert [s.name for s in stacks] == STACKS
    assert all(Path(s.template).is_file() for s in stacks)


def test_builds_images(tmp_path: Path) -> None:
    outdir = write_assembly(tmp_path / "a")
    assert deploy.builds_images(outdir, STACKS) is True
    assert deploy.builds_images(outdir, ["stac-ingest-dev-vpc", "stac-ingest-dev-pgstac"]) is False


def test_synth_validates_the_config_before_starting_node(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    bad = tmp_path / "bad.yml"
    bad.write_text("item_load:\n  max_concurrency: 0\n")
    with pytest.raises(ConfigError, match=r"item_load\.max_concurrency"):
        deploy.synth(bad, root=PROJECT_ROOT, outdir=tmp_path / "out")
    with pytest.raises(ConfigError, match="config file not found"):
        deploy.synth(tmp_path / "absent.yml", root=PROJECT_ROOT, outdir=tmp_path / "out")
    with pytest.raises(ToolMissingError, match=r"Node\.js is not installed"):
        deploy.synth(None, root=PROJECT_ROOT, outdir=tmp_path / "out")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("code", "stderr", "kind", "message"),
    [
        (2, "warning: x\nerror: invalid config: stage: bad\n", ConfigError, "invalid config"),
        (9, "error: uv is needed\n", DeploymentError, "synth failed: uv is needed"),
        (1, "Traceback\n  ...\nRuntimeError: boom\n", DeploymentError, "RuntimeError: boom"),
    ],
)
def test_synth_errors_are_one_line(code: int, stderr: str, kind: type, message: str) -> None:
    err = deploy._synth_error(code, stderr)
    assert isinstance(err, kind)
    assert message in str(err)
    assert "\n" not in str(err)


def test_project_dir_is_found_from_a_subdirectory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_project(tmp_path)
    (root / "docs" / "deep").mkdir(parents=True)
    monkeypatch.chdir(root / "docs" / "deep")
    assert deploy.project_dir() == root.resolve()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert deploy.project_dir() == PROJECT_ROOT
