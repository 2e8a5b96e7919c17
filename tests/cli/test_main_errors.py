"""The CLI's error contract: one line on stderr, a non-zero exit, a traceback only with -v."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.cli.conftest import Result
from tests.sdk.conftest import MotoStack


def test_unknown_stack(run: Callable[..., Result], moto_endpoint: str) -> None:
    result = run("status", stack="missing-stack")
    assert result.code == 4
    assert result.err.strip().splitlines() == [
        "error: stack 'missing-stack' does not exist in us-east-1 "
        "(hint: check --stack, --region and --profile)"
    ]
    assert "Traceback" not in result.err


def test_traceback_only_with_verbose(run: Callable[..., Result], moto_endpoint: str) -> None:
    result = run("-v", "status", stack="missing-stack")
    assert result.code == 4
    assert "Traceback" in result.err and len(result.error_lines) == 1


def test_missing_output_key(
    run: Callable[..., Result], make_stack: Callable[..., MotoStack]
) -> None:
    make_stack(drop=("ItemGenFunctionName",))
    result = run("dlq", "count")
    assert result.code == 4
    assert len(result.error_lines) == 1 and "ItemGenFunctionName" in result.error_lines[0]


def test_no_stack_given(
    run: Callable[..., Result], monkeypatch: pytest.MonkeyPatch, moto_endpoint: str
) -> None:
    monkeypatch.delenv("STAC_INGEST_STACK", raising=False)
    result = run("dlq", "count", stack=None)
    assert result.code == 2
    assert "STAC_INGEST_STACK" in result.err and len(result.err.strip().splitlines()) == 1


def test_stack_from_environment(
    run: Callable[..., Result], monkeypatch: pytest.MonkeyPatch, moto_stack: MotoStack
) -> None:
    monkeypatch.setenv("STAC_INGEST_STACK", moto_stack.name)
    result = run("dlq", "count", stack=None)
    assert result.code == 0 and "gen: 0" in result.out


def test_no_credentials(
    run: Callable[..., Result], monkeypatch: pytest.MonkeyPatch, moto_endpoint: str
) -> None:
    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
                "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"):  # fmt: skip
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    result = run("status")
    assert result.code == 6
    assert result.err.strip().splitlines() == [
        "error: no AWS credentials found "
        "(hint: configure credentials, pass --profile, or run `aws sso login`)"
    ]


def test_expired_sso_session_hint(
    run: Callable[..., Result],
    monkeypatch: pytest.MonkeyPatch,
    moto_endpoint: str,
    tmp_path: Path,
) -> None:
    config = tmp_path / "config"
    config.write_text(
        "[profile expired]\nsso_session = corp\nsso_account_id = 123456789012\n"
        "sso_role_name = Admin\nregion = us-east-1\n\n[sso-session corp]\n"
        "sso_start_url = https://corp.awsapps.com/start\nsso_region = us-east-1\n"
    )
    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(var)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("HOME", str(tmp_path))
    assert os.environ["AWS_CONFIG_FILE"] == str(config)
    result = run("--profile", "expired", "status")
    assert result.code == 6
    assert len(result.error_lines) == 1 and "aws sso login" in result.error_lines[0]
