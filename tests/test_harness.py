"""The harness itself: the services the rest of the suite relies on are real."""

from __future__ import annotations

import boto3
import psycopg


def test_pgstac_is_migrated_with_postgis(pgstac_dsn: str) -> None:
    from pypgstac import __version__

    with psycopg.connect(pgstac_dsn) as conn:
        version = conn.execute("SELECT pgstac.get_version()").fetchone()
        postgis = conn.execute("SELECT postgis_version()").fetchone()
    assert version is not None and version[0] == __version__
    assert postgis is not None and postgis[0]


def test_boto3_reaches_moto_over_http(moto_endpoint: str) -> None:
    sqs = boto3.client("sqs")
    assert sqs.meta.endpoint_url == moto_endpoint
    url = sqs.create_queue(QueueName="harness")["QueueUrl"]
    sqs.send_message(QueueUrl=url, MessageBody="hello")
    got = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=0)["Messages"]
    assert [m["Body"] for m in got] == ["hello"]
