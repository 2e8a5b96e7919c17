"""A coverage map: the footprints of a collection's items in pgstac, on one HTML page.

The page is self-contained: Leaflet's JavaScript and CSS (from the ``xstatic-leaflet``
package, the version folium targets) are inlined, so it opens offline. Only the
OpenStreetMap background tiles need the network; without it the footprints still show,
on a plain background. Each footprint has a tooltip with the item id and datetime, so
an operator sees at a glance which tiles of a grid are missing.
"""

from __future__ import annotations

import html
import importlib
from pathlib import Path
from typing import Any

import orjson
from pydantic import BaseModel, Field

from stac_ingest.errors import InputError, ToolMissingError

DEFAULT_MAX_ITEMS = 20_000
_STYLE = {"color": "#d94801", "weight": 1, "fillColor": "#fd8d3c", "fillOpacity": 0.45}
_EXTRA_HINT = "install the `local` extra: uv sync --extra local (make does it)"


class CoverageMap(BaseModel):
    collection: str
    items: int = Field(description="Items of the collection in pgstac")
    shown: int = Field(description="Footprints drawn (at most max_items)")
    bbox: list[float] | None = Field(None, description="Bounds of the footprints drawn")
    path: str

    @property
    def truncated(self) -> bool:
        return self.shown < self.items

    def summary(self) -> str:
        text = f"coverage map of {self.collection}: {self.shown:,} footprints"
        if self.truncated:
            text += f" (of {self.items:,} items)"
        return f"{text} -> {self.path}"


def read_footprints(
    dsn: str, collection: str, *, max_items: int = DEFAULT_MAX_ITEMS
) -> tuple[list[dict[str, Any]], int]:
    """GeoJSON features (id, datetime, geometry) of up to ``max_items`` items, and the total."""
    from stac_ingest.sdk.pgstac_db import connect

    with connect(dsn) as conn:
        found = conn.execute("SELECT 1 FROM pgstac.collections WHERE id = %s", (collection,))
        if found.fetchone() is None:
            raise InputError(
                f"collection {collection!r} is not in pgstac",
                hint="see `stac-ingest collections list`",
            )
        total = conn.execute(
            "SELECT count(*) FROM pgstac.items WHERE collection = %s", (collection,)
        ).fetchone()[0]
        rows = conn.execute(
            "SELECT id, datetime, ST_AsGeoJSON(geometry, 6) FROM pgstac.items "
            "WHERE collection = %s ORDER BY id LIMIT %s",
            (collection, max_items),
        ).fetchall()
    features = [
        {
            "type": "Feature",
            "geometry": orjson.loads(geometry),
            "properties": {"id": item_id, "datetime": when.isoformat() if when else None},
        }
        for item_id, when, geometry in rows
        if geometry
    ]
    return features, int(total)


def _bounds(features: list[dict[str, Any]]) -> list[float] | None:
    xs: list[float] = []
    ys: list[float] = []

    def walk(coords: Any) -> None:
        if coords and isinstance(coords[0], int | float):
            xs.append(float(coords[0]))
            ys.append(float(coords[1]))
        else:
            for part in coords:
                walk(part)

    for feature in features:
        walk(feature["geometry"].get("coordinates", []))
    return [min(xs), min(ys), max(xs), max(ys)] if xs else None


def _leaflet_assets() -> tuple[str, str]:
    """Leaflet's JS and CSS, from the xstatic-leaflet package."""
    try:
        module = importlib.import_module("xstatic.pkg.leaflet")
    except ImportError as exc:
        raise ToolMissingError("xstatic-leaflet is not installed", hint=_EXTRA_HINT) from exc
    data = Path(module.BASE_DIR)
    return (data / "leaflet.js").read_text(), (data / "leaflet.css").read_text()


def render_html(
    features: list[dict[str, Any]], *, title: str, tiles: bool = True
) -> tuple[str, list[float] | None]:
    """The map page, and the bounds of the footprints."""
    try:
        import folium
        from branca.element import Element
    except ImportError as exc:
        raise ToolMissingError("folium is not installed", hint=_EXTRA_HINT) from exc
    js, css = _leaflet_assets()
    fmap = folium.Map(
        location=[0, 0], zoom_start=2, tiles="OpenStreetMap" if tiles else None, prefer_canvas=False
    )
    fmap.default_js = []  # instance attributes: folium's own lists are shared by every map
    fmap.default_css = []
    root: Any = fmap.get_root()
    root.header.add_child(Element(f"<style>{css}</style>"), name="leaflet_css")
    root.header.add_child(Element(f"<script>{js}</script>"), name="leaflet_js")
    root.header.add_child(Element(f"<title>{html.escape(title)}</title>"), name="title")
    root.html.add_child(
        Element(
            '<div style="position:absolute;top:10px;right:10px;z-index:1000;background:white;'
            "padding:6px 10px;font:14px sans-serif;border-radius:4px;"
            f'box-shadow:0 1px 4px rgba(0,0,0,.3)">{html.escape(title)}</div>'
        )
    )
    if features:
        folium.GeoJson(
            {"type": "FeatureCollection", "features": features},
            name="footprints",
            style_function=lambda _: _STYLE,
            tooltip=folium.GeoJsonTooltip(fields=["id", "datetime"]),
        ).add_to(fmap)
    bounds = _bounds(features)
    if bounds:
        fmap.fit_bounds([[bounds[1], bounds[0]], [bounds[3], bounds[2]]])
    return fmap.get_root().render(), bounds


def write_coverage_map(
    dsn: str,
    collection: str,
    out: str | Path | None = None,
    *,
    max_items: int = DEFAULT_MAX_ITEMS,
    tiles: bool = True,
) -> CoverageMap:
    """Write the footprints of ``collection`` to ``out`` (default ``<collection>.html``)."""
    if max_items < 1:
        raise InputError("max_items must be at least 1")
    path = Path(out) if out is not None else Path(f"{collection}.html")
    if path.suffix.lower() not in (".html", ".htm"):
        raise InputError(f"the map is an HTML page: {path} should end in .html")
    features, total = read_footprints(dsn, collection, max_items=max_items)
    shown = len(features)
    title = f"{collection}: {shown:,} footprints" + (f" of {total:,}" if shown < total else "")
    page, bounds = render_html(features, title=title, tiles=tiles)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".partial")
    tmp.write_text(page, encoding="utf-8")
    tmp.replace(path)
    return CoverageMap(collection=collection, items=total, shown=shown, bbox=bounds, path=str(path))
