"""cdk-nag AwsSolutions: no unacknowledged finding, and a reason for every acknowledgement."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.infra.conftest import Synth


def _report(s: Synth) -> dict[str, Any]:
    return json.loads((s.outdir / "validation-report.json").read_text())  # type: ignore[no-any-return]


@pytest.mark.parametrize("which", ["synth", "variant"])
def test_aws_solutions_pack_passes(which: str, request: pytest.FixtureRequest) -> None:
    s: Synth = request.getfixturevalue(which)
    reports = {r["pluginName"]: r for r in _report(s)["pluginReports"]}
    assert reports["AwsSolutions"]["conclusion"] == "success"
    assert reports["AwsSolutions"]["violations"] == []


@pytest.mark.parametrize("which", ["synth", "variant"])
def test_every_acknowledgement_has_a_reason(which: str, request: pytest.FixtureRequest) -> None:
    s: Synth = request.getfixturevalue(which)
    seen = 0
    for template in s.templates.values():
        for resource in template["Resources"].values():
            rules = resource.get("Metadata", {}).get("cdk_nag", {}).get("rules_to_suppress", [])
            for rule in rules:
                if rule["id"].startswith("AwsSolutions::"):
                    seen += 1
                    assert len(rule.get("reason", "").split()) >= 8, rule
    assert seen > 0, "acknowledgements are written into the templates"


def test_a_finding_without_acknowledgement_fails_synth(tmp_path: Any) -> None:
    """The plugin is live: an unencrypted, non-SSL bucket is refused at synth."""
    import aws_cdk as cdk
    from aws_cdk import aws_s3 as s3
    from cdk_nag import AwsSolutionsChecks

    app = cdk.App(outdir=str(tmp_path))
    stack = cdk.Stack(app, "Probe")
    s3.Bucket(stack, "Careless")
    cdk.Validations.of(app).add_plugins(AwsSolutionsChecks(app))
    with pytest.raises(RuntimeError, match="ValidationFailed"):
        app.synth()
    report = json.loads((tmp_path / "validation-report.json").read_text())
    rules = {v["ruleName"] for p in report["pluginReports"] for v in p["violations"]}
    assert "AwsSolutions-S10" in rules
