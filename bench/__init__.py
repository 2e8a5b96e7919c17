"""Benchmarks of stac-ingest against the baselines operators use today (issue 6).

Run them all with ``make bench`` (``python -m bench``), one or more by name
(``python -m bench loading publishing``), or small and fast with ``--quick``. Every
benchmark runs its subject and its baselines in the same run, on the same data, against
the same servers, alternating, several times; it reports medians and ratios. A full run
regenerates ``docs/benchmarks.md``.
"""
