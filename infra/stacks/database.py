"""The pgstac database stack: eoapi-cdk's ``PgStacDatabase`` and its STAC API.

The RDS instance sits in the isolated subnets and is never publicly accessible. PostgreSQL
is reachable from the pipeline's security groups (added by the ingest stack) and from the
CIDRs an operator names in ``database.access_cidrs`` (over a VPN or peering). eoapi-cdk's
Lambda code is supplied as zips bundled locally (``infra.bundling``), so synth needs no
Docker; the pgstac version comes from the one pin, pypgstac in ``pyproject.toml``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aws_cdk import CfnOutput, Duration, RemovalPolicy, Stack
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_rds as rds
from constructs import Construct
from eoapi_cdk import PgStacApiLambda, PgStacDatabase

from infra import eoapi_assets
from infra.bundling import pgstac_version
from infra.config import InfraConfig
from stac_ingest.errors import ConfigError
from stac_ingest.outputs import DatabaseOutputs

POSTGRES_PORT = 5432
_REMOVAL = {
    "snapshot": RemovalPolicy.SNAPSHOT,
    "retain": RemovalPolicy.RETAIN,
    "destroy": RemovalPolicy.DESTROY,
}


class DatabaseStack(Stack):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: InfraConfig,
        vpc: ec2.IVpc,
        bootstrap_zip: Path,
        stac_api_zip: Path | None,
        **kwargs: Any,
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        cfg = config.database
        if cfg.instance_type not in eoapi_assets.instance_memory_mib():
            raise ConfigError(
                f"invalid config: database.instance_type: {cfg.instance_type!r} is not an "
                "instance class eoapi-cdk can size the database parameters for"
            )
        private = ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS)
        self.pgstac_version = pgstac_version()
        self.pgstac = PgStacDatabase(
            self,
            "PgstacDatabase",
            vpc=vpc,
            engine=rds.DatabaseInstanceEngine.postgres(
                version=rds.PostgresEngineVersion.of(cfg.postgres_version, cfg.postgres_major)
            ),
            instance_type=ec2.InstanceType(cfg.instance_type),
            vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED),
            publicly_accessible=False,
            storage_encrypted=True,
            allocated_storage=cfg.allocated_storage_gib,
            multi_az=cfg.multi_az,
            backup_retention=Duration.days(cfg.backup_retention_days),
            deletion_protection=cfg.deletion_protection,
            removal_policy=_REMOVAL[cfg.removal_policy],
            add_pgbouncer=False,
            pgstac_version=self.pgstac_version,
            # With our own code eoapi-cdk does not pass the version on; its handler reads it.
            custom_resource_properties={"pgstac_version": self.pgstac_version},
            bootstrapper_lambda_function_options={
                "code": lambda_.Code.from_asset(str(bootstrap_zip)),
                "vpcSubnets": private,
            },
        )
        self.database = self.pgstac.db
        self.pgstac_secret = self.pgstac.pgstac_secret
        for cidr in cfg.access_cidrs:
            self.database.connections.allow_from(
                ec2.Peer.ipv4(cidr),
                ec2.Port.tcp(POSTGRES_PORT),
                f"operator access from {cidr} (database.access_cidrs)",
            )
        CfnOutput(
            self,
            DatabaseOutputs.PGSTAC_SECRET,
            value=self.pgstac_secret.secret_arn,
            description="Secrets Manager ARN of the pgstac user's connection details",
        )

        self.stac_api: PgStacApiLambda | None = None
        if cfg.stac_api:
            if stac_api_zip is None:
                raise ConfigError("database.stac_api is on but no STAC API bundle was built")
            self.stac_api = PgStacApiLambda(
                self,
                "StacApi",
                vpc=vpc,
                subnet_selection=private,
                db=self.database,
                db_secret=self.pgstac_secret,
                lambda_function_options={"code": lambda_.Code.from_asset(str(stac_api_zip))},
            )
            CfnOutput(
                self,
                DatabaseOutputs.STAC_API_URL,
                value=self.stac_api.url or "",
                description="URL of the STAC API (stac-fastapi-pgstac) over the database",
            )
