"""Benchmark results, kept in ``bench/results.json`` and rendered to ``docs/benchmarks.md``.

A run of some benchmarks replaces only their sections; the others keep their last
measurement (each section says when and where it was measured). The hand-written intro
between the ``intro`` markers of the Markdown file is kept as it is.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from bench.machine import Machine

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results.json"
DOC = ROOT / "docs" / "benchmarks.md"
INTRO_START = "<!-- intro:start (hand-written; kept by `make bench`) -->"
INTRO_END = "<!-- intro:end -->"
DEFAULT_INTRO = """\
These numbers back the claim that stac-ingest is faster than the way operators ingest today:
each benchmark runs its subject and its baseline in the same run, on the same data, against
the same servers, alternating, several times, and reports medians and the ratio. The
baselines are the seed's shell loops (`uvx` per record, `aws sns publish` per URL) and the
plain library calls (pypgstac's `Loader`, boto3 loops).

Rerun everything with `make bench` (about 20 minutes on 2 cores), one benchmark with
`uv run --group bench python -m bench loading`, or a smoke run with `--quick` (which prints
its tables and does not touch this file). Everything runs on one machine: PostgreSQL with
pgstac on loopback, and moto's server as a separate process for SNS, so the absolute rates
are those of the emulator, not of AWS; the ratios are what the targets are about.
Each section gives the machine's 1-minute load average before and after it ran: on a busy
machine the spread between repetitions grows, and the alternation keeps the ratios fair.
[capacity.md](capacity.md) turns the load measurements into a capacity plan for AWS.
"""


class Target(BaseModel):
    """A target of the issue: ``measured`` (a ratio) must be at least ``threshold``."""

    name: str
    measured: float
    threshold: float
    note: str = ""

    @property
    def met(self) -> bool:
        return self.measured >= self.threshold


class Table(BaseModel):
    caption: str = ""
    columns: list[str]
    rows: list[list[str]]


class Section(BaseModel):
    key: str
    title: str
    method: str
    tables: list[Table] = Field(default_factory=list)
    targets: list[Target] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)
    raw: dict[str, Any] = Field(default_factory=dict)
    machine: Machine | None = None
    elapsed_seconds: float = 0.0
    load_average: tuple[float, float] | None = Field(
        None, description="1-minute load average before and after the benchmark"
    )


class Results(BaseModel):
    sections: dict[str, Section] = Field(default_factory=dict)


def load_results(path: Path = RESULTS) -> Results:
    if path.exists():
        return Results.model_validate_json(path.read_text(encoding="utf-8"))
    return Results()


def save_results(results: Results, path: Path = RESULTS) -> None:
    path.write_text(results.model_dump_json(indent=1) + "\n", encoding="utf-8")


def read_intro(path: Path = DOC) -> str:
    if path.exists():
        text = path.read_text(encoding="utf-8")
        if INTRO_START in text and INTRO_END in text:
            return text.split(INTRO_START, 1)[1].split(INTRO_END, 1)[0].strip("\n") + "\n"
    return DEFAULT_INTRO


def _table(table: Table) -> str:
    lines = []
    if table.caption:
        lines += [f"*{table.caption}*", ""]
    lines.append("| " + " | ".join(table.columns) + " |")
    lines.append("|" + "|".join("---" for _ in table.columns) + "|")
    lines += ["| " + " | ".join(row) + " |" for row in table.rows]
    return "\n".join(lines)


def _verdict(target: Target) -> str:
    return "**met**" if target.met else "**not met**"


def render_section(section: Section) -> str:
    out = [f"## {section.title}", ""]
    if section.machine is not None:
        load = ""
        if section.load_average is not None:
            before, after = section.load_average
            load = f" (1-minute load average {before:.1f} before, {after:.1f} after)"
        out += [f"Measured {section.machine.date} in {section.elapsed_seconds:.0f} s{load}.", ""]
    # The method is the benchmark module's docstring; its first line repeats the title.
    paragraphs = section.method.strip().split("\n\n")
    out += ["\n\n".join(paragraphs[1:] or paragraphs), ""]
    for table in section.tables:
        out += [_table(table), ""]
    if section.targets:
        out += [
            _table(
                Table(
                    columns=["Target", "Measured", "Required", "Verdict"],
                    rows=[
                        [t.name, f"{t.measured:.2f}x", f">= {t.threshold:g}x", _verdict(t)]
                        for t in section.targets
                    ],
                )
            ),
            "",
        ]
    out += [f"- {note}" for note in section.notes]
    if section.notes:
        out.append("")
    return "\n".join(out)


def render(results: Results, order: list[str], intro: str) -> str:
    sections = [results.sections[k] for k in order if k in results.sections]
    machines = {s.machine.describe() for s in sections if s.machine is not None}
    latest = max((s.machine.date for s in sections if s.machine), default="never")
    out = [
        "# Benchmarks",
        "",
        INTRO_START,
        intro.rstrip("\n"),
        INTRO_END,
        "",
        "<!-- Everything below is generated by `make bench` (python -m bench). -->",
        "",
        "## Machine",
        "",
        f"Last run: {latest}.",
        "",
    ]
    out += [f"- {m}" for m in sorted(machines)] or ["- (no results yet)"]
    out += ["", "## Targets", ""]
    targets = [(s, t) for s in sections for t in s.targets]
    if targets:
        out.append(
            _table(
                Table(
                    columns=["Benchmark", "Target", "Measured", "Required", "Verdict"],
                    rows=[
                        [s.title, t.name, f"{t.measured:.2f}x", f">= {t.threshold:g}x", _verdict(t)]
                        for s, t in targets
                    ],
                )
            )
        )
    else:
        out.append("No target measured yet.")
    out.append("")
    for section in sections:
        out.append(render_section(section))
    return "\n".join(out).rstrip("\n") + "\n"
