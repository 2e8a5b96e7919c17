"""``stac-ingest demo``: the local pipeline end to end on sample GeoTIFFs (``make demo``)."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import click

from stac_ingest.cli.context import CliContext, pass_cli

if TYPE_CHECKING:
    from stac_ingest.sdk.progress import ProgressUpdate


class _StepsAndBar:
    """Steps as lines on stderr; a tqdm bar only while the pipeline runs."""

    def __init__(self, cli: CliContext) -> None:
        self.cli = cli
        self.bar: Any = None

    def __call__(self, update: ProgressUpdate) -> None:
        if update.note:
            if self.bar is not None and self.bar.total and self.bar.n >= self.bar.total:
                self.close()
            if self.bar is not None:
                self.bar.write(update.note, file=sys.stderr)
            else:
                self.cli.note(update.note)
        if (update.total is not None or update.advance) and self.cli.show_progress:
            if self.bar is None:
                from tqdm import tqdm

                self.bar = tqdm(desc="pipeline", unit="msg", file=sys.stderr, dynamic_ncols=True)
            if update.total is not None:
                self.bar.total = update.total
            self.bar.update(update.advance)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


@click.command()
@click.option("--map", "map_path", type=click.Path(dir_okay=False), metavar="FILE.html",
              help="Where to write the coverage map  [default: <home>/demo/<collection>.html]")  # fmt: skip
@pass_cli
def demo(cli: CliContext, map_path: str | None) -> None:
    """Start a local pgstac, create the GLAD collection with its stactools package,
    generate and load items for 12 sample GeoTIFFs, search them, draw the coverage map.

    Needs only the package index (uv installs the package once). Safe to re-run.
    """
    import json

    from stac_ingest.sdk.demo import run_demo

    progress = _StepsAndBar(cli)
    try:
        report = run_demo(cli.home, cli.dsn, map_path=map_path, progress=progress)
    finally:
        progress.close()
    item = report.sample_item
    lines = [
        f"Loaded {report.run.loaded_items} items into {report.collection} "
        f"({report.items_in_pgstac} there now) in {report.run.elapsed_seconds:.1f} s.",
        "",
        f"One item read back from pgstac ({item.get('id')}):",
        json.dumps(item, indent=2),
        "",
        f"STAC API search ({report.api_url}/search?collections={report.collection}): "
        f"{report.api_matched} items",
        f"Coverage map: {report.coverage_map.path}  ({report.coverage_map.shown} footprints)",
        "",
        "Next: stac-ingest local api   (browse with any STAC client)",
        "      stac-ingest --local status",
        "      stac-ingest local db stop",
    ]
    cli.emit(report, "\n".join(lines))
