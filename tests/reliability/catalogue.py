"""The bad-input catalogue: each case, where it enters, and what must happen.

``docs/reliability.md`` shows :func:`render_table`; a test keeps the two in sync. Run
``python -m tests.reliability.catalogue`` to print the table.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tests.conftest import make_item, sns_envelope


@dataclass(frozen=True)
class Case:
    id: str
    surface: str
    given: str
    expect: str


def _without(item: dict[str, Any], *path: str) -> dict[str, Any]:
    target = item
    for key in path[:-1]:
        target = target[key]
    del target[path[-1]]
    return item


def _with(item: dict[str, Any], **fields: Any) -> dict[str, Any]:
    item.update(fields)
    return item


def _deep_item(collection: str) -> str:
    """An item whose coordinates are nested 1,000 lists deep (JSON text: json can't dump it)."""
    item = make_item(collection)
    item["geometry"] = {"type": "Polygon", "coordinates": "DEEP"}
    return json.dumps(item).replace('"DEEP"', "[" * 1000 + "0" + "]" * 1000)


# Load-stage records: a body factory taking the collection id, and the reason expected.
LOAD_RECORDS: dict[str, tuple[str, Callable[[str], str], str]] = {
    "load-malformed-json": ("malformed JSON", lambda c: "{not json", "malformed JSON"),
    "load-truncated-envelope": (
        "an SNS envelope cut off mid-way",
        lambda c: sns_envelope(make_item(c))[:90],
        "malformed JSON",
    ),
    "load-envelope-message-object": (
        "an SNS envelope whose Message is an object, not a string",
        lambda c: json.dumps(
            {"Type": "Notification", "MessageId": "x", "TopicArn": "t", "Message": {}}
        ),
        "malformed SNS envelope",
    ),
    "load-binary-junk": (
        "binary junk",
        lambda c: bytes(range(256)).decode("latin-1"),
        "malformed JSON",
    ),
    "load-json-array": (
        "a JSON array",
        lambda c: sns_envelope("[1, 2, 3]"),
        "expected a JSON object",
    ),
    "load-not-stac": (
        "a GeoJSON geometry, not a Feature",
        lambda c: sns_envelope({"type": "Point", "coordinates": [0, 0]}),
        "not a STAC Item",
    ),
    "load-missing-id": (
        "an item without id",
        lambda c: sns_envelope(_without(make_item(c), "id")),
        "no id",
    ),
    "load-wrong-type-id": (
        "an item whose id is a number",
        lambda c: sns_envelope(_with(make_item(c), id=123)),
        "no id",
    ),
    "load-missing-collection": (
        "an item without collection",
        lambda c: sns_envelope(_without(make_item(c), "collection")),
        "no collection",
    ),
    "load-unknown-collection": (
        "an item of a collection not in pgstac",
        lambda c: sns_envelope(make_item("no-such-collection")),
        "not present in the database",
    ),
    "load-missing-geometry": (
        "an item without a geometry key",
        lambda c: sns_envelope(_without(make_item(c), "geometry")),
        "no geometry",
    ),
    "load-invalid-geometry": (
        "a Polygon whose coordinates are strings",
        lambda c: sns_envelope(
            _with(make_item(c), geometry={"type": "Polygon", "coordinates": "abc"})
        ),
        "geometry",
    ),
    "load-missing-datetime": (
        "an item with neither datetime nor a start/end range",
        lambda c: sns_envelope(_without(make_item(c), "properties", "datetime")),
        "datetime is missing",
    ),
    "load-bad-datetime": (
        "an unparseable datetime",
        lambda c: sns_envelope(make_item(c, datetime="yesterday")),
        "not a valid datetime",
    ),
    "load-reversed-range": (
        "start_datetime after end_datetime",
        lambda c: sns_envelope(
            make_item(
                c,
                datetime=None,
                start_datetime="2021-01-01T00:00:00Z",
                end_datetime="2020-01-01T00:00:00Z",
            )
        ),
        "start_datetime is after end_datetime",
    ),
    "load-nul-character": (
        "a NUL character, which PostgreSQL's jsonb refuses (found by bisection)",
        lambda c: sns_envelope(make_item(c, note="a\u0000b")),
        "Unicode",
    ),
    "load-deep-nesting": (
        "coordinates nested 1,000 lists deep (past Python's recursion limit)",
        lambda c: sns_envelope(_deep_item(c)),
        "geometry",
    ),
    "load-empty-item-collection": (
        "an ItemCollection with no features",
        lambda c: sns_envelope({"type": "FeatureCollection", "features": []}),
        "no features",
    ),
    "load-pointer-missing": (
        "a pointer to an S3 object that does not exist",
        lambda c: sns_envelope({"href": "s3://no-such-bucket/x.json"}),
        "cannot read pointer",
    ),
    "load-pointer-bad-scheme": (
        "a pointer with an ftp:// href",
        lambda c: sns_envelope({"href": "ftp://host/x.json"}),
        "pointer 'href'",
    ),
}

# Gen-stage requests: (given, request factory taking the test plugin's requirement, reason).
GEN_RECORDS: dict[str, tuple[str, Callable[[str], Any], str]] = {
    "gen-unknown-field": (
        "an ItemRequest with an unknown field",
        lambda pkg: {"package_name": pkg, "group_name": "testpkg", "bogus": 1},
        "bogus: unknown field",
    ),
    "gen-wrong-type": (
        "create_item_args as a string",
        lambda pkg: {"package_name": pkg, "group_name": "testpkg", "create_item_args": "a.tif"},
        "create_item_args",
    ),
    "gen-option-injection": (
        "a package_name that is a command-line option",
        lambda pkg: {"package_name": "--index-url=http://evil", "group_name": "testpkg"},
        "not a package requirement",
    ),
    "gen-unknown-package": (
        "a package that does not exist",
        lambda pkg: {
            "package_name": "stactools-no-such-package-xyz",
            "group_name": "x",
            "create_item_args": ["a"],
        },
        "cannot install",
    ),
    "gen-failing-create-item": (
        "create-item raising on its input",
        lambda pkg: {
            "package_name": pkg,
            "group_name": "testpkg",
            "create_item_args": ["a.tif"],
            "create_item_options": {"fail": "tile is corrupt"},
        },
        "tile is corrupt",
    ),
    "gen-not-an-item": (
        "create-item writing JSON that is no STAC Item",
        lambda pkg: {
            "package_name": pkg,
            "group_name": "testpkg",
            "create_item_args": ["a.tif"],
            "create_item_options": {"not-an-item": ""},
        },
        "not produce a loadable STAC Item",
    ),
    "gen-oversize-no-bucket": (
        "an item over 256 KiB with no payload bucket",
        lambda pkg: {
            "package_name": pkg,
            "group_name": "testpkg",
            "create_item_args": ["a.tif"],
            "create_item_options": {"pad": "300000"},
        },
        "no payload bucket",
    ),
}

# Whole inputs to the CLI: what the file holds, and what the one-line error says.
CLI_INPUTS: dict[str, tuple[str, bytes, str]] = {
    "cli-empty-file": ("load-items on an empty file", b"", "no items"),
    "cli-binary-file": ("load-items on binary junk", bytes(range(256)) * 4, "line 1"),
    "cli-malformed-line": (
        "load-items with one malformed NDJSON line among good ones (--direct)",
        b"",  # built by the test around good items
        "line 2",
    ),
}


def cases() -> list[Case]:
    out = [
        Case(k, "item-load Lambda", given, f"per-record failure: {reason}")
        for k, (given, _, reason) in LOAD_RECORDS.items()
    ]
    out += [
        Case(k, "item-gen Lambda", given, f"per-record failure: {reason}")
        for k, (given, _, reason) in GEN_RECORDS.items()
    ]
    out += [
        Case(k, "CLI", given, f"one-line error, non-zero exit: {reason}")
        for k, (given, _, reason) in CLI_INPUTS.items()
    ]
    return out


def render_table() -> str:
    rows = ["| case | surface | given | expected |", "|---|---|---|---|"]
    rows += [f"| `{c.id}` | {c.surface} | {c.given} | {c.expect} |" for c in cases()]
    return "\n".join(rows) + "\n"


if __name__ == "__main__":
    print(render_table(), end="")
