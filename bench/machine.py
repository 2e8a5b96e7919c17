"""What the benchmarks ran on: date, CPU, cores, memory, Python, and the servers' versions."""

from __future__ import annotations

import os
import platform
import sys
from datetime import UTC, datetime
from importlib import metadata

from pydantic import BaseModel


class Machine(BaseModel):
    date: str
    cpu: str
    cores: int
    memory_gib: float
    os: str
    python: str
    packages: dict[str, str]

    def describe(self) -> str:
        versions = ", ".join(f"{k} {v}" for k, v in self.packages.items())
        return (
            f"{self.cores} cores ({self.cpu}), {self.memory_gib:.1f} GiB memory, {self.os}, "
            f"Python {self.python}; {versions}"
        )


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _memory_gib() -> float:
    try:
        with open("/proc/meminfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("MemTotal:"):
                    return int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    return float(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")) / 1024**3


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def current_machine() -> Machine:
    return Machine(
        date=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        cpu=_cpu_model(),
        cores=os.cpu_count() or 1,
        memory_gib=round(_memory_gib(), 1),
        os=f"{platform.system()} {platform.release()}",
        python=sys.version.split()[0],
        packages={n: _version(n) for n in ("stac-ingest", "pypgstac", "moto", "boto3", "awscli")},
    )
