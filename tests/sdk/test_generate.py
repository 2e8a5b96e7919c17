"""generate against the moto stack: requests on the gen topic, rejections, resume."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from stac_ingest import Pipeline
from stac_ingest.errors import AwsError, InputError, UsageError
from stac_ingest.models import ItemRequest
from stac_ingest.sdk.aws import make_session
from stac_ingest.sdk.generate import GenerateSpec, _with_quota_warning, parse_options, plan
from stac_ingest.sdk.progress import PublishReport
from stac_ingest.sdk.publish import Entry
from tests.sdk.conftest import STACK, MotoStack

PKG = {"package": "stactools-glad-glclu2020", "group": "gladglclu2020"}


def _inventory(tmp_path: Path, n: int) -> str:
    path = tmp_path / "urls.txt"
    path.write_text("# tiles\n" + "".join(f"https://data.example.com/{i}.tif\n" for i in range(n)))
    return str(path)


def test_generate_publishes_one_request_per_line(moto_stack: MotoStack, tmp_path: Path) -> None:
    spec = GenerateSpec(
        **PKG,
        collection="glad",
        options={"nodata": "0"},
        extra_requirements=["rasterio"],
        inventory=_inventory(tmp_path, 12),
    )
    report = Pipeline.from_stack(STACK).generate(spec)
    assert report.published == 12 and report.ok
    requests = [ItemRequest.model_validate(m) for m in moto_stack.messages("gen")]
    assert sorted(r.create_item_args[0] for r in requests) == sorted(
        f"https://data.example.com/{i}.tif" for i in range(12)
    )
    assert {r.collection_id for r in requests} == {"glad"}
    assert requests[0].create_item_options == {"nodata": "0"}
    assert requests[0].extra_requirements == ["rasterio"]


def test_generate_single_request_from_args(moto_stack: MotoStack) -> None:
    report = Pipeline.from_stack(STACK).generate(GenerateSpec(**PKG, args=["a.tif", "--x"]))
    assert report.published == 1
    (message,) = moto_stack.messages("gen")
    assert message["create_item_args"] == ["a.tif", "--x"]


def test_ndjson_inventory_with_a_bad_line(moto_stack: MotoStack, tmp_path: Path) -> None:
    good = ItemRequest(package_name="stactools-x", group_name="x", create_item_args=["u"])
    path = tmp_path / "reqs.ndjson"
    path.write_text(f"{good.model_dump_json()}\n{{oops\n{good.model_dump_json()}\n")
    report = Pipeline.from_stack(STACK).generate(GenerateSpec(inventory=str(path)))
    assert (report.published, report.rejected) == (2, 1)
    assert report.errors[0].line == 2
    assert len(moto_stack.messages("gen")) == 2


def test_empty_inventory_publishes_nothing(moto_stack: MotoStack, tmp_path: Path) -> None:
    path = tmp_path / "empty.txt"
    path.write_text("# only a comment\n\n")
    with pytest.raises(InputError, match="empty"):
        Pipeline.from_stack(STACK).generate(GenerateSpec(**PKG, inventory=str(path)))
    assert moto_stack.depth(moto_stack.queue("gen")) == 0


def test_missing_inventory(moto_stack: MotoStack, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not found"):
        Pipeline.from_stack(STACK).generate(GenerateSpec(**PKG, inventory=str(tmp_path / "x")))


def test_package_and_group_are_required_for_urls(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="--package"):
        list(plan(GenerateSpec(inventory=_inventory(tmp_path, 1))))
    with pytest.raises(UsageError, match="--inventory"):
        list(plan(GenerateSpec(**PKG)))


def test_plan_is_the_dry_run(tmp_path: Path) -> None:
    entries = list(plan(GenerateSpec(**PKG, inventory=_inventory(tmp_path, 3), skip=1)))
    assert [json.loads(e.body or "")["create_item_args"] for e in entries] == [
        ["https://data.example.com/1.tif"],
        ["https://data.example.com/2.tif"],
    ]


def test_parse_options() -> None:
    assert parse_options(["a=1", "b=x=y"]) == {"a": "1", "b": "x=y"}
    with pytest.raises(UsageError):
        parse_options(["novalue"])


def test_resume_after_an_interruption_loses_no_line(moto_stack: MotoStack, tmp_path: Path) -> None:
    """The first run dies after a few batches; the resumed run publishes the rest."""
    from botocore.awsrequest import AWSResponse, HTTPHeaders

    session = make_session()
    calls = [0]

    def die_after_three(**_: Any) -> Any:
        calls[0] += 1
        if calls[0] > 3:
            return AWSResponse("https://sns.invalid", 403, HTTPHeaders(), None), {
                "Error": {"Code": "AuthorizationError", "Message": "session ended"},
                "ResponseMetadata": {"HTTPStatusCode": 403},
            }
        return None

    session.events.register("before-call.sns.PublishBatch", die_after_three)
    pipeline = Pipeline.from_stack(STACK, session=session)
    pipeline.backend.publish_concurrency = 2
    spec = GenerateSpec(**PKG, inventory=_inventory(tmp_path, 95))
    ckpt = tmp_path / "run.ckpt"
    with pytest.raises(AwsError):
        pipeline.generate(spec, resume=ckpt)
    position = json.loads(ckpt.read_text())["next_index"]
    first = [m["create_item_args"][0] for m in moto_stack.messages("gen")]
    assert 0 < position <= len(first) <= 30

    resumed = Pipeline.from_stack(STACK).generate(spec, resume=ckpt)
    assert resumed.resumed_at == position
    assert resumed.published == 95 - position
    second = [m["create_item_args"][0] for m in moto_stack.messages("gen")]
    expected = {f"https://data.example.com/{i}.tif" for i in range(95)}
    assert set(first) | set(second) == expected
    assert json.loads(ckpt.read_text())["next_index"] == 95
    again = Pipeline.from_stack(STACK).generate(spec, resume=ckpt)
    assert again.published == 0


def test_quota_warning_for_a_large_run_in_a_small_region(moto_stack: MotoStack) -> None:
    pipeline = Pipeline.from_stack(STACK)
    pipeline.backend.region = "ap-south-2"  # type: ignore[attr-defined]  # where the quota is 300/s
    report = PublishReport(stage="gen")
    notes: list[str] = []
    entries = (Entry(index=i, line=i + 1, body="{}") for i in range(400))
    passed = list(
        _with_quota_warning(entries, pipeline.backend, report, lambda u: notes.append(u.note or ""))
    )
    assert len(passed) == 400
    assert len(report.warnings) == 1 and "300/s" in report.warnings[0]
    assert notes and "ap-south-2" in notes[0]


def test_no_quota_warning_in_us_east_1(moto_stack: MotoStack) -> None:
    pipeline = Pipeline.from_stack(STACK)
    report = PublishReport(stage="gen")
    entries = (Entry(index=i, line=i + 1, body="{}") for i in range(400))
    assert len(list(_with_quota_warning(entries, pipeline.backend, report, None))) == 400
    assert report.warnings == []


def test_resume_after_ctrl_c(moto_stack: MotoStack, tmp_path: Path) -> None:
    """Ctrl-C at an arbitrary point (here: in a progress callback) loses no line."""
    spec = GenerateSpec(**PKG, inventory=_inventory(tmp_path, 80))
    ckpt = tmp_path / "run.ckpt"
    seen = [0]

    def interrupt(update: Any) -> None:
        seen[0] += update.advance
        if seen[0] >= 25:
            raise KeyboardInterrupt

    pipeline = Pipeline.from_stack(STACK)
    pipeline.backend.publish_concurrency = 1
    with pytest.raises(KeyboardInterrupt):
        pipeline.generate(spec, resume=ckpt, progress=interrupt)
    first = {m["create_item_args"][0] for m in moto_stack.messages("gen")}
    position = json.loads(ckpt.read_text())["next_index"]
    assert 20 <= position <= len(first) < 80
    Pipeline.from_stack(STACK).generate(spec, resume=ckpt)
    second = {m["create_item_args"][0] for m in moto_stack.messages("gen")}
    assert first | second == {f"https://data.example.com/{i}.tif" for i in range(80)}
