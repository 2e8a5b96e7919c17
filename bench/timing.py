"""Alternating repetitions, medians and ratios."""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable, Mapping

#: A contender does its own (untimed) set-up and returns the seconds its measured work took.
Contender = Callable[[], float]


def log(message: str) -> None:
    """Progress of the benchmark run, on stderr."""
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def alternate(contenders: Mapping[str, Contender], reps: int) -> dict[str, list[float]]:
    """Run every contender ``reps`` times, alternating, reversing the order every other round.

    The rounds go A B C, C B A, A B C, ... so that neither a warming cache nor a growing
    table favours the contender that happens to run first.
    """
    names = list(contenders)
    times: dict[str, list[float]] = {name: [] for name in names}
    for rep in range(reps):
        order = names if rep % 2 == 0 else names[::-1]
        for name in order:
            seconds = contenders[name]()
            times[name].append(seconds)
            log(f"  {name}: rep {rep + 1}/{reps}: {seconds:.3f} s")
    return times


def timed(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def median(values: list[float]) -> float:
    return float(statistics.median(values))


def spread(values: list[float]) -> str:
    """``min-max`` of a list of seconds, for the tables."""
    return f"{_num(min(values))}-{_num(max(values))}"


def _num(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:.3g}"
