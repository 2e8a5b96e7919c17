"""The CDK app that deploys stac-ingest: a VPC, a pgstac database and the ingestion pipeline.

``infra.app`` is the entry point (``cdk.json`` runs it); ``infra.config`` is the settings
model read from ``config.yml``; ``infra.stacks`` and ``infra.constructs`` hold the stacks and
the reusable pieces; ``infra.bundling`` builds the Lambda zips locally with uv.
"""
