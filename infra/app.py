"""The CDK app: ``python -m infra.app`` (``cdk.json`` runs this).

The config file comes from the CDK context key ``config`` (``cdk synth -c config=FILE``),
else ``$STAC_INGEST_CONFIG``, else ``./config.yml`` when present; environment variables
override it (see ``infra.config``). Stacks are environment-agnostic: the account and region
come from the credentials ``cdk deploy`` runs with, so synth needs none. cdk-nag's
AwsSolutions pack checks every stack; its findings are errors unless suppressed with a reason
(``infra.nag``).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

import aws_cdk as cdk
from cdk_nag import AwsSolutionsChecks

from infra import bundling, nag
from infra.config import InfraConfig, load_config
from infra.constructs.pipeline import LambdaCode
from infra.stacks.database import DatabaseStack
from infra.stacks.ingest import IngestStack
from infra.stacks.vpc import VpcStack
from stac_ingest.errors import StacIngestError


@dataclass
class Stacks:
    vpc: VpcStack
    database: DatabaseStack
    ingest: IngestStack


def build_app(
    config: InfraConfig, *, outdir: str | None = None, checks: bool = True
) -> tuple[cdk.App, Stacks]:
    """The app with its three stacks; Lambda zips are bundled (or reused from the cache)."""
    app = cdk.App(outdir=outdir)
    vpc_stack = VpcStack(
        app,
        config.vpc_stack_name,
        config=config,
        description=f"stac-ingest network ({config.stage})",
    )
    db_stack = DatabaseStack(
        app,
        config.database_stack_name,
        config=config,
        vpc=vpc_stack.vpc,
        bootstrap_zip=bundling.pgstac_bootstrap_zip(),
        stac_api_zip=bundling.stac_api_zip() if config.database.stac_api else None,
        description=f"stac-ingest pgstac database ({config.stage})",
    )
    ingest_stack = IngestStack(
        app,
        config.ingest_stack_name,
        config=config,
        code=LambdaCode(project_root=bundling.PROJECT_ROOT, item_load_zip=bundling.item_load_zip()),
        vpc=vpc_stack.vpc,
        database=db_stack.database,
        pgstac_secret=db_stack.pgstac_secret,
        description=f"stac-ingest pipeline ({config.stage})",
    )
    for message in config.warnings():
        cdk.Annotations.of(ingest_stack).add_warning_v2("stac-ingest:visibility", message)
    for key, value in {"project": config.project_id, "stage": config.stage, **config.tags}.items():
        cdk.Tags.of(app).add(key, value)
    stacks = Stacks(vpc=vpc_stack, database=db_stack, ingest=ingest_stack)
    nag.suppress(vpc_stack, db_stack, ingest_stack, config=config)
    if checks:
        cdk.Validations.of(app).add_plugins(
            AwsSolutionsChecks(app, verbose=True, write_suppressions_to_cloud_formation=True)
        )
    return app, stacks


def main() -> int:
    try:
        probe = cdk.App()
        path = probe.node.try_get_context("config")
        config = load_config(path)
        for message in config.warnings():
            print(f"warning: {message}", file=sys.stderr)
        app, _ = build_app(config)
        app.synth()
    except StacIngestError as exc:
        line = f"error: {exc.message}"
        if exc.hint:
            line += f" (hint: {exc.hint})"
        print(line, file=sys.stderr)
        return exc.exit_code
    return 0


if __name__ == "__main__":
    sys.exit(main())
