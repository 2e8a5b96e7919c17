"""``python -m bench [NAME ...] [--quick] [--reps N]``: run benchmarks, write docs/benchmarks.md."""

from __future__ import annotations

import argparse
import importlib
import os
import signal
import sys
import time
from collections.abc import Callable

from bench import report
from bench.machine import current_machine
from bench.report import Section
from bench.services import Services, services
from bench.timing import log

#: Benchmark name -> (module, repetitions of a full run). The order of docs/benchmarks.md.
BENCHMARKS: dict[str, tuple[str, int]] = {
    "loading": ("bench.loading", 7),
    "concurrency": ("bench.concurrency", 5),
    "publishing": ("bench.publishing", 5),
    "generation": ("bench.generation", 3),
    "local": ("bench.local_pipeline", 2),
    "startup": ("bench.startup", 1),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("names", nargs="*", metavar="NAME", help=f"any of {', '.join(BENCHMARKS)}")
    parser.add_argument(
        "--quick", action="store_true", help="small sizes, 2 repetitions; prints, writes no file"
    )
    parser.add_argument("--reps", type=int, help="repetitions (default: per benchmark)")
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    args = parser.parse_args(argv)
    # A terminated run still stops its PostgreSQL and moto server (the `services` finally).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    unknown = [n for n in args.names if n not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark {unknown[0]!r}; choose from {', '.join(BENCHMARKS)}")
    names = args.names or list(BENCHMARKS)
    results = report.load_results()
    fresh: list[Section] = []
    failed: list[str] = []
    started = time.monotonic()
    with services(keep=args.keep) as svc:
        for name in names:
            module, default_reps = BENCHMARKS[name]
            reps = args.reps or (2 if args.quick and default_reps > 1 else default_reps)
            log(f"== {name} ({'quick, ' if args.quick else ''}{reps} repetitions)")
            begun = time.monotonic()
            started_at = current_machine().date
            load_before = os.getloadavg()[0]
            try:
                run: Callable[..., Section] = importlib.import_module(module).run
                section = _run(run, svc, args.quick, reps)
            except Exception as exc:  # one broken benchmark does not lose the others
                log(f"== {name} FAILED: {type(exc).__name__}: {exc}")
                failed.append(name)
                continue
            section.machine = current_machine().model_copy(update={"date": started_at})
            section.elapsed_seconds = time.monotonic() - begun
            section.load_average = (load_before, os.getloadavg()[0])
            fresh.append(section)
            if not args.quick:
                results.sections[name] = section
                report.save_results(results)
                _write(results)
            log(f"== {name} done in {section.elapsed_seconds:.0f} s")
    log(f"all done in {time.monotonic() - started:.0f} s")
    if args.quick:
        for section in fresh:
            print(report.render_section(section))
    else:
        print(f"wrote {report.DOC.relative_to(report.ROOT)}")
    if failed:
        log(f"failed: {', '.join(failed)} (their sections keep their last results)")
        return 1
    return 0


def _run(run: Callable[..., Section], svc: Services, quick: bool, reps: int) -> Section:
    return run(svc, quick=quick, reps=reps)


def _write(results: report.Results) -> None:
    from bench import capacity

    report.DOC.parent.mkdir(parents=True, exist_ok=True)
    text = report.render(results, list(BENCHMARKS), report.read_intro())
    report.DOC.write_text(text, encoding="utf-8")
    capacity.update_doc(results)


if __name__ == "__main__":
    sys.exit(main())
