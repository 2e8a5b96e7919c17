"""Session-wide real services for the test suite.

* ``pgstac_dsn``: a throwaway PostgreSQL + PostGIS cluster on a free loopback port, with
  pgstac installed by pypgstac's migrations (the version pinned in uv.lock).
* ``moto_endpoint``: moto's ``ThreadedMotoServer`` on a free port. boto3 reaches it over
  HTTP through ``AWS_ENDPOINT_URL``, with fake credentials; state is reset per test.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from stac_ingest.sdk.pgcluster import PgCluster, free_port

REGION = "us-east-1"


@contextlib.contextmanager
def throwaway_pgstac(prefix: str = "stac-ingest-pg-") -> Iterator[PgCluster]:
    """A migrated pgstac cluster in a temporary directory, removed afterwards."""
    root = Path(tempfile.mkdtemp(prefix=prefix))
    root.chmod(0o755)  # the cluster may run as another user (PostgreSQL refuses root)
    cluster = PgCluster(root)
    cluster.start()
    cluster.migrate()
    try:
        yield cluster
    finally:
        cluster.stop(mode="immediate")
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PgCluster]:
    with throwaway_pgstac() as cluster:
        yield cluster


@pytest.fixture(scope="session")
def pgstac_dsn(pg_cluster: PgCluster) -> str:
    return pg_cluster.dsn


@pytest.fixture(scope="session")
def moto_server() -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


@pytest.fixture
def moto_endpoint(moto_server: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """Points boto3 at the moto server with fake credentials, on a clean moto state."""
    import urllib.request

    urllib.request.urlopen(
        urllib.request.Request(f"{moto_server}/moto-api/reset", method="POST")
    ).read()
    for var in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_server)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_REGION", REGION)
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
    return moto_server


def make_collection(collection_id: str | None = None, **overrides: Any) -> dict[str, Any]:
    """A minimal valid STAC Collection."""
    cid = collection_id or f"test-{uuid.uuid4().hex[:10]}"
    coll: dict[str, Any] = {
        "type": "Collection",
        "stac_version": "1.0.0",
        "id": cid,
        "description": "test collection",
        "license": "proprietary",
        "links": [],
        "extent": {
            "spatial": {"bbox": [[-180, -90, 180, 90]]},
            "temporal": {"interval": [["2000-01-01T00:00:00Z", None]]},
        },
    }
    coll.update(overrides)
    return coll


def make_item(collection: str, item_id: str | None = None, **props: Any) -> dict[str, Any]:
    """A minimal valid STAC Item on a 1-degree square."""
    iid = item_id or f"item-{uuid.uuid4().hex[:10]}"
    x = (abs(hash(iid)) % 360) - 180
    properties: dict[str, Any] = {"datetime": "2020-06-01T00:00:00Z"}
    properties.update(props)
    return {
        "type": "Feature",
        "stac_version": "1.0.0",
        "id": iid,
        "collection": collection,
        "geometry": {
            "type": "Polygon",
            "coordinates": [[[x, 0], [x + 1, 0], [x + 1, 1], [x, 1], [x, 0]]],
        },
        "bbox": [x, 0, x + 1, 1],
        "properties": properties,
        "links": [],
        "assets": {},
    }


def sns_envelope(message: dict[str, Any] | str, timestamp: str = "2026-01-01T00:00:00.000Z") -> str:
    body = message if isinstance(message, str) else json.dumps(message)
    return json.dumps(
        {
            "Type": "Notification",
            "MessageId": str(uuid.uuid4()),
            "TopicArn": f"arn:aws:sns:{REGION}:123456789012:topic",
            "Message": body,
            "Timestamp": timestamp,
        }
    )


def sqs_event(*bodies: str) -> dict[str, Any]:
    """An SQS event for a Lambda, one record a body; messageIds are m0, m1, ..."""
    return {
        "Records": [
            {
                "messageId": f"m{i}",
                "receiptHandle": f"rh{i}",
                "body": body,
                "attributes": {"ApproximateReceiveCount": "1"},
                "messageAttributes": {},
                "eventSource": "aws:sqs",
                "eventSourceARN": f"arn:aws:sqs:{REGION}:123456789012:queue",
                "awsRegion": REGION,
            }
            for i, body in enumerate(bodies)
        ]
    }


class FakeLambdaContext:
    """The part of the Lambda context object the handlers use."""

    def __init__(self, remaining_ms: int = 120_000) -> None:
        self._remaining = remaining_ms
        self.aws_request_id = str(uuid.uuid4())
        self.function_name = "test-function"

    def get_remaining_time_in_millis(self) -> int:
        return self._remaining


@pytest.fixture
def lambda_context() -> FakeLambdaContext:
    return FakeLambdaContext()


def seed_pgstac(dsn: str, items: int, prefix: str = "seed") -> dict[str, Any]:
    """A new collection in pgstac with ``items`` items (ids ``<prefix>0``...); returns it."""
    from pypgstac.db import PgstacDB
    from pypgstac.load import Loader, Methods

    coll = make_collection()
    with PgstacDB(dsn=dsn) as db:
        loader = Loader(db)
        loader.load_collections(iter([coll]), insert_mode=Methods.upsert)
        batch = [make_item(coll["id"], f"{prefix}{n}") for n in range(items)]
        loader.load_items(iter(batch), insert_mode=Methods.upsert)
    return coll


@pytest.fixture
def pgstac_collection(pgstac_dsn: str) -> dict[str, Any]:
    """A fresh, uniquely named collection already in pgstac."""
    from pypgstac.db import PgstacDB
    from pypgstac.load import Loader, Methods

    coll = make_collection()
    with PgstacDB(dsn=pgstac_dsn) as db:
        Loader(db).load_collections(iter([coll]), insert_mode=Methods.upsert)
    return coll


TESTPKG_DIR = Path(__file__).parent / "fixtures" / "stactools-testpkg"


@pytest.fixture(scope="session")
def testpkg_requirement() -> str:
    """A PEP 508 requirement for the local test plugin (fast, offline, controllable)."""
    return f"stactools-testpkg @ {TESTPKG_DIR.resolve().as_uri()}"


@pytest.fixture(scope="session")
def glad_tiles(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder of 12 small GLAD-like GeoTIFFs; returns the root given to href-format."""
    from tests.geotiffs import tile_names, write_glad_tiles

    root = tmp_path_factory.mktemp("glad")
    write_glad_tiles(root, tile_names(12))
    return root
