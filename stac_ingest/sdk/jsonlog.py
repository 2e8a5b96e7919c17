"""Structured log lines: one JSON object per line, for CloudWatch Logs Insights and `logs`."""

from __future__ import annotations

import logging
from typing import Any

import orjson


def log_event(
    logger: logging.Logger, event: str, *, level: int = logging.INFO, **fields: Any
) -> None:
    """Log ``{"event": event, **fields}`` as one JSON line (None values are dropped)."""
    record = {"level": logging.getLevelName(level).lower(), "event": event}
    record.update({k: v for k, v in fields.items() if v is not None})
    logger.log(level, orjson.dumps(record, default=str).decode())


def configure_lambda_logging(level: int = logging.INFO) -> None:
    """Plain ``%(message)s`` lines on the root logger (Lambda adds its own prefix)."""
    root = logging.getLogger()
    root.setLevel(level)
    for handler in root.handlers:
        handler.setFormatter(logging.Formatter("%(message)s"))
    if not root.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(message)s"))
        root.addHandler(handler)
