"""All of stac-ingest's logic. ``cli/`` and ``lambdas/`` are thin adapters over this package."""
