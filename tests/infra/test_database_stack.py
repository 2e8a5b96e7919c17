"""Template assertions for the database stack and the network it sits in."""

from __future__ import annotations

import json
from importlib import metadata
from typing import Any

import pytest

from infra.bundling import PROJECT_ROOT
from stac_ingest.outputs import DatabaseOutputs
from tests.infra.conftest import Synth


def _ingress_rules(s: Synth, stack: str) -> list[dict[str, Any]]:
    """Every ingress rule of a stack: standalone ones and those inline in security groups."""
    rules = [r["Properties"] for r in s.resources(stack, "AWS::EC2::SecurityGroupIngress").values()]
    for group in s.resources(stack, "AWS::EC2::SecurityGroup").values():
        rules += group["Properties"].get("SecurityGroupIngress", [])
    return rules


def test_database_is_private_and_encrypted(synth: Synth) -> None:
    db = synth.one(synth.database, "AWS::RDS::DBInstance", "PgstacDatabasedb")
    assert db["PubliclyAccessible"] is False
    assert db["StorageEncrypted"] is True
    assert db["Engine"] == "postgres"
    assert db["DBInstanceClass"] == "db.t3.small"
    group = synth.one(synth.database, "AWS::RDS::DBSubnetGroup", "PgstacDatabasedbSubnetGroup")
    assert all("isolatedSubnet" in s["Fn::ImportValue"] for s in group["SubnetIds"])


def test_nothing_is_open_to_the_internet(synth: Synth, variant: Synth) -> None:
    for s in (synth, variant):
        for stack in (s.database, s.ingest, s.vpc):
            for rule in _ingress_rules(s, stack):
                assert rule.get("CidrIp") != "0.0.0.0/0", (stack, rule)
                assert rule.get("CidrIpv6") != "::/0", (stack, rule)


def test_operator_cidrs_come_from_the_config(synth: Synth, variant: Synth) -> None:
    def cidrs(s: Synth) -> set[str]:
        return {
            r["CidrIp"]
            for r in _ingress_rules(s, s.database)
            if "CidrIp" in r and r.get("FromPort") == 5432
        }

    assert cidrs(synth) == set()
    assert cidrs(variant) == {"10.8.0.0/16", "192.168.4.0/24"}


def test_pgstac_version_is_the_pypgstac_pin(synth: Synth) -> None:
    pin = metadata.version("pypgstac")
    bootstrap = synth.one(
        synth.database, "AWS::CloudFormation::CustomResource", "PgstacDatabasebootstrapper"
    )
    assert bootstrap["pgstac_version"] == pin
    pyproject = (PROJECT_ROOT / "pyproject.toml").read_text()
    assert f'"pypgstac[psycopg]=={pin}"' in pyproject


def test_eoapi_lambdas_use_locally_bundled_zips(synth: Synth) -> None:
    for prefix, handler in (
        ("PgstacDatabaselambda", "handler.handler"),
        ("StacApiruntimelambda", "stac_api.handler.handler"),
    ):
        fn = synth.one(synth.database, "AWS::Lambda::Function", prefix)
        assert fn["Handler"] == handler
        assert fn["Runtime"] == "python3.12"
        assert fn["Code"]["S3Key"].endswith(".zip")
        assert all("privateSubnet" in s["Fn::ImportValue"] for s in fn["VpcConfig"]["SubnetIds"])
    assets = json.loads((synth.outdir / f"{synth.database}.assets.json").read_text())
    assert assets.get("dockerImages", {}) == {}, "no image builds for the database stack"


def test_outputs(synth: Synth, variant: Synth) -> None:
    outputs = synth.template(synth.database)["Outputs"]
    assert {DatabaseOutputs.PGSTAC_SECRET, DatabaseOutputs.STAC_API_URL} <= set(outputs)
    secret = synth.logical_id(
        synth.database, "AWS::SecretsManager::Secret", "PgstacDatabasebootstrappersecret"
    )
    assert outputs[DatabaseOutputs.PGSTAC_SECRET]["Value"] == {"Ref": secret}
    url = json.dumps(outputs[DatabaseOutputs.STAC_API_URL]["Value"])
    assert "execute-api" in url
    assert len(synth.resources(synth.database, "AWS::ApiGatewayV2::Api")) == 1

    off = variant.template(variant.database)["Outputs"]
    assert DatabaseOutputs.PGSTAC_SECRET in off
    assert DatabaseOutputs.STAC_API_URL not in off
    assert variant.resources(variant.database, "AWS::ApiGatewayV2::Api") == {}


def test_vpc_subnets_nat_and_endpoints(synth: Synth, variant: Synth) -> None:
    subnets = synth.resources(synth.vpc, "AWS::EC2::Subnet").values()
    kinds = sorted(
        tag["Value"]
        for subnet in subnets
        for tag in subnet["Properties"]["Tags"]
        if tag["Key"] == "aws-cdk:subnet-type"
    )
    assert kinds == ["Isolated", "Isolated", "Private", "Private", "Public", "Public"]
    assert synth.resources(synth.vpc, "AWS::EC2::NatGateway") == {}
    assert len(variant.resources(variant.vpc, "AWS::EC2::NatGateway")) == 1

    endpoints = {
        r["Properties"]["ServiceName"]["Fn::Join"][1][-1]: r["Properties"]["VpcEndpointType"]
        for r in synth.resources(synth.vpc, "AWS::EC2::VPCEndpoint").values()
    }
    assert endpoints == {".s3": "Gateway", ".secretsmanager": "Interface"}


def test_instance_class_eoapi_cannot_size_is_a_config_error(synth: Synth) -> None:
    from infra.app import build_app
    from infra.config import load_config
    from stac_ingest.errors import ConfigError

    config = load_config(None, database={"instance_type": "x9.huge"})
    with pytest.raises(ConfigError, match=r"database\.instance_type: 'x9\.huge'"):
        build_app(config, checks=False)
