from __future__ import annotations

from stac_ingest.sdk import quotas


def test_quota_table() -> None:
    assert quotas.sns_publish_quota("us-east-1") == 30_000
    assert quotas.sns_publish_quota("eu-west-1") == 9_000
    assert quotas.sns_publish_quota("af-south-1") == 300
    assert quotas.sns_publish_quota(None) == 300


def test_throttle_warning_only_above_the_quota() -> None:
    rate = quotas.planned_rate(16, 10)
    assert rate == 3200
    assert quotas.throttle_warning("us-east-1", rate) is None
    warning = quotas.throttle_warning("sa-east-1", rate)
    assert warning is not None and "sa-east-1" in warning and "300/s" in warning
