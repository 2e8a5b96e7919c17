"""Deterministic STAC data for the benchmarks: GLAD-like items, their collection, SQS events."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson

TOPIC_ARN = "arn:aws:sns:us-east-1:123456789012:bench-item-load"


def collection(collection_id: str) -> dict[str, Any]:
    return {
        "type": "Collection",
        "stac_version": "1.0.0",
        "id": collection_id,
        "description": "benchmark collection",
        "license": "CC-BY-4.0",
        "links": [],
        "extent": {
            "spatial": {"bbox": [[-180, -90, 180, 90]]},
            "temporal": {"interval": [["2000-01-01T00:00:00Z", "2020-12-31T23:59:59Z"]]},
        },
    }


def item(collection_id: str, index: int) -> dict[str, Any]:
    """Item ``index`` of a 0.1-degree grid: a land-cover-like tile (about 1.3 KB of JSON)."""
    x = -180 + (index % 3600) * 0.1
    y = -60 + ((index // 3600) % 1400) * 0.1
    year = 2000 + 5 * (index % 5)
    href = f"https://storage.example.com/glclu2020/v2/{year}/{index:07d}.tif"
    return {
        "type": "Feature",
        "stac_version": "1.0.0",
        "stac_extensions": [
            "https://stac-extensions.github.io/projection/v1.1.0/schema.json",
            "https://stac-extensions.github.io/raster/v1.1.0/schema.json",
        ],
        "id": f"v2_{year}_{index:07d}",
        "collection": collection_id,
        "geometry": {
            "type": "Polygon",
            "coordinates": [[[x, y], [x + 0.1, y], [x + 0.1, y + 0.1], [x, y + 0.1], [x, y]]],
        },
        "bbox": [x, y, x + 0.1, y + 0.1],
        "properties": {
            "datetime": None,
            "start_datetime": f"{year}-01-01T00:00:00Z",
            "end_datetime": f"{year}-12-31T23:59:59Z",
            "proj:epsg": 4326,
            "proj:shape": [40000, 40000],
            "proj:transform": [0.00025, 0.0, x, 0.0, -0.00025, y + 0.1],
        },
        "links": [],
        "assets": {
            "data": {
                "href": href,
                "type": "image/tiff; application=geotiff; profile=cloud-optimized",
                "title": "Land cover and land use",
                "roles": ["data"],
                "raster:bands": [{"data_type": "uint8", "nodata": 255, "spatial_resolution": 30}],
            }
        },
    }


def item_bodies(collection_id: str, start: int, count: int) -> list[bytes]:
    return [orjson.dumps(item(collection_id, i)) for i in range(start, start + count)]


def envelope(body: bytes, n: int) -> str:
    """``body`` as SNS delivers it to an SQS queue without raw message delivery."""
    return orjson.dumps(
        {
            "Type": "Notification",
            "MessageId": str(uuid.UUID(int=n)),
            "TopicArn": TOPIC_ARN,
            "Message": body.decode(),
            "Timestamp": "2026-01-01T00:00:00.000Z",
        }
    ).decode()


def sqs_event(bodies: list[bytes], offset: int, *, raw: bool = False) -> dict[str, Any]:
    """A Lambda SQS event of SNS-enveloped bodies (or raw ones), as the load queue delivers them."""
    return {
        "Records": [
            {
                "messageId": f"m{offset + n}",
                "receiptHandle": f"rh{offset + n}",
                "body": body.decode() if raw else envelope(body, offset + n),
                "attributes": {"ApproximateReceiveCount": "1"},
                "messageAttributes": {},
                "eventSource": "aws:sqs",
                "awsRegion": "us-east-1",
            }
            for n, body in enumerate(bodies)
        ]
    }


def chunks(total: int, size: int) -> Iterator[tuple[int, int]]:
    """(start, count) of each chunk of ``size`` in ``range(total)``."""
    for start in range(0, total, size):
        yield start, min(size, total - start)


def write_ndjson(path: Path, collection_id: str, count: int) -> Path:
    """``count`` items, one a line, written in blocks so memory stays small."""
    with path.open("wb") as fh:
        for start, n in chunks(count, 10_000):
            fh.write(b"\n".join(item_bodies(collection_id, start, n)) + b"\n")
    return path
