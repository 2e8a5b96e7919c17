"""stac-ingest: serverless STAC ingestion into pgstac.

The heavy parts (boto3, pypgstac) are imported lazily so that the CLI starts fast.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

try:
    __version__ = version("stac-ingest")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without metadata
    __version__ = "0.0.0"

if TYPE_CHECKING:
    from stac_ingest.errors import StacIngestError
    from stac_ingest.models import ItemRequest
    from stac_ingest.sdk.pipeline import Pipeline

__all__ = ["ItemRequest", "Pipeline", "StacIngestError", "__version__"]

_LAZY = {
    "ItemRequest": "stac_ingest.models",
    "StacIngestError": "stac_ingest.errors",
    "Pipeline": "stac_ingest.sdk.pipeline",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'stac_ingest' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)
