"""Small GeoTIFFs laid out like the GLAD GLCLU2020 tiles, made on the spot with rasterio."""

from __future__ import annotations

from pathlib import Path

GLAD_PACKAGE = "stactools-glad-glclu2020"
GLAD_GROUP = "gladglclu2020"
# As measured: the package needs these two added to work.
GLAD_EXTRAS = ["requests", "affine<3"]


def tile_names(count: int) -> list[str]:
    """``50N_090W``-style names of a 10-degree grid, ``count`` of them."""
    names = []
    for lat in (50, 40, 30, 20):
        for lon in range(90, 180, 10):
            names.append(f"{lat}N_{lon:03d}W")
    return names[:count]


def write_glad_tiles(root: Path, names: list[str], year: int = 2020) -> list[Path]:
    """Writes ``root/v2/<year>/<name>.tif``: 32x32 uint8 tiles in EPSG:4326."""
    import numpy as np
    import rasterio
    from rasterio.transform import from_origin

    folder = root / "v2" / str(year)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name in names:
        lat, lon = int(name[:2]), -int(name[4:7])
        path = folder / f"{name}.tif"
        with rasterio.open(
            path, "w", driver="GTiff", width=32, height=32, count=1, dtype="uint8",
            crs="EPSG:4326", transform=from_origin(lon, lat, 10 / 32, 10 / 32),
        ) as dst:  # fmt: skip
            dst.write(np.full((1, 32, 32), 7, dtype="uint8"))
        paths.append(path)
    return paths


def href_format(root: Path) -> str:
    return f"{root}/{{version}}/{{year}}/{{loc}}.tif"
