"""The ``stac-ingest`` command line: thin adapters over :mod:`stac_ingest.sdk`."""
