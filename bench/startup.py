"""Start-up time of the CLI, and the memory of ``load-items`` on a very long file.

- **``stac-ingest --help``**: wall time of the whole process (the console script of the
  project's environment), many runs, median; next to the floor of any Python CLI, an
  interpreter that imports nothing (``python -S -c pass`` / ``python -c pass``).
- **Peak RSS of ``load-items``**: ``stac-ingest --stack S --json load-items FILE`` on
  generated NDJSON files of GLAD-like items (about 1.3 KB a line), publishing to the
  load topic of a stack in moto's server with no subscription. The peak resident set of
  the process comes from the kernel, through GNU ``time -f %M``. Streaming the file with
  a bounded number of batches in flight must keep it flat: the same at 1,000,000 lines
  as at 100,000.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import orjson

from bench import items as data
from bench.report import Section, Table
from bench.services import Services, venv_bin
from bench.timing import log, median, spread

HELP_BUDGET_SECONDS = 0.5
TIME = "/usr/bin/time"


def wall(cmd: list[str], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        times.append(time.perf_counter() - started)
    return times


def peak_rss(stack: str, path: Path, count: int) -> tuple[float, float]:
    """(peak RSS in MiB, seconds) of one ``load-items`` process on ``path``.

    Measured by ``/usr/bin/time``, whose own child is forked from a small process: the
    ``ru_maxrss`` of a child forked straight from this (large) process would count the
    pages it shared with us before its ``exec``.
    """
    out, rss_file = path.with_suffix(".out"), path.with_suffix(".rss")
    cmd = [venv_bin("stac-ingest"), "--stack", stack, "--json", "load-items", str(path)]
    with out.open("wb") as stdout:
        started = time.perf_counter()
        proc = subprocess.run(
            [TIME, "-f", "%M", "-o", str(rss_file), *cmd],
            stdout=stdout,
            stderr=subprocess.DEVNULL,
            check=False,
        )
        seconds = time.perf_counter() - started
    report = orjson.loads(out.read_bytes()) if out.stat().st_size else {}
    if proc.returncode != 0 or report.get("published") != count:
        raise RuntimeError(f"load-items exited {proc.returncode}: {str(report)[:300]}")
    kib = int(rss_file.read_text().strip().splitlines()[-1])
    return kib / 1024, seconds


def run(svc: Services, *, quick: bool, reps: int) -> Section:
    runs = 10 if quick else 30
    cli = venv_bin("stac-ingest")
    log(f"startup: {runs} runs each of stac-ingest --help and bare interpreters")
    helps: dict[str, list[float]] = {"stac-ingest --help": [], "python -c pass": [],
                                     "python -S -c pass": []}  # fmt: skip
    commands = {
        "stac-ingest --help": [cli, "--help"],
        "python -c pass": [sys.executable, "-c", "pass"],
        "python -S -c pass": [sys.executable, "-S", "-c", "pass"],
    }
    wall(commands["stac-ingest --help"], 2)  # page cache
    for _ in range(runs):  # interleaved, one run each per round
        for name, cmd in commands.items():
            helps[name] += wall(cmd, 1)
    help_median = median(helps["stac-ingest --help"])

    sizes = (10_000, 50_000) if quick else (100_000, 1_000_000)
    svc.reset_moto()
    stack = svc.create_stack()
    memory: list[list[str]] = []
    raw_rss: dict[str, dict[str, float]] = {}
    for count in sizes:
        path = svc.workdir / f"rss-{count}.ndjson"
        log(f"startup: writing {count:,} items and running load-items on them")
        data.write_ndjson(path, "bench-rss", count)
        rss, seconds = peak_rss(stack, path, count)
        size_mib = path.stat().st_size / 1024**2
        path.unlink()
        raw_rss[str(count)] = {"rss_mib": rss, "seconds": seconds, "file_mib": size_mib}
        memory.append(
            [
                f"{count:,}",
                f"{size_mib:,.0f}",
                f"{rss:,.0f}",
                f"{seconds:,.0f}",
                f"{count / seconds:,.0f}",
            ]
        )
        svc.reset_moto()
        stack = svc.create_stack()
    small, large = (raw_rss[str(n)]["rss_mib"] for n in sizes)
    return Section(
        key="startup",
        title="5. Start-up and memory",
        method=__doc__ or "",
        tables=[
            Table(
                caption=f"Wall time of {runs} interleaved runs each, seconds",
                columns=["Command", "Median s", "min-max s"],
                rows=[[name, f"{median(t):.3f}", spread(t)] for name, t in helps.items()],
            ),
            Table(
                caption="One `load-items` process per file against moto, no subscription",
                columns=["Lines", "File MiB", "Peak RSS MiB", "Seconds", "Lines/s"],
                rows=memory,
            ),
        ],
        notes=[
            f"`stac-ingest --help` takes {help_median:.3f} s (median): "
            + ("**met**" if help_median < HELP_BUDGET_SECONDS else "**not met**")
            + f" against the {HELP_BUDGET_SECONDS} s budget of the standards.",
            f"Peak RSS at {sizes[1]:,} lines is {large / small:.2f}x that at {sizes[0]:,} "
            f"lines ({large:,.0f} vs {small:,.0f} MiB) for a file {sizes[1] // sizes[0]}x as "
            "long: " + ("**flat**." if large / small < 1.25 else "**not flat**."),
        ],
        raw={"help_seconds": helps, "load_items_rss": raw_rss},
    )
