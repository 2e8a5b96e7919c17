"""``stac-ingest synth|deploy|diff|destroy``.

``synth`` runs for real once: the CDK app is synthesized into a temporary directory with
no AWS credentials and a ``docker`` on PATH that would record any call. The other commands
run a fake CDK CLI (``tests/infra/fakes.py``) on a fake assembly and are checked for the
exact command line they build.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.cli.conftest import Result
from tests.infra.fakes import (
    PIN,
    FakeTools,
    install_tools,
    make_project,
    make_tools,
    write_assembly,
)

Run = Callable[..., Result]


def test_synth_for_real_without_docker_or_credentials(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spy = make_tools(tmp_path, names=("docker",))
    monkeypatch.setenv("PATH", f"{spy.bin}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_CDK_LOG", str(spy.log))
    for var in list(os.environ):
        if var.startswith(("AWS_", "STAC_INGEST_", "CDK_")):
            monkeypatch.delenv(var)
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.chdir(tmp_path)  # no config.yml here: the defaults
    out = tmp_path / "assembly"

    result = run("--json", "synth", "--out", str(out), stack=None)

    assert result.code == 0, result.err
    data = json.loads(result.out)
    assert data["outdir"] == str(out)
    assert [s["name"] for s in data["stacks"]] == [
        "stac-ingest-dev-vpc",
        "stac-ingest-dev-pgstac",
        "stac-ingest-dev",
    ]
    for stack in data["stacks"]:
        assert json.loads(Path(stack["template"]).read_text())["Resources"]
    assert len(data["warnings"]) == 2
    assert all("visibility_timeout_seconds" in w for w in data["warnings"])
    assert spy.calls() == [], "synth must not run docker"
    report = json.loads((out / "validation-report.json").read_text())
    assert [p["conclusion"] for p in report["pluginReports"]] == ["success"]


def test_synth_invalid_config_is_one_line(run: Run, tmp_path: Path) -> None:
    """Validated in-process before Node starts: nothing is synthesized."""
    bad = tmp_path / "c.yml"
    bad.write_text("database:\n  access_cidrs: ['0.0.0.0/0']\n")
    result = run("synth", "--config", str(bad), stack=None)
    assert result.code == 2
    assert result.out == ""
    assert result.error_lines == [
        f"error: invalid config in {bad}: database.access_cidrs: Value error, '0.0.0.0/0' "
        "would open the database to the whole internet "
        "(hint: see config.example.yml; env overrides use STAC_INGEST_<FIELD>)"
    ]
    assert "Traceback" not in result.err


def test_synth_missing_config_file(run: Run, tmp_path: Path) -> None:
    result = run("synth", "--config", str(tmp_path / "nope.yml"), stack=None)
    assert result.code == 2
    assert result.error_lines == [f"error: config file not found: {tmp_path / 'nope.yml'}"]


@pytest.fixture
def tools(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FakeTools:
    fake = install_tools(tmp_path, monkeypatch)
    monkeypatch.chdir(make_project(tmp_path))
    return fake


@pytest.fixture
def assembly(tmp_path: Path) -> str:
    return str(write_assembly(tmp_path / "cdk.out"))


def test_deploy_command_line(run: Run, tools: FakeTools, assembly: str) -> None:
    result = run(
        "--profile", "ops", "--region", "eu-west-1",
        "deploy", "--app", assembly, "--stack", "stac-ingest-dev-pgstac",
        "--stack", "stac-ingest-dev", "--require-approval", "never",
        stack=None,
    )  # fmt: skip
    assert result.code == 0, result.err
    (call,) = tools.calls()
    assert call.program == str(tools.bin / "npx")
    assert call.args == [
        "--yes", f"aws-cdk@{PIN}", "deploy", "--app", assembly, "--profile", "ops",
        "--require-approval", "never", "stac-ingest-dev-pgstac", "stac-ingest-dev",
    ]  # fmt: skip
    assert call.env["AWS_REGION"] == "eu-west-1"
    assert call.env["JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION"] == "20"
    assert "cdk deploy: done (stac-ingest-dev-pgstac, stac-ingest-dev)" in result.out


def test_diff_command_line(run: Run, tools: FakeTools, assembly: str) -> None:
    result = run("diff", "--app", assembly, stack=None)
    assert result.code == 0, result.err
    (call,) = tools.calls()
    assert call.args == ["--yes", f"aws-cdk@{PIN}", "diff", "--app", assembly]


def test_destroy_command_line(run: Run, tools: FakeTools, assembly: str) -> None:
    result = run("destroy", "--app", assembly, "--force", stack=None)
    assert result.code == 0, result.err
    (call,) = tools.calls()
    assert call.args == [
        "--yes",
        f"aws-cdk@{PIN}",
        "destroy",
        "--app",
        assembly,
        "--force",
        "--all",
    ]


def test_unknown_stack(run: Run, tools: FakeTools, assembly: str) -> None:
    result = run("deploy", "--app", assembly, "--stack", "nope", stack=None)
    assert result.code == 2
    assert len(result.error_lines) == 1
    assert result.error_lines[0].startswith("error: unknown stack 'nope'; this assembly has:")
    assert tools.calls() == []


def test_failed_cdk_run(
    run: Run, tools: FakeTools, assembly: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_CDK_EXIT", "1")
    result = run("diff", "--app", assembly, stack=None)
    assert result.code == 4
    assert result.error_lines == ["error: cdk diff failed (exit code 1); see its output above"]


def test_node_missing(
    run: Run, tmp_path: Path, assembly: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(make_project(tmp_path))
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    result = run("deploy", "--app", assembly, stack=None)
    assert result.code == 9
    assert len(result.error_lines) == 1
    assert "Node.js is not installed" in result.error_lines[0]
    assert "Traceback" not in result.err
    verbose = run("-v", "deploy", "--app", assembly, stack=None)
    assert "Traceback" in verbose.err


def test_docker_missing_for_deploy(
    run: Run, tmp_path: Path, assembly: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = make_tools(tmp_path, names=("node", "npx"))
    monkeypatch.setenv("PATH", fake.path)
    monkeypatch.setenv("FAKE_CDK_LOG", str(fake.log))
    monkeypatch.delenv("CDK_DOCKER", raising=False)
    monkeypatch.chdir(make_project(tmp_path))
    result = run("deploy", "--app", assembly, stack=None)
    assert result.code == 9
    assert "needs docker" in result.error_lines[0]
    assert fake.calls() == []


def test_bad_approval_choice(run: Run, tools: FakeTools, assembly: str) -> None:
    result = run("deploy", "--app", assembly, "--require-approval", "sometimes", stack=None)
    assert result.code == 2
    assert "sometimes" in result.err
    assert tools.calls() == []
