"""``stac-ingest generate`` against the moto stack."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.cli.conftest import Result
from tests.sdk.conftest import MotoStack, throttle_first

PKG = ["-p", "stactools-glad-glclu2020", "-g", "gladglclu2020"]


def _inventory(tmp_path: Path, n: int) -> str:
    path = tmp_path / "urls.txt"
    path.write_text("".join(f"https://data.example.com/{i}.tif\n" for i in range(n)))
    return str(path)


def test_generate_from_inventory(
    run: Callable[..., Result], moto_stack: MotoStack, tmp_path: Path
) -> None:
    result = run("generate", *PKG, "-c", "glad", "-o", "year=2020", "-i", _inventory(tmp_path, 7))
    assert result.code == 0, result.err
    assert result.out.startswith("published 7, failed 0, rejected 0")
    messages = moto_stack.messages("gen")
    assert len(messages) == 7
    assert messages[0]["collection_id"] == "glad"
    assert messages[0]["create_item_options"] == {"year": "2020"}


def test_generate_json_summary(
    run: Callable[..., Result], moto_stack: MotoStack, tmp_path: Path
) -> None:
    result = run("--json", "generate", *PKG, "-i", _inventory(tmp_path, 3), "--limit", "2")
    assert result.code == 0
    report = json.loads(result.out)
    assert report["published"] == 2 and report["failed"] == 0
    assert len(moto_stack.messages("gen")) == 2


def test_dry_run_publishes_nothing(
    run: Callable[..., Result], moto_stack: MotoStack, tmp_path: Path
) -> None:
    result = run("generate", *PKG, "-i", _inventory(tmp_path, 3), "--dry-run", stack=None)
    assert result.code == 0
    lines = [json.loads(line) for line in result.out.splitlines()]
    assert [r["create_item_args"] for r in lines] == [
        [f"https://data.example.com/{i}.tif"] for i in range(3)
    ]
    assert moto_stack.depth(moto_stack.queue("gen")) == 0


def test_missing_inventory(run: Callable[..., Result], moto_stack: MotoStack) -> None:
    result = run("-q", "generate", *PKG, "-i", "/no/such/inventory.txt")
    assert result.code == 3
    assert result.err.strip().splitlines() == [
        "error: inventory file not found: /no/such/inventory.txt"
    ]


def test_missing_inventory_url(run: Callable[..., Result], moto_stack: MotoStack) -> None:
    from stac_ingest.sdk.pgcluster import free_port

    url = f"http://127.0.0.1:{free_port()}/inventory.txt"
    result = run("-q", "generate", *PKG, "-i", url)
    assert result.code == 3 and len(result.err.strip().splitlines()) == 1
    assert result.error_lines[0].startswith(f"error: cannot fetch inventory {url}")


def test_empty_inventory(run: Callable[..., Result], moto_stack: MotoStack, tmp_path: Path) -> None:
    path = tmp_path / "empty.txt"
    path.write_text("\n# nothing\n")
    result = run("-q", "generate", *PKG, "-i", str(path))
    assert result.code == 3 and result.error_lines == [f"error: inventory is empty: {path}"]
    assert moto_stack.depth(moto_stack.queue("gen")) == 0


def test_malformed_ndjson_line(
    run: Callable[..., Result], moto_stack: MotoStack, tmp_path: Path
) -> None:
    path = tmp_path / "reqs.ndjson"
    good = json.dumps({"package_name": "stactools-x", "group_name": "x", "create_item_args": ["a"]})
    path.write_text(f"{good}\n{{bad json\n{good}\n")
    result = run("-q", "generate", "-i", str(path))
    assert result.code == 10
    assert any(line.startswith("line 2: malformed JSON") for line in result.err.splitlines())
    assert len(result.error_lines) == 1 and "1 of 3 records" in result.error_lines[0]
    assert len(moto_stack.messages("gen")) == 2


def test_throttling_storm_completes(
    run: Callable[..., Result],
    moto_stack: MotoStack,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import stac_ingest.sdk.aws as aws

    real = aws.make_session
    counters: list[list[int]] = []

    def storm_session(**kwargs: Any) -> Any:
        session = real(**kwargs)
        counters.append(throttle_first(session, calls=8))
        return session

    monkeypatch.setattr(aws, "make_session", storm_session)
    result = run("generate", *PKG, "-i", _inventory(tmp_path, 40))
    assert result.code == 0, result.err
    assert counters and counters[0][0] == 8
    assert result.out.startswith("published 40, failed 0")
    assert len(moto_stack.messages("gen")) == 40


def test_resume(run: Callable[..., Result], moto_stack: MotoStack, tmp_path: Path) -> None:
    inventory = _inventory(tmp_path, 5)
    ckpt = tmp_path / "run.ckpt"
    assert run("generate", *PKG, "-i", inventory, "--resume", str(ckpt)).code == 0
    assert json.loads(ckpt.read_text())["next_index"] == 5
    again = run("generate", *PKG, "-i", inventory, "--resume", str(ckpt))
    assert again.code == 0 and again.out.startswith("published 0")
    assert len(moto_stack.messages("gen")) == 5
    other = run("-q", "generate", *PKG, "-i", inventory, "-c", "x", "--resume", str(ckpt))
    assert other.code == 2 and "another run" in other.error_lines[0]


KILL_PROBE = "from stac_ingest.cli.main import run; run()"


def test_kill_9_then_resume_loses_no_line(moto_stack: MotoStack, tmp_path: Path) -> None:
    """A real ``kill -9`` mid-run (inventory on stdin); the resumed run publishes the rest."""
    import os
    import signal
    import subprocess
    import sys
    import time

    lines = [f"https://data.example.com/k{i}.tif\n" for i in range(150)]
    ckpt = tmp_path / "run.ckpt"
    argv = [sys.executable, "-c", KILL_PROBE, "--stack", moto_stack.name, "-q", "generate",
            *PKG, "-i", "-", "--resume", str(ckpt)]  # fmt: skip
    proc = subprocess.Popen(argv, stdin=subprocess.PIPE, text=True, env=dict(os.environ))
    assert proc.stdin is not None
    written = 0
    deadline = time.monotonic() + 60
    while written < len(lines) - 20 and time.monotonic() < deadline:
        proc.stdin.write(lines[written])
        proc.stdin.flush()
        written += 1
        if ckpt.exists() and json.loads(ckpt.read_text())["next_index"] >= 20:
            break
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL
    position = json.loads(ckpt.read_text())["next_index"]
    first = [m["create_item_args"][0] for m in moto_stack.messages("gen")]
    assert 20 <= position <= len(first) < len(lines)

    again = [arg for arg in argv if arg != "-q"]
    resumed = subprocess.run(again, input="".join(lines), text=True, capture_output=True)
    assert resumed.returncode == 0, resumed.stderr
    assert f"resumed at record {position}" in resumed.stderr
    assert resumed.stdout.startswith(f"published {len(lines) - position},")
    second = [m["create_item_args"][0] for m in moto_stack.messages("gen")]
    assert set(first) | set(second) == {line.strip() for line in lines}
    assert len(second) == len(lines) - position
