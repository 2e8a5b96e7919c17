"""SNS publish quotas per region, to warn before a run is throttled.

Publish quotas are soft limits (messages per second, account-wide per region); a run
faster than its region's quota is throttled and slowed by retries, never lost.
"""

from __future__ import annotations

from typing import Final

#: Default SNS Publish/PublishBatch quota in messages per second.
SNS_PUBLISH_QUOTAS: Final[dict[str, int]] = {
    "us-east-1": 30_000,
    "us-west-2": 9_000,
    "eu-west-1": 9_000,
}
DEFAULT_SNS_PUBLISH_QUOTA: Final = 300

#: A PublishBatch call takes about 50 ms, so one worker sends about 20 batches a second.
CALLS_PER_SECOND_PER_WORKER: Final = 20


def sns_publish_quota(region: str | None) -> int:
    """The default publish quota (messages/s) of ``region``."""
    return SNS_PUBLISH_QUOTAS.get(region or "", DEFAULT_SNS_PUBLISH_QUOTA)


def planned_rate(concurrency: int, batch_entries: int) -> int:
    """Messages per second a publisher with this pool would send, unthrottled."""
    return concurrency * batch_entries * CALLS_PER_SECOND_PER_WORKER


def throttle_warning(region: str | None, rate: int) -> str | None:
    """A warning when ``rate`` exceeds the region's quota, else None."""
    quota = sns_publish_quota(region)
    if rate <= quota:
        return None
    return (
        f"the planned publish rate (~{rate:,}/s) exceeds the SNS publish quota of "
        f"{region or 'this region'} ({quota:,}/s): expect throttling and retries "
        "(request a quota increase for large runs)"
    )
