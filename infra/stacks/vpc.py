"""The network stack: public, private-with-egress and isolated subnets, and endpoints.

With the default of no NAT gateway the private subnets have no route to the internet; the
functions in them (item load, the pgstac bootstrapper, the STAC API) reach Secrets Manager
through an interface endpoint and S3 through a gateway endpoint. Item generation needs
the internet (it installs stactools packages), so it runs outside the VPC.
"""

from __future__ import annotations

from typing import Any

from aws_cdk import Stack
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_logs as logs
from constructs import Construct

from infra.config import InfraConfig


class VpcStack(Stack):
    def __init__(
        self, scope: Construct, construct_id: str, *, config: InfraConfig, **kwargs: Any
    ) -> None:
        super().__init__(scope, construct_id, **kwargs)
        self.vpc = ec2.Vpc(
            self,
            "Vpc",
            ip_addresses=ec2.IpAddresses.cidr(config.vpc.cidr),
            max_azs=config.vpc.max_azs,
            nat_gateways=config.vpc.nat_gateways,
            subnet_configuration=[
                ec2.SubnetConfiguration(
                    name="public", subnet_type=ec2.SubnetType.PUBLIC, cidr_mask=24
                ),
                ec2.SubnetConfiguration(
                    name="private", subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS, cidr_mask=22
                ),
                ec2.SubnetConfiguration(
                    name="isolated", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED, cidr_mask=24
                ),
            ],
        )
        private = ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS)
        self.vpc.add_gateway_endpoint(
            "S3Endpoint",
            service=ec2.GatewayVpcEndpointAwsService.S3,
            subnets=[
                private,
                ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_ISOLATED),
            ],
        )
        self.vpc.add_interface_endpoint(
            "SecretsManagerEndpoint",
            service=ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
            subnets=private,
            private_dns_enabled=True,
        )
        if config.vpc.flow_logs:
            self.vpc.add_flow_log(
                "FlowLogs",
                destination=ec2.FlowLogDestination.to_cloud_watch_logs(
                    logs.LogGroup(self, "FlowLogGroup", retention=logs.RetentionDays.ONE_WEEK)
                ),
                traffic_type=ec2.FlowLogTrafficType.REJECT,
            )
