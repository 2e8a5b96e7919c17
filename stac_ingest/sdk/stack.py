"""Reading a deployment's CloudFormation outputs, by the keys in :mod:`stac_ingest.outputs`."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from stac_ingest.errors import DeploymentError
from stac_ingest.outputs import REQUIRED_INGEST_OUTPUT_KEYS, DatabaseOutputs


class StackOutputs(BaseModel):
    """The outputs of one stack, as read once."""

    stack_name: str
    outputs: dict[str, str]

    def require(self, key: str) -> str:
        value = self.outputs.get(key)
        if not value:
            raise DeploymentError(
                f"stack {self.stack_name!r} has no output {key!r}",
                hint="deploy a matching version of the stack (`stac-ingest deploy`)",
            )
        return value

    def get(self, key: str) -> str | None:
        return self.outputs.get(key) or None


def read_stack_outputs(cloudformation: Any, stack_name: str) -> StackOutputs:
    """The outputs of ``stack_name``; a missing stack is a :class:`DeploymentError`."""
    import botocore.exceptions

    from stac_ingest.sdk.aws import as_stac_ingest_error

    try:
        stacks = cloudformation.describe_stacks(StackName=stack_name)["Stacks"]
    except botocore.exceptions.ClientError as exc:
        err = exc.response.get("Error", {})
        if err.get("Code") == "ValidationError" and "does not exist" in err.get("Message", ""):
            region = cloudformation.meta.region_name
            raise DeploymentError(
                f"stack {stack_name!r} does not exist in {region}",
                hint="check --stack, --region and --profile",
            ) from exc
        raise as_stac_ingest_error(exc) from exc
    except Exception as exc:
        raise as_stac_ingest_error(exc) from exc
    if not stacks:
        raise DeploymentError(f"stack {stack_name!r} does not exist")
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stacks[0].get("Outputs", [])}
    return StackOutputs(stack_name=stack_name, outputs=outputs)


def check_ingest_outputs(outputs: StackOutputs) -> None:
    """Every required ingest key is present, or a DeploymentError names the first missing."""
    for key in sorted(REQUIRED_INGEST_OUTPUT_KEYS):
        outputs.require(key)


def database_secret_arn(db: StackOutputs) -> str:
    return db.require(DatabaseOutputs.PGSTAC_SECRET)
