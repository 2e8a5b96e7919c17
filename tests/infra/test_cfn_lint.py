"""cfn-lint on every synthesized template.

W3005 (an explicit DependsOn next to a GetAtt of the same resource) is ignored: CDK adds
both for every Lambda and its role on purpose, and the duplicate is harmless.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.infra.conftest import Synth

IGNORED = ["W3005"]


@pytest.mark.parametrize("which", ["synth", "variant"])
def test_templates_are_cfn_lint_clean(which: str, request: pytest.FixtureRequest) -> None:
    s: Synth = request.getfixturevalue(which)
    templates = sorted(str(s.outdir / f"{name}.template.json") for name in s.templates)
    assert len(templates) == 3
    proc = subprocess.run(
        [
            str(Path(sys.executable).parent / "cfn-lint"),
            "--ignore-checks",
            *IGNORED,
            "--",
            *templates,
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
