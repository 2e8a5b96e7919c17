"""cdk-nag AwsSolutions acknowledgements, each with the reason it is acceptable here.

cdk-nag 3 runs as a CDK policy-validation plugin: any finding not acknowledged here fails
synth. Acknowledgements are scoped as narrowly as the finding allows (one construct, one
managed policy, one wildcard) and are written into the templates' metadata
(``cdk_nag.rules_to_suppress``) so that the reasons are auditable in the deployed stacks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aws_cdk import Acknowledgment, CfnResource, Stack, Validations
from constructs import IConstruct

if TYPE_CHECKING:
    from infra.config import InfraConfig
    from infra.stacks.database import DatabaseStack
    from infra.stacks.ingest import IngestStack
    from infra.stacks.vpc import VpcStack

_PREFIX = "AwsSolutions::AwsSolutions-"

LAMBDA_MANAGED_POLICIES = {
    "AWSLambdaBasicExecutionRole": "AWS's policy for a function to write its own logs",
    "AWSLambdaVPCAccessExecutionRole": "AWS's policy for a function to attach its VPC ENIs",
}
RUNTIME_REASON = (
    "Python 3.12 is the runtime the zips are bundled for (cp312 binary wheels, see "
    "infra/bundling.py); moving runtimes means rebuilding them, which is a deliberate change"
)


def ack(scope: IConstruct, rule: str, reason: str) -> None:
    """Acknowledge one AwsSolutions finding (``rule`` like ``S1`` or ``IAM5[Action::x]``)."""
    Validations.of(scope).acknowledge(Acknowledgment(id=_PREFIX + rule, reason=reason))


def _managed_policies(function: IConstruct, *, in_vpc: bool) -> None:
    """A function's service role: AWS's logging policy, and the ENI policy when in a VPC."""
    names = ["AWSLambdaBasicExecutionRole"] + (
        ["AWSLambdaVPCAccessExecutionRole"] if in_vpc else []
    )
    for name in names:
        ack(
            function,
            f"IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/{name}]",
            f"{LAMBDA_MANAGED_POLICIES[name]}; it grants nothing beyond that",
        )


def _log_retention_helper(stack: Stack) -> IConstruct:
    """CDK's singleton log-retention function, which eoapi-cdk's ``logRetention`` adds."""
    found = [c for c in stack.node.children if c.node.id.startswith("LogRetention")]
    assert len(found) == 1, [c.node.id for c in found]
    return found[0]


def _ref(construct: IConstruct) -> str:
    """How cdk-nag names a resource's ARN in a finding: ``<LogicalId.Arn>``."""
    child = construct.node.default_child
    assert isinstance(child, CfnResource)
    return f"<{Stack.of(construct).get_logical_id(child)}.Arn>"


def suppress_vpc(stack: VpcStack) -> None:
    endpoint = stack.node.find_child("Vpc").node.find_child("SecretsManagerEndpoint")
    ack(
        endpoint,
        "EC23",
        "the endpoint's security group admits HTTPS from the VPC's own CIDR (a Fn::GetAtt "
        "cdk-nag cannot resolve), not from 0.0.0.0/0",
    )


def suppress_database(stack: DatabaseStack, config: InfraConfig) -> None:
    pgstac = stack.pgstac
    ack(
        pgstac,
        "SMG4",
        "eoapi-cdk's bootstrapper creates the pgstac user from these secrets once; automatic "
        "rotation would desynchronize the user and the admin secret (rotate by redeploying)",
    )
    if not config.database.multi_az:
        ack(
            stack.database,
            "RDS3",
            "single-AZ by default to keep a dev stage cheap; database.multi_az turns it on",
        )
    if not config.database.deletion_protection:
        ack(
            stack.database,
            "RDS10",
            "off by default so `stac-ingest destroy` can remove a stage; the removal policy "
            "keeps a final snapshot and database.deletion_protection turns it on",
        )
    ack(
        stack.database,
        "RDS11",
        "the default port is not the control: the instance is in isolated subnets, not "
        "publicly accessible, and its security group admits only the pipeline and named CIDRs",
    )
    bootstrapper = pgstac.node.find_child("lambda")
    _managed_policies(bootstrapper, in_vpc=True)
    ack(bootstrapper, "L1", RUNTIME_REASON)
    helper = _log_retention_helper(stack)
    _managed_policies(helper, in_vpc=False)
    ack(
        helper,
        "IAM5[Resource::*]",
        "CDK's log-retention helper (used by eoapi-cdk's functions) sets retention on log "
        "groups that do not exist yet, so it cannot name them",
    )
    if stack.stac_api is not None:
        _managed_policies(stack.stac_api.lambda_function, in_vpc=True)
        ack(stack.stac_api.lambda_function, "L1", RUNTIME_REASON)
        ack(
            stack.stac_api,
            "APIG4",
            "the STAC API is a public, read-only catalogue: stac-fastapi-pgstac without the "
            "transaction extension",
        )
        ack(
            stack.stac_api,
            "APIG1",
            "the API's function logs every request in CloudWatch Logs; gateway access logs "
            "would duplicate them",
        )


def suppress_ingest(stack: IngestStack, config: InfraConfig) -> None:
    pipeline = stack.pipeline
    bucket_objects = f"Resource::{_ref(pipeline.payload_bucket)}/*"
    _managed_policies(pipeline.item_gen_function, in_vpc=False)
    _managed_policies(pipeline.item_load_function, in_vpc=True)
    ack(pipeline.item_load_function, "L1", RUNTIME_REASON)
    ack(
        pipeline.payload_bucket,
        "S1",
        f"payloads are transient (expire after {config.payload.expiration_days} days) and "
        "only the two pipeline roles can touch them; access logs would need another bucket",
    )
    put_reason = "grant_put on the payload bucket only: object keys are made per message"
    ack(pipeline.item_gen_function, f"IAM5[{bucket_objects}]", put_reason)
    ack(pipeline.item_gen_function, "IAM5[Action::s3:Abort*]", put_reason)
    read_reason = "grant_read on the payload bucket only: the loader reads the pointed-to objects"
    for finding in (
        bucket_objects,
        "Action::s3:GetObject*",
        "Action::s3:GetBucket*",
        "Action::s3:List*",
    ):
        ack(pipeline.item_load_function, f"IAM5[{finding}]", read_reason)


def suppress(
    vpc: VpcStack, database: DatabaseStack, ingest: IngestStack, *, config: InfraConfig
) -> None:
    suppress_vpc(vpc)
    suppress_database(database, config)
    suppress_ingest(ingest, config)
