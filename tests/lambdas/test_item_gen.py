"""The item-gen Lambda: real stactools packages through uvx, items onto the load topic in moto."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import boto3
import pytest

from stac_ingest.lambdas import item_gen
from tests.conftest import FakeLambdaContext, sns_envelope, sqs_event
from tests.geotiffs import GLAD_EXTRAS, GLAD_GROUP, GLAD_PACKAGE, href_format
from tests.lambdas.conftest import failed_ids, received


def plugin_request(requirement: str, source: str, options: dict[str, str]) -> dict[str, Any]:
    """An ItemRequest for the local test plugin (``--pad``, ``--fail``, ``--sleep``...)."""
    return {
        "package_name": requirement,
        "group_name": "testpkg",
        "create_item_args": [source],
        "create_item_options": options,
    }


def glad_request(root: Path, name: str, **extra: Any) -> dict[str, Any]:
    return {
        "package_name": GLAD_PACKAGE,
        "group_name": GLAD_GROUP,
        "create_item_args": [str(root / "v2" / "2020" / f"{name}.tif")],
        "create_item_options": {"href-format": href_format(root)},
        "extra_requirements": GLAD_EXTRAS,
        **extra,
    }


def test_real_glad_package_items_reach_the_load_queue(glad_tiles: Path, load_queue: str) -> None:
    event = sqs_event(
        sns_envelope(glad_request(glad_tiles, "50N_090W")),
        sns_envelope(glad_request(glad_tiles, "50N_100W", collection_id="my-glad")),
        json.dumps(glad_request(glad_tiles, "40N_090W")),  # raw delivery
    )
    response = item_gen.handler(event, FakeLambdaContext())
    assert response == {"batchItemFailures": []}
    items = {i["id"]: i for i in received(load_queue)}
    assert set(items) == {"v2_2020_50N_090W", "v2_2020_50N_100W", "v2_2020_40N_090W"}
    assert items["v2_2020_50N_100W"]["collection"] == "my-glad"
    assert items["v2_2020_50N_090W"]["collection"] != "my-glad"
    assert items["v2_2020_50N_090W"]["bbox"] == [-90.0, 40.0, -80.0, 50.0]
    assert items["v2_2020_50N_090W"]["type"] == "Feature"


def test_bad_requests_fail_alone(
    glad_tiles: Path, load_queue: str, testpkg_requirement: str, caplog: pytest.LogCaptureFixture
) -> None:
    good = glad_request(glad_tiles, "40N_110W")
    event = sqs_event(
        sns_envelope(good),
        sns_envelope({"package_name": GLAD_PACKAGE, "group_name": GLAD_GROUP, "bogus": 1}),
        sns_envelope(glad_request(glad_tiles, "missing_tile")),
        "not json",
        sns_envelope(
            {
                "package_name": testpkg_requirement,
                "group_name": "testpkg",
                "create_item_args": ["a.tif"],
                "create_item_options": {"fail": "tile is corrupt"},
            }
        ),
        sns_envelope(
            {
                "package_name": testpkg_requirement,
                "group_name": "testpkg",
                "create_item_args": ["b.tif"],
                "create_item_options": {"not-an-item": ""},
            }
        ),
    )
    with caplog.at_level(logging.ERROR, logger="stac_ingest.gen"):
        response = item_gen.handler(event, FakeLambdaContext())
    assert failed_ids(response) == {"m1", "m2", "m3", "m4", "m5"}
    assert [i["id"] for i in received(load_queue)] == ["v2_2020_40N_110W"]
    reasons = {
        line["messageId"]: line["reason"]
        for line in (
            json.loads(r.getMessage()) for r in caplog.records if r.name == "stac_ingest.gen"
        )
    }
    assert "bogus" in reasons["m1"]
    assert "malformed JSON" in reasons["m3"]
    assert "tile is corrupt" in reasons["m4"]
    assert "not produce a loadable STAC Item" in reasons["m5"]


def test_unknown_package_fails_its_record(load_queue: str) -> None:
    event = sqs_event(
        sns_envelope(
            {
                "package_name": "stactools-no-such-package-xyz",
                "group_name": "x",
                "create_item_args": ["a"],
            }
        )
    )
    assert failed_ids(item_gen.handler(event, FakeLambdaContext())) == {"m0"}
    assert received(load_queue) == []


def test_oversize_item_goes_through_the_payload_bucket(
    load_queue: str, testpkg_requirement: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="payloads")
    monkeypatch.setenv("PAYLOAD_BUCKET", "payloads")
    request = plugin_request(testpkg_requirement, "big.tif", {"pad": "300000"})
    assert item_gen.handler(sqs_event(sns_envelope(request)), FakeLambdaContext()) == {
        "batchItemFailures": []
    }
    [pointer] = received(load_queue)
    bucket, key = pointer["href"].removeprefix("s3://").split("/", 1)
    stored = json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read())
    assert stored["id"] == "big"
    assert len(stored["properties"]["padding"]) == 300_000


def test_oversize_item_without_bucket_fails_clearly(
    load_queue: str, testpkg_requirement: str, caplog: pytest.LogCaptureFixture
) -> None:
    request = plugin_request(testpkg_requirement, "big.tif", {"pad": "300000"})
    with caplog.at_level(logging.ERROR, logger="stac_ingest.gen"):
        response = item_gen.handler(sqs_event(sns_envelope(request)), FakeLambdaContext())
    assert failed_ids(response) == {"m0"}
    assert "no payload bucket" in caplog.text
    assert received(load_queue) == []


def test_create_item_timeout_is_below_the_remaining_time(
    load_queue: str, testpkg_requirement: str, caplog: pytest.LogCaptureFixture
) -> None:
    slow = plugin_request(testpkg_requirement, "slow.tif", {"sleep": "30"})
    fast = {**slow, "create_item_args": ["fast.tif"], "create_item_options": {}}
    # 14 s left and a 10 s safety margin: create-item gets ~4 s, not 30.
    with caplog.at_level(logging.ERROR, logger="stac_ingest.gen"):
        response = item_gen.handler(
            sqs_event(sns_envelope(slow), sns_envelope(fast)), FakeLambdaContext(14_000)
        )
    assert "m0" in failed_ids(response)
    assert "timed out" in caplog.text


def test_closing_the_runner_ends_create_item_calls_in_flight(testpkg_requirement: str) -> None:
    """close() kills busy workers too, so a stopping runner never waits out a slow package."""
    import threading
    import time

    from stac_ingest.errors import GenerationError
    from stac_ingest.models import ItemRequest
    from stac_ingest.sdk.generation import WorkerRunner

    runner = WorkerRunner()
    slow = ItemRequest(
        package_name=testpkg_requirement, group_name="testpkg",
        create_item_args=["slow.tif"], create_item_options={"sleep": "60"},
    )  # fmt: skip
    runner.resolve(slow)  # install first, so that the call below is busy sleeping
    outcome: list[BaseException] = []

    def call() -> None:
        try:
            runner.create_item(slow, timeout=120)
        except BaseException as exc:
            outcome.append(exc)

    thread = threading.Thread(target=call)
    thread.start()
    deadline = time.monotonic() + 30
    while not runner._live and time.monotonic() < deadline:
        time.sleep(0.05)
    assert runner._live, "the worker never started"
    runner.close()
    thread.join(timeout=20)
    assert not thread.is_alive(), "close() left the call waiting on its worker"
    assert len(outcome) == 1
    assert isinstance(outcome[0], GenerationError)


def test_records_in_parallel_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from stac_ingest.sdk.gen_stage import GenSettings

    monkeypatch.setenv("RECORDS_IN_PARALLEL", "4")
    assert GenSettings().records_in_parallel == 4
    monkeypatch.setenv("RECORDS_IN_PARALLEL", "0")
    with pytest.raises(ValueError, match="records_in_parallel"):
        GenSettings()
