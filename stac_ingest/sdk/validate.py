"""Checks a record must pass before pgstac sees it.

These are the cheap, certain checks: a record failing one can never load. Checks only
the database can make (an unknown collection, a constraint) are found when loading.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from stac_ingest.errors import ValidationError

Kind = Literal["item", "collection", "items", "pointer"]

_GEOMETRY_TYPES = {
    "Point", "MultiPoint", "LineString", "MultiLineString", "Polygon", "MultiPolygon",
    "GeometryCollection",
}  # fmt: skip


#: Deeper than any GeoJSON geometry: a MultiPolygon's positions sit at depth 3.
_MAX_NESTING = 8

#: JSON numbers as orjson returns them (``bool`` is deliberately not one).
_NUMBER_TYPES = (int, float)


def classify(obj: Any) -> Kind:
    """What a message is: an Item, a Collection, an ItemCollection/FeatureCollection, or a pointer."""
    if not isinstance(obj, dict):
        raise ValidationError(f"expected a JSON object, got {type(obj).__name__}")
    kind = obj.get("type")
    if kind == "Feature":
        return "item"
    if kind == "Collection":
        return "collection"
    if kind == "FeatureCollection":
        if not isinstance(obj.get("features"), list):
            raise ValidationError("FeatureCollection without a 'features' list")
        return "items"
    if kind is None and set(obj) == {"href"}:
        if not isinstance(obj["href"], str) or not obj["href"].startswith(
            ("s3://", "https://", "http://", "file://")  # file:// only the local pipeline reads
        ):
            raise ValidationError("pointer 'href' must be an s3://, http(s):// or file:// URL")
        return "pointer"
    if kind is None:
        raise ValidationError("not a STAC Item or Collection: no 'type'")
    raise ValidationError(f"not a STAC Item or Collection: type {kind!r}")


def parse_datetime(value: Any, field: str) -> datetime:
    if not isinstance(value, str):
        raise ValidationError(f"{field} must be an RFC 3339 string")
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        return datetime.fromisoformat(text)
    except ValueError as exc:
        raise ValidationError(f"{field} is not a valid datetime: {value!r}") from exc


def _check_geometry(geometry: Any) -> None:
    if geometry is None:
        return  # allowed by STAC (with no bbox); pgstac stores a null geometry
    if not isinstance(geometry, dict) or geometry.get("type") not in _GEOMETRY_TYPES:
        raise ValidationError("geometry is not a GeoJSON geometry")
    if geometry["type"] == "GeometryCollection":
        if not isinstance(geometry.get("geometries"), list):
            raise ValidationError("GeometryCollection without 'geometries'")
        return
    coords = geometry.get("coordinates")
    if not isinstance(coords, list) or not coords:
        raise ValidationError("geometry has no coordinates")
    if not _numeric_positions(coords):
        raise ValidationError("geometry coordinates are not numeric positions")


def _numeric_positions(coords: Any) -> bool:
    """Whether ``coords`` nests lists down to a position of 2+ numbers, at GeoJSON depth.

    Only the first branch is walked (cheap, and safe from absurd nesting); a malformed
    coordinate further on is refused per record when pypgstac builds the geometry.
    """
    node = coords
    for _ in range(_MAX_NESTING):
        if type(node) is not list or not node:
            return False
        if type(node[0]) is list:
            node = node[0]
            continue
        return len(node) >= 2 and all(type(c) in _NUMBER_TYPES for c in node)
    return False


def _require_id(obj: dict[str, Any], what: str) -> None:
    ident = obj.get("id")
    if not isinstance(ident, str) or not ident.strip():
        raise ValidationError(f"{what} has no id")


def validate_item(obj: Any) -> None:
    """Raise :class:`ValidationError` if ``obj`` cannot be loaded as a STAC Item."""
    if not isinstance(obj, dict) or obj.get("type") != "Feature":
        raise ValidationError("not a STAC Item (type must be 'Feature')")
    _require_id(obj, "item")
    collection = obj.get("collection")
    if not isinstance(collection, str) or not collection.strip():
        raise ValidationError("item has no collection")
    if "geometry" not in obj:
        raise ValidationError("item has no geometry key")
    _check_geometry(obj["geometry"])
    props = obj.get("properties")
    if not isinstance(props, dict):
        raise ValidationError("item has no properties object")
    start, end = props.get("start_datetime"), props.get("end_datetime")
    if props.get("datetime") is not None:
        parse_datetime(props["datetime"], "datetime")
    elif start is None or end is None:
        raise ValidationError("datetime is missing and there is no start/end_datetime range")
    if start is not None and end is not None:
        first = parse_datetime(start, "start_datetime")
        last = parse_datetime(end, "end_datetime")
        if first.tzinfo is not None and last.tzinfo is not None and first > last:
            raise ValidationError("start_datetime is after end_datetime")


def validate_collection(obj: Any) -> None:
    """Raise :class:`ValidationError` if ``obj`` cannot be loaded as a STAC Collection."""
    if not isinstance(obj, dict) or obj.get("type") != "Collection":
        raise ValidationError("not a STAC Collection (type must be 'Collection')")
    _require_id(obj, "collection")
    extent = obj.get("extent")
    if not isinstance(extent, dict) or not isinstance(extent.get("temporal"), dict):
        raise ValidationError("collection has no extent.temporal")


def item_key(obj: Any) -> tuple[str | None, str | None]:
    """(collection, id) of a record, as far as they can be read, for logs and reports."""
    if not isinstance(obj, dict):
        return None, None
    ident = obj.get("id") if isinstance(obj.get("id"), str) else None
    coll = obj.get("collection") if isinstance(obj.get("collection"), str) else None
    if obj.get("type") == "Collection":
        coll = ident
    return coll, ident
