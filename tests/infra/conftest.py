"""The CDK app synthesized once per session (default config) and once with a variant config.

Synthesis runs in-process through ``infra.app.build_app`` with cdk-nag's AwsSolutions
plugin on, so a finding without an acknowledgement fails the fixture. Lambda zips come from
the bundling cache (``build/lambda``), built on first use.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

#: A config that turns on everything the defaults leave off.
VARIANT: dict[str, Any] = {
    "project_id": "acme",
    "stage": "prod",
    "vpc": {"nat_gateways": 1},
    "database": {"stac_api": False, "access_cidrs": ["10.8.0.0/16", "192.168.4.0/24"]},
    "item_gen": {"batch_size": 5, "max_concurrency": 50, "records_in_parallel": 4},
    "item_load": {"max_concurrency": 4},
    "payload": {"expiration_days": 3},
    "alarms": {"email": "ops@example.org"},
}


@dataclass
class Synth:
    outdir: Path
    templates: dict[str, dict[str, Any]]
    vpc: str
    database: str
    ingest: str

    def template(self, stack: str) -> dict[str, Any]:
        return self.templates[stack]

    def resources(self, stack: str, rtype: str) -> dict[str, dict[str, Any]]:
        """``{logical id: resource}`` of one CloudFormation type."""
        return {
            lid: res
            for lid, res in self.templates[stack]["Resources"].items()
            if res["Type"] == rtype
        }

    def one(self, stack: str, rtype: str, prefix: str) -> dict[str, Any]:
        """The single resource of ``rtype`` whose logical id starts with ``prefix``."""
        found = [res for lid, res in self.resources(stack, rtype).items() if lid.startswith(prefix)]
        assert len(found) == 1, f"{len(found)} {rtype} named {prefix}* in {stack}"
        return found[0]["Properties"]  # type: ignore[no-any-return]

    def logical_id(self, stack: str, rtype: str, prefix: str) -> str:
        ids = [lid for lid in self.resources(stack, rtype) if lid.startswith(prefix)]
        assert len(ids) == 1, ids
        return ids[0]


def _synth(config_overrides: dict[str, Any], outdir: Path) -> Synth:
    from infra.app import build_app
    from infra.config import load_config

    config = load_config(None, **config_overrides)
    app, _ = build_app(config, outdir=str(outdir))
    app.synth()
    templates = {
        name: json.loads((outdir / f"{name}.template.json").read_text())
        for name in config.stack_names
    }
    return Synth(
        outdir=outdir,
        templates=templates,
        vpc=config.vpc_stack_name,
        database=config.database_stack_name,
        ingest=config.ingest_stack_name,
    )


@pytest.fixture(scope="session")
def _no_config_env() -> Iterator[None]:
    """The session fixtures must not pick up a developer's config.yml or env overrides."""
    import os

    saved = {k: v for k, v in os.environ.items() if k.startswith("STAC_INGEST_")}
    for key in saved:
        del os.environ[key]
    cwd = os.getcwd()
    with tempfile.TemporaryDirectory(prefix="stac-ingest-cwd-") as tmp:
        os.chdir(tmp)
        try:
            yield
        finally:
            os.chdir(cwd)
            os.environ.update(saved)


@pytest.fixture(scope="session")
def synth(_no_config_env: None, tmp_path_factory: pytest.TempPathFactory) -> Synth:
    """The default configuration, synthesized."""
    return _synth({}, tmp_path_factory.mktemp("cdk-default"))


@pytest.fixture(scope="session")
def variant(_no_config_env: None, tmp_path_factory: pytest.TempPathFactory) -> Synth:
    """:data:`VARIANT`, synthesized."""
    return _synth(VARIANT, tmp_path_factory.mktemp("cdk-variant"))
