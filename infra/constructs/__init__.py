"""Reusable constructs: the ingestion pipeline and its monitoring."""
