"""Pipeline.from_stack / resolve against a stack created in moto through CloudFormation."""

from __future__ import annotations

import os
from collections.abc import Callable

import boto3
import pytest

from stac_ingest import Pipeline
from stac_ingest.errors import CredentialsError, DeploymentError, UsageError
from stac_ingest.outputs import IngestOutputs
from stac_ingest.sdk.aws_backend import AwsBackend
from tests.sdk.conftest import STACK, MotoStack


def test_from_stack_reads_every_output(moto_stack: MotoStack) -> None:
    pipeline = Pipeline.from_stack(STACK)
    backend = pipeline.backend
    assert isinstance(backend, AwsBackend)
    assert backend.queue_url("gen") == moto_stack.outputs[IngestOutputs.ITEM_GEN_QUEUE_URL]
    assert backend.dlq_url("load") == moto_stack.outputs[IngestOutputs.ITEM_LOAD_DLQ_URL]
    assert backend.topic_arn("load") == moto_stack.outputs[IngestOutputs.ITEM_LOAD_TOPIC_ARN]
    assert backend.function_name("gen") == "item-gen-function"
    assert backend.stac_api_url() == "https://stac.example.com"
    assert backend.label == f"aws:{STACK}"


def test_unknown_stack_names_the_stack(moto_endpoint: str) -> None:
    with pytest.raises(DeploymentError, match="'no-such-stack' does not exist"):
        Pipeline.from_stack("no-such-stack")


def test_missing_output_names_stack_and_key(make_stack: Callable[..., MotoStack]) -> None:
    make_stack(drop=(IngestOutputs.ITEM_LOAD_DLQ_URL,))
    with pytest.raises(DeploymentError) as info:
        Pipeline.from_stack(STACK)
    assert STACK in info.value.message
    assert IngestOutputs.ITEM_LOAD_DLQ_URL in info.value.message


def test_missing_db_stack_fails_only_for_database_access(
    make_stack: Callable[..., MotoStack],
) -> None:
    make_stack(with_db_stack=False)
    pipeline = Pipeline.from_stack(STACK)
    assert pipeline.status(with_database=False).stages[0].visible == 0
    with pytest.raises(DeploymentError, match=f"{STACK}-pgstac"):
        pipeline.database_dsn()


def test_db_stack_override_and_dsn_from_secret(make_stack: Callable[..., MotoStack]) -> None:
    make_stack(dsn="postgresql://reader:s3cret@db.example.com:6543/stacdb")
    boto3.client("cloudformation").delete_stack(StackName=f"{STACK}-pgstac")
    with pytest.raises(DeploymentError, match="other-db"):
        Pipeline.from_stack(STACK, db_stack="other-db").database_dsn()
    from tests.sdk.conftest import create_db_stack

    create_db_stack("other-db", "postgresql://reader:s3cret@db.example.com:6543/stacdb")
    pipeline = Pipeline.from_stack(STACK, db_stack="other-db")
    dsn = pipeline.database_dsn()
    assert "db.example.com" in dsn and "6543" in dsn and "stacdb" in dsn and "s3cret" in dsn
    assert "s3cret" not in repr(pipeline) and "s3cret" not in repr(pipeline.backend)


def test_explicit_dsn_wins_over_the_secret(moto_stack: MotoStack) -> None:
    pipeline = Pipeline.from_stack(STACK, dsn="postgresql://x@127.0.0.1:1/db")
    assert pipeline.database_dsn() == "postgresql://x@127.0.0.1:1/db"


def test_resolve_needs_a_stack(moto_endpoint: str) -> None:
    with pytest.raises(UsageError) as info:
        Pipeline.resolve(stack=None)
    assert "STAC_INGEST_STACK" in (info.value.hint or "")


def test_resolve_stack(moto_stack: MotoStack) -> None:
    pipeline = Pipeline.resolve(stack=STACK, region="us-east-1")
    assert pipeline.backend.label == f"aws:{STACK}"


def test_no_credentials(moto_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(var)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    for var in ("AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"):
        monkeypatch.delenv(var, raising=False)
    assert os.environ["AWS_CONFIG_FILE"] == os.devnull
    with pytest.raises(CredentialsError) as info:
        Pipeline.from_stack(STACK)
    assert "aws sso login" in (info.value.hint or "")
