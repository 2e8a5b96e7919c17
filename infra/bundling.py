"""Lambda zips built locally with uv: no Docker at synth.

Each bundle is installed with ``uv pip install --target`` for the Lambda platform (x86_64
manylinux wheels for Python 3.12, see :data:`PLATFORM`; binary wheels only, except the few
pure-Python sdists in :data:`SDIST_ONLY`), zipped deterministically and cached as
``build/lambda/<name>-<key>.zip``. The key hashes everything that goes in (the lock file,
the sources, the platform), so repeated synths reuse the zip and a change rebuilds it.

* ``item-load``: this package and its runtime dependencies, from ``uv.lock``.
* ``pgstac-bootstrap``: eoapi-cdk's bootstrapper handler (read from the installed package)
  with pypgstac at the version this project pins, so the database's pgstac matches the loader's.
* ``stac-api``: eoapi-cdk's stac-fastapi-pgstac handler with its own lock file.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import tomllib
import zipfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path

from infra import eoapi_assets
from stac_ingest.errors import StacIngestError, ToolMissingError

#: Lambda's python3.12 runs on Amazon Linux 2023 (glibc 2.34). manylinux_2_28 also takes
#: manylinux2014 wheels, and asyncpg 0.31 (stac-api) publishes no manylinux2014 wheel.
PLATFORM = "x86_64-manylinux_2_28"
PYTHON_VERSION = "3.12"
#: Bump to invalidate every cached bundle when the bundling itself changes.
BUNDLER_REVISION = "1"
BUILD_DIR_ENV = "STAC_INGEST_BUILD_DIR"
#: Pure-Python dependencies published only as sdists; uv builds these few into wheels.
SDIST_ONLY = ("version-parser",)

PROJECT_ROOT = Path(__file__).resolve().parents[1]
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)
_SKIP_DIRS = {"__pycache__", "tests"}


class BundlingError(StacIngestError):
    """uv could not build a Lambda bundle."""


def build_dir() -> Path:
    return Path(os.environ.get(BUILD_DIR_ENV) or PROJECT_ROOT / "build" / "lambda")


def pgstac_version() -> str:
    """The one pgstac pin: the installed pypgstac, which ``pyproject.toml`` pins exactly."""
    return metadata.version("pypgstac")


def locked_version(package: str, lock: Path | None = None) -> str:
    """The version of ``package`` in ``uv.lock``."""
    data = tomllib.loads((lock or PROJECT_ROOT / "uv.lock").read_text(encoding="utf-8"))
    for entry in data.get("package", []):
        if entry.get("name") == package:
            return str(entry["version"])
    raise BundlingError(f"{package} is not in uv.lock")


def uv_binary() -> str:
    uv = shutil.which("uv")
    if uv is None:
        candidate = PROJECT_ROOT / ".uv-path"
        if candidate.is_file() and Path(candidate.read_text().strip()).is_file():
            return candidate.read_text().strip()
        raise ToolMissingError(
            "uv is needed to bundle the Lambda code", hint="run scripts/bootstrap.sh"
        )
    return uv


def _run(args: list[str], cwd: Path | None = None) -> str:
    env = {**os.environ, "UV_PYTHON_DOWNLOADS": "never"}
    proc = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        tail = "\n".join(proc.stderr.strip().splitlines()[-5:])
        raise BundlingError(f"{' '.join(args[:3])} failed: {tail}")
    return proc.stdout


def _export_requirements(project_dir: Path) -> str:
    """The locked runtime requirements of a uv project (no groups, no project itself)."""
    return _run(
        [
            uv_binary(),
            "export",
            "--frozen",
            "--no-default-groups",
            "--no-dev",
            "--no-emit-project",
            "--format",
            "requirements-txt",
        ],
        cwd=project_dir,
    )


def _pip_install(target: Path, requirements: str) -> None:
    req_file = target.parent / "requirements.txt"
    req_file.write_text(requirements, encoding="utf-8")
    _run(
        [
            uv_binary(),
            "pip",
            "install",
            "--quiet",
            "--target",
            str(target),
            "--python-platform",
            PLATFORM,
            "--python-version",
            PYTHON_VERSION,
            "--only-binary",
            ":all:",
            *(arg for name in SDIST_ONLY for arg in ("--no-binary", name)),
            "--no-compile",
            "-r",
            str(req_file),
        ]
    )


def _files(root: Path, suffixes: tuple[str, ...] = (".py", ".typed")) -> Iterator[Path]:
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.suffix in suffixes and not _SKIP_DIRS & set(path.parts):
            yield path


def _copy_tree(src: Path, dest: Path) -> None:
    for path in _files(src):
        target = dest / path.relative_to(src)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)


def _write_zip(source: Path, zip_path: Path) -> None:
    """A deterministic zip of ``source``: sorted names, fixed dates, no bytecode."""
    with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        for path in sorted(source.rglob("*")):
            if not path.is_file() or "__pycache__" in path.parts or path.suffix == ".pyc":
                continue
            info = zipfile.ZipInfo(path.relative_to(source).as_posix(), _ZIP_DATE)
            info.external_attr = (0o755 if os.access(path, os.X_OK) else 0o644) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, path.read_bytes(), compresslevel=6)


@contextmanager
def _locked(directory: Path) -> Iterator[None]:
    directory.mkdir(parents=True, exist_ok=True)
    with (directory / ".lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _digest(parts: Iterable[bytes]) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(hashlib.sha256(part).digest())
    return h.hexdigest()[:20]


def _cached_zip(name: str, key: str, fill: Callable[[Path], None]) -> Path:
    """``build/lambda/<name>-<key>.zip``, built by ``fill(target_dir)`` if not there yet."""
    out_dir = build_dir()
    zip_path = out_dir / f"{name}-{key}.zip"
    if zip_path.is_file():
        return zip_path
    with _locked(out_dir):
        if zip_path.is_file():  # another process built it while we waited
            return zip_path
        print(f"bundling {name} with uv (cached afterwards) ...", file=sys.stderr, flush=True)
        with tempfile.TemporaryDirectory(dir=out_dir, prefix=f".{name}-") as tmp:
            target = Path(tmp) / "bundle"
            target.mkdir()
            fill(target)
            partial = Path(tmp) / "bundle.zip"
            _write_zip(target, partial)
            os.replace(partial, zip_path)
        for stale in out_dir.glob(f"{name}-*.zip"):
            if stale != zip_path:
                stale.unlink(missing_ok=True)
    return zip_path


def _common_key() -> list[bytes]:
    return [BUNDLER_REVISION.encode(), PLATFORM.encode(), PYTHON_VERSION.encode()]


def item_load_zip() -> Path:
    """This package and its locked runtime dependencies, for the item-load Lambda."""
    package = PROJECT_ROOT / "stac_ingest"
    sources = list(_files(package))
    key = _digest(
        [
            *_common_key(),
            (PROJECT_ROOT / "uv.lock").read_bytes(),
            (PROJECT_ROOT / "pyproject.toml").read_bytes(),
            *(str(p.relative_to(PROJECT_ROOT)).encode() + p.read_bytes() for p in sources),
        ]
    )

    def fill(target: Path) -> None:
        _pip_install(target, _export_requirements(PROJECT_ROOT))
        _copy_tree(package, target / "stac_ingest")

    return _cached_zip("item-load", key, fill)


def bootstrap_requirements() -> list[str]:
    """What eoapi-cdk's bootstrapper imports, at this project's locked versions."""
    psycopg = locked_version("psycopg")
    return [
        f"pypgstac=={pgstac_version()}",
        f"psycopg[binary,pool]=={psycopg}",
        f"psycopg-binary=={psycopg}",
        f"psycopg-pool=={locked_version('psycopg-pool')}",
        f"httpx=={locked_version('httpx')}",
    ]


def pgstac_bootstrap_zip() -> Path:
    """eoapi-cdk's pgstac bootstrapper handler with pypgstac at our pin."""
    handler = eoapi_assets.read("database/bootstrapper_runtime/handler.py")
    requirements = "\n".join(bootstrap_requirements()) + "\n"
    key = _digest([*_common_key(), handler, requirements.encode()])

    def fill(target: Path) -> None:
        _pip_install(target, requirements)
        (target / "handler.py").write_bytes(handler)

    return _cached_zip("pgstac-bootstrap", key, fill)


def stac_api_zip() -> Path:
    """eoapi-cdk's stac-fastapi-pgstac Lambda runtime, installed from its own lock file."""
    parts = [
        eoapi_assets.read("stac-api/runtime/uv.lock"),
        eoapi_assets.read("stac-api/runtime/pyproject.toml"),
        eoapi_assets.read("stac-api/runtime/src/stac_api/handler.py"),
        eoapi_assets.read("utils/utils.py"),
    ]
    key = _digest([*_common_key(), *parts])

    def fill(target: Path) -> None:
        runtime = target.parent / "runtime"
        eoapi_assets.extract("stac-api/runtime/", runtime)
        _pip_install(target, _export_requirements(runtime))
        _copy_tree(runtime / "src", target)
        (target / "utils.py").write_bytes(eoapi_assets.read("utils/utils.py"))

    return _cached_zip("stac-api", key, fill)
