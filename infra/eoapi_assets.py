"""Files that the installed eoapi-cdk package ships inside its jsii assembly.

eoapi-cdk keeps its Lambda runtime sources (the pgstac bootstrapper handler, the
stac-fastapi-pgstac handler and its lock file) inside ``eoapi_cdk/_jsii/*.jsii.tgz``. We read
them from there at bundling time, so nothing of eoapi-cdk is copied into this repository and
the sources always match the installed, pinned version.
"""

from __future__ import annotations

import json
import tarfile
from functools import cache
from importlib import metadata
from pathlib import Path

from stac_ingest.errors import ToolMissingError

_ROOT = "package/lib/"


@cache
def tarball() -> Path:
    """The jsii tarball of the installed eoapi-cdk."""
    # Located through the distribution, so that jsii (and Node) are not started for it.
    dist = metadata.distribution("eoapi-cdk")
    path = Path(str(dist.locate_file(f"eoapi_cdk/_jsii/eoapi-cdk@{dist.version}.jsii.tgz")))
    if not path.is_file():
        raise ToolMissingError(f"eoapi-cdk {dist.version} is installed without its assembly {path}")
    return path


def read(relpath: str) -> bytes:
    """One file under the package's ``lib/``, e.g. ``database/bootstrapper_runtime/handler.py``."""
    with tarfile.open(tarball(), "r:gz") as tar:
        member = tar.extractfile(_ROOT + relpath)
        if member is None:
            raise ToolMissingError(f"eoapi-cdk ships no {relpath}")
        return member.read()


def extract(prefix: str, dest: Path) -> list[Path]:
    """Every regular file under ``lib/<prefix>`` into ``dest``, keeping relative paths."""
    written = []
    with tarfile.open(tarball(), "r:gz") as tar:
        for member in tar.getmembers():
            name = member.name
            if not member.isfile() or not name.startswith(_ROOT + prefix):
                continue
            rel = Path(name[len(_ROOT + prefix) :].lstrip("/"))
            if rel.is_absolute() or ".." in rel.parts:
                continue
            target = dest / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            source = tar.extractfile(member)
            assert source is not None
            target.write_bytes(source.read())
            written.append(target)
    return written


@cache
def instance_memory_mib() -> dict[str, int]:
    """eoapi-cdk's table of RDS instance memory, which sizes the database parameters."""
    data = json.loads(read("database/instance-memory.json"))
    return {str(k): int(v) for k, v in data.items()}
